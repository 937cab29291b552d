"""Pages for proposals: the applicant's dashboard, draft form, receipt; the admin's admissibility pages.

House style: the operations do the work and raise DomainError; a view catches it, rolls back and renders
the page again with the error's status (422 for invalid input, 409 when a guard or the state refuses,
listing every reason). The request commits once, in `after_request`. Buttons come from the workflow
table (`workflow.actions`), never from the templates.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from codesign.core import files, receipts
from codesign.core.confirm import ask, confirmation, confirmed
from codesign.core.documents import render_pdf
from codesign.core.errors import DomainError, GuardFailed, TooLarge
from codesign.core.forms import apply_errors
from codesign.core.exports import Column, Sheet, download
from codesign.core.web import (PAGE_ARG, PageSections, Pager, format_datetime_rome, format_money, format_percent,
                               search_arg, standalone_script)
from codesign.db import db, utcnow
from codesign.organizations import operations as orgs
from codesign.procedures import operations as procs
from codesign.proposals import messages
from codesign.proposals import operations as props
from codesign.proposals.forms import (AdminActionForm, MessageForm, NewProposalForm, ProposalContentForm, UploadForm,
                                      action_form, attachment_kind_choices, attachment_kind_titles,
                                      format_partners, proposal_label)
from codesign.proposals import next_step, rules
from codesign.proposals.workflow import rome_today, workflow

bp = Blueprint("proposals", __name__)
# Sections that later modules add to the body's dashboard (the funding opportunities that match its bodies), keyed
# by the signed-in person.
DASHBOARD_SECTIONS = PageSections()
register_dashboard_section = DASHBOARD_SECTIONS.register

# Sections that later modules add to a proposal's page (the outcome of its evaluation, explained), keyed by the
# proposal; each decides for whom it has something to show.
PROPOSAL_SECTIONS = PageSections()
register_proposal_section = PROPOSAL_SECTIONS.register

# Which buttons belong to which page follows from the table: who may fire each transition.
APPLICANT_TRIGGERS = frozenset(t.trigger for t in workflow.table if "applicant" in t.who)
ADMIN_TRIGGERS = frozenset(t.trigger for t in workflow.table if "admin" in t.who)
# The admissibility list shows what reached the administration (list_query's `received`), in these states.
RECEIVED_STATES = tuple(s for s in workflow.states if s != "draft")
ADMISSIBILITY_PAGE = 50  # proposals per page of the admissibility list
# The list's ?ordine= values and the sort each names (proposals.operations.SORTS).
SORT_ARGS = {"numero": "number", "recenti": "recent", "importo": "amount", "ente": "body", "titolo": "title"}
LIST_ARGS = ("stato", "lotto", "q", "ordine", PAGE_ARG)


# --- small helpers -----------------------------------------------------------------------------------------
def _label(trigger: str) -> str:
    transitions = workflow.by_trigger.get(trigger) or []
    return _(transitions[0].label) if transitions and transitions[0].label else trigger


@bp.app_template_filter("file_size")
def file_size(size) -> str:
    """A file's size in KB (at least 1) or MB, with the page's decimal separator."""
    size = int(size or 0)
    if size < 1024 * 1024:
        return format_decimal(max(1, -(-size // 1024)), format="#,##0") + " KB"
    return format_decimal(Decimal(size) / (1024 * 1024), format="#,##0.#") + " MB"


def _state_label(state: str) -> str:
    return _(workflow.states.get(state, state))


def _lot_choices(proc):
    return [(lot.code, _("%(code)s – %(title)s (budget %(budget)s)", code=lot.code, title=lot.title,
                         budget=format_money(lot.budget))) for lot in proc.lots]


def _amount_text(value) -> str:
    if value is None:
        return ""
    text = f"{value:.2f}"
    return text.replace(".", ",") if str(get_locale() or "it").startswith("it") else text


def _failure(form, exc: DomainError):
    """Roll back and carry the error onto the form: (message for no field, reasons of a refused guard)."""
    db.session.rollback()
    if isinstance(exc, GuardFailed):
        return None, exc.reasons
    message = apply_errors(form, exc) if form is not None else exc.message
    return message, None


def _upload_failure(form, exc: DomainError):
    """`_failure` for a form with a file: a file too large is said beside the file field."""
    message, reasons = _failure(form, exc)
    if isinstance(exc, TooLarge):
        form.file.errors = list(form.file.errors) + [exc.message]
        message = None
    return message, reasons


def _given_declarations(p) -> dict:
    """The self-declarations made at submission and those added while answering integration requests."""
    given = dict(p.declarations or {})
    for req in p.integrations:
        if req.answered_at is not None:
            given.update(req.declarations or {})
    return given


# --- the applicant's buttons -----------------------------------------------------------------------------
@dataclass
class Offer:
    """A button of the proposal page: its transition (label, style) and where it posts."""
    transition: object
    url: str


def _offers(p, user, now):
    """The buttons of the proposal page, from `workflow.actions`.

    The submit guard also checks the self-declarations, which are ticked in the same form as the
    button: so a transition refused now is evaluated again as if the form carried every declaration.
    When that passes, the button is offered (the POST runs every guard with what was really ticked and
    lists every reason of a refusal); when it does not, the page says what is still missing."""
    offered = {t.trigger: t for t in workflow.actions(p, user, now=now)}
    blocked = []
    every = {d["code"]: True for d in p.procedure.declarations or []}
    for t in workflow.table:
        if t.trigger in offered or p.state not in t.sources or t.trigger not in APPLICANT_TRIGGERS:
            continue
        try:
            workflow.check(p, t.trigger, user, now=now, params={"declarations": every})
        except GuardFailed as exc:
            blocked.append((t, exc.reasons))
        except DomainError:
            continue
        else:
            offered[t.trigger] = t
    buttons = [Offer(t, url_for("proposals.transition", proposal_id=p.id, trigger=t.trigger))
               for t in workflow.table if offered.get(t.trigger) is t and t.trigger in APPLICANT_TRIGGERS]
    return buttons, blocked


def _content_form_for(p) -> ProposalContentForm:
    form = ProposalContentForm(formdata=None, data={
        "lot": p.lot.code, "title": p.title, "summary": p.summary or "",
        "requested_amount": _amount_text(p.requested_amount),
        "cofinancing_amount": _amount_text(p.cofinancing_amount),
        "partners": format_partners(p.partners)})
    form.lot.choices = _lot_choices(p.procedure)
    return form


def _upload_form_for(p) -> UploadForm:
    form = UploadForm(formdata=None)
    form.kind.choices = attachment_kind_choices(p.procedure)
    return form


def _render_proposal(p, *, status=200, content_form=None, upload_form=None, act_form=None, message=None,
                     reasons=None, failed_trigger=None, message_form=None):
    """The proposal page: the draft's forms while it is a draft, its content read-only afterwards."""
    now = utcnow()
    member = props.is_member(current_user, p)
    admin = props.is_admin(current_user, p)
    editable = member and p.state == "draft"
    integration = p.open_integration
    answering = member and integration is not None and p.state == "integration_requested"
    can_upload = editable or answering
    if editable and content_form is None:
        content_form = _content_form_for(p)
    if can_upload and upload_form is None:
        upload_form = _upload_form_for(p)
    buttons, blocked = _offers(p, current_user, now) if member else ([], [])
    if act_form is None:
        act_form = action_form(p.procedure, formdata=None)
    given = _given_declarations(p)
    party = messages.side_of(current_user, p)
    conversation = messages.visible_thread(current_user, p)
    if conversation is not None and messages.open_for_messages(p) and message_form is None:
        message_form = MessageForm(formdata=None)
    if editable:
        shown_declarations = [act_form[name] for code, name in act_form.declaration_fields]
    elif answering:
        shown_declarations = [act_form[name] for code, name in act_form.declaration_fields if code not in given]
    else:
        shown_declarations = []
    return render_template(
        "proposals/detail.html", p=p, proc=p.procedure, member=member, admin=admin, editable=editable,
        receipt=p.protocol_number is not None and props.may_read_receipt(current_user, p),
        attachments=props.readable_attachments(current_user, p),
        integration=integration, answering=answering, can_upload=can_upload, content_form=content_form,
        upload_form=upload_form, act_form=act_form, shown_declarations=shown_declarations,
        show_note=answering, buttons=buttons, blocked=blocked, given=given, message=message, reasons=reasons,
        failed_trigger=failed_trigger, kind_titles=attachment_kind_titles(p.procedure), state_label=_state_label(p.state),
        next_step=next_step.for_party(p, now, member=member, admin=admin), today=rome_today(now),
        conversation=conversation,
        message_form=message_form, party=party, sections=PROPOSAL_SECTIONS(p)), status


