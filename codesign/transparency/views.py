"""Public pages of the funded projects and the open data files (no login)."""
from __future__ import annotations

import json

from flask import Blueprint, Response, render_template, request, url_for

from codesign.core.errors import Invalid
from codesign.db import utcnow
from codesign.proposals.workflow import STATES
from codesign.transparency import operations as transparency

bp = Blueprint("transparency", __name__)
PAGE = 50
FILTER_ARGS = {"amministrazione": "administration", "programma": "programme", "comune": "municipality",
               "stato": "state", "q": "text"}


@bp.route("/progetti")
def projects():
    filters = {key: (request.args.get(arg) or "").strip()[:200] for arg, key in FILTER_ARGS.items()}
    filters = {k: val for k, val in filters.items() if val}
    page = request.args.get("pagina", 1, type=int) or 1
    page = max(1, min(page, 100_000))
    message = None
    try:
        rows, total = transparency.list_projects(limit=PAGE, offset=(page - 1) * PAGE, **filters)
    except Invalid as exc:
        message = "; ".join(exc.fields.values())
        filters.pop("state", None)
        rows, total = transparency.list_projects(limit=PAGE, offset=(page - 1) * PAGE, **filters)
    return render_template("transparency/projects.html", rows=rows, total=total, page=page, pages=-(-total // PAGE),
                           filters=filters, facets=transparency.facets(), message=message,
                           states=[(s, STATES[s]) for s in transparency.PUBLIC_STATES], state_labels=STATES,
                           args={k: v for k, v in request.args.items() if k != "pagina"}), 422 if message else 200


@bp.route("/progetti/<int:proposal_id>")
def project(proposal_id: int):
    return render_template("transparency/project.html", r=transparency.get_project(proposal_id), state_labels=STATES)


@bp.route("/open-data/projects.csv")
def projects_csv():
    rows, _total = transparency.list_projects(limit=1_000_000, offset=0)
    return Response("\ufeff" + transparency.csv_text(rows), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="progetti-finanziati.csv"'})


@bp.route("/open-data/calls.csv")
def calls_csv():
    return Response("\ufeff" + transparency.calls_csv_text(transparency.public_calls()),
                    content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="avvisi.csv"'})


@bp.route("/open-data/catalogo.jsonld")
def catalogue():
    urls = {"projects_csv": url_for("transparency.projects_csv", _external=True),
            "projects_json": url_for("api.public_projects", _external=True),
            "calls_csv": url_for("transparency.calls_csv", _external=True),
            "calls_json": url_for("api.list_procedures", _external=True)}
    doc = transparency.catalogue(url_for("transparency.open_data", _external=True), urls,
                                 utcnow().date().isoformat())
    return Response(json.dumps(doc, ensure_ascii=False, indent=1), content_type="application/ld+json; charset=utf-8")


@bp.route("/open-data")
def open_data():
    return render_template("transparency/open_data.html", csv_url=url_for("transparency.projects_csv"),
                           columns=transparency.CSV_COLUMNS, call_columns=transparency.CALL_COLUMNS)
