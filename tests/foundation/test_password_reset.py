"""'Password dimenticata?': a one-time link by e-mail (stored hashed, expiring, single use), the same answer
whether or not the address exists; the reset ends every session."""
import datetime as dt
import re

from codesign.auth.models import OneTimeLink
from codesign.core.mail import OutboxMessage
from codesign.db import db
from tests.conftest import csrf_token_from


def _page(r):
    return r.get_data(as_text=True)


def _ask(client, email):
    token = csrf_token_from(_page(client.get("/password-dimenticata")))
    return client.post("/password-dimenticata", data={"email": email, "csrf_token": token})


def _link_in_mail(to):
    msg = db.session.query(OutboxMessage).filter_by(to=to).order_by(OutboxMessage.id.desc()).first()
    return re.search(r"(/reimposta-password/[\w-]+)", msg.body).group(1) if msg else None


def test_reset_through_the_link_once(client, make_user, login):
    user = make_user("applicant", email="volontaria@example.org")
    assert 'href="/password-dimenticata"' in _page(client.get("/accedi"))
    r = _ask(client, "volontaria@example.org")
    assert r.status_code == 303
    link = _link_in_mail("volontaria@example.org")
    assert link
    secret = link.rsplit("/", 1)[1]
    stored = db.session.query(OneTimeLink).one()
    assert stored.token_hash != secret and secret not in stored.token_hash  # only the hash is kept
    # another session of the same person, alive before the reset
    other = client.application.test_client()
    token = csrf_token_from(_page(other.get("/accedi")))
    assert other.post("/accedi", data={"email": user.email, "password": "password-1234", "csrf_token": token}
                      ).status_code == 302
    page = client.get(link)
    assert page.status_code == 200
    token = csrf_token_from(_page(page))
    r = client.post(link, data={"new_password": "corta", "confirm": "corta", "csrf_token": token})
    assert r.status_code == 422
    r = client.post(link, data={"new_password": "una-nuova-password", "confirm": "una-nuova-password",
                                "csrf_token": token})
    assert r.status_code == 303
    assert other.get("/le-mie-proposte").status_code in (302, 401)  # the other session has ended
    login(user, password="una-nuova-password")
    # used once: the link no longer works
    assert client.get(link).status_code == 404


def test_same_answer_for_an_unknown_address_and_no_mail(client):
    r = _ask(client, "nessuno@example.org")
    assert r.status_code == 303
    assert db.session.query(OutboxMessage).count() == 0 and db.session.query(OneTimeLink).count() == 0


def test_an_expired_or_replaced_link_opens_nothing(client, make_user):
    make_user("applicant", email="ente@example.org")
    _ask(client, "ente@example.org")
    first = _link_in_mail("ente@example.org")
    _ask(client, "ente@example.org")
    second = _link_in_mail("ente@example.org")
    assert first != second and client.get(first).status_code == 404  # a new link ends the older one
    link = db.session.query(OneTimeLink).filter(OneTimeLink.used_at.is_(None)).one()
    link.expires_at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)
    db.session.commit()
    assert client.get(second).status_code == 404
    assert client.get("/reimposta-password/" + "x" * 300).status_code == 404
