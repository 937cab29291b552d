"""Pages of the co-design phase: the admin's board of a call after the ranking, the table shared by the
admin and the body (meetings, shared documents, versions, the difference between two, the actions), and
the minutes as a PDF.

House style (as proposals/views.py): the operations do the work and raise DomainError; a view rolls back
and renders the page again with the error's status, listing every reason. Buttons come from the machine
table (`workflow.actions`), never from the templates."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from codesign.core.confirm import confirmation
from codesign.core.documents import render_pdf
from codesign.core.errors import DomainError, GuardFailed, Invalid
from codesign.core.forms import apply_errors, change_rows, choice_list
from codesign.core.exports import Column, Sheet, download
from codesign.core.web import Pager, format_datetime_rome, format_money, search_arg
from codesign.db import db, utcnow
from codesign.procedures import operations as procs
from codesign.procedures.workflow import workflow as procedure_workflow
from codesign.proposals import next_step
from codesign.proposals import operations as props
from codesign.proposals.workflow import STATES
from codesign.proposals.workflow import workflow as proposal_workflow
from codesign.tables import operations as tables
from codesign.tables import permissions
from codesign.tables.forms import EXTRA_ROWS, DocumentForm, MeetingForm, MinutesForm, ReasonForm, VersionForm
from codesign.tables.operations import COFINANCING, NEXT_ACTION, POST_RANKING

bp = Blueprint("tables", __name__)
ROME = ZoneInfo("Europe/Rome")
# The proposal triggers of the co-design phase, fired from the table page (the later ones from the agreement page).
TABLE_TRIGGERS = ("start_codesign", "finalize", "fail_codesign")
SCROLL = "scroll_ranking"   # the procedure's move that admits the reserve proposals the budget left allows


def _state_label(state: str) -> str:
    return _(STATES.get(state, state))


def _party_proposal(proposal_id: int):
    proposal = props.get_visible(current_user, proposal_id)
    permissions.require_party(current_user, proposal)
    if proposal.state not in POST_RANKING or proposal.state == "reserve":
        abort(404)
    return proposal


# --- the admin's board -------------------------------------------------------------------------------------
BOARD_PAGE = 50  # proposals per page of the board


def _board_filters(proc) -> dict:
    """The board's filters from the query string (?lotto=, ?stato=, ?q=), each kept only when it is one the page
    offers: a lot of this call, a state after the ranking, a text (core.search)."""
    lot, state = request.args.get("lotto", ""), request.args.get("stato", "")
    return {"lot": lot if proc.lot_by_code(lot) is not None else None,
            "state": state if state in POST_RANKING else None,
            "text": search_arg()}


@bp.route("/gestione/avvisi/<int:procedure_id>/coprogettazione")
@login_required
def board(procedure_id: int):
    proc = procs.get_for_admin(current_user, procedure_id)
    filters = _board_filters(proc)
    rows, pager = Pager.read(BOARD_PAGE, lambda offset, limit: tables.board(
        current_user, proc, **filters, offset=offset, limit=limit))
    budgets = [{"lot": lt, "left": tables.available_budget(proc, lt)} for lt in proc.lots]
    actions, blocked = procedure_workflow.actions(proc, current_user), procedure_workflow.blocked(proc, current_user)
    scroll = {"label": _(procedure_workflow.by_trigger[SCROLL][0].label),
              "offered": any(t.trigger == SCROLL for t in actions),
              "blocked": any(t.trigger == SCROLL for t, _reasons in blocked)}
    return render_template(
        "tables/board.html", proc=proc, rows=rows, budgets=budgets, filters=filters, pager=pager,
        states=[(s, _state_label(s)) for s in POST_RANKING], state_label=_state_label, next_action=NEXT_ACTION,
        proc_state_label=_(procedure_workflow.states[proc.state]), proc_actions=actions, proc_blocked=blocked,
        scroll=scroll, today=utcnow().astimezone(ROME).date())


@bp.route("/gestione/avvisi/<int:procedure_id>/coprogettazione.<any(csv, xlsx):fmt>")
@login_required
def board_export(procedure_id: int, fmt: str):
    """The whole board the page's filters keep, in its order, as a file for a spreadsheet."""
    proc = procs.get_for_admin(current_user, procedure_id)
    rows, _total = tables.board(current_user, proc, **_board_filters(proc))
    sheet = Sheet(f"coprogettazione-avviso-{proc.id}", _("Proposte dopo la graduatoria"), [
        Column("number", _("N."), "int"), Column("title", _("Titolo")), Column("body", _("Ente")),
        Column("tax_code", _("Codice fiscale")), Column("lot", _("Lotto")), Column("score", _("Punteggio"), "number"),
        Column("allotted", _("Contributo assegnato"), "money"), Column("state", _("Stato")),
        Column("version", _("Ultima versione"), "int"), Column("deadline", _("Scadenza del tavolo"), "date"),
        Column("overdue", _("Scaduto")), Column("last_activity", _("Ultima attività")),
        Column("next_action", _("Prossima azione"))])
    for r in rows:
        p, table = r["proposal"], r["table"]
        sheet.rows.append({
            "number": p.protocol_number, "title": p.title, "body": p.organization.name,
            "tax_code": p.organization.tax_code, "lot": p.lot.code, "score": p.ranking_total,
            "allotted": p.allotted_amount, "state": _state_label(p.state), "version": r["latest_version"],
            "deadline": table.deadline if table else None, "overdue": _("sì") if r["overdue"] else "",
            "last_activity": format_datetime_rome(r["last_activity"], "%d/%m/%Y %H:%M"),
            "next_action": _(r["next_action"]) if r["next_action"] else ""})
    return download(sheet, fmt)


