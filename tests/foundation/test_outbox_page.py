"""Where no mail leaves (CODESIGN_SMTP_URL unset: the demo), admins read the outbox on a page and follow the
invitation and reset links from it; never in production, never for other roles. And each role lands, after
signing in, where its work is."""
import re

import pytest
from flask import url_for

from codesign.core import mail
from codesign.db import db
from tests.conftest import csrf_token_from

API = "/api/v1"


@pytest.fixture()
def no_smtp(app_ctx):
    saved = app_ctx.config.get("SMTP_URL"), app_ctx.config.get("PRODUCTION")
    app_ctx.config["SMTP_URL"], app_ctx.config["PRODUCTION"] = None, False
    yield app_ctx
    app_ctx.config["SMTP_URL"], app_ctx.config["PRODUCTION"] = saved


def _administration(client, headers) -> int:
    me = client.get(f"{API}/me", headers=headers).json
    return next(o["id"] for o in me["organizations"] if o["role"] == "admin")


def test_an_admin_follows_an_invitation_from_the_outbox_page(no_smtp, client, make_user, token_for, login):
    admin = make_user("admin", org="Comune di Milano")
    h = token_for(admin)
    org_id = _administration(client, h)
    r = client.post(f"{API}/organizations/{org_id}/admins", json={"email": "anna.verdi@comune.milano.it",
                                                                  "name": "Anna Verdi"}, headers=h)
    assert r.status_code == 201, r.json
    login(admin)
    home = client.get("/").get_data(as_text=True)
    assert 'href="/posta-in-uscita"' in home  # in the menu, for admins on a machine without SMTP
    page = client.get("/posta-in-uscita")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "anna.verdi@comune.milano.it" in html and "in attesa" in html
    link = re.search(r'<a href="(http://localhost/invito/[\w-]+)"', html).group(1)  # the link is clickable

    other = client.application.test_client()
    form = other.get(link)
    assert form.status_code == 200
    r = other.post(link, data={"csrf_token": csrf_token_from(form.get_data(as_text=True)),
                               "new_password": "una-password-lunga", "confirm": "una-password-lunga"})
    assert r.status_code == 303


def test_the_outbox_is_searched_by_recipient_paged_and_shown_as_text(no_smtp, client, make_user, login, statements):
    admin = make_user("admin")
    for n in range(25):
        mail.enqueue(f"persona{n}@example.org", f"Messaggio {n}", f"Testo {n}: https://example.org/a/{n}")
    mail.enqueue("Mario.Rossi@example.org", "<script>alert(1)</script>", "<b>ciao</b> https://example.org/x?a=1&b=2")
    db.session.commit()
    login(admin)

    first = client.get("/posta-in-uscita").get_data(as_text=True)
    assert "26 messaggi" in first and "Pagina 1 di 2" in first
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in first and "<script>alert" not in first
    assert "&lt;b&gt;ciao&lt;/b&gt;" in first and 'href="https://example.org/x?a=1&amp;b=2"' in first
    assert "Messaggio 6<" in first and "Messaggio 5<" not in first  # newest first, 20 a page
    second = client.get("/posta-in-uscita?pagina=2").get_data(as_text=True)
    assert "Messaggio 5<" in second and "Messaggio 0<" in second and "Messaggio 6<" not in second
    assert "Pagina precedente" in second

    found = client.get("/posta-in-uscita?a=mario.rossi%40example.org").get_data(as_text=True)
    assert "1 messaggio" in found and "&lt;script&gt;" in found and "Messaggio 1<" not in found
    kept = client.get("/posta-in-uscita?a=persona1%40example.org").get_data(as_text=True)
    assert "1 messaggio" in kept

    assert client.get("/posta-in-uscita?pagina=99999999999999999999").status_code == 200
    few, many = statements(["/posta-in-uscita?a=persona1%40example.org", "/posta-in-uscita"])
    assert few == many


def test_other_roles_and_anonymous_visitors_cannot_read_it(no_smtp, client, make_user, login):
    assert client.get("/posta-in-uscita").status_code == 302  # to the login
    for role in ("applicant", "evaluator"):
        user = make_user(role)
        login(user)
        assert client.get("/posta-in-uscita").status_code == 403
        assert 'href="/posta-in-uscita"' not in client.get("/").get_data(as_text=True)
        client.post("/esci", data={"csrf_token": csrf_token_from(client.get("/").get_data(as_text=True))})


@pytest.mark.parametrize("setting", [{"SMTP_URL": "smtp://127.0.0.1:2525"}, {"PRODUCTION": True}])
def test_where_mail_leaves_or_in_production_the_page_does_not_exist(no_smtp, client, make_user, login, setting):
    no_smtp.config.update(setting)
    login(make_user("admin"))
    assert client.get("/posta-in-uscita").status_code == 404
    assert 'href="/posta-in-uscita"' not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("role, endpoint", [("admin", "procedures.admin_list"), ("evaluator", "evaluation.queue"),
                                            ("applicant", "proposals.dashboard")])
def test_each_role_lands_where_its_work_is(client, make_user, login, role, endpoint):
    r = login(make_user(role))
    assert r.headers["Location"] == url_for(endpoint, _external=False)


def test_a_link_asked_for_wins_over_the_landing(client, make_user):
    user = make_user("evaluator")
    page = client.get("/accedi?next=/avvisi")
    r = client.post("/accedi?next=/avvisi", data={"email": user.email, "password": "password-1234",
                                                  "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert r.status_code == 302 and r.headers["Location"] == "/avvisi"
