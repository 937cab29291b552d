"""The demo's calls: the worked example (deadline passed, proposals received, in admissibility) and an
open copy that the demo applicants can answer. Everything goes through the service functions, with
the clock set where the story needs it. Idempotent: a call whose CUP exists is left alone."""
from __future__ import annotations

import copy
import datetime as dt

import sqlalchemy as sa

from codesign.auth import operations as auth_ops
from codesign.core.validation import aware_datetime
from codesign.db import db
from codesign.organizations.models import Organization
from codesign.procedures import operations as procs
from codesign.procedures.models import Procedure
from codesign.proposals import operations as props

OPEN_CALL_CUP = "B41H26000990006"


def _exists(cup: str) -> bool:
    return db.session.execute(sa.select(Procedure.id).where(Procedure.cup == cup)).first() is not None


def load(data: dict, accounts) -> None:
    admin = auth_ops.get_user_by_email("admin@comune.milano.example")
    call = data["call"]
    if not _exists(call["cup"]):
        _worked_example(data, admin)
    if not _exists(OPEN_CALL_CUP):
        open_call = copy.deepcopy(call)
        open_call.update({
            "title": "Quartieri Connessi 3 - portinerie sociali e animazione di comunità",
            "cup": OPEN_CALL_CUP,
            "act_ref": "Determina n. 1042 del 02/11/2026",
            "min_publication_days": 15,
            "submission_deadline": (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=45))
            .replace(hour=11, minute=0, second=0, microsecond=0).isoformat(),
        })
        proc = procs.create_procedure(admin, open_call)
        procs.fire(admin, proc, "publish")


def _worked_example(data: dict, admin) -> None:
    call = data["call"]
    deadline = aware_datetime(call["submission_deadline"])
    proc = procs.create_procedure(admin, call)
    procs.fire(admin, proc, "publish", now=deadline - dt.timedelta(days=30))
    orgs = {o["ref"]: db.session.execute(sa.select(Organization).where(Organization.tax_code == o["tax_code"]))
            .scalar_one() for o in data["organizations"]}
    members = {}
    for i, o in enumerate(data["organizations"], start=1):
        members[o["ref"]] = auth_ops.get_user_by_email(f"ente{i}@terzosettore.example")
    declarations = {d["code"]: True for d in call["declarations"]}
    for k, p in enumerate(sorted(data["proposals"], key=lambda x: x["protocol_order"])):
        at = deadline - dt.timedelta(days=10) + dt.timedelta(hours=k)
        user = members[p["org"]]
        proposal = props.create_proposal(user, proc, {
            "organization_id": orgs[p["org"]].id, "lot": p["lot"], "title": p["title"],
            "summary": f"{p['title']}: attività nel quartiere per il lotto {p['lot']}.",
            "requested_amount": p["requested_amount"], "cofinancing_amount": p["cofinancing_amount"],
        }, now=at)
        props.fire(user, proposal, "submit", now=at, params={"declarations": declarations})
    procs.fire(admin, proc, "close", now=deadline)
    procs.fire(admin, proc, "start_admissibility", now=deadline + dt.timedelta(days=1))