# --- the table -------------------------------------------------------------------------------------------------
def _version_form_for(proposal, source=None, formdata=None, extra_activities=0, extra_lines=0) -> VersionForm:
    """The new version's form, filled from the latest version (or the proposal), with empty rows to add."""
    proc = proposal.procedure
    if source is not None:
        data = {"summary": source.summary, "requested_amount": f"{source.requested_amount:.2f}".replace(".", ","),
                "cofinancing_amount": f"{source.cofinancing_amount:.2f}".replace(".", ","),
                "activities": list(source.activities or []),
                "budget_lines": [b | {"amount": b["amount"].replace(".", ",")} for b in source.budget_lines or []]}
        targets = {i["code"]: i["target"] for i in source.indicators or []}
    else:
        data = {"summary": proposal.summary or "", "requested_amount": f"{proposal.requested_amount:.2f}".replace(".", ","),
                "cofinancing_amount": f"{proposal.cofinancing_amount:.2f}".replace(".", ","),
                "activities": [], "budget_lines": []}
        targets = {}
    data["indicators"] = [{"code": ind["code"], "target": targets.get(ind["code"], "")} for ind in proc.indicators or []]
    form = VersionForm(formdata=formdata, data=data if formdata is None else None, prefix="v")
    if formdata is None:
        for _i in range(EXTRA_ROWS + extra_activities):
            form.activities.append_entry()
        for _i in range(EXTRA_ROWS + extra_lines):
            form.budget_lines.append_entry()
    _version_form_choices(proposal, form)
    return form


def _render_table(proposal, status=200, *, meeting_form=None, document_form=None, reason_form=None,
                  failure=None, minutes_forms=None):
    now = utcnow()
    table = tables.table_of(proposal)
    admin = permissions.is_admin(current_user, proposal)
    open_ = proposal.state == "in_codesign"
    versions = tables.versions(current_user, proposal)
    actions = [t for t in proposal_workflow.actions(proposal, current_user, now=now) if t.trigger in TABLE_TRIGGERS]
    blocked = []
    if admin and open_:
        try:
            proposal_workflow.check(proposal, "finalize", current_user, now=now)
        except GuardFailed as exc:
            blocked = exc.reasons
        except DomainError:
            blocked = []
    meetings = list(table.meetings) if table else []
    if minutes_forms is None:
        minutes_forms = {}
    for m in meetings:
        minutes_forms.setdefault(m.id, MinutesForm(formdata=None, prefix=f"m{m.id}", data={"minutes": m.minutes or ""}))
    documents = [a for a in proposal.attachments if a.kind == permissions.SHARED_DOCUMENT]
    return render_template(
        "tables/table.html", p=proposal, proc=proposal.procedure, table=table, admin=admin, open_=open_,
        versions=versions, actions=actions, blocked=blocked, meetings=meetings, documents=documents,
        meeting_form=meeting_form or (MeetingForm(formdata=None, prefix="meeting") if admin and open_ else None),
        minutes_forms=minutes_forms if admin and open_ else {},
        document_form=document_form or (DocumentForm(formdata=None, prefix="doc") if open_ else None),
        reason_form=reason_form or ReasonForm(formdata=None, prefix="act"), failure=failure,
        state_label=_state_label(proposal.state),
        next_step=next_step.for_party(proposal, now, member=props.is_member(current_user, proposal), admin=admin),
        today=now.astimezone(ROME).date()), status


@bp.route("/proposte/<int:proposal_id>/tavolo")
@login_required
def table(proposal_id: int):
    return _render_table(_party_proposal(proposal_id))


def _fail(proposal, exc: DomainError, label: str, **forms):
    db.session.rollback()
    proposal = props.get_visible(current_user, proposal.id)
    reasons = exc.reasons if isinstance(exc, GuardFailed) else [exc.message]
    return _render_table(proposal, exc.status, failure={"label": label, "reasons": reasons}, **forms)


