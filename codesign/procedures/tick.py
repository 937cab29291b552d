"""Time-driven work of calls and proposals (run by `codesign tick`)."""
from __future__ import annotations

import sqlalchemy as sa

from codesign.core.errors import DomainError
from codesign.core.tick import register
from codesign.db import db


@register
def close_expired_calls(now) -> list[str]:
    from codesign.auth.operations import system_user
    from codesign.procedures.models import Procedure
    from codesign.procedures.workflow import workflow

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


@register
def exclude_unanswered_integrations(now) -> list[str]:
    from codesign.auth.operations import system_user
    from codesign.proposals.models import IntegrationRequest, Proposal
    from codesign.proposals.workflow import rome_today, workflow

    today = rome_today(now)
    lines = []
    ids = db.session.execute(
        sa.select(Proposal.id).join(IntegrationRequest, IntegrationRequest.proposal_id == Proposal.id)
        .where(Proposal.state == "integration_requested", IntegrationRequest.answered_at.is_(None),
               IntegrationRequest.due < today)).scalars().all()
    for pid in sorted(set(ids)):
        proposal = db.session.execute(sa.select(Proposal).where(Proposal.id == pid).with_for_update(of=Proposal)
                                      ).unique().scalar_one()
        if proposal.state != "integration_requested":
            db.session.rollback()
            continue
        try:
            workflow.fire(proposal, "exclude", system_user(), now=now, reason="integrazione non pervenuta nei termini")
            db.session.commit()
            lines.append(f"Proposta {pid} esclusa: integrazione non pervenuta nei termini.")
        except DomainError:
            db.session.rollback()
    return lines
