"""Agreements: pages, the signed copy's upload rule, and the guards and effects of `sign_agreement` and
`start` (contributed to the proposal's machine, never imported below)."""
from __future__ import annotations

from flask import Flask

from codesign.agreements import operations as agreements
from codesign.agreements import permissions
from codesign.agreements.views import bp
from codesign.proposals import next_step
from codesign.proposals import operations as proposals
from codesign.proposals.workflow import workflow as proposal_workflow


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    proposals.register_attachment_rule(permissions.signed_copy_rule)
    proposals.declare_document_kind(permissions.SIGNED_AGREEMENT, (proposals.BODY, proposals.ADMIN),
                                    limit=permissions.COPIES_LIMIT)
    proposals.register_attachment_rule(permissions.handover_rule)
    proposals.declare_document_kind(permissions.HANDOVER_MINUTES, (proposals.BODY, proposals.ADMIN),
                                    limit=permissions.COPIES_LIMIT)
    proposal_workflow.contribute("sign_agreement", guard=agreements.sign_guard, effect=agreements.on_sign)
    proposal_workflow.contribute("start", guard=agreements.start_guard, effect=agreements.on_start)
    proposal_workflow.contribute("start", guard=agreements.handovers_recorded)
    proposal_workflow.contribute("revoke", effect=agreements.on_revoke)
    next_step.register(next_step.BODY, "finalized", agreements.body_next_step_finalized)
    next_step.register(next_step.ADMIN, "finalized", agreements.admin_next_step_finalized)
