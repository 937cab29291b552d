"""The agreement page, shared by the admin and the body: the terms (drafted by the admin from the final
project), the PDF, the signed copy (uploaded by either party), and the actions of the phase (signature,
start, revocation, completion) offered by the machine table."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from codesign.agreements import operations as agreements
from codesign.agreements import permissions
from codesign.agreements.forms import ActionForm, AgreementForm, HandoverForm, SignedCopyForm, check_choice
from codesign.core.confirm import confirmation
from codesign.core.documents import render_pdf
from codesign.core.errors import DomainError, GuardFailed, Invalid
from codesign.core.forms import apply_errors, change_rows
from codesign.db import db, utcnow
from codesign.proposals import next_step
from codesign.proposals import operations as props
from codesign.proposals.workflow import STATES
from codesign.proposals.workflow import workflow as proposal_workflow

bp = Blueprint("agreements", __name__)
PHASE_STATES = ("finalized", "agreement_signed", "started", "completed", "revoked")
PHASE_TRIGGERS = ("sign_agreement", "start", "complete", "revoke")
EXTRA_ROWS = 1


def _proposal(proposal_id: int):
    proposal = props.get_visible(current_user, proposal_id)
    permissions.require_party(current_user, proposal)
    if proposal.state not in PHASE_STATES:
        abort(404)
    return proposal


def _form_for(proposal, agreement, formdata=None) -> AgreementForm:
    if agreement is not None:
        data = {"start_date": agreement.start_date, "cup": agreement.cup or "",
                "premises": list(agreement.premises or []),
                "tranches": [{"pct": t["pct"].replace(".", ","), "after": t["after"], "report_number": t.get("report_number")}
                             for t in agreement.tranches or []],
                **{k: check_choice((agreement.declaration_checks or {}).get(k, False)) for k in agreements.CHECKS}}
    else:  # the usual terms, to be adapted: 40% at signature, 40% after the mid-term report, 20% at the end;
        # every check not yet verified (the anti-mafia information not due at or below the threshold)
        mid = max(1, agreements.planned_reports(proposal.procedure) // 2)
        version = agreements.final_version(proposal)
        due = version is None or agreements.antimafia_due(version.requested_amount)
        data = {"cup": agreements.suggested_cup(proposal) or "", "premises": [],
                "tranches": [{"pct": "40", "after": "signature"}, {"pct": "40", "after": "report", "report_number": mid},
                             {"pct": "20", "after": "final"}],
                **{k: "false" for k in agreements.CHECKS}, "antimafia": "false" if due else "null"}
    form = AgreementForm(formdata=formdata, data=data if formdata is None else None, prefix="ag")
    if formdata is None:
        for _i in range(EXTRA_ROWS):
            form.premises.append_entry()
        form.tranches.append_entry()
    _label_rows(form)
    return form


def _label_rows(form) -> None:
    """Each row's fields say which row they belong to (a screen reader reads the label alone)."""
    for n, entry in enumerate(form.tranches, start=1):
        entry.form.pct.label.text = _("Tranche %(n)s: percentuale", n=n)
        entry.form.after.label.text = _("Tranche %(n)s: quando si eroga", n=n)
        entry.form.report_number.label.text = _("Tranche %(n)s: numero della relazione", n=n)
    for n, entry in enumerate(form.premises, start=1):
        entry.form.address.label.text = _("Immobile %(n)s: indirizzo", n=n)
        entry.form.description.label.text = _("Immobile %(n)s: descrizione", n=n)


# The move each state waits for, whose reasons the page lists while it cannot be made.
NEXT_MOVE = {"finalized": "sign_agreement", "agreement_signed": "start"}


