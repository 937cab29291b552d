"""An admin invites an evaluator who has no account from the committee page; the person chooses a password
through a one-time link and can then be appointed."""
import re

from codesign.auth.models import User
from codesign.core.mail import OutboxMessage
from codesign.db import db
from tests.conftest import csrf_token_from
from tests.helpers import World


def _page(r):
    return r.get_data(as_text=True)


def test_invite_accept_and_appoint(client, make_user, token_for, login):
    w = World(client, make_user, token_for, bodies=1)
    w.publish()
    login(w.admin)
    url = f"/gestione/avvisi/{w.procedure_id}/commissione"
    page = client.get(url)
    assert page.status_code == 200 and "Invita un valutatore" in _page(page)
    token = csrf_token_from(_page(page))
    r = client.post(f"{url}/invito", data={"csrf_token": token, "invite-name": "", "invite-email": "x"})
    assert r.status_code == 422
    r = client.post(f"{url}/invito", data={"csrf_token": token, "invite-name": "Anna Verdi",
                                           "invite-email": "anna.verdi@example.org"})
    assert r.status_code == 303
    user = db.session.query(User).filter_by(email="anna.verdi@example.org").one()
    assert user.is_evaluator and user.password_hash is None
    mail = db.session.query(OutboxMessage).filter_by(to="anna.verdi@example.org").one()
    link = re.search(r"(/invito/[\w-]+)", mail.body).group(1)
    # the invited person chooses a password
    client.post("/esci", data={"csrf_token": token})
    other = client.application.test_client()
    page = other.get(link)
    assert page.status_code == 200 and "anna.verdi@example.org" in _page(page)
    t2 = csrf_token_from(_page(page))
    r = other.post(link, data={"csrf_token": t2, "new_password": "una-password-lunga", "confirm": "una-password-lunga"})
    assert r.status_code == 303
    assert other.get("/valutazioni").status_code == 200  # logged in, on their queue
    assert other.get(link).status_code == 404  # used once
    # an evaluator with a password, whom the committee form offers once the call is closed
    db.session.expire_all()
    user = db.session.query(User).filter_by(email="anna.verdi@example.org").one()
    assert user.is_evaluator and user.password_hash is not None


def test_only_admins_invite(client, make_user, token_for, login):
    w = World(client, make_user, token_for, bodies=1)
    w.publish()
    login(w.applicants[0])
    page = client.get("/le-mie-proposte")
    token = csrf_token_from(_page(page))
    r = client.post(f"/gestione/avvisi/{w.procedure_id}/commissione/invito",
                    data={"csrf_token": token, "invite-name": "X", "invite-email": "x@example.org"})
    assert r.status_code in (403, 404)
    assert db.session.query(User).filter_by(email="x@example.org").count() == 0
