"""Pages of the funding opportunities: the open calls by deadline with filters, a page per call with its
countdown, the admins' form to write one, following a call (its button, the list of the calls one follows, their
calendar feed) and the calls matching a body on its members' dashboard. The operations do the work; a refused form
is shown again with each message beside its field (422), nothing stored."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from codesign.core import territory
from codesign.core.errors import DomainError
from codesign.core.forms import apply_errors
from codesign.core.redirects import safe_path
from codesign.db import db
from codesign.observatory import operations as observatory
from codesign.observatory.views import refused_file
from codesign.opportunities import calendar, imports
from codesign.opportunities import operations as opportunities
from codesign.opportunities.forms import (ApplicationForm, FundForm, ImportForm, NoticeForm, OpportunityForm,
                                         opportunity_data)
from codesign.opportunities.workflow import workflow as application_workflow
from codesign.organizations.operations import registered_bodies

bp = Blueprint("opportunities", __name__)
FILTER_ARGS = {"tema": "theme", "richiedente": "eligible", "livello": "funder_level", "comune": "municipality"}


def _labels() -> dict:
    return {"levels": opportunities.LEVEL_LABELS, "applicants": opportunities.APPLICANT_LABELS}


def dashboard_section(user) -> dict | None:
    """The body's dashboard section (proposals.views.register_dashboard_section): the open opportunities that
    match the user's bodies, by deadline, each with why and a button to follow it."""
    rows = opportunities.for_user(user)
    return {"template": "opportunities/_dashboard.html", "opportunities": rows,
            "followed": opportunities.followed_ids(user), **_labels()} if rows else None


def project_section(project_id: int) -> dict | None:
    """An external project's section (observatory.views.register_project_section): the opportunity it answered,
    when it came from a funded application, with the network that applied."""
    a = opportunities.application_of_project(project_id)
    if a is None:
        return None
    return {"template": "opportunities/_project.html", "opportunity": opportunities.to_dict(a.opportunity),
            "application": opportunities.application_dict(a)}


def municipality_section(code: str) -> dict | None:
    """The municipality page's section (observatory.views.register_municipality_section): the open opportunities
    that match it, by deadline."""
    rows = opportunities.list_open(municipality=code)
    return {"template": "opportunities/_municipality.html", "opportunities": rows,
            "levels": opportunities.LEVEL_LABELS, "applicants": opportunities.APPLICANT_LABELS} if rows else None


@bp.route("/opportunita")
def public_list():
    filters = {key: (request.args.get(arg) or "").strip()[:200] for arg, key in FILTER_ARGS.items()}
    filters = {k: v for k, v in filters.items() if v}
    rows = opportunities.list_open(**filters)
    followed = opportunities.followed_ids(current_user) if current_user.is_authenticated else None
    return render_template("opportunities/list.html", rows=rows, filters=filters, facets=opportunities.facets(),
                           followed=followed, municipalities=territory.choices(), **_labels(),
                           can_write=current_user.is_authenticated and current_user.is_admin)


@bp.route("/opportunita/<int:opportunity_id>")
def detail(opportunity_id: int):
    row = opportunities.get(opportunity_id)
    o = opportunities.to_dict(row)
    names = [territory.name_of(code) for code in o["territory"]] if o["territory"] != "all" else None
    return render_template("opportunities/detail.html", o=o, territory_names=names,
                           following=opportunities.following(current_user, row) is not None, **_labels())


@bp.route("/opportunita/importa", methods=["GET", "POST"])
@login_required
def import_opportunities():
    """An admin imports calls from a CSV file: all or nothing, every bad row listed."""
    observatory.require_admin(current_user)
    form = ImportForm()

    def page(message=None, rows=(), status=200):
        return render_template("opportunities/import.html", form=form, message=message, rows=rows,
                               columns=imports.COLUMNS, required=imports.REQUIRED), status

    if request.method == "GET":
        return page()
    if not form.validate_on_submit():
        return page(status=422)
    try:
        result = imports.import_opportunities(current_user, form.file.data.read())
    except DomainError as exc:
        db.session.rollback()
        return page(*refused_file(exc), exc.status)
    flash(_("Importazione completata. Bandi creati: %(created)s; aggiornati: %(updated)s.", **result), "success")
    return redirect(url_for("opportunities.public_list"))


