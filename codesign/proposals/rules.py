"""What the procedure's machine must know about the call's proposals: contributed to its guards by
`proposals.registration` (the procedure module sits below this one and never imports it)."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from codesign.core.workflow import Context
from codesign.db import db
from codesign.proposals.models import PROPOSAL_STATES, Proposal
from codesign.proposals.workflow import STATES


def call_bodies(procedure) -> set[int]:
    """The bodies working on a call: those with a proposal to it, a draft included, not withdrawn."""
    return set(db.session.execute(sa.select(Proposal.organization_id).where(
        Proposal.procedure_id == procedure.id, Proposal.state != "withdrawn")).scalars())


def counts_by_state(procedure_ids) -> dict[int, list[tuple[str, str, int]]]:
    """Per procedure, the number of proposals received in each state (never submitted excluded: drafts and drafts
    withdrawn): ONE grouped query."""
    ids = list(procedure_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Proposal.procedure_id, Proposal.state, sa.func.count(Proposal.id))
        .where(Proposal.procedure_id.in_(ids), Proposal.protocol_number.isnot(None))
        .group_by(Proposal.procedure_id, Proposal.state)).all()
    by_proc: dict[int, dict[str, int]] = {}
    for procedure_id, state, n in rows:
        by_proc.setdefault(procedure_id, {})[state] = n
    order = {s: i for i, s in enumerate(PROPOSAL_STATES)}
    return {pid: [(s, _(STATES.get(s, s)), n) for s, n in sorted(states.items(), key=lambda x: order.get(x[0], 99))]
            for pid, states in by_proc.items()}


def _n(n: int, one: str, many: str) -> str:
    """A count with its noun and verb agreed: "1 proposta attende", "3 proposte attendono"."""
    return f"{n} {one if n == 1 else many}"


def _count(procedure_id: int, states: tuple[str, ...]) -> int:
    return db.session.execute(
        sa.select(sa.func.count(Proposal.id)).where(Proposal.procedure_id == procedure_id, Proposal.state.in_(states))
    ).scalar_one()


def no_pending_admissibility(ctx: Context):
    """No proposal is left submitted or in soccorso istruttorio."""
    pending = _count(ctx.row.id, ("submitted", "integration_requested"))
    if pending:
        return (f"{_n(pending, 'proposta attende', 'proposte attendono')} ancora la verifica di ammissibilità "
                "(presentate o in soccorso istruttorio)")
    return None


def no_codesign_pending(ctx: Context):
    """No proposal is left admitted or in co-design: each has ended finalized or codesign_failed."""
    pending = _count(ctx.row.id, ("admitted", "in_codesign"))
    if pending:
        return (f"{_n(pending, 'proposta è ancora ammessa', 'proposte sono ancora ammesse')} o al tavolo di "
                "co-progettazione: ognuna deve concludersi con il progetto definitivo o con la chiusura del tavolo")
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
        return _n(running, "progetto finanziato non è ancora concluso o revocato",
                  "progetti finanziati non sono ancora conclusi o revocati")
    return None