@bp.route("/proposte/<int:proposal_id>/tavolo/incontri", methods=["POST"])
@login_required
def add_meeting(proposal_id: int):
    proposal = _party_proposal(proposal_id)
    form = MeetingForm(prefix="meeting")
    label = _("Registra un incontro")
    if not form.validate_on_submit():
        return _render_table(proposal, 422, meeting_form=form,
                             failure={"label": label, "reasons": [_("Controlla i campi evidenziati.")]})
    held = dt.datetime.combine(form.date.data, form.time.data, tzinfo=ROME)
    try:
        tables.record_meeting(current_user, proposal, {
            "held_at": held.isoformat(), "place": form.place.data or "", "participants": form.participants_list(),
            "minutes": form.minutes.data or None})
    except Invalid as exc:
        message = apply_errors(form, Invalid({("date" if k == "held_at" else k): m for k, m in exc.fields.items()}))
        db.session.rollback()
        return _render_table(props.get_visible(current_user, proposal_id), 422, meeting_form=form,
                             failure={"label": label, "reasons": [message or _("Controlla i campi evidenziati.")]})
    except DomainError as exc:
        return _fail(proposal, exc, label, meeting_form=form)
    flash(_("Incontro registrato: l'ente riceve l'avviso per posta elettronica."), "success")
    return redirect(url_for("tables.table", proposal_id=proposal.id) + "#incontri", 303)


@bp.route("/proposte/<int:proposal_id>/tavolo/incontri/<int:meeting_id>", methods=["POST"])
@login_required
def update_minutes(proposal_id: int, meeting_id: int):
    proposal = _party_proposal(proposal_id)
    meeting = tables.get_meeting(current_user, proposal, meeting_id)
    form = MinutesForm(prefix=f"m{meeting.id}")
    label = _("Salva il verbale")
    if not form.validate_on_submit():
        return _render_table(proposal, 422, minutes_forms={meeting.id: form},
                             failure={"label": label, "reasons": [_("Controlla i campi evidenziati.")]})
    try:
        tables.update_meeting(current_user, proposal, meeting, {"minutes": form.minutes.data or ""})
    except DomainError as exc:
        return _fail(proposal, exc, label, minutes_forms={meeting_id: form})
    flash(_("Verbale salvato."), "success")
    return redirect(url_for("tables.table", proposal_id=proposal.id) + f"#incontro-{meeting.id}", 303)


