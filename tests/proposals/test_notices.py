"""Every move of the first half tells, once, whoever must act or know: the body its receipt, an integration asked
(its due day, a reminder two days before), admissibility or exclusion with the reason; the administration an
integration received; the committee its appointment and the start of the evaluation. Each by mail and on the
person's notifications, linked to the page where to act."""
import datetime as dt

import sqlalchemy as sa

from codesign.auth.operations import grant_role
from codesign.core.enums import Role
from codesign.core.mail import OutboxMessage
from codesign.core.notifications import Notification
from codesign.core.tick import run_tick
from codesign.db import db, utcnow
from codesign.organizations.models import Organization
from codesign.proposals.workflow import rome_today
from tests.api.test_proposals_api import _to_admissibility
from tests.helpers import SCENARIO, Scenario, World, transition


def _told(user, start: str) -> list[Notification]:
    return list(db.session.execute(sa.select(Notification).where(
        Notification.user_id == user.id, Notification.subject.startswith(start)).order_by(Notification.id)).scalars())


def test_from_submission_to_the_start_of_the_evaluation(client, make_user, token_for):
    s = Scenario(client, make_user, token_for, substitutes=1)
    for p in SCENARIO["proposals"]:
        user, pid = s.org_users[p["org"]], s.ids[p["ref"]]
        sent = [n for n in _told(user, "Proposta inviata") if n.link == f"/proposte/{pid}"]
        assert len(sent) == 1 and f"numero di protocollo {p['protocol_order']}" in sent[0].body
        verdict = _told(user, "Proposta ammissibile" if p["admissible"] else "Proposta esclusa")
        assert [n.link for n in verdict].count(f"/proposte/{pid}") == 1
        if not p["admissible"]:
            assert "Motivo: documentazione incompleta" in verdict[0].body
    for e in s.ev.values():
        (appointed,) = _told(e, "Nomina nella commissione")
        assert "Sei stato nominato membro della commissione" in appointed.body and appointed.link == "/valutazioni"
        assert len(_told(e, "Valutazione aperta")) == 1
    (sub,) = s.subs.values()
    assert "membro supplente" in _told(sub, "Nomina nella commissione")[0].body
    assert _told(sub, "Valutazione aperta") == []  # a substitute is told when called, not now
    # once each, by mail too: one message per notification, nothing else
    notes = db.session.execute(sa.select(sa.func.count(Notification.id))).scalar_one()
    assert db.session.execute(sa.select(sa.func.count(OutboxMessage.id))).scalar_one() == notes
    # appointing the same committee again tells nobody again
    r = client.put(f"/api/v1/procedures/{s.pid}/committee", headers=s.admin_h, json={
        "evaluators": [u.email for u in s.ev.values()], "substitutes": [sub.email]})
    assert r.status_code == 200
    assert db.session.execute(sa.select(sa.func.count(Notification.id))).scalar_one() == notes


def test_an_integration_asked_reminded_once_and_answered(client, make_user, token_for, app_ctx):
    w = World(client, make_user, token_for, bodies=1)
    w.publish()
    pid = w.draft(0)
    assert w.submit(pid, 0).status_code == 200
    _to_admissibility(w)
    today = rome_today(utcnow())
    due = today + dt.timedelta(days=5)
    r = transition(client, "proposals", pid, w.admin_h, "request_integration", reason="manca il DURC",
                   due=due.isoformat())
    assert r.status_code == 200, r.json
    member = w.applicants[0]
    (asked,) = _told(member, "Richiesta di integrazione")
    assert "Motivo: manca il DURC" in asked.body and f"entro la fine del {due:%d/%m/%Y}" in asked.body
    assert asked.link == f"/proposte/{pid}"

    noon = dt.datetime.combine(today, dt.time(11), tzinfo=dt.timezone.utc)
    run_tick(noon + dt.timedelta(days=2))  # three days before: not yet
    assert _told(member, "Promemoria") == []
    run_tick(noon + dt.timedelta(days=3))  # two days before
    run_tick(noon + dt.timedelta(days=4))  # the next day: not again
    (reminder,) = _told(member, "Promemoria")
    assert "scade tra 2 giorni" in reminder.subject and "non è ancora arrivata" in reminder.body
    mails = db.session.execute(sa.select(OutboxMessage).where(OutboxMessage.subject.startswith("Promemoria"))).all()
    assert len(mails) == 1

    r = transition(client, "proposals", pid, w.headers[0], "provide_integration", note="allegato il DURC")
    assert r.status_code == 200, r.json
    (received,) = _told(w.admin, "Integrazione ricevuta")
    assert received.link == f"/proposte/{pid}" and "ha inviato" in received.body


def test_a_call_cancelled_tells_every_body_with_a_proposal(client, make_user, token_for):
    w = World(client, make_user, token_for, bodies=2)
    w.publish()
    sent = w.draft(0)
    assert w.submit(sent, 0).status_code == 200
    w.draft(1)  # still a draft: its body is told too
    both = w.applicants[0]   # a member of both bodies is told once
    grant_role(both, Role.applicant, db.session.get(Organization, w.orgs[1]))
    db.session.commit()
    r = transition(client, "procedures", w.procedure_id, w.admin_h, "cancel", reason="risorse non più disponibili")
    assert r.status_code == 200, r.json
    for member in w.applicants:
        (n,) = _told(member, "Avviso annullato")
        assert "Motivo: risorse non più disponibili" in n.body and n.link == f"/avvisi/{w.procedure_id}"
