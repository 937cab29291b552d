"""Proposals and admissibility: pages, the unanswered integrations' tick job, and the facts about
proposals that the procedure's machine needs (contributed to its guards)."""
from __future__ import annotations

from flask import Flask

from codesign.core import tick
from codesign.procedures import operations as procedures
from codesign.procedures.workflow import workflow as procedure_workflow
from codesign.proposals import rules
from codesign.proposals.tick import exclude_unanswered_integrations
from codesign.proposals.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    procedures.register_proposal_counter(rules.counts_by_state)
    tick.register(app, exclude_unanswered_integrations)
    procedure_workflow.contribute("start_evaluation", guard=rules.no_pending_admissibility)
    procedure_workflow.contribute("close_codesign", guard=rules.no_codesign_pending)
    procedure_workflow.contribute("start_implementation", guard=rules.some_agreement_signed)
    procedure_workflow.contribute("conclude", guard=rules.every_project_ended)
