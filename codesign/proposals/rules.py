"""What the procedure's machine must know about the call's proposals: contributed to its guards by
`proposals.registration` (the procedure module sits below this one and never imports it)."""
from __future__ import annotations

import sqlalchemy as sa

from codesign.core.workflow import Context
from codesign.db import db
from codesign.proposals.models import Proposal


def _count(procedure_id: int, states: tuple[str, ...]) -> int:
    return db.session.execute(
        sa.select(sa.func.count(Proposal.id)).where(Proposal.procedure_id == procedure_id, Proposal.state.in_(states))
    ).scalar_one()


def no_pending_admissibility(ctx: Context):
    """No proposal is left submitted or in soccorso istruttorio."""
    pending = _count(ctx.row.id, ("submitted", "integration_requested"))
    if pending:
        return (f"{pending} proposte attendono ancora la verifica di ammissibilità "
                "(presentate o in soccorso istruttorio)")
    return None


def no_codesign_pending(ctx: Context):
    """No proposal is left admitted or in co-design: each has ended finalized or codesign_failed."""
    pending = _count(ctx.row.id, ("admitted", "in_codesign"))
    if pending:
        return (f"{pending} proposte sono ancora ammesse o al tavolo di co-progettazione: ognuna deve "
                "concludersi con il progetto definitivo o con la chiusura del tavolo")
    return None


def some_agreement_signed(ctx: Context):
    """At least one agreement is signed."""
    if not _count(ctx.row.id, ("agreement_signed", "started", "completed", "revoked")):
        return "nessuna convenzione è stata ancora sottoscritta"
    return None


def every_project_ended(ctx: Context):
    """Every funded project is completed or revoked."""
    running = _count(ctx.row.id, ("agreement_signed", "started"))
    if running:
        return f"{running} progetti finanziati non sono ancora conclusi o revocati"
    return None
