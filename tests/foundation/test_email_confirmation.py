"""Registering asks for the privacy notice (its version and the time recorded) and mails a link that confirms the
address; until it is confirmed the person's bodies cannot submit. The link confirms only through the page's
button, once, within its time; a new one ends the earlier; an invitation or a reset link confirms too."""
import datetime as dt
import re

import sqlalchemy as sa

from codesign.auth.models import OneTimeLink, User
from codesign.core.audit import AuditRecord
from codesign.core.mail import OutboxMessage
from codesign.core.privacy import NOTICE_VERSION
from codesign.db import db
from tests.conftest import csrf_token_from
from tests.helpers import World

FORM = {"name": "Maria Verdi", "email": "maria@example.org", "password": "password-lunga",
        "confirm": "password-lunga"}


def _links(address: str) -> list[str]:
    bodies = db.session.execute(sa.select(OutboxMessage.body).where(OutboxMessage.to == address)
                                .order_by(OutboxMessage.id)).scalars()
    return [m.group(1) for b in bodies if (m := re.search(r"http://localhost(/conferma-email/[\w-]+)", b))]


def test_registering_records_the_consent_and_mails_a_link(client, post_form):
    r = post_form("/registrati", FORM)
    assert r.status_code == 422 and "dichiara di aver letto l'informativa" in r.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count(User.id))).scalar_one() == 0

    r = post_form("/registrati", {**FORM, "privacy": "y"})
    assert r.status_code == 302
    maria = db.session.execute(sa.select(User)).scalar_one()
    assert maria.privacy_version == NOTICE_VERSION and maria.privacy_accepted_at is not None
    assert not maria.email_verified
    consent = db.session.execute(sa.select(AuditRecord).where(AuditRecord.trigger == "accept_privacy")).scalar_one()
    assert NOTICE_VERSION in consent.data
    (link,) = _links("maria@example.org")
    banner = client.get("/enti/nuovo").get_data(as_text=True)
    assert "Conferma il tuo indirizzo maria@example.org" in banner

    page = client.get(link)  # opening the page confirms nothing (a mail scanner opens links too)
    assert page.status_code == 200 and "Conferma l'indirizzo" in page.get_data(as_text=True)
    db.session.expire_all()
    assert not db.session.get(User, maria.id).email_verified
    r = client.post(link, data={"csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert r.status_code == 303 and r.headers["Location"] == "/le-mie-proposte"
    db.session.expire_all()
    assert db.session.get(User, maria.id).email_verified
    assert "Conferma il tuo indirizzo" not in client.get("/le-mie-proposte").get_data(as_text=True)
    assert client.get(link).status_code == 404  # once only
    assert "Versione del 06/12/2026" in client.get("/privacy").get_data(as_text=True)


def test_a_body_cannot_submit_until_the_sender_has_confirmed(client, make_user, token_for, login):
    w = World(client, make_user, token_for, bodies=1)
    w.publish()
    pid = w.draft(0)
    member = w.applicants[0]
    member.email_verified_at = None
    db.session.commit()
    assert client.get("/api/v1/me", headers=w.headers[0]).json["email_verified"] is False
    r = w.submit(pid, 0)
    assert r.status_code == 409 and "conferma il tuo indirizzo e-mail" in r.json["error"]["message"]
    assert client.get(f"/api/v1/proposals/{pid}", headers=w.headers[0]).json["state"] == "draft"

    login(member)
    page = client.get("/le-mie-proposte").get_data(as_text=True)
    r = client.post("/conferma-email", data={"csrf_token": csrf_token_from(page), "next": "/le-mie-proposte"})
    assert r.status_code == 303 and r.headers["Location"] == "/le-mie-proposte"
    r = client.post("/conferma-email", data={"csrf_token": csrf_token_from(page)})
    first, second = _links(member.email)
    assert client.get(first).status_code == 404  # a new link ends the earlier
    page = client.get(second).get_data(as_text=True)
    assert client.post(second, data={"csrf_token": csrf_token_from(page)}).status_code == 303
    assert w.submit(pid, 0).status_code == 200


def test_an_expired_link_confirms_nothing(client, make_user, login):
    user = make_user("applicant")
    user.email_verified_at = None
    db.session.commit()
    login(user)
    page = client.get("/le-mie-proposte").get_data(as_text=True)
    client.post("/conferma-email", data={"csrf_token": csrf_token_from(page)})
    (link,) = _links(user.email)
    row = db.session.execute(sa.select(OneTimeLink).where(OneTimeLink.purpose == "verify")).scalar_one()
    row.expires_at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)
    db.session.commit()
    page = client.get(link)
    assert page.status_code == 404 and "è scaduto" in page.get_data(as_text=True)
    db.session.expire_all()
    assert not db.session.get(User, user.id).email_verified


def test_an_invitation_or_a_reset_link_confirms_the_address(client, make_user, token_for, post_form):
    admin = make_user("admin")
    me = client.get("/api/v1/me", headers=token_for(admin)).json
    org_id = next(o["id"] for o in me["organizations"] if o["role"] == "admin")
    r = client.post(f"/api/v1/organizations/{org_id}/admins", headers=token_for(admin),
                    json={"email": "anna@comune.example", "name": "Anna"})
    assert r.status_code == 201
    anna = db.session.execute(sa.select(User).where(User.email == "anna@comune.example")).scalar_one()
    assert not anna.email_verified
    body = db.session.execute(sa.select(OutboxMessage.body).where(OutboxMessage.to == anna.email)).scalar_one()
    link = re.search(r"http://localhost(/invito/[\w-]+)", body).group(1)
    r = post_form(link, {"new_password": "una-password-lunga", "confirm": "una-password-lunga"})
    assert r.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, anna.id).email_verified
