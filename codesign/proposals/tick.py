"""Time-driven work of proposals (run by `codesign tick`): integrations unanswered after their due day."""
from __future__ import annotations

import sqlalchemy as sa

from codesign.auth.operations import system_user
from codesign.core.errors import DomainError
from codesign.db import db
from codesign.proposals.models import IntegrationRequest, Proposal
from codesign.proposals.workflow import rome_today, workflow


def exclude_unanswered_integrations(now) -> list[str]:
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
