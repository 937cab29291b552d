"""After the ranking on PostgreSQL: two admins scrolling a lot at once never over-allot it; a second
concurrent `finalize` gets 409, never a double effect; concurrent versions are numbered without gaps."""
import sqlalchemy as sa

from codesign.core import audit
from codesign.core.audit import AuditRecord
from codesign.db import db
from codesign.proposals.models import Proposal
from tests.helpers import Scenario, to_codesign, transition, version_body
from tests.proposals.test_concurrency import _parallel, postgres  # noqa: F401  (the fixture)


def _scenario(client, make_user, token_for):
    s = Scenario(client, make_user, token_for)
    to_codesign(s)
    return s


def test_two_scrolls_at_once_admit_a_reserve_once(postgres, client, make_user, token_for):  # noqa: F811
    s = _scenario(client, make_user, token_for)
    transition(client, "proposals", s.ids["A2"], s.admin_h, "start_codesign")
    assert transition(client, "proposals", s.ids["A2"], s.admin_h, "fail_codesign", reason="rinuncia").status_code == 200
    body = {"trigger": "scroll_ranking", "lot": "A"}
    jobs = [lambda c: c.post(f"/api/v1/procedures/{s.pid}/transitions", json=body, headers=s.admin_h).status_code] * 3
    statuses = _parallel(postgres, jobs)
    assert all(code in (200, 409) for code in statuses) and 200 in statuses, statuses
    db.session.expire_all()
    assert db.session.get(Proposal, s.ids["A3"]).state == "admitted"
    n = db.session.execute(sa.select(sa.func.count(AuditRecord.id)).where(
        AuditRecord.entity_id == s.ids["A3"], AuditRecord.trigger == "scroll_admitted")).scalar_one()
    assert n == 1
    used = db.session.execute(sa.select(sa.func.sum(Proposal.requested_amount)).where(
        Proposal.procedure_id == s.pid, Proposal.lot.has(code="A"),
        Proposal.state.in_(("admitted", "in_codesign", "finalized")))).scalar_one()
    assert used <= 200000
    assert audit.verify()[0]


def test_a_second_concurrent_finalize_gets_409(postgres, client, make_user, token_for):  # noqa: F811
    s = _scenario(client, make_user, token_for)
    a1 = s.ids["A1"]
    transition(client, "proposals", a1, s.admin_h, "start_codesign")
    r = client.post(f"/api/v1/proposals/{a1}/versions", headers=s.admin_h, json=version_body("90000.00", "10000.00"))
    assert r.status_code == 201
    body = {"trigger": "finalize"}
    jobs = [lambda c: c.post(f"/api/v1/proposals/{a1}/transitions", json=body, headers=s.admin_h).status_code] * 2
    assert sorted(_parallel(postgres, jobs)) == [200, 409]
    n = db.session.execute(sa.select(sa.func.count(AuditRecord.id)).where(
        AuditRecord.entity_id == a1, AuditRecord.trigger == "finalize")).scalar_one()
    assert n == 1


def test_concurrent_versions_are_numbered_without_gaps(postgres, client, make_user, token_for):  # noqa: F811
    s = _scenario(client, make_user, token_for)
    a1 = s.ids["A1"]
    transition(client, "proposals", a1, s.admin_h, "start_codesign")
    body = version_body("90000.00", "10000.00")
    jobs = [lambda c, h=h: c.post(f"/api/v1/proposals/{a1}/versions", json=body, headers=h).status_code
            for h in (s.admin_h, s.org_h["ets1"], s.admin_h, s.org_h["ets1"])]
    statuses = _parallel(postgres, jobs)
    assert statuses.count(201) >= 1 and set(statuses) <= {201, 409}, statuses
    numbers = [v["number"] for v in client.get(f"/api/v1/proposals/{a1}/versions", headers=s.admin_h).json]
    assert numbers == list(range(1, statuses.count(201) + 1))
