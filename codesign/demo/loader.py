"""`codesign demo`: the worked example (Quartieri Connessi 2) with demo users. Idempotent."""
from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from codesign.auth import operations as auth_ops
from codesign.demo import extra
from codesign.demo import observatory as metropolitan
from codesign.core.enums import OrgKind, Role
from codesign.db import db
from codesign.organizations.models import Membership, Organization
from codesign.organizations.operations import get_or_create_administration

SCENARIO = Path(__file__).with_name("quartieri-connessi.json")
DEMO_PASSWORD = "codesign-demo-2026"


def scenario() -> dict:
    return json.loads(SCENARIO.read_text(encoding="utf-8"))


def _user(email: str, name: str, role: Role, org: Organization | None) -> None:
    user = auth_ops.get_user_by_email(email)
    if user is None:
        user = auth_ops.create_user(email=email, name=name, password=DEMO_PASSWORD, verified=True)
    auth_ops.grant_role(user, role, org, actor=user)


def load_demo() -> list[tuple[str, str, str]]:
    data = scenario()
    call = data["call"]
    accounts: list[tuple[str, str, str]] = []

    pa = get_or_create_administration(call["administration"])
    _user("admin@comune.milano.example", "Giulia Rossi (RUP)", Role.admin, pa)
    accounts.append(("admin@comune.milano.example", DEMO_PASSWORD, f"admin — {pa.name}"))

    for i, ref in enumerate(data["evaluators"], start=1):
        email = f"valutatore{i}@comune.milano.example"
        _user(email, f"Valutatore {i} ({ref})", Role.evaluator, None)
        accounts.append((email, DEMO_PASSWORD, "evaluator"))

    for i, o in enumerate(data["organizations"], start=1):
        org = db.session.execute(sa.select(Organization).where(Organization.tax_code == o["tax_code"])).scalar_one_or_none()
        if org is None:
            org = Organization(name=o["name"], kind=OrgKind(o["kind"]), tax_code=o["tax_code"], municipality="Milano")
            db.session.add(org)
            db.session.flush()
        email = f"ente{i}@terzosettore.example"
        _user(email, f"Referente {o['name']}", Role.applicant, org)
        accounts.append((email, DEMO_PASSWORD, f"applicant — {o['name']}"))

    extra.load(data, accounts)
    metropolitan.load(accounts, DEMO_PASSWORD)
    return accounts


__all__ = ["load_demo", "Membership"]
