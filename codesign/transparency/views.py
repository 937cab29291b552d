"""Public pages of the funded projects of the calls and the calls' open data file (no login). The list of every
project of the territory, its open data and their description are the observatory's (observatory.views)."""
from __future__ import annotations

from flask import Blueprint, Response, render_template

from codesign.proposals.workflow import STATES
from codesign.transparency import operations as transparency

bp = Blueprint("transparency", __name__)


# Sections that later modules add to a funded project's page (the observatory: its theme, its place, its good
# practice), each `(proposal_id) -> {"template": ..., **its context}` or None; registered at their init_app.
PROJECT_SECTIONS: list = []


def register_project_section(section) -> None:
    if section not in PROJECT_SECTIONS:
        PROJECT_SECTIONS.append(section)


@bp.route("/progetti/<int:proposal_id>")
def project(proposal_id: int):
    r = transparency.get_project(proposal_id)
    sections = [s for s in (section(proposal_id) for section in PROJECT_SECTIONS) if s]
    return render_template("transparency/project.html", r=r, state_labels=STATES, sections=sections)


@bp.route("/open-data/calls.csv")
def calls_csv():
    return Response("\ufeff" + transparency.calls_csv_text(transparency.public_calls()),
                    content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="avvisi.csv"'})
