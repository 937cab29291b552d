"""Pages of the observatory: the public list of the projects of both origins (with the open data file), the page of
an external project with its history, and the admins' forms to register, edit and update one.

House style: the operations do the work and raise DomainError; a view rolls back and renders the form again with
the error's status and each message beside its field. The request commits once, in `after_request`."""
from __future__ import annotations

import json
from decimal import Decimal

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from codesign.core import territory
from codesign.core.csvfiles import ROW_KEY
from codesign.core.enums import N_
from codesign.core.errors import DomainError, Invalid
from codesign.core.forms import apply_errors
from codesign.core.web import PageSections, Pager
from codesign.db import db, utcnow
from codesign.observatory import operations as observatory
from codesign.observatory import imports
from codesign.observatory.schemas import FLAT_FIELDS
from codesign.observatory.forms import STATE_LABELS, ImportForm, ProjectForm, UpdateForm, project_data
from codesign.observatory.schemas import OC_THEMES
from codesign.proposals.workflow import STATES as PROPOSAL_STATES
from codesign.transparency import operations as transparency

bp = Blueprint("observatory", __name__)
PAGE = 50
FILTER_ARGS = {"amministrazione": "administration", "programma": "programme", "comune": "municipality",
               "municipio": "municipio", "quartiere": "nil", "tema": "theme", "stato": "state", "origine": "origin",
               "q": "text"}


def state_label(row: dict) -> str:
    labels = STATE_LABELS if row["origin"] == "external" else PROPOSAL_STATES
    return _(labels.get(row["state"], row["state"]))


def _page_filters() -> dict:
    filters = {key: (request.args.get(arg) or "").strip()[:200] for arg, key in FILTER_ARGS.items()}
    return {k: val for k, val in filters.items() if val}


@bp.route("/progetti")
def projects():
    filters = _page_filters()
    pager = Pager.from_request(PAGE)
    rows, total = observatory.list_projects(limit=pager.size, offset=pager.offset, **filters)
    return render_template("observatory/projects.html", rows=rows, pager=pager.counted(total),
                           filters=filters, facets=observatory.facets(), municipalities=territory.choices(),
                           municipi=territory.MUNICIPI, neighbourhoods=territory.nil_choices(),
                           states=[(s, STATE_LABELS[s]) for s in STATE_LABELS], state_label=state_label,
                           can_register=current_user.is_authenticated and current_user.is_admin)


@bp.route("/mappa")
def map_page():
    """The territory's map: each municipality coloured by its projects, drawn by Leaflet from the GeoJSON shipped
    with the project (no tile server, no outside request), and the same figures as a table."""
    filters = _page_filters()
    filters.pop("municipality", None)
    figures = observatory.municipality_figures(**filters)
    by_name = sorted(figures, key=lambda f: territory.fold(f["name"]))
    totals = {"projects": sum(f["projects"] for f in figures),
              "public_funding": sum(Decimal(f["public_funding"]) for f in figures),
              "paid_amount": sum(Decimal(f["paid_amount"]) for f in figures),
              "municipalities": sum(1 for f in figures if f["projects"])}
    return render_template("observatory/map.html", figures=figures, by_name=by_name, totals=totals, filters=filters,
                           facets=observatory.facets(), states=[(s, STATE_LABELS[s]) for s in STATE_LABELS],
                           list_args={arg: filters[key] for arg, key in FILTER_ARGS.items() if key in filters})


# Sections that later modules add to a municipality's page (good practices, funding opportunities), keyed by its
# ISTAT code.
MUNICIPALITY_SECTIONS = PageSections()
register_municipality_section = MUNICIPALITY_SECTIONS.register
MUNICIPALITY_PROJECTS = 50


@bp.route("/comuni/<code>")
def municipality(code: str):
    """A municipality of the territory: its figures, its projects of both origins, and what later modules add
    (its good practices, the funding opportunities that match it)."""
    town = territory.get(code)
    if town is None:
        abort(404)
    figures = observatory.municipality_figures(municipality=town.code)
    figure = next(f for f in figures if f["municipality"] == town.code)
    rows, total = observatory.list_projects(limit=MUNICIPALITY_PROJECTS, offset=0, municipality=town.code)
    sections = MUNICIPALITY_SECTIONS(town.code)
    milan = observatory.milan_figures() if town.code == territory.MILANO else None
    return render_template("observatory/municipality.html", town=town, figure=figure, rows=rows, total=total,
                           sections=sections, state_label=state_label, milan=milan)


