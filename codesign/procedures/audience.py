"""Who is told of a change to a call people are working on: every active member of a body with a proposal to it (a
draft included) and everyone who asked a question on it, each once, in their language. The proposals module, above
this one, registers which bodies have a proposal to a call (at init_app), so that this module never imports it."""
from __future__ import annotations

import sqlalchemy as sa

from codesign.auth.models import User
from codesign.core import notifications
from codesign.core.enums import Role
from codesign.core.notifications import Recipient
from codesign.db import db
from codesign.organizations.operations import recipients
from codesign.procedures.models import CallQuestion, Procedure

_BODIES: list = []


def register_call_bodies(bodies) -> None:
    """bodies(procedure) -> the ids of the organisations with a proposal to it."""
    _BODIES[:] = [bodies]


def call_bodies(proc: Procedure) -> set[int]:
    return set(_BODIES[0](proc)) if _BODIES else set()


def tell(proc: Procedure, subject: notifications.Words, body: notifications.Words, *, now) -> None:
    """The call's bodies and askers, each once, with a link to the call's notices."""
    org_ids = call_bodies(proc)
    by_org = recipients(org_ids, Role.applicant)
    people = {r.id: r for org_id in sorted(org_ids) for r in by_org.get(org_id, [])}
    askers = db.session.execute(sa.select(User).where(User.active.is_(True), User.id.in_(
        sa.select(CallQuestion.asked_by_id).where(CallQuestion.procedure_id == proc.id)))).scalars()
    for user in askers:
        people.setdefault(user.id, Recipient.of(user))
    notifications.notify(list(people.values()), subject, body,
                         link=notifications.path("procedures.public_detail", procedure_id=proc.id, anchor="rettifiche"),
                         now=now)
