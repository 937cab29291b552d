"""Accounts and sessions: login throttling, sessions that end at logout and at password change, security headers."""
import datetime as dt

import pytest
import sqlalchemy as sa
import time_machine

from codesign.auth.models import LoginThrottle, User
from codesign.db import db
from tests.conftest import csrf_token_from

PASSWORD = "password-1234"


def _login(client, email, password, environ=None):
    environ = environ or {}
    page = client.get("/accedi", environ_base=environ)
    return client.post("/accedi", environ_base=environ, data={
        "email": email, "password": password, "csrf_token": csrf_token_from(page.get_data(as_text=True))})


def _logout(client):
    page = client.get("/")
    return client.post("/esci", data={"csrf_token": csrf_token_from(page.get_data(as_text=True))})


def _logged_in(client) -> bool:
    return "Esci" in client.get("/").get_data(as_text=True)


# --- throttling ----------------------------------------------------------------------------------------------------
def test_wrong_passwords_then_the_right_one_is_refused_with_429(client, make_user, app):
    user = make_user("applicant")
    limit = app.config["LOGIN_ATTEMPTS_PER_ACCOUNT"]
    for _ in range(limit):
        assert _login(client, user.email, "sbagliata-000").status_code == 422
    r = _login(client, user.email, PASSWORD)
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) > 0
    html = r.get_data(as_text=True)
    assert "Troppi tentativi di accesso non riusciti" in html and "Riprova tra 15 minuti" in html
    assert not _logged_in(client)


def test_throttle_ends_with_its_window(client, make_user, app):
    user = make_user("applicant")
    start = dt.datetime.now(dt.timezone.utc)
    with time_machine.travel(start, tick=False):
        for _ in range(app.config["LOGIN_ATTEMPTS_PER_ACCOUNT"]):
            _login(client, user.email, "sbagliata-000")
        assert _login(client, user.email, PASSWORD).status_code == 429
    later = start + dt.timedelta(seconds=app.config["LOGIN_WINDOW_SECONDS"] + 1)
    with time_machine.travel(later, tick=False):
        assert _login(client, user.email, PASSWORD).status_code == 302


def test_success_resets_the_account_counter(client, make_user, app):
    user = make_user("applicant")
    limit = app.config["LOGIN_ATTEMPTS_PER_ACCOUNT"]
    for _ in range(limit - 1):
        _login(client, user.email, "sbagliata-000")
    assert _login(client, user.email, PASSWORD).status_code == 302
    _logout(client)
    for _ in range(limit - 1):
        assert _login(client, user.email, "sbagliata-000").status_code == 422
    assert _login(client, user.email, PASSWORD).status_code == 302


def test_cli_unlock(client, make_user, app, monkeypatch):
    from click.testing import CliRunner

    from codesign import cli

    user = make_user("applicant")
    for _ in range(app.config["LOGIN_ATTEMPTS_PER_ACCOUNT"]):
        _login(client, user.email, "sbagliata-000")
    assert _login(client, user.email, PASSWORD).status_code == 429
    monkeypatch.setattr(cli, "_app", lambda: app)  # the suite's database
    r = CliRunner().invoke(cli.main, ["users", "unlock", user.email.upper()])
    assert r.exit_code == 0 and "azzerati" in r.output
    assert _login(client, user.email, PASSWORD).status_code == 302


def test_unknown_accounts_are_throttled_too(client, app):
    for _ in range(app.config["LOGIN_ATTEMPTS_PER_ACCOUNT"]):
        assert _login(client, "nessuno@example.org", "x").status_code == 422
    assert _login(client, "nessuno@example.org", "x").status_code == 429
    # The e-mail is kept only as a hash.
    keys = db.session.execute(sa.select(LoginThrottle.key)).scalars().all()
    assert keys and all(len(k) == 64 and "@" not in k for k in keys)


