"""The API's list and detail endpoints run a bounded number of SQL statements, whatever the data."""
import datetime as dt
from decimal import Decimal

import pytest

from codesign.db import db
from codesign.organizations.models import Organization
from codesign.proposals.models import Proposal
from tests.helpers import World


def _bulk_proposals(w, n):
    """n submitted proposals from as many bodies, inserted directly (the API path is tested elsewhere)."""
    from codesign.procedures.models import Procedure

    proc = db.session.get(Procedure, w.procedure_id)
    lot = proc.lots[0]
    for i in range(n):
        org = Organization(name=f"Ente {i}", kind="ets", tax_code=None)
        db.session.add(org)
        proc.last_protocol += 1
        db.session.add(Proposal(procedure=proc, organization=org, lot=lot, state="submitted", title=f"P{i}",
                                summary="S", requested_amount=Decimal("1000.00"), cofinancing_amount=Decimal("200.00"),
                                partners=[], declarations={}, protocol_number=proc.last_protocol,
                                submitted_at=dt.datetime.now(dt.timezone.utc)))
    db.session.commit()


def _counts(client, count_queries, w):
    urls = ["/api/v1/procedures", f"/api/v1/procedures/{w.procedure_id}",
            f"/api/v1/procedures/{w.procedure_id}/proposals?limit=100"]
    out = []
    for url in urls:
        db.session.expire_all()
        with count_queries() as q:
            r = client.get(url, headers=w.admin_h)
            assert r.status_code == 200
        out.append(q.count)
    return out


def test_api_statement_counts_do_not_grow(client, make_user, token_for, count_queries):
    w = World(client, make_user, token_for, bodies=1)
    w.publish()
    _bulk_proposals(w, 10)
    small = _counts(client, count_queries, w)
    _bulk_proposals(w, 290)
    large = _counts(client, count_queries, w)
    assert small == large, (small, large)
    assert all(c <= 12 for c in large), large
