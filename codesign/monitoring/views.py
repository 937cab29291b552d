"""Pages of monitoring: the report page (the body's form with save and submit; the admin's review with approve
and return), the project's monitoring dashboard (with the admin's payment form) and the call's dashboard.

House style (as the proposal pages): the operations do the work and raise DomainError; a view rolls back and
renders the page again with the error's status (422 invalid input, 409 a guard or the state refuses, listing
every reason). The request commits once, in `after_request`. Buttons come from the report machine's table."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from codesign.agreements.operations import final_version
from codesign.core.confirm import confirmation
from codesign.core.errors import DomainError, GuardFailed, Invalid
from codesign.core.forms import apply_errors, change_rows, choice_list
from codesign.core.web import format_money
from codesign.db import db, utcnow
from codesign.core.exports import download
from codesign.monitoring import exports
from codesign.monitoring import operations as monitoring
from codesign.monitoring import permissions, rules
from codesign.monitoring.forms import (BLANK_ROWS, PaymentForm, ReceiptForm, ReversalForm, ReviewForm, SubmitForm,
                                       report_form, report_form_data)
from codesign.monitoring.schemas import MAX_RECEIPTS
from codesign.monitoring.workflow import workflow
from codesign.procedures import operations as procs
from codesign.proposals import operations as props
from codesign.proposals.workflow import workflow as proposal_workflow

bp = Blueprint("monitoring", __name__)

APPLICANT_TRIGGERS = frozenset(t.trigger for t in workflow.table if "applicant" in t.who)
ADMIN_TRIGGERS = frozenset(t.trigger for t in workflow.table if "admin" in t.who)


def _state_label(state: str) -> str:
    return _(workflow.states.get(state, state))


def _label(trigger: str) -> str:
    return _(workflow.by_trigger[trigger][0].label)


def _choices(version):
    lines = (version.budget_lines if version is not None else []) or []
    categories = list(dict.fromkeys(b["category"] for b in lines))
    sources = list(dict.fromkeys(b["funding_source"] for b in lines))
    return categories, sources


def _form_for(report, version, formdata=...):
    """The report's form: from the stored report with blank expense rows (formdata None), from what was posted
    (the default), or from `formdata`."""
    categories, sources = _choices(version)
    titles = {i["code"]: i.get("title", i["code"]) for i in report.proposal.procedure.indicators or []}
    kwargs = {} if formdata is ... else {"formdata": formdata}
    if formdata is None:
        kwargs["data"] = report_form_data(report)
    rows = len(report.expenses or []) + BLANK_ROWS if formdata is None else 0
    return report_form(report, version, titles, categories, sources, rows=rows, **kwargs)


def _render_report(report, *, status=200, form=None, review_form=None, message=None, reasons=None,
                   receipt_forms=None):
    now = utcnow()
    p = report.proposal
    version = final_version(p)
    owner = permissions.is_owner(current_user, report)
    admin = permissions.is_admin(current_user, report.proposal)
    editable = permissions.can_edit(current_user, report)
    if editable and form is None:
        form = _form_for(report, version, formdata=None)
    actions = workflow.actions(report, current_user, now=now)
    submit_offered = any(t.trigger == "submit" for t in actions)
    over = monitoring.overspending(report, version)
    missing = monitoring.problems(report, version, over) if owner and report.state in permissions.EDITABLE else []
    review = [t for t in actions if t.trigger in ADMIN_TRIGGERS] if admin else []
    if review and review_form is None:
        review_form = ReviewForm(formdata=None)
    titles = {i["code"]: i for i in p.procedure.indicators or []}
    targets = {i["code"]: i["target"] for i in (version.indicators if version is not None else []) or []}
    lines = monitoring.expense_lines(report)
    receipt_forms = receipt_forms or {}
    if editable:
        receipt_forms = {n: receipt_forms.get(n) or ReceiptForm(formdata=None, prefix=f"r{n}")
                         for n in range(1, len(lines) + 1)}
        for n, rf in receipt_forms.items():
            rf.file.label.text = _("Giustificativo per la riga %(n)s (PDF o immagine JPEG, PNG, WebP)", n=n)
    return render_template(
        "monitoring/report.html", report=report, p=p, proc=p.procedure, owner=owner, admin=admin, editable=editable,
        lines=lines, over=over, receipt_forms=receipt_forms, remove_form=SubmitForm(formdata=None) if editable else None,
        max_receipts=MAX_RECEIPTS,
        form=form, submit_form=SubmitForm(formdata=None) if submit_offered else None, missing=missing,
        review=review, review_form=review_form, message=message, reasons=reasons, titles=titles, targets=targets,
        state_label=_state_label(report.state), late=monitoring.is_late(report, now),
        state_help=monitoring.REPORT_STATE_HELP, reminder_labels=monitoring.REMINDER_LABELS,
        history=monitoring.submissions(current_user, report)), status


def _failure(exc: DomainError, form=None, where=None):
    db.session.rollback()
    if isinstance(exc, GuardFailed):
        return None, exc.reasons
    return (apply_errors(form, exc, where) if form is not None else exc.message), None


@bp.route("/relazioni/<int:report_id>", methods=["GET", "POST"])
@login_required
def report(report_id: int):
    r = monitoring.get_report(current_user, report_id)
    if request.method == "GET":
        return _render_report(r)
    if not permissions.can_edit(current_user, r):
        return _render_report(r, status=409 if permissions.is_owner(current_user, r) else 403,
                              message=_("La relazione non si può modificare ora."))
    version = final_version(r.proposal)
    form = _form_for(r, version)
    if change_rows(form, request.form):   # one expense row more or less, nothing saved
        return _render_report(r, form=form)
    if not form.validate_on_submit():
        return _render_report(r, status=422, form=form)
    body, where = form.body(r.final)
    try:
        monitoring.save_report(current_user, r, body)
    except DomainError as exc:
        message, reasons = _failure(exc, form, where)
        return _render_report(monitoring.get_report(current_user, report_id), status=exc.status, form=form,
                              message=message, reasons=reasons)
    flash(_("Relazione salvata. Quando è completa, presentala all'amministrazione."), "success")
    return redirect(url_for("monitoring.report", report_id=r.id))


@bp.route("/relazioni/<int:report_id>/spese/<int:n>/giustificativi", methods=["POST"])
@login_required
def add_receipt(report_id: int, n: int):
    r = monitoring.get_report(current_user, report_id)
    form = ReceiptForm(prefix=f"r{n}")
    if not form.validate_on_submit():
        return _render_report(r, status=422, receipt_forms={n: form})
    try:
        att = monitoring.add_receipt(current_user, r, n, filename=form.file.data.filename or "",
                                     stream=form.file.data.stream)
    except DomainError as exc:
        message, reasons = _failure(exc, form)
        return _render_report(monitoring.get_report(current_user, report_id), status=exc.status,
                              receipt_forms={n: form}, message=message, reasons=reasons)
    flash(_("Giustificativo «%(name)s» caricato sulla riga %(n)s.", name=att.name, n=n), "success")
    return redirect(url_for("monitoring.report", report_id=r.id, _anchor=f"giustificativi-{n}"), 303)


@bp.route("/relazioni/<int:report_id>/spese/<int:n>/giustificativi/<int:receipt_id>/rimuovi", methods=["POST"])
@login_required
def remove_receipt(report_id: int, n: int, receipt_id: int):
    r = monitoring.get_report(current_user, report_id)
    form = SubmitForm()
    if not form.validate_on_submit():
        return _render_report(r, status=422, message=_("Il modulo è scaduto: ricarica la pagina e riprova."))
    try:
        monitoring.remove_receipt(current_user, r, n, receipt_id)
    except DomainError as exc:
        message, reasons = _failure(exc)
        return _render_report(monitoring.get_report(current_user, report_id), status=exc.status, message=message,
                              reasons=reasons)
    flash(_("Giustificativo tolto dalla riga %(n)s.", n=n), "success")
    return redirect(url_for("monitoring.report", report_id=r.id, _anchor=f"giustificativi-{n}"), 303)


@bp.route("/relazioni/<int:report_id>/azioni/<trigger>", methods=["POST"])
@login_required
def transition(report_id: int, trigger: str):
    r = monitoring.get_report(current_user, report_id)
    if trigger not in workflow.by_trigger:
        abort(404)
    form = ReviewForm() if trigger in ADMIN_TRIGGERS else SubmitForm()
    if not form.validate_on_submit():
        return _render_report(r, status=422, review_form=form if trigger in ADMIN_TRIGGERS else None)
    params = {"reason": form.reason.data} if trigger == "return" and form.reason.data else {}
    asked = confirmation(workflow, r, trigger, params=params,
                         subject=_("Progetto «%(title)s»", title=r.proposal.title) + " · " + rules.title(r),
                         back=url_for("monitoring.report", report_id=r.id))
    if asked is not None:
        return asked
    try:
        workflow.fire(r, trigger, current_user, params)
    except DomainError as exc:
        message, reasons = _failure(exc, form)
        if isinstance(exc, Invalid) and "reason" in exc.fields:
            message = None
        return _render_report(monitoring.get_report(current_user, report_id), status=exc.status,
                              review_form=form if trigger in ADMIN_TRIGGERS else None, message=message,
                              reasons=reasons)
    flash(_("Operazione eseguita: %(label)s. Stato attuale: %(state)s.", label=_label(trigger),
            state=_state_label(r.state)), "success")
    return redirect(url_for("monitoring.report", report_id=r.id))


# --- the project's dashboard ---------------------------------------------------------------------------------------
def _reversal_choices(payments) -> list:
    return choice_list([(x.id, _("Tranche %(n)s, pagata il %(date)s — netto %(net)s", n=x.tranche_number,
                                 date=x.paid_on.strftime("%d/%m/%Y"), net=format_money(x.net_amount)))
                        for x in payments if x.active])


def _render_project(p, *, status=200, payment_form=None, reversal_form=None, message=None, reasons=None):
    now = utcnow()
    f = monitoring.project_dashboard(current_user, p, now=now)
    admin = permissions.is_admin(current_user, p)
    blocks = monitoring.payment_blocks(p)
    payable = [t for t in f.tranches if t.status == "payable"] if not blocks else []
    if admin and payable and payment_form is None:
        payment_form = PaymentForm(formdata=None)
    if payment_form is not None:
        payment_form.tranche_number.choices = choice_list([(t.number, _("Tranche %(n)s — %(amount)s", n=t.number,
                                                            amount=format_money(t.amount))) for t in payable])
    ledger = monitoring.payments(current_user, p)
    if admin and any(x.active for x in ledger) and reversal_form is None:
        reversal_form = ReversalForm(formdata=None)
    if reversal_form is not None:
        reversal_form.payment_id.choices = _reversal_choices(ledger)
    complete = next((t for t in proposal_workflow.actions(p, current_user, now=now) if t.trigger == "complete"), None)
    return render_template("monitoring/project.html", p=p, proc=p.procedure, f=f, admin=admin,
                           payment_form=payment_form, reversal_form=reversal_form, ledger=ledger, message=message,
                           reasons=reasons, after_text=exports.after_text, state_label=_state_label,
                           project_state=_(proposal_workflow.states[p.state]), complete=complete,
                           blocks=blocks), status


@bp.route("/proposte/<int:proposal_id>/monitoraggio")
@login_required
def project(proposal_id: int):
    return _render_project(props.get_visible(current_user, proposal_id))


@bp.route("/proposte/<int:proposal_id>/monitoraggio/<table>.<any(csv, xlsx):fmt>")
@login_required
def project_export(proposal_id: int, table: str, fmt: str):
    """A table of the project's dashboard as a file (exports.PROJECT_TABLES), to its parties."""
    p = props.get_visible(current_user, proposal_id)
    if table not in exports.PROJECT_TABLES:
        abort(404)
    sheet = exports.project_sheet(monitoring.project_dashboard(current_user, p), table)
    return download(sheet, fmt)