def _render(proposal, status=200, *, form=None, copy_form=None, action_form=None, failure=None, handover_forms=None):
    now = utcnow()
    admin = permissions.is_admin(current_user, proposal)
    agreement = agreements.agreement_of(proposal)
    editable = admin and proposal.state in agreements.EDITABLE_STATES
    if editable and form is None:
        form = _form_for(proposal, agreement)
    actions = [t for t in proposal_workflow.actions(proposal, current_user, now=now) if t.trigger in PHASE_TRIGGERS]
    blocked, waiting = [], NEXT_MOVE.get(proposal.state)
    if admin and waiting and not any(t.trigger == waiting for t in actions):
        try:
            proposal_workflow.check(proposal, waiting, current_user, now=now)
        except GuardFailed as exc:
            blocked = exc.reasons
        except DomainError:
            blocked = []
    handover_forms = handover_forms or {}
    if admin and agreement is not None and proposal.state in agreements.HANDOVER_STATES:
        handover_forms = {n: handover_forms.get(n) or HandoverForm(formdata=None, prefix=f"h{n}")
                          for n in range(1, len(agreement.premises or []) + 1)}
        for n, hf in handover_forms.items():
            for f in (hf.handed_over_on, hf.condition, hf.file):
                f.label.text = _("Immobile %(n)s: %(label)s", n=n, label=f.label.text)
    else:
        handover_forms = {}
    signed = [a for a in proposal.attachments if a.kind == permissions.SIGNED_AGREEMENT]
    return render_template(
        "agreements/page.html", p=proposal, proc=proposal.procedure, admin=admin, agreement=agreement,
        data=agreements.to_dict(agreement) if agreement else None, form=form if editable else None,
        copy_form=copy_form or (SignedCopyForm(formdata=None, prefix="copy") if proposal.state == "finalized" else None),
        action_form=action_form or ActionForm(formdata=None, prefix="act"), actions=actions, blocked=blocked,
        waiting=waiting, handover_forms=handover_forms,
        signed=signed, checks=agreements.CHECKS, check_states=agreements.CHECK_STATES, state_label=_(STATES[proposal.state]),
        next_step=next_step.for_party(proposal, utcnow(), member=props.is_member(current_user, proposal),
                                      admin=admin), failure=failure), status


@bp.route("/proposte/<int:proposal_id>/convenzione", methods=["GET", "POST"])
@login_required
def page(proposal_id: int):
    proposal = _proposal(proposal_id)
    if request.method == "GET":
        return _render(proposal)
    permissions.require_admin(current_user, proposal)
    agreement = agreements.agreement_of(proposal)
    form = _form_for(proposal, agreement, formdata=request.form)
    if change_rows(form, request.form):  # one row more or less, nothing saved
        _label_rows(form)
        return _render(proposal, form=form)
    label = _("Salva la convenzione")
    if not form.validate_on_submit():
        return _render(proposal, 422, form=form, failure={"label": label, "reasons": [_("Controlla i campi evidenziati.")]})
    try:
        agreements.put_agreement(current_user, proposal, form.to_input())
    except Invalid as exc:
        db.session.rollback()
        fields = {k.replace("declaration_checks.", ""): m for k, m in exc.fields.items()}
        message = apply_errors(form, Invalid({k: m for k, m in fields.items() if k != "tranches"}))
        reasons = [m for k, m in fields.items() if k in ("tranches",)] + ([message] if message else [])
        return _render(props.get_visible(current_user, proposal_id), 422, form=form,
                       failure={"label": label, "reasons": reasons or [_("Controlla i campi evidenziati.")]})
    except DomainError as exc:
        db.session.rollback()
        return _render(props.get_visible(current_user, proposal_id), exc.status, form=form,
                       failure={"label": label, "reasons": getattr(exc, "reasons", [exc.message])})
    flash(_("Convenzione salvata: l'ente può scaricarla e firmarla."), "success")
    return redirect(url_for("agreements.page", proposal_id=proposal.id), 303)