def test_one_address_guessing_many_accounts_is_throttled(client, make_user, app):
    victim = make_user("applicant")
    other_address = {"REMOTE_ADDR": "198.51.100.7"}
    for i in range(app.config["LOGIN_ATTEMPTS_PER_ADDRESS"]):
        assert _login(client, f"utente{i}@example.org", "x").status_code == 422
    # The same address is refused even for an account it never tried…
    assert _login(client, victim.email, PASSWORD).status_code == 429
    # …while another address logs that account in.
    assert _login(client, victim.email, PASSWORD, environ=other_address).status_code == 302


def test_concurrent_attempts_never_exceed_the_limit(app_ctx):
    """Attempts from many workers at once (threads, each with its own connection): exactly the limit goes on."""
    import threading

    from codesign.auth import throttle

    app = app_ctx
    limit = app.config["LOGIN_ATTEMPTS_PER_ACCOUNT"]
    results, barrier = [], threading.Barrier(12)

    def guess(i):
        with app.app_context():
            barrier.wait()
            results.append(throttle.attempt("bersaglio@example.org", f"203.0.113.{i}"))
            db.session.remove()

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 12
    assert results.count(None) == limit
    counted = db.session.execute(sa.select(LoginThrottle.attempts).where(
        LoginThrottle.key == throttle.account_key("bersaglio@example.org"))).scalar_one()
    assert counted == 12


def test_throttle_survives_the_rollback_of_the_refused_login(client, make_user):
    user = make_user("applicant")
    _login(client, user.email, "sbagliata-000")
    db.session.remove()
    assert db.session.execute(sa.select(sa.func.max(LoginThrottle.attempts))).scalar_one() == 1


def test_guessing_the_current_password_is_throttled(client, make_user, login, app):
    user = make_user("applicant")
    login(user)
    for i in range(app.config["LOGIN_ATTEMPTS_PER_ACCOUNT"]):
        page = client.get("/profilo/password").get_data(as_text=True)
        r = client.post("/profilo/password", data={"current_password": f"tentativo-{i:04d}", "new_password": "nuova-password-99",
                                                   "confirm": "nuova-password-99", "csrf_token": csrf_token_from(page)})
        assert r.status_code == 422
    page = client.get("/profilo/password").get_data(as_text=True)
    r = client.post("/profilo/password", data={"current_password": PASSWORD, "new_password": "nuova-password-99",
                                               "confirm": "nuova-password-99", "csrf_token": csrf_token_from(page)})
    assert r.status_code == 429 and "Troppi tentativi" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == user.password_hash  # unchanged


def test_english_message(client, make_user, app, post_form):
    post_form("/lingua/en", {"next": "/"}, get_url="/")
    for _ in range(app.config["LOGIN_ATTEMPTS_PER_ACCOUNT"] + 1):
        r = _login(client, "nessuno@example.org", "x")
    assert r.status_code == 429 and "Too many failed login attempts" in r.get_data(as_text=True)


@pytest.mark.parametrize("email,password", [
    ("a\x00b@example.org", "x"), ("\x00", "\x00"), ("utente@example.org\n", "x"), ("x@example.org", "a\x00b"),
    ("é" * 5000 + "@example.org", "x" * 100_000),
])
def test_login_with_control_characters_is_refused_not_an_error(client, make_user, email, password):
    assert _login(client, email, password).status_code == 422


@pytest.mark.parametrize("name,email", [("Nome\x00", "n1@example.org"), ("Nome\x07Cognome", "n2@example.org"),
                                        ("Nome", "n\x00@example.org"), ("N" * 201, "n3@example.org")])
def test_registration_with_control_characters_is_refused(client, post_form, name, email):
    r = post_form("/registrati", {"name": name, "email": email, "password": "una-password-lunga",
                                  "confirm": "una-password-lunga", "privacy": "y"})
    assert r.status_code == 422
    assert db.session.execute(sa.select(sa.func.count(User.id))).scalar_one() == 0


