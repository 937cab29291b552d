"""Dated notices on a published call, public on its page and in the API: the errata the administration publishes
(avvisi di rettifica: what they correct, and the correction) and the extensions of the deadline (proroghe, written
by `operations.update_procedure`). Nobody who is working on the call learns of a change by chance: every body with a
proposal to it (a draft included) and everyone who asked a question is told, in their language (`audience`). Every erratum is
audited and none is ever removed."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from codesign.core import audit
from codesign.core.calendar import format_rome
from codesign.core.errors import GuardFailed
from codesign.core.schemas import parse
from codesign.db import db, utcnow
from codesign.procedures import audience
from codesign.procedures.models import CallNotice, Procedure
from codesign.procedures.operations import require_admin
from codesign.procedures.schemas import ErratumIn

# Errata are published on a call that people may be working on: from its publication until its conclusion.
ERRATA_STATES = ("published", "closed", "admissibility", "evaluation", "ranked", "codesign", "agreements",
                 "implementation")


def publish_erratum(actor, proc: Procedure, data: dict, *, now=None) -> CallNotice:
    """The administration publishes an erratum: dated at once, public with the call, told to those working on it."""
    require_admin(actor, proc)
    if proc.state not in ERRATA_STATES:
        raise GuardFailed("le rettifiche si pubblicano su un avviso pubblicato e non ancora concluso o revocato")
    now = now or utcnow()
    clean = parse(ErratumIn, data)
    notice = CallNotice(procedure_id=proc.id, kind="erratum", title=clean.title, text=clean.text, published_at=now,
                        published_by_id=actor.id)
    db.session.add(notice)
    db.session.flush()
    audit.record(actor=actor, entity_type="procedure", entity_id=proc.id, trigger="publish_erratum", at=now,
                 data={"notice_id": notice.id})
    audience.tell(proc, lambda: _("Rettifica all'avviso: %(title)s", title=proc.title[:200]),
         lambda: _("L'amministrazione ha pubblicato una rettifica all'avviso «%(call)s» (%(day)s).", call=proc.title,
                   day=format_rome(now)) + f"\n\n{clean.title}\n\n{clean.text}",
                  now=now)
    return notice


def of_call(proc: Procedure) -> list[CallNotice]:
    """The call's notices, oldest first."""
    return list(db.session.execute(sa.select(CallNotice).where(CallNotice.procedure_id == proc.id)
                                   .order_by(CallNotice.published_at, CallNotice.id)).scalars())


def to_dict(n: CallNotice) -> dict:
    return {"id": n.id, "kind": n.kind, "published_at": n.published_at.isoformat(), "title": n.title,
            "text": n.text,
            "previous_deadline": n.previous_deadline.isoformat() if n.previous_deadline else None,
            "new_deadline": n.new_deadline.isoformat() if n.new_deadline else None}
