"""The observatory: the catalogue of projects of both origins. A proposal enters it when its agreement is signed
(an effect contributed to `sign_agreement`, never imported below); an agreement's CUP may not be one of its
external projects'."""
from __future__ import annotations

from flask import Flask

from codesign.agreements import operations as agreements
from codesign.observatory import operations as observatory
from codesign.observatory.views import bp, procedure_project_section
from codesign.proposals.workflow import workflow as proposal_workflow
from codesign.transparency.views import register_project_section


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    proposal_workflow.contribute("sign_agreement", effect=observatory.record_procedure_project)
    agreements.register_cup_holder(observatory.external_cup_holder)
    register_project_section(procedure_project_section)