# --- applicant pages -------------------------------------------------------------------------------------------
@bp.route("/le-mie-proposte")
@login_required
def dashboard():
    proposals = props.proposals_of_user(current_user)
    open_calls = []
    if current_user.is_applicant:
        now = utcnow()
        calls, _total = procs.list_visible(current_user, states=("published",), limit=50)
        open_calls = [c for c in calls if not c.deadline_passed(now)]
    now = utcnow()
    steps = {p.id: next_step.for_body(p, now) if props.is_member(current_user, p) else next_step.for_admin(p, now)
             for p in proposals}
    return render_template("proposals/dashboard.html", proposals=proposals, open_calls=open_calls,
                           states=workflow.states, next_steps=steps, today=rome_today(now),
                           sections=DASHBOARD_SECTIONS(current_user) if current_user.is_applicant else [])


@bp.route("/avvisi/<int:procedure_id>/proposta", methods=["GET", "POST"])
@login_required
def new(procedure_id: int):
    proc = procs.get_visible(current_user, procedure_id)
    now = utcnow()
    accepting = proc.open_for_proposals(now)
    bodies = orgs.organizations_of(current_user) if current_user.is_applicant else []
    form = NewProposalForm()
    form.organization_id.choices = [(o.id, o.name) for o in bodies]
    form.lot.choices = _lot_choices(proc)

    def page(status=200, message=None, reasons=None):
        return render_template("proposals/new.html", proc=proc, form=form, bodies=bodies, accepting=accepting,
                               message=message, reasons=reasons), status

    if not current_user.is_applicant:
        return page(403, message=_("Solo chi rappresenta un ente del Terzo settore può presentare proposte."))
    if request.method == "POST":
        if not bodies:
            return page(422, message=_("Per presentare una proposta registra prima il tuo ente."))
        if not form.validate_on_submit():
            return page(422)
        try:
            proposal = props.create_proposal(current_user, proc, form.content())
        except DomainError as exc:
            message, reasons = _failure(form, exc)
            return page(exc.status, message, reasons)
        flash(_("Bozza salvata. Completa la proposta, allega i documenti e inviala prima della scadenza."),
              "success")
        return redirect(url_for("proposals.edit", proposal_id=proposal.id))
    return page()


