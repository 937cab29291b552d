"""Concurrency on PostgreSQL: receipt numbers under parallel submissions, and one winner per row."""
import threading

import pytest
import sqlalchemy as sa

from codesign.db import db
from codesign.proposals.models import Proposal
from tests.helpers import World, declarations_for, transition


@pytest.fixture()
def postgres(app_ctx):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrency tests need PostgreSQL (CODESIGN_TEST_DATABASE_URL); SQLite serialises writers")
    return app_ctx


def _parallel(app, jobs):
    results = [None] * len(jobs)
    barrier = threading.Barrier(len(jobs))

    def run(i, fn):
        with app.app_context():
            client = app.test_client()
            barrier.wait()
            try:
                results[i] = fn(client)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_fifty_parallel_submissions_are_numbered_1_to_50(postgres, client, make_user, token_for):
    w = World(client, make_user, token_for, bodies=1)
    w.publish()
    ids = [w.draft(0, title=f"Proposta {i}", requested_amount="1000.00", cofinancing_amount="200.00")
           for i in range(50)]
    decl = declarations_for(w.call)
    headers = w.headers[0]
    jobs = [lambda c, pid=pid: c.post(f"/api/v1/proposals/{pid}/transitions",
                                      json={"trigger": "submit", "declarations": decl}, headers=headers).status_code
            for pid in ids]
    statuses = _parallel(postgres, jobs)
    assert statuses == [200] * 50
    db.session.expire_all()
    numbers = sorted(db.session.execute(sa.select(Proposal.protocol_number)).scalars())
    assert numbers == list(range(1, 51))
    from codesign.core import audit

    assert audit.verify()[0]


def test_two_concurrent_transitions_on_one_row_cannot_both_win(postgres, client, make_user, token_for):
    w = World(client, make_user, token_for, bodies=1)
    w.publish()
    pid = w.draft(0)
    w.submit(pid)
    headers = w.headers[0]
    jobs = [lambda c: c.post(f"/api/v1/proposals/{pid}/transitions", json={"trigger": "withdraw"},
                             headers=headers).status_code] * 2
    statuses = sorted(_parallel(postgres, jobs))
    assert statuses == [200, 409], statuses
    from codesign.core.audit import AuditRecord

    n = db.session.execute(sa.select(sa.func.count(AuditRecord.id)).where(
        AuditRecord.entity_id == pid, AuditRecord.trigger == "withdraw")).scalar_one()
    assert n == 1