def procedure_project_section(proposal_id: int) -> dict | None:
    """What the catalogue adds to the public page of a call's funded project: its theme, where it runs (for Milan
    the Municipio and the neighbourhood) and, when it is one, its good practice."""
    project = observatory.of_proposal(proposal_id)
    if project is None:
        return None
    return {"template": "observatory/_procedure_project.html", "project": project,
            "municipality_name": territory.name_of(project.municipality), "milan": observatory.milan_dict(project)}


@bp.route("/osservatorio")
@login_required
def overview():
    """The office's overview: late and stale projects of both origins, spending by programme and by theme (each
    chart beside its table)."""
    observatory.require_admin(current_user)
    data = observatory.overview()
    charts = {key: {"labels": [r["label"] or _("non indicato") for r in data[key]],
                    "series": [{"label": _("Finanziamento pubblico"), "values": [r["public_funding"] for r in data[key]]},
                               {"label": _("Erogato"), "values": [r["paid_amount"] for r in data[key]]}]}
              for key in ("by_programme", "by_theme")}
    return render_template("observatory/overview.html", o=data, charts=charts, state_label=state_label)


@bp.route("/osservatorio/comuni.geojson")
def municipalities_geometry():
    """The municipalities' simplified polygons (ISTAT, CC BY 4.0), for the map."""
    return Response(json.dumps(observatory.geometry(), separators=(",", ":"), ensure_ascii=False),
                    content_type="application/geo+json; charset=utf-8", headers={"Cache-Control": "max-age=86400"})


@bp.route("/open-data/progetti-per-comune.geojson")
def figures_geojson():
    """Open data: the projects of both origins by municipality, each municipality's polygon with its figures."""
    return Response(json.dumps(observatory.figures_geojson(), separators=(",", ":"), ensure_ascii=False),
                    content_type="application/geo+json; charset=utf-8",
                    headers={"Content-Disposition": 'inline; filename="progetti-per-comune.geojson"'})


