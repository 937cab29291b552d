"""Fixtures: one database per test session built from the migrations, emptied after every test.

The database is SQLite (a temporary file) unless CODESIGN_TEST_DATABASE_URL names another server
(CI runs the suite a second time on PostgreSQL that way).
"""
from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from codesign import create_app
from codesign.db import db

ROOT = Path(__file__).resolve().parents[1]


def _database_url(tmp_path_factory, worker: str) -> str:
    url = os.environ.get("CODESIGN_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    if url.startswith("postgresql"):
        # A fresh database per xdist worker, derived from the one CI names.
        base = sa.engine.make_url(url)
        name = f"{base.database}_{worker}"
        admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return base.set(database=name).render_as_string(hide_password=False)
    return url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, worker_id="master"):
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return _database_url(tmp_path_factory, worker)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    os.environ["CODESIGN_INSTANCE_PATH"] = str(instance)
    application = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret",
        "UPLOAD_DIR": str(instance / "uploads"),
        "ARGON2_PARAMS": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
        "SERVER_NAME": "localhost",
    })
    from codesign.core.migrate import upgrade
    upgrade(application)  # the schema comes from the migrations alone
    yield application
    with application.app_context():
        db.engine.dispose()


def _empty_tables(app):
    with app.app_context():
        db.session.remove()
        engine = db.engine
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
            else:
                for t in tables:
                    conn.execute(sa.text(f'DELETE FROM "{t}"'))
                with contextlib.suppress(Exception):
                    conn.execute(sa.text("DELETE FROM sqlite_sequence"))


@pytest.fixture()
def app_ctx(app):
    with app.app_context():
        yield app
        db.session.remove()
    _empty_tables(app)


@pytest.fixture()
def client(app_ctx):
    return app_ctx.test_client()


@pytest.fixture()
def make_user(app_ctx):
    """Factory: make_user('admin', org='Comune di Milano') -> User, committed."""
    from codesign.auth import operations as auth_ops
    from codesign.core.enums import Role
    from codesign.organizations import operations as org_ops

    counter = {"n": 0}

    def make(role: str = "applicant", *, email: str | None = None, name: str | None = None, org=None,
             password: str = "password-1234"):
        counter["n"] += 1
        email = email or f"{role}{counter['n']}@example.org"
        user = auth_ops.create_user(email=email, name=name or f"{role.title()} {counter['n']}", password=password,
                                     verified=True)
        organization = None
        if role == "admin":
            organization = org if not isinstance(org, (str, type(None))) else org_ops.get_or_create_administration(
                org or "Comune di Milano")
        elif org is not None:
            organization = org
        auth_ops.grant_role(user, Role(role), organization)
        db.session.commit()
        return user

    return make


@pytest.fixture()
def token_for(app_ctx):
    from codesign.auth import operations as auth_ops

    def issue(user) -> dict:
        token = auth_ops.issue_token(user)
        db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    return issue


_CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    m = _CSRF_RE.search(html)
    assert m, "no CSRF token in the page"
    return m.group(1) or m.group(2)


@pytest.fixture()
def login(client):
    def do(user_or_email, password="password-1234"):
        email = getattr(user_or_email, "email", user_or_email)
        page = client.get("/accedi")
        resp = client.post("/accedi", data={"email": email, "password": password,
                                            "csrf_token": csrf_token_from(page.get_data(as_text=True))})
        assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
        return resp

    return do


@pytest.fixture()
def post_form(client):
    """GET a page, take its CSRF token, POST the form."""

    def do(url, data, *, get_url=None, **kwargs):
        page = client.get(get_url or url)
        assert page.status_code == 200, page.status_code
        payload = dict(data)
        payload["csrf_token"] = csrf_token_from(page.get_data(as_text=True))
        return client.post(url, data=payload, **kwargs)

    return do


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture()
def count_queries(app_ctx):
    """with count_queries() as q: ...; q.count is the number of SQL statements run."""

    @contextlib.contextmanager
    def counting():
        counter = QueryCounter()
        engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            sa.event.remove(engine, "before_cursor_execute", counter)

    return counting


@pytest.fixture()
def statements(client, count_queries):
    """statements(urls, headers=None): the SQL statements each GET runs, read afresh (nothing cached in the
    session) and answered 200: what the "does not grow with the data" tests compare."""

    def count(urls, headers=None) -> list[int]:
        out = []
        for url in urls:
            db.session.expire_all()
            with count_queries() as q:
                r = client.get(url, headers=headers or {})
                assert r.status_code == 200, (url, r.status_code)
            out.append(q.count)
        return out

    return count