@bp.route("/proposte/<int:proposal_id>/convenzione.pdf")
@login_required
def pdf(proposal_id: int):
    proposal = _proposal(proposal_id)
    html = render_template("agreements/agreement_pdf.html", **agreements.document(current_user, proposal))
    return Response(render_pdf(html), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="convenzione-proposta-{proposal.id}.pdf"'})


@bp.route("/proposte/<int:proposal_id>/convenzione/copia-firmata", methods=["POST"])
@login_required
def signed_copy(proposal_id: int):
    proposal = _proposal(proposal_id)
    form = SignedCopyForm(prefix="copy")
    label = _("Carica la copia firmata")
    if not form.validate_on_submit():
        return _render(proposal, 422, copy_form=form, failure={"label": label, "reasons": [_("Scegli un file PDF.")]})
    upload = form.file.data
    try:
        props.add_attachment(current_user, proposal, kind=permissions.SIGNED_AGREEMENT, filename=upload.filename or "",
                             stream=upload.stream)
    except DomainError as exc:
        db.session.rollback()
        return _render(props.get_visible(current_user, proposal_id), exc.status, copy_form=form,
                       failure={"label": label, "reasons": [exc.message]})
    flash(_("Copia firmata caricata."), "success")
    return redirect(url_for("agreements.page", proposal_id=proposal.id), 303)


@bp.route("/proposte/<int:proposal_id>/convenzione/consegne/<int:n>", methods=["POST"])
@login_required
def handover(proposal_id: int, n: int):
    proposal = _proposal(proposal_id)
    permissions.require_admin(current_user, proposal)
    form = HandoverForm(prefix=f"h{n}")
    label = _("Registra la consegna")
    if not form.validate_on_submit():
        return _render(proposal, 422, handover_forms={n: form},
                       failure={"label": label, "reasons": [_("Controlla i campi evidenziati.")]})
    upload = form.file.data
    try:
        agreements.record_handover(current_user, proposal, n, {"handed_over_on": form.handed_over_on.data.isoformat(),
                                                               "condition": form.condition.data},
                                   filename=upload.filename or "", stream=upload.stream)
    except DomainError as exc:
        db.session.rollback()
        if isinstance(exc, Invalid):
            apply_errors(form, exc)
        return _render(props.get_visible(current_user, proposal_id), exc.status, handover_forms={n: form},
                       failure={"label": label, "reasons": getattr(exc, "reasons", None) or [exc.message]})
    flash(_("Consegna dei locali n. %(n)s registrata.", n=n), "success")
    return redirect(url_for("agreements.page", proposal_id=proposal.id, _anchor=f"consegna-{n}"), 303)


@bp.route("/proposte/<int:proposal_id>/convenzione/azioni/<trigger>", methods=["POST"])
@login_required
def fire(proposal_id: int, trigger: str):
    proposal = _proposal(proposal_id)
    if trigger not in PHASE_TRIGGERS:
        abort(404)
    label = _(proposal_workflow.by_trigger[trigger][0].label)
    form = ActionForm(prefix="act")
    if not form.validate_on_submit():
        return _render(proposal, 422, action_form=form, failure={"label": label, "reasons": [
            _("Controlla i campi evidenziati.")]})
    given = {"reason": (form.reason.data or "").strip() or None,
             "start_date": form.start_date.data.isoformat() if form.start_date.data else None}
    params = proposal_workflow.accepted(trigger, given)
    asked = confirmation(proposal_workflow, proposal, trigger, params=params,
                         subject=_("Progetto «%(title)s»", title=proposal.title),
                         back=url_for("agreements.page", proposal_id=proposal.id))
    if asked is not None:
        return asked
    try:
        proposal_workflow.fire(proposal, trigger, current_user, params)
    except DomainError as exc:
        db.session.rollback()
        if isinstance(exc, Invalid):
            apply_errors(form, exc)
        reasons = exc.reasons if isinstance(exc, GuardFailed) else [exc.message]
        return _render(props.get_visible(current_user, proposal_id), exc.status, action_form=form,
                       failure={"label": label, "reasons": reasons})
    flash(_("Operazione eseguita: %(label)s. Stato attuale: %(state)s.", label=label,
            state=_(STATES[proposal.state])), "success")
    return redirect(url_for("agreements.page", proposal_id=proposal.id), 303)