@bp.route("/proposte/<int:proposal_id>", methods=["GET", "POST"])
@login_required
def edit(proposal_id: int):
    p = props.get_visible(current_user, proposal_id)
    if request.method == "GET":
        return _render_proposal(p)
    form = ProposalContentForm()
    form.lot.choices = _lot_choices(p.procedure)
    if not form.validate_on_submit():
        return _render_proposal(p, status=422, content_form=form)
    try:
        props.update_proposal(current_user, p, form.content())
    except DomainError as exc:
        message, reasons = _failure(form, exc)
        return _render_proposal(p, status=exc.status, content_form=form, message=message, reasons=reasons)
    flash(_("Modifiche salvate."), "success")
    return redirect(url_for("proposals.edit", proposal_id=p.id))


@bp.route("/proposte/<int:proposal_id>/allegati", methods=["POST"])
@login_required
def upload(proposal_id: int):
    p = props.get_visible(current_user, proposal_id)
    form = UploadForm()
    form.kind.choices = attachment_kind_choices(p.procedure)
    if not form.validate_on_submit():
        return _render_proposal(p, status=422, upload_form=form)
    upload_file = form.file.data
    try:
        att = props.add_attachment(current_user, p, kind=form.kind.data, filename=upload_file.filename or "",
                                   stream=upload_file.stream)
    except DomainError as exc:
        message, reasons = _upload_failure(form, exc)
        return _render_proposal(p, status=exc.status, upload_form=form, message=message, reasons=reasons)
    flash(_("Documento «%(name)s» allegato.", name=att.name), "success")
    return redirect(url_for("proposals.edit", proposal_id=p.id, _anchor="allegati"))