@bp.route("/opportunita/<int:opportunity_id>/segui", methods=["POST"])
@login_required
def follow(opportunity_id: int):
    o = opportunities.get(opportunity_id)
    try:
        _follow, new = opportunities.follow(current_user, o)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        if new:
            flash(_("Ora segui questo bando: riceverai un promemoria per e-mail 15 e 3 giorni prima della scadenza."),
                  "success")
    return redirect(safe_path(request.form.get("next"), url_for("opportunities.detail", opportunity_id=o.id)))


@bp.route("/opportunita/<int:opportunity_id>/non-seguire", methods=["POST"])
@login_required
def unfollow(opportunity_id: int):
    o = opportunities.get(opportunity_id)
    if opportunities.unfollow(current_user, o):
        flash(_("Non segui più questo bando: nessun altro promemoria."), "success")
    return redirect(safe_path(request.form.get("next"), url_for("opportunities.detail", opportunity_id=o.id)))


@bp.route("/opportunita/seguiti")
@login_required
def followed():
    rows = [opportunities.to_dict(o) for o in opportunities.followed_by(current_user)]
    feed = url_for("opportunities.feed", token=calendar.token_for(current_user), _external=True)
    return render_template("opportunities/followed.html", rows=rows, feed=feed, **_labels())


@bp.route("/opportunita/calendario/<token>.ics")
def feed(token: str):
    """The calendar feed of the calls a person follows (no session: the signed token says whose)."""
    user = calendar.user_of(token[:200])
    if user is None:
        abort(404)
    body = calendar.feed(opportunities.followed_by(user), name=_("Bandi seguiti – codesign"),
                         page_url=lambda o: url_for("opportunities.detail", opportunity_id=o.id, _external=True))
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": "inline; filename=bandi-seguiti.ics", "Cache-Control": "private, max-age=900"})


@bp.route("/opportunita/nuova", methods=["GET", "POST"])
@login_required
def new():
    return _opportunity_form(None)


@bp.route("/opportunita/<int:opportunity_id>/modifica", methods=["GET", "POST"])
@login_required
def edit(opportunity_id: int):
    return _opportunity_form(opportunities.get(opportunity_id))


def _opportunity_form(o):
    """The admins' form of a call, new (`o` None) or to change; a refused one is shown again (422), nothing
    stored."""
    observatory.require_admin(current_user)
    form = OpportunityForm(data=opportunity_data(o) if o is not None and request.method == "GET" else None)
    shown = opportunities.to_dict(o) if o is not None else None

    def page(message=None, status=200):
        return render_template("opportunities/form.html", form=form, message=message, o=shown), status

    if request.method == "GET":
        return page()
    if not form.validate_on_submit():
        return page(status=422)
    try:
        if o is None:
            o = opportunities.create(current_user, form.to_body())
        else:
            opportunities.update(current_user, o, form.to_body())
    except DomainError as exc:
        db.session.rollback()
        return page(apply_errors(form, exc), exc.status)
    flash(_("Bando aggiornato.") if shown else _("Bando pubblicato tra le opportunità."), "success")
    return redirect(url_for("opportunities.detail", opportunity_id=o.id))


# --- the office: who applies, with whom, and the funder's answer ----------------------------------------------------
def _fold_paths(exc: DomainError) -> DomainError:
    """A refusal about `lead.municipality` or `partners.2.organization_id` shown beside the form's `lead` or
    `partners` field."""
    if getattr(exc, "fields", None):
        folded = {}
        for key, message in exc.fields.items():
            folded.setdefault(key.split(".")[0], message)
        exc.fields = folded
    return exc