@bp.route("/proposte/<int:proposal_id>/tavolo/incontri/<int:meeting_id>/verbale.pdf")
@login_required
def minutes_pdf(proposal_id: int, meeting_id: int):
    proposal = _party_proposal(proposal_id)
    meeting = tables.get_meeting(current_user, proposal, meeting_id)
    html = render_template("tables/minutes_pdf.html", p=proposal, proc=proposal.procedure, m=meeting,
                           number=[x.id for x in meeting.table.meetings].index(meeting.id) + 1)
    return Response(render_pdf(html), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="verbale-tavolo-{proposal.id}-{meeting.id}.pdf"'})


@bp.route("/proposte/<int:proposal_id>/tavolo/documenti", methods=["POST"])
@login_required
def add_document(proposal_id: int):
    proposal = _party_proposal(proposal_id)
    form = DocumentForm(prefix="doc")
    label = _("Condividi un documento")
    if not form.validate_on_submit():
        return _render_table(proposal, 422, document_form=form,
                             failure={"label": label, "reasons": [_("Scegli un file PDF.")]})
    upload = form.file.data
    try:
        props.add_attachment(current_user, proposal, kind=permissions.SHARED_DOCUMENT, filename=upload.filename or "",
                             stream=upload.stream)
    except DomainError as exc:
        return _fail(proposal, exc, label, document_form=form)
    flash(_("Documento condiviso al tavolo."), "success")
    return redirect(url_for("tables.table", proposal_id=proposal.id) + "#documenti", 303)


@bp.route("/proposte/<int:proposal_id>/tavolo/azioni/<trigger>", methods=["POST"])
@login_required
def fire(proposal_id: int, trigger: str):
    proposal = _party_proposal(proposal_id)
    if trigger not in TABLE_TRIGGERS:
        abort(404)
    label = _(proposal_workflow.by_trigger[trigger][0].label)
    form = ReasonForm(prefix="act")
    if not form.validate_on_submit():
        return _render_table(proposal, 422, reason_form=form, failure={"label": label, "reasons": [
            _("Il modulo è scaduto: ricarica la pagina e riprova.")]})
    given = {"reason": (form.reason.data or "").strip() or None}
    params = proposal_workflow.accepted(trigger, given)
    asked = confirmation(proposal_workflow, proposal, trigger, params=params,
                         subject=_("Proposta «%(title)s»", title=proposal.title),
                         back=url_for("tables.table", proposal_id=proposal.id))
    if asked is not None:
        return asked
    try:
        proposal_workflow.fire(proposal, trigger, current_user, params)
    except Invalid as exc:
        apply_errors(form, exc)
        return _fail(proposal, exc, label, reason_form=form)
    except DomainError as exc:
        return _fail(proposal, exc, label, reason_form=form)
    flash(_("Operazione eseguita: %(label)s. Stato attuale: %(state)s.", label=label,
            state=_state_label(proposal.state)), "success")
    return redirect(url_for("tables.table", proposal_id=proposal.id), 303)


# --- versions -----------------------------------------------------------------------------------------------------
@bp.route("/proposte/<int:proposal_id>/tavolo/versioni/nuova", methods=["GET", "POST"])
@login_required
def new_version(proposal_id: int):
    proposal = _party_proposal(proposal_id)
    if not permissions.can_edit_versions(current_user, proposal):
        flash(_("Le versioni si registrano mentre il tavolo di co-progettazione è aperto."), "warning")
        return redirect(url_for("tables.table", proposal_id=proposal.id), 303)
    latest = tables.latest_version(proposal)
    if request.method == "GET":
        return _render_version_form(proposal, _version_form_for(proposal, latest), latest)
    form = _version_form_for(proposal, latest, formdata=request.form)
    if change_rows(form, request.form):  # one row more or less, nothing saved
        _version_form_choices(proposal, form)
        return _render_version_form(proposal, form, latest)
    if not form.validate_on_submit():
        return _render_version_form(proposal, form, latest, status=422)
    try:
        version = tables.save_version(current_user, proposal, form.to_input())
    except Invalid as exc:
        db.session.rollback()
        message = apply_errors(form, exc)
        return _render_version_form(props.get_visible(current_user, proposal_id), form, latest, status=422,
                                    message=message)
    except DomainError as exc:
        db.session.rollback()
        return _render_version_form(props.get_visible(current_user, proposal_id), form, latest, status=exc.status,
                                    message=exc.message)
    flash(_("Versione %(n)s registrata. Una versione non si modifica: un cambiamento è una nuova versione.",
            n=version.number), "success")
    return redirect(url_for("tables.version", proposal_id=proposal.id, number=version.number), 303)


def _version_form_choices(proposal, form):
    sources = [(s["code"], s["code"]) for s in proposal.procedure.funding_sources or []] + \
        [(COFINANCING, _("cofinanziamento dell'ente"))]
    for entry in form.budget_lines:
        entry.form.funding_source.choices = choice_list(sources)
    titles = {i["code"]: i for i in proposal.procedure.indicators or []}
    for entry in form.indicators:
        ind = titles.get(entry.form.code.data) or {}
        entry.form.target.label.text = _("Obiettivo: %(code)s – %(title)s", code=entry.form.code.data or "",
                                         title=ind.get("title", "")) + (f" ({ind['unit']})" if ind.get("unit") else "")


def _render_version_form(proposal, form, latest, status=200, message=None):
    titles = {i["code"]: i for i in proposal.procedure.indicators or []}
    return render_template("tables/version_form.html", p=proposal, proc=proposal.procedure, form=form, latest=latest,
                           indicator_titles=titles, message=message), status


@bp.route("/proposte/<int:proposal_id>/tavolo/versioni/<int:number>")
@login_required
def version(proposal_id: int, number: int):
    proposal = _party_proposal(proposal_id)
    v = tables.get_version(current_user, proposal, number)
    all_numbers = [x.number for x in tables.versions(current_user, proposal)]
    titles = {i["code"]: i for i in proposal.procedure.indicators or []}
    return render_template("tables/version.html", p=proposal, proc=proposal.procedure, v=v, numbers=all_numbers,
                           totals=tables.budget_totals(v), indicator_titles=titles)


@bp.route("/proposte/<int:proposal_id>/tavolo/confronto")
@login_required
def compare(proposal_id: int):
    proposal = _party_proposal(proposal_id)
    numbers = [x.number for x in tables.versions(current_user, proposal)]
    if len(numbers) < 2:
        flash(_("Per un confronto servono almeno due versioni."), "info")
        return redirect(url_for("tables.table", proposal_id=proposal.id), 303)
    a = request.args.get("da", type=int) or numbers[-2]
    b = request.args.get("a", type=int) or numbers[-1]
    if a not in numbers or b not in numbers:
        abort(404)
    d = tables.diff(current_user, proposal, a, b)
    return render_template("tables/compare.html", p=proposal, proc=proposal.procedure, d=d, numbers=numbers,
                           money=format_money)