@bp.route("/proposte/<int:proposal_id>/pagamenti", methods=["POST"])
@login_required
def record_payment(proposal_id: int):
    p = props.get_visible(current_user, proposal_id)
    form = PaymentForm()
    form.tranche_number.choices = choice_list([(t.number, str(t.number)) for t in monitoring.tranches(current_user, p)])
    if not form.validate_on_submit():
        return _render_project(p, status=422, payment_form=form)
    try:
        payment = monitoring.record_payment(current_user, p, {
            "tranche_number": form.tranche_number.data, "paid_on": form.paid_on.data.isoformat(),
            "reference": form.reference.data or None})
    except DomainError as exc:
        message, reasons = _failure(exc, form)
        return _render_project(props.get_visible(current_user, proposal_id), status=exc.status, payment_form=form,
                               message=message, reasons=reasons)
    flash(_("Pagamento della tranche %(n)s registrato.", n=payment.tranche_number), "success")
    return redirect(url_for("monitoring.project", proposal_id=p.id, _anchor="pagamenti"))


@bp.route("/proposte/<int:proposal_id>/pagamenti/storni", methods=["POST"])
@login_required
def reverse_payment(proposal_id: int):
    p = props.get_visible(current_user, proposal_id)
    form = ReversalForm()
    form.payment_id.choices = _reversal_choices(monitoring.payments(current_user, p))
    if not form.validate_on_submit():
        return _render_project(p, status=422, reversal_form=form)
    try:
        payment = monitoring.reverse_payment(current_user, form.payment_id.data, {
            "amount": form.amount.decimal_text, "reason": form.reason.data, "reference": form.reference.data or None,
            "reversed_on": form.reversed_on.data.isoformat()})
    except DomainError as exc:
        message, reasons = _failure(exc, form)
        return _render_project(props.get_visible(current_user, proposal_id), status=exc.status, reversal_form=form,
                               message=message, reasons=reasons)
    flash(_("Storno registrato sul pagamento della tranche %(n)s.", n=payment.tranche_number), "success")
    return redirect(url_for("monitoring.project", proposal_id=p.id, _anchor="pagamenti"), 303)


