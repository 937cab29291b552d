"""Proposals and admissibility: pages, the integrations' tick jobs (reminded two days before their due day,
excluded once it has passed), who is told of each move (proposals/notify.py), and the facts about proposals that
the procedure's machine needs (contributed to its guards)."""
from __future__ import annotations

from flask import Flask

from codesign.core import tick
from codesign.procedures import audience
from codesign.procedures import operations as procedures
from codesign.procedures.workflow import workflow as procedure_workflow
from codesign.proposals import messages, notify, rules
from codesign.proposals import operations as proposals
from codesign.proposals.tick import exclude_unanswered_integrations, remind_integrations
from codesign.proposals.views import bp
from codesign.proposals.workflow import workflow as proposal_workflow


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    procedures.register_proposal_counter(rules.counts_by_state)
    audience.register_call_bodies(rules.call_bodies)
    tick.register(app, remind_integrations)
    tick.register(app, exclude_unanswered_integrations)
    proposals.declare_document_kind(messages.KIND, (proposals.BODY, proposals.ADMIN), limit=messages.DOCUMENTS_LIMIT,
                                    listed=False)
    for trigger, effect in notify.NOTICES.items():
        proposal_workflow.contribute(trigger, effect=effect)
    procedure_workflow.contribute("cancel", effect=notify.on_call_cancelled)
    procedure_workflow.contribute("start_evaluation", guard=rules.no_pending_admissibility)
    procedure_workflow.contribute("close_codesign", guard=rules.no_codesign_pending)
    procedure_workflow.contribute("start_implementation", guard=rules.some_agreement_signed)
    procedure_workflow.contribute("conclude", guard=rules.every_project_ended)
