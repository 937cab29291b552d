"""Every trigger from every state, through the service layer: allowed, refused by state, by role, by guard."""
import datetime as dt
from decimal import Decimal

import pytest

from codesign.core.errors import Forbidden, GuardFailed, IllegalTransition, Invalid
from codesign.db import db
from codesign.procedures import operations as procs
from codesign.procedures.workflow import workflow as procedure_wf
from codesign.proposals.models import Proposal
from codesign.proposals.workflow import workflow as proposal_wf
from tests.helpers import call_body, future

NOW = dt.datetime.now(dt.timezone.utc)


@pytest.fixture()
def actors(app_ctx, make_user):
    from codesign.organizations.models import Organization

    admin = make_user("admin", org="Comune di Milano")
    outsider_admin = make_user("admin", org="Comune di Bergamo")
    body = Organization(name="Cooperativa Il Portico", kind="ets", tax_code="12345670157")
    db.session.add(body)
    db.session.commit()
    applicant = make_user("applicant", org=body)
    stranger = make_user("applicant")
    return {"admin": admin, "outsider": outsider_admin, "applicant": applicant, "stranger": stranger, "body": body}


def _procedure(actors, state, deadline=None):
    proc = procs.create_procedure(actors["admin"], call_body(deadline or future()))
    proc.state = state
    if state != "draft":
        proc.published_at = NOW
    if state == "cancelled":
        proc.cancel_reason = "x"
    db.session.commit()
    return proc


def _proposal(actors, proc, state):
    p = Proposal(procedure=proc, organization=actors["body"], lot=proc.lots[0], state=state, title="T",
                 summary="S", requested_amount=Decimal("90000.00"), cofinancing_amount=Decimal("10000.00"),
                 partners=[], declarations={})
    if state not in ("draft", "withdrawn"):
        proc.last_protocol += 1
        p.protocol_number = proc.last_protocol
    db.session.add(p)
    db.session.commit()
    return p


PROCEDURE_CASES = [(s, t) for s in procedure_wf.states for t in procedure_wf.triggers()]
PROPOSAL_CASES = [(s, t) for s in proposal_wf.states for t in proposal_wf.triggers()]


@pytest.mark.parametrize("state,trigger", PROCEDURE_CASES)
def test_procedure_trigger_from_every_state(actors, state, trigger):
    proc = _procedure(actors, state)
    legal = any(state in t.sources for t in procedure_wf.by_trigger[trigger])
    if not legal:
        with pytest.raises(IllegalTransition):
            procedure_wf.check(proc, trigger, actors["admin"])
        return
    # refused by role: an admin of another administration, and an applicant
    for who in ("outsider", "applicant"):
        with pytest.raises(Forbidden):
            procedure_wf.check(proc, trigger, actors[who])
    # allowed or refused by a guard — never anything else
    try:
        procedure_wf.check(proc, trigger, actors["admin"], params={"reason": "motivo"})
    except GuardFailed as exc:
        assert exc.reasons and all(isinstance(r, str) and r for r in exc.reasons)


def _proposal_phase(state):
    """The procedure phase in which a proposal in `state` normally lives."""
    return {"draft": "published", "submitted": "admissibility", "withdrawn": "published",
            "integration_requested": "admissibility"}.get(state, "evaluation")


@pytest.mark.parametrize("state,trigger", PROPOSAL_CASES)
def test_proposal_trigger_from_every_state(actors, state, trigger):
    proc = _procedure(actors, _proposal_phase(state))
    p = _proposal(actors, proc, state)
    legal = any(state in t.sources for t in proposal_wf.by_trigger[trigger])
    if not legal:
        with pytest.raises(IllegalTransition):
            proposal_wf.check(p, trigger, actors["admin"])
        return
    t = proposal_wf._candidate(p, trigger)
    if "cascade" in t.who:
        # computed at approve_ranking: nobody fires it directly
        for who in ("admin", "applicant"):
            with pytest.raises(Forbidden):
                proposal_wf.check(p, trigger, actors[who])
        proposal_wf.cascade(p, trigger, actors["admin"])
        assert p.state == t.dest
        return
    wrong = "stranger" if "applicant" not in t.who else "admin"
    with pytest.raises(Forbidden):
        proposal_wf.check(p, trigger, actors[wrong])
    right = "applicant" if "applicant" in t.who else "admin"
    try:
        proposal_wf.check(p, trigger, actors[right], params={"reason": "r", "due": dt.date.today()})
    except GuardFailed as exc:
        assert exc.reasons


def test_allowed_triggers_follow_the_table(actors):
    proc = _procedure(actors, "published")
    p = _proposal(actors, proc, "draft")
    assert proposal_wf.allowed_triggers(p, actors["applicant"]) == ["submit", "withdraw"]
    assert proposal_wf.allowed_triggers(p, actors["admin"]) == []
    assert proposal_wf.allowed_triggers(p, None) == []
    assert procedure_wf.allowed_triggers(proc, actors["admin"]) == ["cancel"]  # deadline not passed


def test_guard_refusal_changes_nothing(actors):
    from codesign.core import audit

    proc = _procedure(actors, "published")
    version = proc.version
    n = audit.verify()[1]
    with pytest.raises(GuardFailed, match="non è ancora scaduto"):
        procedure_wf.fire(proc, "close", actors["admin"])
    db.session.rollback()
    proc = db.session.get(type(proc), proc.id)
    assert proc.state == "published" and proc.version == version and audit.verify()[1] == n


def test_parameters_are_required(actors):
    proc = _procedure(actors, "draft")
    with pytest.raises(Invalid) as exc:
        procedure_wf.fire(proc, "cancel", actors["admin"])
    assert "reason" in exc.value.fields


def test_transition_writes_one_audit_record(actors):
    from codesign.core.audit import AuditRecord

    proc = _procedure(actors, "draft")
    procedure_wf.fire(proc, "cancel", actors["admin"], {"reason": "errore materiale"})
    db.session.commit()
    rec = db.session.query(AuditRecord).filter_by(entity_type="procedure", entity_id=proc.id,
                                                  trigger="cancel").one()
    assert (rec.from_state, rec.to_state, rec.reason, rec.actor_id) == ("draft", "cancelled", "errore materiale",
                                                                        actors["admin"].id)