@bp.route("/proposte/<int:proposal_id>/monitoraggio/concludi", methods=["POST"])
@login_required
def complete(proposal_id: int):
    p = props.get_visible(current_user, proposal_id)
    form = SubmitForm()
    if not form.validate_on_submit():
        return _render_project(p, status=422, message=_("Il modulo è scaduto: ricarica la pagina e riprova."))
    asked = confirmation(proposal_workflow, p, "complete", subject=_("Progetto «%(title)s»", title=p.title),
                         back=url_for("monitoring.project", proposal_id=p.id))
    if asked is not None:
        return asked
    try:
        proposal_workflow.fire(p, "complete", current_user)
    except DomainError as exc:
        message, reasons = _failure(exc)
        return _render_project(props.get_visible(current_user, proposal_id), status=exc.status, message=message,
                               reasons=reasons)
    flash(_("Progetto concluso."), "success")
    return redirect(url_for("monitoring.project", proposal_id=p.id))


# --- the call's dashboard ------------------------------------------------------------------------------------------
def _call_rows(procedure_id: int):
    proc = procs.get_visible(current_user, procedure_id)
    if not procs.is_admin_of(current_user, proc):
        abort(404)
    return proc, monitoring.call_dashboard(current_user, proc)


def _project_state(state: str) -> str:
    return _(proposal_workflow.states[state])


@bp.route("/gestione/avvisi/<int:procedure_id>/monitoraggio/<table>.<any(csv, xlsx):fmt>")
@login_required
def call_export(procedure_id: int, table: str, fmt: str):
    """A table of the call's dashboard as a file (exports.CALL_TABLES), to its administration's admins."""
    proc, rows = _call_rows(procedure_id)
    sheet = exports.call_sheet(proc, rows, table, _project_state)
    if sheet is None:
        abort(404)
    return download(sheet, fmt)


@bp.route("/gestione/avvisi/<int:procedure_id>/monitoraggio")
@login_required
def call(procedure_id: int):
    proc, rows = _call_rows(procedure_id)
    totals = {"granted": sum((f.granted for f in rows), monitoring.ZERO),
              "paid": sum((f.paid for f in rows), monitoring.ZERO),
              "budget": sum((f.budget for f in rows), monitoring.ZERO),
              "spent": sum((f.spent for f in rows), monitoring.ZERO),
              "late": sum(len(f.late) for f in rows), "to_review": sum(len(f.to_review) for f in rows)}
    return render_template("monitoring/call.html", proc=proc, rows=rows, totals=totals,
                           together=monitoring.combined(proc, rows), project_state=_project_state)
