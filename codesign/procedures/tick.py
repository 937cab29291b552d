"""Time-driven work of calls (run by `codesign tick`): closing calls whose deadline passed."""
from __future__ import annotations

import sqlalchemy as sa

from codesign.auth.operations import system_user
from codesign.core.errors import DomainError
from codesign.db import db
from codesign.procedures.models import Procedure
from codesign.procedures.workflow import workflow


def close_expired_calls(now) -> list[str]:
    lines = []
    ids = db.session.execute(sa.select(Procedure.id).where(Procedure.state == "published",
                                                           Procedure.submission_deadline <= now)).scalars().all()
    for pid in ids:
        # Lock the row (PostgreSQL): a concurrent tick waits, then sees the call already closed.
        proc = db.session.execute(sa.select(Procedure).where(Procedure.id == pid).with_for_update(of=Procedure)).unique().scalar_one()
        if proc.state != "published":
            db.session.rollback()
            continue
        try:
            workflow.fire(proc, "close", system_user(), now=now)
            db.session.commit()
            lines.append(f"Avviso {pid} chiuso: termine scaduto.")
        except DomainError:
            db.session.rollback()
    return lines
