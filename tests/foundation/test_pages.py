"""The page frame, login, registration and password change, through the pages."""
from pathlib import Path

import pytest
import sqlalchemy as sa

from codesign.auth.models import User
from codesign.db import db
from codesign.organizations.models import Organization

ROOT = Path(__file__).resolve().parents[2]


def test_home_is_italian_with_bootstrap_italia(client):
    r = client.get("/")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert '<html lang="it">' in html
    assert "/static/bootstrap-italia/css/bootstrap-italia.min.css" in html
    assert 'href="#main-content"' in html and 'id="main-content"' in html  # skip link
    assert "Dichiarazione di accessibilità" in html and "Informativa sulla privacy" in html
    assert "Co-progettazione tra amministrazioni e Terzo settore" in html


@pytest.mark.skipif(not (ROOT / "node_modules/bootstrap-italia/dist").is_dir(),
                    reason="Bootstrap Italia not installed (run `npm ci`; make test does)")
def test_bootstrap_italia_assets_are_served(client):
    r = client.get("/static/bootstrap-italia/css/bootstrap-italia.min.css")
    assert r.status_code == 200 and b".it-header-wrapper" in r.data
    r.close()


def test_language_switch_to_english(client, post_form):
    r = post_form("/lingua/en", {"next": "/"}, get_url="/")
    assert r.status_code == 302
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Co-design between administrations and the Third Sector" in html


def test_login_and_logout(client, make_user, login):
    user = make_user("applicant")
    login(user)
    html = client.get("/").get_data(as_text=True)
    assert user.name in html and "Esci" in html
    r = client.post("/esci")  # no CSRF token
    assert r.status_code == 400
    page = client.get("/").get_data(as_text=True)
    from tests.conftest import csrf_token_from

    r = client.post("/esci", data={"csrf_token": csrf_token_from(page)})
    assert r.status_code == 302
    assert "Accedi all" in client.get("/").get_data(as_text=True)


def test_wrong_password(client, make_user, post_form):
    user = make_user("applicant")
    r = post_form("/accedi", {"email": user.email, "password": "sbagliata-123"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "E-mail o password non corretti" in html
    assert 'aria-describedby="password-error"' in html and 'aria-invalid="true"' in html


def test_login_requires_csrf(client, make_user):
    user = make_user("applicant")
    r = client.post("/accedi", data={"email": user.email, "password": "password-1234"})
    assert r.status_code == 400


def test_open_redirect_is_refused(client, make_user, post_form):
    user = make_user("applicant")
    r = post_form("/accedi?next=//evil.example/x", {"email": user.email, "password": "password-1234"},
                  get_url="/accedi")
    assert r.status_code == 302 and "evil" not in r.headers["Location"]


def test_register_then_organization(client, post_form):
    r = post_form("/registrati", {"name": "Maria Verdi", "email": "maria@example.org",
                                  "password": "password-lunga", "confirm": "password-lunga", "privacy": "y"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/enti/nuovo")
    r = post_form("/enti/nuovo", {"name": "Associazione Vicini di Casa APS", "kind": "ets",
                                  "tax_code": "23456780156", "municipality": "Milano"})
    assert r.status_code == 302
    html = client.get("/enti/").get_data(as_text=True)
    assert "Associazione Vicini di Casa APS" in html
    org = db.session.execute(sa.select(Organization)).scalar_one()
    assert org.tax_code == "23456780156"


def test_register_bad_input_changes_nothing(client, post_form):
    r = post_form("/registrati", {"name": "", "email": "non-una-mail", "password": "corta", "confirm": "x"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "Il modulo contiene errori" in html
    assert db.session.execute(sa.select(sa.func.count(User.id))).scalar_one() == 0


def test_register_duplicate_email(client, make_user, post_form):
    make_user("applicant", email="maria@example.org")
    r = post_form("/registrati", {"name": "Maria", "email": "maria@example.org",
                                  "password": "password-lunga", "confirm": "password-lunga", "privacy": "y"})
    assert r.status_code == 422 and "esiste già" in r.get_data(as_text=True)


def test_bad_tax_code_on_page(client, make_user, login, post_form):
    user = make_user("applicant")
    login(user)
    r = post_form("/enti/nuovo", {"name": "Ente", "kind": "ets", "tax_code": "12345670158"})
    assert r.status_code == 422
    assert "cifra di controllo" in r.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count(Organization.id))).scalar_one() == 0


def test_password_change(client, make_user, login, post_form):
    user = make_user("applicant")
    login(user)
    r = post_form("/profilo/password", {"current_password": "sbagliata", "new_password": "nuova-password-1",
                                        "confirm": "nuova-password-1"})
    assert r.status_code == 422
    r = post_form("/profilo/password", {"current_password": "password-1234", "new_password": "nuova-password-1",
                                        "confirm": "nuova-password-1"})
    assert r.status_code == 302
    from codesign.auth.operations import authenticate

    assert authenticate(user.email, "nuova-password-1") is not None


def test_private_page_redirects_to_login(client):
    r = client.get("/enti/")
    assert r.status_code == 302 and "/accedi" in r.headers["Location"]


def test_evaluator_cannot_register_body_page(client, make_user, login):
    login(make_user("evaluator"))
    assert client.get("/enti/nuovo").status_code == 403


def test_error_page_is_italian(client):
    r = client.get("/non-esiste")
    assert r.status_code == 404 and "La pagina che cerchi non esiste" in r.get_data(as_text=True)


def test_static_pages(client):
    assert client.get("/accessibilita").status_code == 200
    assert client.get("/privacy").status_code == 200
