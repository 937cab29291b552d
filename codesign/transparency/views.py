"""Public pages of the funded projects of the calls and the calls' open data file (no login). The list of every
project of the territory, its open data and their description are the observatory's (observatory.views)."""
from __future__ import annotations

from flask import Blueprint, Response, render_template

from codesign.core.web import PageSections
from codesign.proposals.workflow import STATES
from codesign.transparency import operations as transparency

bp = Blueprint("transparency", __name__)


# Sections that later modules add to a funded project's page (the observatory: its theme, its place, its good
# practice), keyed by the proposal's id.
PROJECT_SECTIONS = PageSections()
register_project_section = PROJECT_SECTIONS.register


@bp.route("/progetti/<int:proposal_id>")
def project(proposal_id: int):
    r = transparency.get_project(proposal_id)
    return render_template("transparency/project.html", r=r, state_labels=STATES,
                           sections=PROJECT_SECTIONS(proposal_id))


def call_outcome_section(procedure) -> dict | None:
    """The call's public page (procedures.views.register_call_section): what it funded, paid and achieved, once an
    agreement is signed."""
    outcome = transparency.call_outcome(procedure)
    if not outcome.funded:
        return None
    return {"template": "transparency/_call_outcome.html", "outcome": outcome}


@bp.route("/open-data/calls.csv")
def calls_csv():
    return Response("\ufeff" + transparency.calls_csv_text(transparency.public_calls()),
                    content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="avvisi.csv"'})