@bp.route("/proposte/<int:proposal_id>/allegati/<int:attachment_id>/togli", methods=["POST"])
@login_required
def remove_attachment(proposal_id: int, attachment_id: int):
    p = props.get_visible(current_user, proposal_id)
    try:
        att = props.remove_attachment(current_user, p, attachment_id)
    except DomainError as exc:
        message, reasons = _failure(None, exc)
        return _render_proposal(p, status=exc.status, message=message, reasons=reasons)
    flash(_("Documento «%(name)s» tolto dalla bozza.", name=att.name), "success")
    return redirect(url_for("proposals.edit", proposal_id=p.id, _anchor="allegati"), 303)


@bp.route("/proposte/<int:proposal_id>/elimina", methods=["POST"])
@login_required
def delete_draft(proposal_id: int):
    p = props.get_visible(current_user, proposal_id)
    if props.is_member(current_user, p) and p.state == "draft" and not confirmed():
        return ask(_("Elimina la bozza"), _("La bozza della proposta è eliminata con i suoi documenti; non si può "
                                           "recuperare."), subject=proposal_label(p),
                   back=url_for("proposals.edit", proposal_id=p.id), danger=True)
    title = p.title
    try:
        props.delete_draft(current_user, p)
    except DomainError as exc:
        message, reasons = _failure(None, exc)
        return _render_proposal(p, status=exc.status, message=message, reasons=reasons)
    flash(_("Bozza «%(title)s» eliminata.", title=title), "success")
    return redirect(url_for("proposals.dashboard"), 303)


@bp.route("/proposte/<int:proposal_id>/messaggi", methods=["POST"])
@login_required
def post_message(proposal_id: int):
    p = props.get_visible(current_user, proposal_id)
    form = MessageForm()
    if not form.validate_on_submit():
        return _render_proposal(p, status=422, message_form=form)
    upload_file = form.file.data or None
    try:
        messages.post(current_user, p, form.text.data, filename=upload_file.filename if upload_file else None,
                      stream=upload_file.stream if upload_file else None)
    except DomainError as exc:
        message, reasons = _upload_failure(form, exc)
        return _render_proposal(p, status=exc.status, message_form=form, message=message, reasons=reasons)
    flash(_("Messaggio inviato."), "success")
    return redirect(url_for("proposals.edit", proposal_id=p.id, _anchor="messaggi"), 303)


@bp.route("/allegati/<int:attachment_id>")
@login_required
def attachment(attachment_id: int):
    att = props.get_attachment(current_user, attachment_id)
    path = props.attachment_path(att)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=att.content_type or "application/pdf", as_attachment=True,
                     download_name=files.clean_name(att.name) or f"documento-{att.id}.pdf", max_age=0)


@bp.route("/proposte/<int:proposal_id>/azioni/<trigger>", methods=["POST"])
@login_required
def transition(proposal_id: int, trigger: str):
    p = props.get_visible(current_user, proposal_id)
    if trigger not in APPLICANT_TRIGGERS:
        abort(404)
    form = action_form(p.procedure)
    if not form.validate_on_submit():
        return _render_proposal(p, status=422, act_form=form, failed_trigger=trigger)
    params = {"declarations": form.declarations()}
    if form.note.data:
        params["note"] = form.note.data
    params = workflow.accepted(trigger, params)
    asked = confirmation(workflow, p, trigger, params=params, subject=proposal_label(p),
                         back=url_for("proposals.edit", proposal_id=p.id))
    if asked is not None:
        return asked
    try:
        workflow.fire(p, trigger, current_user, params)
    except DomainError as exc:
        message, reasons = _failure(form, exc)
        return _render_proposal(p, status=exc.status, act_form=form, message=message, reasons=reasons,
                                failed_trigger=trigger)
    if trigger == "submit":
        flash(_("Proposta inviata. Conserva la ricevuta con il numero progressivo di ricezione."), "success")
        return redirect(url_for("proposals.receipt", proposal_id=p.id))
    flash(_("Operazione eseguita: %(label)s. Stato attuale: %(state)s.", label=_label(trigger),
            state=_state_label(p.state)), "success")
    return redirect(url_for("proposals.edit", proposal_id=p.id))


