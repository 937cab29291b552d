"""Public pages of the funded projects of the calls and the calls' open data file (no login). The list of every
project of the territory, its open data and their description are the observatory's (observatory.views)."""
from __future__ import annotations

from flask import Blueprint, Response, render_template

from codesign.proposals.workflow import STATES
from codesign.transparency import operations as transparency

bp = Blueprint("transparency", __name__)


@bp.route("/progetti/<int:proposal_id>")
def project(proposal_id: int):
    return render_template("transparency/project.html", r=transparency.get_project(proposal_id), state_labels=STATES)


@bp.route("/open-data/calls.csv")
def calls_csv():
    return Response("\ufeff" + transparency.calls_csv_text(transparency.public_calls()),
                    content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="avvisi.csv"'})
