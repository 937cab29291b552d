"""An admin invites a colleague to work for the same administration: an account without a password and a one-time
link for who has none, the admin role added for who has one, the same answer either way; the colleague then manages
the administration's calls."""
import re

import sqlalchemy as sa

from codesign.auth.models import User
from codesign.core.audit import AuditRecord
from codesign.core.mail import OutboxMessage
from codesign.db import db
from tests.conftest import csrf_token_from
from tests.helpers import call_body, future

API = "/api/v1"


def _administration(client, admin, headers) -> int:
    me = client.get(f"{API}/me", headers=headers).json
    return next(o["id"] for o in me["organizations"] if o["role"] == "admin")


def test_an_admin_invites_a_colleague_who_then_manages_the_calls(client, make_user, token_for):
    admin = make_user("admin", org="Comune di Milano")
    h = token_for(admin)
    org_id = _administration(client, admin, h)
    r = client.post(f"{API}/procedures", json=call_body(future()), headers=h)
    assert r.status_code == 201, r.json
    draft_id = r.json["id"]

    r = client.post(f"{API}/organizations/{org_id}/admins", json={"email": "Anna.Verdi@Comune.Milano.it",
                                                                  "name": "Anna Verdi"}, headers=h)
    assert r.status_code == 201, r.json
    assert r.json["email"] == "anna.verdi@comune.milano.it" and r.json["name"] == "Anna Verdi"
    anna = db.session.execute(sa.select(User).where(User.email == "anna.verdi@comune.milano.it")).scalar_one()
    assert not anna.activated and org_id in anna.administration_ids
    mail = db.session.execute(sa.select(OutboxMessage).where(OutboxMessage.to == anna.email)).scalar_one()
    assert "Comune di Milano" in mail.subject and admin.name in mail.body
    link = re.search(r"(/invito/[\w-]+)", mail.body).group(1)
    listed = client.get(f"{API}/organizations/{org_id}/admins", headers=h)
    assert listed.status_code == 200 and listed.headers["X-Total-Count"] == "2"
    assert {a["email"] for a in listed.json} == {admin.email, anna.email}
    again = client.post(f"{API}/organizations/{org_id}/admins", json={"email": anna.email, "name": "Anna"}, headers=h)
    assert again.status_code == 409
    assert db.session.execute(sa.select(sa.func.count(OutboxMessage.id))).scalar_one() == 1

    other = client.application.test_client()
    page = other.get(link)
    assert page.status_code == 200
    r = other.post(link, data={"csrf_token": csrf_token_from(page.get_data(as_text=True)),
                               "new_password": "una-password-lunga", "confirm": "una-password-lunga"})
    assert r.status_code == 303
    assert other.get(f"/gestione/avvisi/{draft_id}").status_code == 200  # the administration's draft, now hers
    trigger = db.session.execute(sa.select(AuditRecord.data).where(AuditRecord.trigger == "invite_admin")).scalar_one()
    assert str(org_id) in trigger


def test_the_answer_is_the_same_for_an_address_with_an_account(client, make_user, token_for):
    admin = make_user("admin", org="Comune di Milano")
    h = token_for(admin)
    org_id = _administration(client, admin, h)
    registered = make_user("evaluator", email="marco@example.org", name="Marco Neri")
    r = client.post(f"{API}/organizations/{org_id}/admins", json={"email": "marco@example.org", "name": "Marco"},
                    headers=h)
    assert r.status_code == 201 and set(r.json) == {"user_id", "name", "email", "position", "since"}
    db.session.expire_all()
    marco = db.session.get(User, registered.id)
    assert marco.is_admin and marco.is_evaluator and marco.name == "Marco Neri" and marco.activated


def test_who_may_not_invite(client, make_user, token_for):
    admin = make_user("admin", org="Comune di Milano")
    org_id = _administration(client, admin, token_for(admin))
    elsewhere = token_for(make_user("admin", org="Comune di Rho"))
    body = {"email": "x@example.org", "name": "X"}
    assert client.post(f"{API}/organizations/{org_id}/admins", json=body, headers=elsewhere).status_code == 404
    assert client.get(f"{API}/organizations/{org_id}/admins", headers=elsewhere).status_code == 404
    applicant = token_for(make_user("applicant"))
    assert client.post(f"{API}/organizations/{org_id}/admins", json=body, headers=applicant).status_code == 404
    assert client.post(f"{API}/organizations/{org_id}/admins", json=body).status_code == 401
    r = client.post(f"{API}/organizations/{org_id}/admins", json={"email": "non-un-indirizzo", "name": "",
                                                                  "role": "admin"}, headers=token_for(admin))
    assert r.status_code == 422 and set(r.json["error"]["fields"]) == {"email", "name", "role"}
    assert db.session.execute(sa.select(sa.func.count(User.id)).where(User.email == "x@example.org")).scalar_one() == 0
    assert db.session.execute(sa.select(sa.func.count(OutboxMessage.id))).scalar_one() == 0


def test_the_colleagues_page(client, make_user, token_for, login, post_form):
    admin = make_user("admin", org="Comune di Milano")
    org_id = _administration(client, admin, token_for(admin))
    login(admin)
    listing = client.get("/gestione/avvisi").get_data(as_text=True)
    assert f"/enti/{org_id}/colleghi" in listing
    url = f"/enti/{org_id}/colleghi"
    r = post_form(url, {"name": "Anna Verdi", "email": "non-un-indirizzo"})
    assert r.status_code == 422 and "indirizzo e-mail non valido" in r.get_data(as_text=True)
    r = post_form(url, {"name": "Anna Verdi", "email": "anna.verdi@example.org"}, follow_redirects=True)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Invito inviato a anna.verdi@example.org" in html
    assert "Anna Verdi" in html and "in attesa che scelga la password" in html
    rho = make_user("admin", org="Comune di Rho")
    rho_id = next(m.organization_id for m in rho.memberships)
    assert client.get(f"/enti/{rho_id}/colleghi").status_code == 404