def _receipt(proposal_id: int):
    """The proposal and its signed receipt, for those the domain gives it to (props.signed_receipt), else abort."""
    try:
        return props.signed_receipt(current_user, proposal_id)
    except DomainError as exc:
        abort(exc.status)


@bp.route("/proposte/<int:proposal_id>/ricevuta")
@login_required
def receipt(proposal_id: int):
    p, text = _receipt(proposal_id)
    return render_template("proposals/receipt.html", p=p, proc=p.procedure, state_label=_state_label(p.state),
                           kind_titles=attachment_kind_titles(p.procedure), signature=receipts.signature_of(text))


@bp.route("/proposte/<int:proposal_id>/ricevuta.pdf")
@login_required
def receipt_pdf(proposal_id: int):
    p, text = _receipt(proposal_id)
    html = render_template("proposals/receipt_pdf.html", p=p, proc=p.procedure, generated_at=utcnow(),
                           kind_titles=attachment_kind_titles(p.procedure), signature=receipts.signature_of(text))
    pdf = render_pdf(html)
    filename = f"ricevuta-avviso-{p.procedure_id}-n{p.protocol_number}.pdf"
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "private, no-store"})


@bp.route("/proposte/<int:proposal_id>/ricevuta.json")
@login_required
def receipt_signed(proposal_id: int):
    p, text = _receipt(proposal_id)
    return Response(text, content_type="application/json; charset=utf-8",
                    headers={"Content-Disposition":
                             f'attachment; filename="ricevuta-avviso-{p.procedure_id}-n{p.protocol_number}.json"',
                             "Cache-Control": "private, no-store"})


@bp.route("/ricevute/chiavi-pubbliche.json")
def receipt_keys():
    """The administration's public keys that sign receipts (a stable address, printed on every receipt)."""
    return receipts.published_keys()


@bp.route("/ricevute/verifica_ricevuta.py")
def receipt_verifier():
    """The standalone script that checks a signed receipt offline (docs/transparency.md)."""
    return standalone_script("codesign.core", "verify_receipt.py", "verifica_ricevuta.py")


# --- admissibility (admin) ---------------------------------------------------------------------------------
@dataclass
class Check:
    label: str
    outcome: str            # "ok", "missing", "pending", "none"
    detail: str = ""


def admissibility_checks(p, proc, today) -> list[Check]:
    """The call's requirements against one proposal, from data already loaded (no query)."""
    checks = []
    kinds = {a.kind for a in p.attachments}
    for req in proc.required_attachments or []:
        present = req["kind"] in kinds
        checks.append(Check(_("Allegato «%(title)s»", title=req["title"]), "ok" if present else "missing",
                            _("presente") if present else _("mancante")))
    given = _given_declarations(p)
    for d in proc.declarations or []:
        ok = given.get(d["code"]) is True
        checks.append(Check(_("Dichiarazione: %(text)s", text=d["text"]), "ok" if ok else "missing",
                            _("resa") if ok else _("non resa")))
    minimum = proc.cofinancing_min_pct or 0
    total = (p.requested_amount or 0) + (p.cofinancing_amount or 0)
    share_ok = bool(total) and p.cofinancing_amount * 100 >= minimum * total
    checks.append(Check(_("Quota di cofinanziamento"), "ok" if share_ok else "missing",
                        _("%(share)s (minimo %(minimum)s)",
                          share=format_percent(p.cofinancing_share if total else None),
                          minimum=format_percent(minimum))))
    within = p.requested_amount <= p.lot.budget
    checks.append(Check(_("Contributo entro il budget del lotto"), "ok" if within else "missing",
                        _("%(requested)s su %(budget)s", requested=format_money(p.requested_amount),
                          budget=format_money(p.lot.budget))))
    req = p.open_integration
    if req is not None:
        late = today > req.due
        checks.append(Check(_("Soccorso istruttorio"), "missing" if late else "pending",
                            (_("scaduto il %(due)s senza risposta", due=req.due.strftime("%d/%m/%Y")) if late else
                             _("in attesa di risposta entro il %(due)s", due=req.due.strftime("%d/%m/%Y")))))
    elif p.integrations:
        last = p.integrations[-1]
        checks.append(Check(_("Soccorso istruttorio"), "ok",
                            _("integrazione ricevuta il %(date)s",
                              date=_rome(last.answered_at))))
    else:
        checks.append(Check(_("Soccorso istruttorio"), "none", _("nessuna richiesta")))
    return checks


