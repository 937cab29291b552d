"""Each person reads their mail in their language: the language chosen on the site is kept on the account (and
the site comes back in it at the next sign-in), registering in English makes an English account, and every event
of a proposal is written for each member in theirs, through the outbox and a real SMTP server, once each."""
import re

import sqlalchemy as sa

from codesign.auth.models import User
from codesign.core.mail import OutboxMessage
from codesign.core.notifications import Notification
from codesign.core.tick import run_tick
from codesign.db import db, utcnow
from codesign.organizations.models import Organization
from tests.api.test_proposals_api import _to_admissibility
from tests.conftest import csrf_token_from
from tests.evaluation.test_notifications import smtp_server  # noqa: F401  (the fixture: a real SMTP server)
from tests.helpers import Scenario, World, transition

FORM = {"name": "Mary Green", "email": "mary@example.org", "password": "password-lunga",
        "confirm": "password-lunga", "privacy": "y"}


def _told(user) -> list[str]:
    return list(db.session.execute(sa.select(Notification.subject).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)).scalars())


def test_the_language_chosen_is_kept_on_the_account(client, make_user, token_for, login, post_form):
    user = make_user("applicant")
    login(user)
    r = post_form("/lingua/en", {"next": "/"}, get_url="/")
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"
    page = client.get("/")
    client.post("/esci", data={"csrf_token": csrf_token_from(page.get_data(as_text=True))})
    with client.session_transaction() as session:
        session.clear()                                  # another device: nothing in the session
    login(user)
    assert '<html lang="en"' in client.get("/notifiche").get_data(as_text=True)
    assert client.get("/api/v1/me", headers=token_for(user)).json["locale"] == "en"


def test_registering_in_english_makes_an_english_account(client, post_form):
    post_form("/lingua/en", {"next": "/"}, get_url="/")
    r = post_form("/registrati", FORM)
    assert r.status_code == 302
    mary = db.session.execute(sa.select(User)).scalar_one()
    assert mary.locale == "en"
    mailed = db.session.execute(sa.select(OutboxMessage).where(OutboxMessage.to == "mary@example.org")).scalar_one()
    assert mailed.subject == "Confirm your e-mail address on codesign" and "within 72 hours" in mailed.body


def test_every_event_in_each_members_language_once(client, make_user, token_for, smtp_server, app_ctx):  # noqa: F811
    sink, url = smtp_server
    w = World(client, make_user, token_for, bodies=1)
    italian = w.applicants[0]
    english = make_user("applicant", org=db.session.get(Organization, w.orgs[0]))   # a second member
    english.locale = "en"
    w.admin.locale = "en"
    db.session.commit()
    w.publish()
    first, second = w.draft(0, title="Portineria di via Padova"), w.draft(0, title="Orti condivisi")
    assert w.submit(first, 0).status_code == 200 and w.submit(second, 0).status_code == 200
    _to_admissibility(w)
    assert transition(client, "proposals", first, w.admin_h, "request_integration", reason="manca il DURC",
                      due="2099-01-10").status_code == 200
    assert transition(client, "proposals", first, w.headers[0], "provide_integration",
                      note="ecco").status_code == 200
    assert transition(client, "proposals", first, w.admin_h, "declare_admissible").status_code == 200
    assert transition(client, "proposals", second, w.admin_h, "exclude", reason="fuori tema").status_code == 200

    assert _told(italian) == [
        "Proposta inviata: Portineria di via Padova", "Proposta inviata: Orti condivisi",
        "Richiesta di integrazione: Portineria di via Padova", "Proposta ammissibile: Portineria di via Padova",
        "Proposta esclusa: Orti condivisi"]
    assert _told(english) == [
        "Proposal sent: Portineria di via Padova", "Proposal sent: Orti condivisi",
        "Integration requested: Portineria di via Padova", "Proposal admissible: Portineria di via Padova",
        "Proposal excluded: Orti condivisi"]
    assert _told(w.admin) == ["Integration received: Portineria di via Padova"]
    excluded = db.session.execute(sa.select(Notification.body).where(
        Notification.user_id == english.id, Notification.subject.startswith("Proposal excluded"))).scalar_one()
    assert "has been excluded" in excluded and "Reason: fuori tema" in excluded   # the reason as written

    # through a real SMTP server: each message once, to its person, in their language
    app_ctx.config["SMTP_URL"] = url
    run_tick(utcnow())
    run_tick(utcnow())
    app_ctx.config["SMTP_URL"] = None
    to_english = [body for rcpt, body in sink.messages if rcpt == [english.email]]
    to_italian = [body for rcpt, body in sink.messages if rcpt == [italian.email]]
    assert len(to_english) == 5 and len(to_italian) == 5
    assert sum("Subject: Proposal excluded: Orti condivisi" in b for b in to_english) == 1
    assert sum("Subject: Proposta esclusa: Orti condivisi" in b for b in to_italian) == 1
    assert not any("Proposta" in b.split("Subject: ")[1].split("\n")[0] for b in to_english)


def test_the_outcome_and_the_committee_in_each_language(client, make_user, token_for):
    s = Scenario(client, make_user, token_for)
    english_body = next(iter(s.org_users.values()))
    english_body.locale = "en"
    db.session.commit()
    s.all_reviews()
    assert transition(client, "procedures", s.pid, s.admin_h, "approve_ranking").status_code == 200
    (outcome,) = db.session.execute(sa.select(Notification).where(
        Notification.user_id == english_body.id, Notification.subject.startswith("Outcome of the evaluation"))
    ).scalars().all()
    assert "has been approved" in outcome.body and "Rank: " in outcome.body and "; score: " in outcome.body
    italian = db.session.execute(sa.select(Notification.body).where(
        Notification.subject.startswith("Esito della valutazione"))).scalars().all()
    assert len(italian) == 9 and all(re.search(r"punteggio: \d+,\d\d", b) for b in italian)
    appointed = db.session.execute(sa.select(Notification.subject).where(
        Notification.user_id == s.ev["e1"].id)).scalars().all()
    assert appointed[0].startswith("Nomina nella commissione di valutazione")


def test_a_join_request_and_its_answer_in_each_language(client, make_user, token_for):
    w = World(client, make_user, token_for, bodies=1)
    founder = w.applicants[0]
    founder.locale = "en"
    asker = make_user("applicant")
    db.session.commit()
    org = db.session.get(Organization, w.orgs[0])
    r = client.post("/api/v1/join-requests", json={"tax_code": org.tax_code, "message": "Curo i progetti"},
                    headers=token_for(asker))
    assert r.status_code == 201, r.json
    (asked,) = db.session.execute(sa.select(Notification).where(Notification.user_id == founder.id)).scalars().all()
    assert asked.subject == f"Request to join {org.name}" and "Their message: Curo i progetti" in asked.body
    assert client.post(f"/api/v1/join-requests/{r.json['id']}/approve", headers=w.headers[0]).status_code == 200
    (answer,) = db.session.execute(sa.select(Notification).where(Notification.user_id == asker.id)).scalars().all()
    assert answer.subject == f"Richiesta di unirti a {org.name}: accettata"