# --- sessions ------------------------------------------------------------------------------------------------------
def _cookie(client):
    return client.get_cookie("session").value


def test_session_cookie_is_dead_after_logout(app, make_user):
    user = make_user("applicant")
    browser = app.test_client()
    assert _login(browser, user.email, PASSWORD).status_code == 302
    stolen = _cookie(browser)
    _logout(browser)
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert not _logged_in(thief)
    assert thief.get("/profilo/password").status_code == 302  # to the login page


def test_password_change_ends_the_other_sessions(app, make_user):
    user = make_user("applicant")
    desk, phone = app.test_client(), app.test_client()
    assert _login(desk, user.email, PASSWORD).status_code == 302
    assert _login(phone, user.email, PASSWORD).status_code == 302
    page = desk.get("/profilo/password").get_data(as_text=True)
    r = desk.post("/profilo/password", data={"current_password": PASSWORD, "new_password": "nuova-password-99",
                                             "confirm": "nuova-password-99", "csrf_token": csrf_token_from(page)})
    assert r.status_code == 302
    assert _logged_in(desk)        # the session that changed it goes on
    assert not _logged_in(phone)   # every other one has ended
    assert _login(phone, user.email, "nuova-password-99").status_code == 302


def test_sessions_of_the_previous_version_and_malformed_ids_do_not_load(app_ctx, make_user):
    from codesign.auth.registration import load_user

    user = make_user("applicant")
    assert load_user(f"{user.id}:{user.session_version}") is not None
    for bad in [str(user.id), f"{user.id}:{user.session_version + 1}", "x:0", f"{user.id}:", "99999999999:0",
                f"{user.id}:0:0", "", "١:0"]:
        assert load_user(bad) is None, bad
    db.session.get(User, user.id).session_version += 1
    db.session.commit()
    assert load_user(f"{user.id}:0") is None


# --- headers -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/", "/accedi", "/api/v1/openapi.json", "/pagina-che-non-esiste", "/static/codesign.css"])
def test_security_headers(client, path):
    r = client.get(path)
    csp = r.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"          # no inline script, no other origin
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-eval" not in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in r.headers  # plain HTTP (CODESIGN_HTTPS unset)


def test_no_inline_script_in_any_template():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    offenders = []
    for path in root.rglob("*.html"):
        text = path.read_text()
        for m in re.finditer(r"<script\b([^>]*)>", text):
            if "src=" not in m.group(1):
                offenders.append(f"{path.relative_to(root)}: {m.group(0)}")
        if re.search(r"\son[a-z]+\s*=\s*[\"']", text) or "javascript:" in text:
            offenders.append(f"{path.relative_to(root)}: inline handler")
    assert offenders == []


def test_https_setting(monkeypatch, tmp_path):
    from codesign import create_app

    monkeypatch.setenv("CODESIGN_HTTPS", "1")
    monkeypatch.setenv("CODESIGN_INSTANCE_PATH", str(tmp_path))
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}",
                      "SECRET_KEY": "k"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    r = app.test_client().get("/accessibilita")
    assert r.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    with app.test_request_context("/"):
        from flask import session
        session["x"] = 1
        resp = app.make_response("ok")
        app.session_interface.save_session(app, session, resp)
        assert "Secure" in resp.headers["Set-Cookie"]


def test_trusted_proxy_gives_the_client_address(monkeypatch, tmp_path):
    from flask import request

    from codesign import create_app

    monkeypatch.setenv("CODESIGN_TRUSTED_PROXIES", "1")
    monkeypatch.setenv("CODESIGN_INSTANCE_PATH", str(tmp_path))
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}",
                      "SECRET_KEY": "k"})
    seen = {}

    @app.route("/_addr")
    def addr():
        seen["addr"], seen["secure"] = request.remote_addr, request.is_secure
        return "ok"

    app.test_client().get("/_addr", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"})
    assert seen == {"addr": "203.0.113.9", "secure": True}