def _applications_page(o, *, form=None, fund_forms=None, notice_form=None, message=None, status=200):
    rows = opportunities.applications_of(current_user, o)
    notices = opportunities.notices_of(current_user, o)
    names = opportunities.body_names([*rows, *notices])
    bodies = registered_bodies()
    form = form or ApplicationForm(bodies, formdata=None)
    notice_form = notice_form or NoticeForm(bodies, formdata=None)
    fund_forms = fund_forms or {}
    for a in rows:
        if a.state == "submitted" and a.id not in fund_forms:
            fund_forms[a.id] = FundForm(o.themes, formdata=None, prefix=f"a{a.id}")
    return render_template(
        "opportunities/applications.html", o=opportunities.to_dict(o), form=form, message=message,
        rows=[(a, opportunities.application_dict(a, names), application_workflow.actions(a, current_user))
              for a in rows],
        fund_forms=fund_forms, outcome=opportunities.outcome(rows), states=application_workflow.states,
        notices=[(n, opportunities.notice_dict(n, names)) for n in notices], notice_form=notice_form,
        **_labels()), status


@bp.route("/opportunita/<int:opportunity_id>/segnala", methods=["POST"])
@login_required
def propose(opportunity_id: int):
    """The office proposes the call to municipalities and bodies: one message to each of their people."""
    observatory.require_admin(current_user)
    o = opportunities.get(opportunity_id)
    form = NoticeForm(registered_bodies())
    if not form.validate_on_submit():
        return _applications_page(o, notice_form=form, status=422)
    try:
        sent, skipped = opportunities.propose(current_user, o, form.to_body())
    except DomainError as exc:
        db.session.rollback()
        message = apply_errors(form, _fold_paths(exc))
        return _applications_page(o, notice_form=form, message=message, status=exc.status)
    flash(ngettext("Bando segnalato a %(num)s tra comuni ed enti; messaggi in partenza: %(messages)s.",
                   "Bando segnalato a %(num)s tra comuni ed enti; messaggi in partenza: %(messages)s.", len(sent),
                   messages=sum(n.recipients for n in sent)), "success")
    if skipped:
        flash(_("Già informati in precedenza, non di nuovo: %(names)s.",
                names=", ".join(n["party"]["name"] or "" for n in skipped)), "info")
    return redirect(url_for("opportunities.applications", opportunity_id=o.id))


@bp.route("/opportunita/<int:opportunity_id>/candidature", methods=["GET", "POST"])
@login_required
def applications(opportunity_id: int):
    observatory.require_admin(current_user)
    o = opportunities.get(opportunity_id)
    if request.method == "GET":
        return _applications_page(o)
    form = ApplicationForm(registered_bodies())
    if not form.validate_on_submit():
        return _applications_page(o, form=form, status=422)
    try:
        opportunities.record_application(current_user, o, form.to_body())
    except DomainError as exc:
        db.session.rollback()
        message = apply_errors(form, _fold_paths(exc))
        return _applications_page(o, form=form, message=message, status=exc.status)
    flash(_("Candidatura registrata."), "success")
    return redirect(url_for("opportunities.applications", opportunity_id=o.id))


@bp.route("/opportunita/candidature/<int:application_id>", methods=["POST"])
@login_required
def application_step(application_id: int):
    """One step of an application (its trigger in the form): submitted, not funded, or funded with the project's
    CUP, grant and dates."""
    a = opportunities.get_application(current_user, application_id)
    o = a.opportunity
    trigger = (request.form.get("trigger") or "")[:40]
    fund = FundForm(o.themes, prefix=f"a{a.id}") if trigger == "fund" else None
    if fund is not None and not fund.validate_on_submit():
        return _applications_page(o, fund_forms={a.id: fund}, status=422)
    try:
        application_workflow.fire(a, trigger, current_user, fund.params() if fund else {})
    except DomainError as exc:
        db.session.rollback()
        message = apply_errors(fund, exc) if fund is not None else exc.message
        return _applications_page(opportunities.get(o.id), fund_forms={a.id: fund} if fund else None,
                                  message=message, status=exc.status)
    flash(_("Candidatura aggiornata: %(state)s.", state=_(application_workflow.states[a.state])), "success")
    return redirect(url_for("opportunities.applications", opportunity_id=o.id))
