"""What the benchmarks share: a fresh PostgreSQL database, and a published call of the worked example with its
administration's admin (imports inside functions: the app reads its settings from the environment set first)."""
from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def fresh_database(pg: str, name: str) -> str:
    """Drop and create database `name` on the server `pg`; the app started next uses it. Its URL."""
    import sqlalchemy as sa

    eng = sa.create_engine(f"{pg}/postgres", isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        c.execute(sa.text(f"CREATE DATABASE {name}"))
    eng.dispose()
    url = f"{pg}/{name}"
    os.environ["CODESIGN_DATABASE_URL"] = url
    os.environ.setdefault("CODESIGN_INSTANCE_PATH", str(ROOT / "instance" / "bench"))
    return url


def published_call(app):
    """In `app`'s database: the Comune di Milano, its admin and the worked example's call, published, with a
    deadline ten days ahead. (procedure, admin, the admin's API token), committed."""
    from codesign.auth import operations as auth_ops
    from codesign.core.enums import Role
    from codesign.db import db
    from codesign.organizations.models import Organization
    from codesign.procedures import operations as procs
    from codesign.procedures.workflow import workflow as procedure_workflow

    call = json.loads((ROOT / "codesign/demo/quartieri-connessi.json").read_text())["call"]
    call["submission_deadline"] = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=10)).isoformat()
    pa = Organization(name="Comune di Milano", kind="pa")
    db.session.add(pa)
    admin = auth_ops.create_user(email="admin@bench.example", name="Admin", password="password-bench", verified=True)
    auth_ops.grant_role(admin, Role.admin, pa)
    proc = procs.create_procedure(admin, call)
    procedure_workflow.fire(proc, "publish", admin)
    token = auth_ops.issue_token(admin)
    db.session.commit()
    return proc, admin, token