@bp.route("/open-data/projects.csv")
def projects_csv():
    rows, _total = observatory.list_projects(limit=1_000_000, offset=0)
    return Response("\ufeff" + observatory.csv_text(rows), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="progetti.csv"'})


@bp.route("/open-data/catalogo.jsonld")
def catalogue():
    urls = {"projects_csv": url_for("observatory.projects_csv", _external=True),
            "projects_json": url_for("api.public_projects", _external=True),
            "projects_geojson": url_for("observatory.figures_geojson", _external=True),
            "calls_csv": url_for("transparency.calls_csv", _external=True),
            "calls_json": url_for("api.list_procedures", _external=True)}
    doc = transparency.catalogue(url_for("observatory.open_data", _external=True), urls, utcnow().date().isoformat())
    return Response(json.dumps(doc, ensure_ascii=False, indent=1), content_type="application/ld+json; charset=utf-8")


@bp.route("/open-data")
def open_data():
    return render_template("observatory/open_data.html", csv_url=url_for("observatory.projects_csv"),
                           columns=observatory.CSV_COLUMNS, call_columns=transparency.CALL_COLUMNS)


# Sections that later modules add to an external project's page (the funding opportunity it answered), keyed by
# the project's id.
PROJECT_SECTIONS = PageSections()
register_project_section = PROJECT_SECTIONS.register


@bp.route("/osservatorio/progetti/<int:project_id>")
def project(project_id: int):
    p = observatory.get(project_id)
    if p.origin == "procedure":
        return redirect(url_for("transparency.project", proposal_id=p.proposal_id))
    return _render_project(p)


def _render_project(p, *, update_form=None, message=None, status=200):
    editor = observatory.can_edit(current_user if current_user.is_authenticated else None, p)
    if editor and update_form is None:
        update_form = UpdateForm(formdata=None)
    return render_template("observatory/project.html", r=observatory.project_dict(p), history=observatory.history(p),
                           editor=editor, update_form=update_form, message=message, state_labels=STATE_LABELS,
                           kind_labels=KIND_LABELS, sections=PROJECT_SECTIONS(p.id)), status


KIND_LABELS = {"create": N_("Registrazione"), "edit": N_("Modifica"), "import": N_("Importazione"),
               "update": N_("Aggiornamento")}


@bp.route("/osservatorio/progetti/<int:project_id>/aggiornamenti", methods=["POST"])
@login_required
def add_update(project_id: int):
    p = observatory.get(project_id)
    observatory.require_editor(current_user, p)
    form = UpdateForm()
    if not form.validate_on_submit():
        return _render_project(p, update_form=form, status=422)
    try:
        observatory.add_update(current_user, p, form.to_body())
    except DomainError as exc:
        db.session.rollback()
        message = apply_errors(form, exc)
        return _render_project(observatory.get(project_id), update_form=form, message=message, status=exc.status)
    flash(_("Aggiornamento registrato."), "success")
    return redirect(url_for("observatory.project", project_id=project_id, _anchor="storia"))


def _form_page(form, *, project=None, message=None, status=200):
    return render_template("observatory/project_form.html", form=form, project=project, message=message,
                           themes=OC_THEMES), status


def _carry(form, exc: DomainError) -> str | None:
    if isinstance(exc, Invalid):
        exc = Invalid({FLAT_FIELDS.get(k, k): v for k, v in exc.fields.items()}, exc.message)
    return apply_errors(form, exc)


@bp.route("/osservatorio/progetti/nuovo", methods=["GET", "POST"])
@login_required
def new_project():
    observatory.require_admin(current_user)
    form = ProjectForm()
    if request.method == "GET":
        return _form_page(form)
    if not form.validate_on_submit():
        return _form_page(form, status=422)
    try:
        p = observatory.create_project(current_user, form.to_body())
    except DomainError as exc:
        db.session.rollback()
        return _form_page(form, message=_carry(form, exc), status=exc.status)
    flash(_("Progetto registrato."), "success")
    return redirect(url_for("observatory.project", project_id=p.id))


@bp.route("/osservatorio/progetti/<int:project_id>/modifica", methods=["GET", "POST"])
@login_required
def edit_project(project_id: int):
    p = observatory.get(project_id)
    observatory.require_editor(current_user, p)
    if p.origin != "external":
        abort(404)
    if request.method == "GET":
        form = ProjectForm(formdata=None, data=project_data(p))
        return _form_page(form, project=p)
    form = ProjectForm()
    if not form.validate_on_submit():
        return _form_page(form, project=p, status=422)
    try:
        observatory.patch_project(current_user, p, form.to_body())
    except DomainError as exc:
        db.session.rollback()
        return _form_page(form, project=observatory.get(project_id), message=_carry(form, exc), status=exc.status)
    flash(_("Progetto aggiornato."), "success")
    return redirect(url_for("observatory.project", project_id=project_id))


@bp.route("/osservatorio/progetti/importa", methods=["GET", "POST"])
@login_required
def import_projects():
    """An admin imports external projects from a CSV file: all or nothing, every bad row listed."""
    observatory.require_admin(current_user)
    form = ImportForm()
    if request.method == "GET":
        return _import_page(form)
    if not form.validate_on_submit():
        return _import_page(form, status=422)
    try:
        result = imports.import_projects(current_user, form.file.data.read())
    except DomainError as exc:
        db.session.rollback()
        message, rows = refused_file(exc)
        return _import_page(form, message=message, rows=rows, status=exc.status)
    flash(_("Importazione completata. Progetti creati: %(created)s; aggiornati: %(updated)s.", **result), "success")
    return redirect(url_for("observatory.projects"))


def refused_file(exc: DomainError) -> tuple[str, list[tuple[str, str]]]:
    """A refused CSV import as its page shows it: what is wrong with the file, and each bad row as people read it
    ("row 3: cup" → "riga 3, colonna cup")."""
    fields = exc.fields if isinstance(exc, Invalid) else {}
    rows = []
    for key, message in fields.items():
        if key != "file":
            m = ROW_KEY.match(key)
            rows.append((_("riga %(n)s, colonna %(column)s", n=m[1], column=m[2]) if m else key, message))
    return fields.get("file") or exc.message, rows


def _import_page(form, *, message=None, rows=None, status=200):
    return render_template("observatory/import.html", form=form, message=message, rows=rows or {},
                           columns=imports.COLUMNS, required=imports.REQUIRED), status
