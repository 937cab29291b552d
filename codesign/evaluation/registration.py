"""The evaluation: committee pages, who on the committee sees which proposal, and the procedure
machine's guards and effect that need the committee's facts (contributed, never imported below)."""
from __future__ import annotations

from flask import Flask

from codesign.evaluation import committee
from codesign.evaluation import operations as ev
from codesign.evaluation.views import bp, outcome_section
from codesign.procedures.workflow import workflow as procedure_workflow
from codesign.proposals import operations as proposals
from codesign.proposals.views import register_proposal_section


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    register_proposal_section(outcome_section)
    proposals.register_viewer(committee.evaluator_can_view, committee.evaluator_condition)
    proposals.register_redactor(ev.redact_for_evaluator)
    proposals.register_committee_reader(ev.committee_reads_documents)
    procedure_workflow.contribute("start_evaluation", guard=committee.committee_appointed,
                                  effect=committee.on_evaluation_started)
    procedure_workflow.contribute("approve_ranking", guard=ev.ranking_guard, effect=ev.approve)