def _rome(value) -> str:
    return format_datetime_rome(value, "%d/%m/%Y")


@dataclass
class AdminFailure:
    proposal_id: int
    trigger: str
    form: AdminActionForm
    message: str | None = None
    reasons: list = field(default_factory=list)


def _blocked_reasons(p, offered, triggers, now) -> list[str]:
    """Why the other transitions of the table from this state are refused now (guards only, no query)."""
    reasons = []
    for t in workflow.table:
        if t.trigger in offered or t.trigger not in triggers or p.state not in t.sources:
            continue
        try:
            workflow.check(p, t.trigger, current_user, now=now)
        except GuardFailed as exc:
            reasons.extend(r for r in exc.reasons if r not in reasons)
        except DomainError:
            continue
    return reasons


def _admin_procedure(procedure_id: int):
    proc = procs.get_visible(current_user, procedure_id)
    if not procs.is_admin_of(current_user, proc):
        abort(404)
    return proc


def _with_ids(form: AdminActionForm, proposal_id: int, trigger: str) -> AdminActionForm:
    for f in form:
        if f.name != "csrf_token":
            f.id = f"{trigger}-{proposal_id}-{f.name}"
    return form


def _admissibility_filters(proc) -> dict:
    """The list's filters from the query string (?stato=, ?lotto=, ?q=, ?ordine=), each kept only when it is one
    the page offers: a received state, a lot of this call, a text (core.search), a sort (SORT_ARGS)."""
    state, lot = request.args.get("stato", ""), request.args.get("lotto", "")
    return {"received": True, "states": (state,) if state in RECEIVED_STATES else None,
            "lot": lot if proc.lot_by_code(lot) is not None else None,
            "text": search_arg(),
            "sort": SORT_ARGS.get(request.args.get("ordine", ""), "number")}


def _list_args() -> dict:
    """The list's query arguments (filters, page) that a form of a row posts with and its answer goes back to."""
    return {k: v for k, v in request.args.items() if k in LIST_ARGS}


def _back_to_list(proc, p) -> str:
    return url_for("proposals.admissibility", procedure_id=proc.id, _anchor=f"proposta-{p.id}", **_list_args())


def _admissibility_page(proc, failure: AdminFailure | None = None, status: int = 200):
    now = utcnow()
    today = rome_today(now)
    filters = _admissibility_filters(proc)
    rows, pager = Pager.read(ADMISSIBILITY_PAGE, lambda offset, limit: props.list_visible(
        current_user, proc, limit=limit, offset=offset, **filters))
    entries = []
    for p in rows:
        forms, offered = [], set()
        for t in workflow.actions(p, current_user, now=now):
            if t.trigger not in ADMIN_TRIGGERS:
                continue
            offered.add(t.trigger)
            if failure is not None and failure.proposal_id == p.id and failure.trigger == t.trigger:
                form = failure.form
            else:
                form = AdminActionForm(formdata=None).keep_only(t.needs)
            forms.append((t, _with_ids(form, p.id, t.trigger)))
        entries.append({"p": p, "checks": admissibility_checks(p, proc, today), "actions": forms,
                        "blocked": _blocked_reasons(p, offered, ADMIN_TRIGGERS, now),
                        "state_label": _state_label(p.state)})
    failed_row = None
    if failure is not None:
        failed_row = next((e for e in entries if e["p"].id == failure.proposal_id), None)
    received = rules.counts_by_state([proc.id]).get(proc.id, [])
    return render_template("proposals/admissibility.html", proc=proc, entries=entries, pager=pager,
                           failure=failure, failed_row=failed_row, received=received,
                           received_total=sum(n for _s, _l, n in received), filters=filters,
                           sort_args={v: k for k, v in SORT_ARGS.items()}, list_args=_list_args(),
                           proc_state_label=_(procs.workflow.states.get(proc.state, proc.state))), status


