"""Telling a proposal's parties: the body's members, the administration's admins; each notification linked to the
proposal's page (core.notifications says how, organizations.operations.notify_members to whom)."""
from __future__ import annotations

from codesign.core import notifications
from codesign.core.enums import Role
from codesign.organizations.operations import notify_members
from codesign.proposals.models import Proposal


def notify_body(proposal: Proposal, subject: str, body: str) -> None:
    """Tell the body's members about their proposal, with a link to its page."""
    notify_members(proposal.organization_id, Role.applicant, subject, body,
                   link=notifications.path("proposals.edit", proposal_id=proposal.id))


def notify_admins(proposal: Proposal, subject: str, body: str) -> None:
    """Tell the administration's admins about a proposal to one of its calls, with a link to its page."""
    notify_members(proposal.procedure.administration_id, Role.admin, subject, body,
                   link=notifications.path("proposals.edit", proposal_id=proposal.id))
