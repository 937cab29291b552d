"""Proposals through the API: drafting, attachments, submission, withdrawal, admissibility, tick."""
import datetime as dt
import io

import sqlalchemy as sa
from click.testing import CliRunner

from codesign.core import audit
from codesign.db import db
from codesign.procedures.models import Procedure
from codesign.proposals.models import Attachment, Proposal
from codesign.proposals.workflow import workflow as proposal_workflow
from tests.helpers import PDF, World, transition


def _expire(procedure_id, minutes=1):
    """Move the deadline into the past (as time passing would)."""
    proc = db.session.get(Procedure, procedure_id)
    proc.submission_deadline = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=minutes)
    db.session.commit()


def _to_admissibility(w):
    _expire(w.procedure_id)
    assert transition(w.client, "procedures", w.procedure_id, w.admin_h, "close").status_code == 200
    r = transition(w.client, "procedures", w.procedure_id, w.admin_h, "start_admissibility")
    assert r.status_code == 200, r.json


def upload(client, pid, headers, data=PDF, name="proposta.pdf", kind="progetto"):
    return client.post(f"/api/v1/proposals/{pid}/attachments", headers=headers,
                       data={"kind": kind, "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_submit_numbers_and_hashes(client, make_user, token_for):
    w = World(client, make_user, token_for, bodies=3)
    w.publish()
    ids = [w.draft(i) for i in range(3)]
    r = client.get(f"/api/v1/proposals/{ids[0]}", headers=w.headers[0])
    assert r.json["state"] == "draft" and r.json["allowed_triggers"] == ["submit", "withdraw"]
    for n, (pid, i) in enumerate(zip([ids[2], ids[0], ids[1]], [2, 0, 1]), start=1):
        r = w.submit(pid, i)
        assert r.status_code == 200, r.json
        assert r.json["protocol_number"] == n and len(r.json["content_sha256"]) == 64
        assert r.json["submitted_at"] and r.json["allowed_triggers"] == ["withdraw"]
    assert audit.verify()[0]


def test_the_proposal_body_is_checked_by_its_declared_model(client, make_user, token_for):
    """proposals.schemas: every fault at once, the lot against the call's lots, a partner's fault at its own field;
    a change leaves out what it does not touch but cannot empty the title; nothing stored."""
    w = World(client, make_user, token_for)
    w.publish()
    url = f"/api/v1/procedures/{w.procedure_id}/proposals"
    body = {"organization_id": w.orgs[0], "lot": "Z", "title": " ", "requested_amount": 10.5,
            "cofinancing_amount": "1.00", "partners": [{"name": "Rete", "tax_code": "123", "ruolo": "x"}]}
    r = client.post(url, json=body, headers=w.headers[0])
    assert r.status_code == 422
    fields = r.json["error"]["fields"]
    assert set(fields) == {"lot", "title", "requested_amount", "partners.0.tax_code", "partners.0.ruolo"}, fields
    assert fields["lot"] == "lotto sconosciuto per questo avviso"
    assert db.session.execute(sa.select(sa.func.count(Proposal.id))).scalar_one() == 0
    r = client.post(url, json=body | {"lot": "A", "title": "Portineria", "requested_amount": "10.50",
                                      "partners": [{"name": "Rete", "tax_code": "34567890156", "role": ""}]},
                    headers=w.headers[0])
    assert r.status_code == 201, r.json
    assert r.json["partners"] == [{"name": "Rete", "tax_code": "34567890156", "role": "partner"}]
    pid = r.json["id"]
    r = client.patch(f"/api/v1/proposals/{pid}", json={"summary": "Spazi di vicinato"}, headers=w.headers[0])
    assert r.status_code == 200 and (r.json["title"], r.json["lot"]) == ("Portineria", "A")
    r = client.patch(f"/api/v1/proposals/{pid}", json={"title": None, "lot": 7}, headers=w.headers[0])
    assert r.status_code == 422 and set(r.json["error"]["fields"]) == {"title", "lot"}


def test_draft_refused_after_deadline_and_unknown_lot(client, make_user, token_for):
    w = World(client, make_user, token_for)
    w.publish()
    body = {"organization_id": w.orgs[0], "lot": "Z", "title": "x", "requested_amount": "10.00",
            "cofinancing_amount": "1.00"}
    r = client.post(f"/api/v1/procedures/{w.procedure_id}/proposals", json=body, headers=w.headers[0])
    assert r.status_code == 422 and "lot" in r.json["error"]["fields"]
    _expire(w.procedure_id)
    body["lot"] = "A"
    r = client.post(f"/api/v1/procedures/{w.procedure_id}/proposals", json=body, headers=w.headers[0])
    assert r.status_code == 409


def test_submission_one_second_late_is_refused(client, make_user, token_for):
    w = World(client, make_user, token_for)
    w.publish()
    pid = w.draft()
    proc = db.session.get(Procedure, w.procedure_id)
    proc.submission_deadline = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
    db.session.commit()
    r = w.submit(pid)
    assert r.status_code == 409 and "scaduto" in r.json["error"]["message"]
    assert db.session.get(Proposal, pid).state == "draft"


def test_deadline_edge_through_the_service(app_ctx, client, make_user, token_for):
    w = World(client, make_user, token_for)
    w.publish()
    pid = w.draft()
    proposal = db.session.get(Proposal, pid)
    deadline = proposal.procedure.submission_deadline
    decl = {d["code"]: True for d in w.call["declarations"]}
    import pytest

    from codesign.core.errors import GuardFailed

    with pytest.raises(GuardFailed):
        proposal_workflow.fire(proposal, "submit", w.applicants[0], {"declarations": decl}, now=deadline)
    db.session.rollback()
    proposal = db.session.get(Proposal, pid)
    proposal_workflow.fire(proposal, "submit", w.applicants[0], {"declarations": decl},
                           now=deadline - dt.timedelta(seconds=1))
    db.session.commit()
    assert db.session.get(Proposal, pid).protocol_number == 1


def test_submit_guards_list_every_problem(client, make_user, token_for):
    w = World(client, make_user, token_for,
              required_attachments=[{"kind": "progetto", "title": "Progetto tecnico"}])
    w.publish()
    pid = w.draft(cofinancing_amount="1000.00", requested_amount="250000.00")
    r = transition(client, "proposals", pid, w.headers[0], "submit", declarations={"no_exclusion": True})
    assert r.status_code == 409 and r.json["error"]["code"] == "guard_failed"
    reasons = " | ".join(r.json["error"]["reasons"])
    for needle in ("budget del lotto", "cofinanziamento", "Progetto tecnico", "RUNTS", "veritieri"):
        assert needle in reasons
    assert db.session.get(Proposal, pid).state == "draft"


def test_attachments_are_checked_by_content_and_size(client, make_user, token_for, app_ctx):
    w = World(client, make_user, token_for)
    w.publish()
    pid = w.draft()
    r = upload(client, pid, w.headers[0])
    assert r.status_code == 201 and r.json["size"] == len(PDF) and len(r.json["sha256"]) == 64
    r = upload(client, pid, w.headers[0], data=b"just text, not a pdf", name="finto.pdf")
    assert r.status_code == 422 and "file" in r.json["error"]["fields"]
    app_ctx.config["MAX_UPLOAD_MB"] = 1
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10) + b"\n%%EOF"
    r = upload(client, pid, w.headers[0], data=big)
    assert r.status_code == 413 and r.json["error"]["code"] == "too_large"
    app_ctx.config["MAX_UPLOAD_MB"] = 20
    r = client.post(f"/api/v1/proposals/{pid}/attachments", headers=w.headers[0], data={"kind": "x"},
                    content_type="multipart/form-data")
    assert r.status_code == 400
    assert upload(client, pid, w.headers[1]).status_code == 404  # not their proposal
    assert db.session.execute(sa.select(sa.func.count(Attachment.id))).scalar_one() == 1


def test_bad_input_never_500_and_changes_nothing(client, make_user, token_for):
    w = World(client, make_user, token_for)
    w.publish()
    url = f"/api/v1/procedures/{w.procedure_id}/proposals"
    base = {"organization_id": w.orgs[0], "lot": "A", "title": "x", "requested_amount": "10.00",
            "cofinancing_amount": "1.00"}
    cases = [
        {"requested_amount": 100.5}, {"requested_amount": "-5"}, {"requested_amount": "1e5"},
        {"requested_amount": "12.345"}, {"cofinancing_amount": None}, {"title": 42}, {"lot": ["A"]},
        {"organization_id": "1"}, {"partners": [{"name": "x", "tax_code": "123"}]}, {"partners": "nope"},
        {"unexpected": 1},
    ]
    for case in cases:
        r = client.post(url, json={**base, **case}, headers=w.headers[0])
        assert 400 <= r.status_code < 500, (case, r.status_code)
        assert "error" in r.json and r.json["error"]["code"] in ("invalid", "bad_request", "forbidden"), case
    r = client.post(url, data="{not json", headers={**w.headers[0], "Content-Type": "application/json"})
    assert r.status_code == 400
    assert db.session.execute(sa.select(sa.func.count(Proposal.id))).scalar_one() == 0


def test_applicant_sees_only_own_proposals(client, make_user, token_for):
    w = World(client, make_user, token_for, bodies=2)
    w.publish()
    a, b = w.draft(0), w.draft(1)
    r = client.get(f"/api/v1/procedures/{w.procedure_id}/proposals", headers=w.headers[0])
    assert [p["id"] for p in r.json] == [a] and r.headers["X-Total-Count"] == "1"
    assert client.get(f"/api/v1/proposals/{b}", headers=w.headers[0]).status_code == 404
    r = client.get(f"/api/v1/procedures/{w.procedure_id}/proposals", headers=w.admin_h)
    assert {p["id"] for p in r.json} == {a, b}
    evaluator = make_user("evaluator")
    r = client.get(f"/api/v1/procedures/{w.procedure_id}/proposals", headers=token_for(evaluator))
    assert r.json == []
    assert client.get(f"/api/v1/procedures/{w.procedure_id}/proposals").status_code == 401


def test_patch_only_in_draft_by_owner(client, make_user, token_for):
    w = World(client, make_user, token_for)
    w.publish()
    pid = w.draft()
    r = client.patch(f"/api/v1/proposals/{pid}", json={"title": "Nuovo titolo"}, headers=w.headers[0])
    assert r.status_code == 200 and r.json["title"] == "Nuovo titolo"
    assert client.patch(f"/api/v1/proposals/{pid}", json={"title": "x"}, headers=w.admin_h).status_code == 403
    w.submit(pid)
    r = client.patch(f"/api/v1/proposals/{pid}", json={"title": "Dopo"}, headers=w.headers[0])
    assert r.status_code == 409


def test_withdraw(client, make_user, token_for):
    w = World(client, make_user, token_for)
    w.publish()
    pid = w.draft()
    w.submit(pid)
    r = transition(client, "proposals", pid, w.headers[0], "withdraw")
    assert r.status_code == 200 and r.json["state"] == "withdrawn"
    r = transition(client, "proposals", pid, w.headers[0], "withdraw")
    assert r.status_code == 409 and r.json["error"]["code"] == "illegal_transition"


def test_admissibility_with_integration(client, make_user, token_for):
    w = World(client, make_user, token_for, bodies=3)
    w.publish()
    ids = [w.draft(i) for i in range(3)]
    for i, pid in enumerate(ids):
        assert w.submit(pid, i).status_code == 200
    # not yet in admissibility
    r = transition(client, "proposals", ids[0], w.admin_h, "declare_admissible")
    assert r.status_code == 409 and r.json["error"]["code"] == "guard_failed"
    _to_admissibility(w)
    r = client.get(f"/api/v1/proposals/{ids[0]}", headers=w.admin_h)
    assert r.json["allowed_triggers"] == ["request_integration", "declare_admissible", "exclude"]
    # applicant cannot decide admissibility
    assert transition(client, "proposals", ids[0], w.headers[0], "declare_admissible").status_code == 403
    assert transition(client, "proposals", ids[0], w.admin_h, "declare_admissible").json["state"] == "admissible"
    r = transition(client, "proposals", ids[1], w.admin_h, "request_integration", reason="manca il DURC")
    assert r.status_code == 422 and "due" in r.json["error"]["fields"]
    due = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    r = transition(client, "proposals", ids[1], w.admin_h, "request_integration", reason="manca il DURC", due=due)
    assert r.status_code == 200 and r.json["state"] == "integration_requested"
    assert r.json["integration_request"]["due"] == due
    # content is locked, documents can be added
    assert client.patch(f"/api/v1/proposals/{ids[1]}", json={"title": "x"}, headers=w.headers[1]).status_code == 409
    assert upload(client, ids[1], w.headers[1], kind="durc").status_code == 201
    # cannot exclude before the due date passes
    r = transition(client, "proposals", ids[1], w.admin_h, "exclude", reason="x")
    assert r.status_code == 409
    # evaluation cannot start while proposals are pending
    r = transition(client, "procedures", w.procedure_id, w.admin_h, "start_evaluation")
    assert r.status_code == 409 and "attendono" in r.json["error"]["message"]
    r = transition(client, "proposals", ids[1], w.headers[1], "provide_integration", note="allegato il DURC")
    assert r.status_code == 200 and r.json["state"] == "submitted"
    sha_before = r.json["content_sha256"]
    assert transition(client, "proposals", ids[1], w.admin_h, "declare_admissible").status_code == 200
    assert client.get(f"/api/v1/proposals/{ids[1]}", headers=w.admin_h).json["content_sha256"] == sha_before
    r = transition(client, "proposals", ids[2], w.admin_h, "exclude")
    assert r.status_code == 422
    r = transition(client, "proposals", ids[2], w.admin_h, "exclude", reason="ente non iscritto al RUNTS")
    assert r.json["state"] == "excluded" and r.json["outcome_reason"] == "ente non iscritto al RUNTS"
    # the doorstep of evaluation: only the committee is missing
    r = transition(client, "procedures", w.procedure_id, w.admin_h, "start_evaluation")
    assert r.status_code == 409 and "commissione" in r.json["error"]["message"]
    assert audit.verify()[0]


def _work(lines: list[str]) -> list[str]:
    """What a tick did, beyond keeping the mail (the receipts' notifications wait in the outbox: no SMTP here)."""
    return [x for x in lines if not x.startswith("Posta:") and x != "Nessuna operazione da eseguire."]


def test_tick_closes_and_excludes(client, make_user, token_for, monkeypatch, app_ctx):
    from codesign.core.tick import run_tick

    w = World(client, make_user, token_for, bodies=2)
    w.publish()
    ids = [w.draft(i) for i in range(2)]
    for i, pid in enumerate(ids):
        w.submit(pid, i)
    deadline = db.session.get(Procedure, w.procedure_id).submission_deadline
    run_tick(deadline - dt.timedelta(seconds=1))
    assert db.session.get(Procedure, w.procedure_id).state == "published"
    lines = run_tick(deadline)
    assert db.session.get(Procedure, w.procedure_id).state == "closed" and any("chiuso" in x for x in lines)
    assert _work(run_tick(deadline)) == []  # idempotent
    transition(client, "procedures", w.procedure_id, w.admin_h, "start_admissibility")
    due = dt.date.today() + dt.timedelta(days=3)
    transition(client, "proposals", ids[0], w.admin_h, "request_integration", reason="manca il DURC",
               due=due.isoformat())
    # still within the due day (Europe/Rome): nothing happens
    end_of_due = dt.datetime.combine(due, dt.time(23, 59), tzinfo=dt.timezone(dt.timedelta(hours=1)))
    run_tick(end_of_due)
    assert db.session.get(Proposal, ids[0]).state == "integration_requested"
    run_tick(end_of_due + dt.timedelta(minutes=2))
    p = db.session.get(Proposal, ids[0])
    assert p.state == "excluded" and p.outcome_reason == "integrazione non pervenuta nei termini"
    assert _work(run_tick(end_of_due + dt.timedelta(minutes=3))) == []
    assert audit.verify()[0]