@bp.route("/gestione/avvisi/<int:procedure_id>/ammissibilita.<any(csv, xlsx):fmt>")
@login_required
def admissibility_export(procedure_id: int, fmt: str):
    """The whole list the page's filters keep, in its order, as a file for a spreadsheet."""
    proc = _admin_procedure(procedure_id)
    rows, _total = props.list_visible(current_user, proc, limit=None, **_admissibility_filters(proc))
    today = rome_today(utcnow())
    sheet = Sheet(f"ammissibilita-avviso-{proc.id}", _("Verifica di ammissibilità"), [
        Column("number", _("N."), "int"), Column("title", _("Titolo")), Column("body", _("Ente")),
        Column("tax_code", _("Codice fiscale")), Column("lot", _("Lotto")), Column("received", _("Ricevuta il")),
        Column("requested", _("Contributo richiesto"), "money"), Column("cofinancing", _("Cofinanziamento"), "money"),
        Column("state", _("Stato")), Column("missing", _("Requisiti mancanti")),
        Column("pending", _("In attesa")), Column("reason", _("Motivazione"))])
    for p in rows:
        checks = admissibility_checks(p, proc, today)
        sheet.rows.append({
            "number": p.protocol_number, "title": p.title, "body": p.organization.name,
            "tax_code": p.organization.tax_code, "lot": p.lot.code,
            "received": format_datetime_rome(p.submitted_at, "%d/%m/%Y %H:%M"),
            "requested": p.requested_amount, "cofinancing": p.cofinancing_amount, "state": _state_label(p.state),
            "missing": "; ".join(f"{c.label}: {c.detail}" for c in checks if c.outcome == "missing"),
            "pending": "; ".join(f"{c.label}: {c.detail}" for c in checks if c.outcome == "pending"),
            "reason": p.outcome_reason})
    return download(sheet, fmt)


@bp.route("/gestione/avvisi/<int:procedure_id>/ammissibilita")
@login_required
def admissibility(procedure_id: int):
    return _admissibility_page(_admin_procedure(procedure_id))


@bp.route("/gestione/proposte/<int:proposal_id>/azioni/<trigger>", methods=["POST"])
@login_required
def admin_transition(proposal_id: int, trigger: str):
    p = props.get_visible(current_user, proposal_id)
    if not props.is_admin(current_user, p) or trigger not in ADMIN_TRIGGERS:
        abort(404)
    proc, number = p.procedure, p.protocol_number
    candidate = next((t for t in workflow.by_trigger[trigger] if p.state in t.sources), None)
    form = AdminActionForm().keep_only(candidate.needs if candidate else ())
    if not form.validate_on_submit():
        return _admissibility_page(proc, AdminFailure(proposal_id, trigger, form), 422)
    asked = confirmation(workflow, p, trigger, params=form.params(), subject=proposal_label(p),
                         back=_back_to_list(proc, p))
    if asked is not None:
        return asked
    try:
        workflow.fire(p, trigger, current_user, form.params())
    except DomainError as exc:
        message, reasons = _failure(form, exc)
        failure = AdminFailure(proposal_id, trigger, form, message, reasons or [])
        return _admissibility_page(_admin_procedure(proc.id), failure, exc.status)
    flash(_("Proposta n. %(number)s: %(label)s. Stato attuale: %(state)s.", number=number, label=_label(trigger),
            state=_state_label(p.state)), "success")
    return redirect(_back_to_list(proc, p))
