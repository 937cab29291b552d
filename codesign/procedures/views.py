"""Pages for calls: the admin's list, create/edit, actions; the public list and call page.

House style (see auth/views.py): the operations do the work and raise DomainError; a view catches it,
rolls back, and re-renders with the status that fits (422 bad input, 409 refused by a rule). The
request commits once, in `after_request`.
"""
from __future__ import annotations

import datetime as dt
from functools import wraps

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required

from codesign.auth.models import User
from codesign.core import files
from codesign.core.audit import AuditRecord
from codesign.core.confirm import ask, confirmation, confirmed
from codesign.core.enums import Role
from codesign.core.errors import Conflict, DomainError, GuardFailed, IllegalTransition, Invalid
from codesign.core.forms import apply_errors, change_rows, choice_list, field_at, refusal
from codesign.core.web import PageSections, Pager, format_datetime_rome, format_score
from codesign.db import count_rows, db, utcnow
from codesign.organizations.operations import administrations_of
from codesign.procedures import operations as procs
from codesign.procedures import documents as call_documents
from codesign.procedures import notices
from codesign.procedures import questions
from codesign.procedures.forms import (LISTS, MOMENTS, ActionForm, AnswerForm, CallDocumentForm, ClarificationForm,
                                       ErratumForm,
                                       ExtendForm, ProcedureForm, QuestionForm, rome_datetime, row_field_path)
from codesign.procedures.models import Procedure
from codesign.procedures.schemas import parse_call
from codesign.procedures.workflow import workflow

bp = Blueprint("procedures", __name__)

PAGE_SIZE = 50

# Audit triggers that are not transitions of the machine.
AUDIT_LABELS = {
    "create": _l("creazione della bozza"),
    "update": _l("modifica della bozza"),
    "extend_deadline": _l("proroga della scadenza"),
    "add_document": _l("documento aggiunto"),
    "remove_document": _l("documento tolto dalla bozza"),
    "ask_question": _l("domanda di chiarimento ricevuta"),
    "answer_question": _l("risposta pubblicata tra i chiarimenti"),
    "publish_clarification": _l("chiarimento pubblicato"),
    "publish_erratum": _l("rettifica pubblicata"),
}
DOCUMENT_KINDS = {"call": _l("Avviso"), "annex": _l("Allegato"), "form": _l("Modulo"),
                  "act": _l("Atto di approvazione")}


# --- template helpers ---------------------------------------------------------------------------------
def _user():
    return current_user if current_user.is_authenticated else None


def countdown(deadline: dt.datetime | None, now: dt.datetime) -> str | None:
    """The time left before the deadline, in words ("mancano 3 giorni e 4 ore"), or "termine scaduto"."""
    if deadline is None:
        return None
    if now >= deadline:
        return _("termine scaduto")
    left = deadline - now
    days, hours = left.days, left.seconds // 3600
    if days == 0 and hours == 0:
        return _("manca meno di un'ora")
    if days == 0:
        return ngettext("manca %(num)s ora", "mancano %(num)s ore", hours)
    return _("mancano %(days)s e %(hours)s",
             days=ngettext("%(num)s giorno", "%(num)s giorni", days),
             hours=ngettext("%(num)s ora", "%(num)s ore", hours))


def explain(proc: Procedure) -> dict:
    """The evaluation rules of the call in plain Italian, as the call's page must state them."""
    out = {}
    if proc.scoring == "points":
        out["scoring"] = _("Ogni componente della commissione assegna a ciascun criterio un punteggio da 0 al "
                           "punteggio massimo del criterio, con al massimo due decimali. Il punteggio del criterio "
                           "è la media dei punteggi dei componenti, arrotondata a due decimali; il punteggio totale "
                           "è la somma dei punteggi dei criteri.")
    elif proc.scoring == "coefficients":
        out["scoring"] = _("Ogni componente della commissione assegna a ciascun criterio un coefficiente da 0 a 1 "
                           "(0 assente, 0,2 insufficiente, 0,4 sufficiente, 0,6 buono, 0,8 ottimo, 1 eccellente; "
                           "al massimo due decimali). Il punteggio del criterio è la media dei coefficienti "
                           "moltiplicata per il punteggio massimo del criterio, arrotondata a due decimali; il "
                           "punteggio totale è la somma dei punteggi dei criteri.")
    if proc.threshold is not None:
        if any(c.min_points is not None for c in proc.criteria):
            out["threshold"] = _("Sono idonee le proposte che ottengono almeno %(threshold)s punti su 100 e, nei "
                                 "criteri che lo prevedono, almeno il punteggio minimo indicato.",
                                 threshold=format_score(proc.threshold))
        else:
            out["threshold"] = _("Sono idonee le proposte che ottengono almeno %(threshold)s punti su 100.",
                                 threshold=format_score(proc.threshold))
    if proc.rescale:
        out["rescale"] = _("È prevista la riparametrazione: in ogni lotto, tra le proposte idonee, il punteggio "
                           "migliore di ciascun criterio è riportato al punteggio massimo e gli altri in "
                           "proporzione. La soglia si verifica sui punteggi prima della riparametrazione.")
    out["ranking"] = _("Per ogni lotto si forma una graduatoria; le proposte idonee sono ammesse alla "
                       "co-progettazione in ordine di graduatoria finché il budget del lotto copre l'importo "
                       "richiesto.")
    criterion = next((c for c in proc.criteria if c.code == proc.tie_break_criterion), None)
    if criterion is not None:
        out["ties"] = _("A parità di punteggio prevale la proposta con il punteggio più alto nel criterio "
                        "%(code)s «%(title)s»; in caso di ulteriore parità, l'ordine di ricezione (prevale il "
                        "numero progressivo di ricezione più basso).", code=criterion.code, title=criterion.title)
    elif proc.tie_break_criterion:
        out["ties"] = _("A parità di punteggio prevale la proposta con il punteggio più alto nel criterio "
                        "%(code)s; in caso di ulteriore parità, l'ordine di ricezione (prevale il numero "
                        "progressivo di ricezione più basso).", code=proc.tie_break_criterion)
    return out


def _state_label(state: str) -> str:
    return _(workflow.states[state])


def _paginate(query, order_by) -> tuple[list[Procedure], Pager]:
    """One page of procedures: two statements (count and rows; lots and criteria come by selectin)."""
    pager = Pager.from_request(PAGE_SIZE)
    total = count_rows(query)
    rows = db.session.execute(query.order_by(*order_by).limit(pager.size).offset(pager.offset)).unique().scalars().all()
    return list(rows), pager.counted(total)


# --- access -----------------------------------------------------------------------------------------------
def admin_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _admin_proc(procedure_id: int, *, for_update: bool = False) -> Procedure:
    return procs.get_for_admin(current_user, procedure_id, for_update=for_update)


# --- public pages -----------------------------------------------------------------------------------------
@bp.route("/avvisi")
def public_list():
    now = utcnow()
    is_open = sa.and_(Procedure.state == "published", Procedure.submission_deadline > now)
    query = procs.visible_query(None)
    rows, pager = _paginate(query, (
        sa.case((is_open, 0), else_=1),
        sa.case((is_open, Procedure.submission_deadline), else_=None).asc(),  # open: the soonest first
        Procedure.submission_deadline.desc().nulls_last(),                    # the others: the newest first
        Procedure.id.desc(),
    ))
    items = [{"proc": p, "state_label": _state_label(p.state),
              "open": p.open_for_proposals(now)}
             for p in rows]
    return render_template("procedures/public_list.html", items=items, pager=pager)


# Sections that later modules add to a call's public page (the figures of what it funded), keyed by the call.
CALL_SECTIONS = PageSections()
register_call_section = CALL_SECTIONS.register


def _public_page(proc: Procedure, status: int = 200, *, question_form=None, failure=None):
    user = _user()
    now = utcnow()
    is_open = proc.open_for_proposals(now)
    can_ask = questions.may_ask(user, proc, now)
    if can_ask and question_form is None:
        question_form = QuestionForm(formdata=None)
    html = render_template(
        "procedures/public_detail.html", proc=proc, state_label=_state_label(proc.state), is_open=is_open,
        countdown=countdown(proc.submission_deadline, now), rules=explain(proc), is_admin=procs.is_admin_of(user, proc),
        sections=CALL_SECTIONS(proc), documents=call_documents.of_call(proc), document_kinds=DOCUMENT_KINDS,
        clarifications=questions.clarifications(proc), own_questions=questions.pending(user, proc),
        notices=notices.of_call(proc), questions_open=questions.open_for_questions(proc, now), question_form=question_form if can_ask else None,
        failure=failure)
    return html, status


@bp.route("/avvisi/<int:procedure_id>")
def public_detail(procedure_id: int):
    return _public_page(procs.get_visible(_user(), procedure_id))  # a draft: 404 but for its administration


@bp.route("/avvisi/<int:procedure_id>/documenti/<int:document_id>")
def call_document(procedure_id: int, document_id: int):
    """A document of the call, for anyone who may see the call."""
    doc = call_documents.get(procs.get_visible(_user(), procedure_id), document_id)
    path = call_documents.path(doc)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype="application/pdf", as_attachment=True,
                     download_name=files.clean_name(doc.name) or f"documento-{doc.id}.pdf", max_age=0)


@bp.route("/avvisi/<int:procedure_id>/domande", methods=["POST"])
@login_required
def ask_question(procedure_id: int):
    proc = procs.get_visible(current_user, procedure_id)
    form = QuestionForm()
    if not form.validate_on_submit():
        return _public_page(proc, 422, question_form=form)
    try:
        questions.ask(current_user, proc, {"question": form.question.data})
    except DomainError as exc:
        return _public_page(proc, exc.status, question_form=form,
                            failure=refusal(form, exc, _("Invio della domanda")))
    flash(_("Domanda inviata. L'amministrazione risponderà pubblicando la risposta tra i chiarimenti; ti "
            "avviseremo per e-mail."), "success")
    return redirect(url_for("procedures.public_detail", procedure_id=proc.id, _anchor="chiarimenti"), 303)


# --- admin pages ------------------------------------------------------------------------------------------
@bp.route("/gestione/avvisi")
@admin_required
def admin_list():
    query = procs.visible_query(current_user, admin_only=True)
    rows, pager = _paginate(query, (Procedure.created_at.desc(), Procedure.id.desc()))
    counts = procs.proposal_counts(p.id for p in rows)
    items = [{"proc": p, "state_label": _state_label(p.state), "counts": counts.get(p.id, []),
              "total": sum(n for _s, _l, n in counts.get(p.id, []))} for p in rows]
    return render_template("procedures/admin_list.html", items=items, pager=pager,
                           administrations=administrations_of(current_user))


def _apply_domain_errors(form: ProcedureForm, exc: DomainError, rows: dict[str, list[int]],
                         skip=()) -> str | None:
    """The domain's per-field messages onto the form's fields; a message about a list's item goes beside the
    field of its row (never twice on a field that already says what is wrong), one about a whole list above it."""
    if not isinstance(exc, Invalid):
        return exc.message
    fields = {}
    for name, message in exc.fields.items():
        if name in skip:
            continue
        top, _dot, rest = name.partition(".")
        if top in LISTS:
            path = row_field_path(top, rest, rows.get(top, []))
            if path is None:
                form.list_problems.setdefault(top, []).append(message)
                continue
            at = field_at(form, path)
            if at is not None and at.errors:
                continue
            name = path
        elif name in MOMENTS:
            name = MOMENTS[name][0]
        fields[name] = message
    if not fields:
        return None
    return apply_errors(form, Invalid(fields))


def _save(form: ProcedureForm, save, *, partial: bool):
    """Run the form through the domain. Returns the procedure, or None when the form must be shown again."""
    form.validate()
    data, problems, rows = form.to_data()
    for name, message in problems.items():
        form[name].errors = list(form[name].errors) + [message]
    if any(f.errors for f in form) or form.list_problems:
        # Ask the domain about the rest too, without touching the database, so that every field is told.
        try:
            parse_call(data, partial=partial)
        except Invalid as exc:
            skip = {n for n in exc.fields if n in form and n not in LISTS and form[n].errors}
            _apply_domain_errors(form, exc, rows, skip=skip)
        return None
    try:
        return save(data)
    except DomainError as exc:
        db.session.rollback()
        message = _apply_domain_errors(form, exc, rows)
        if message:
            flash(message, "danger")
        return None


def _admin_organizations():
    return [m.organization for m in current_user.memberships if m.role == Role.admin and m.organization]


def _saved(proc: Procedure, message: str):
    flash(message, "success")
    if proc.min_publication_days == 0:
        flash(_("Attenzione: il periodo minimo di pubblicazione è 0 giorni; un termine così breve è "
                "difficilmente ragionevole."), "warning")
    return redirect(url_for("procedures.manage", procedure_id=proc.id), 303)


@bp.route("/gestione/avvisi/nuovo", methods=["GET", "POST"])
@admin_required
def new():
    form = ProcedureForm()
    form.set_administrations(_admin_organizations())
    if request.method == "POST" and change_rows(form, request.form):
        return render_template("procedures/form.html", form=form, proc=None)
    if request.method == "POST":
        proc = _save(form, lambda data: procs.create_procedure(current_user, data), partial=False)
        if proc is not None:
            return _saved(proc, _("Bozza dell'avviso salvata."))
        return render_template("procedures/form.html", form=form, proc=None), 422
    return render_template("procedures/form.html", form=form, proc=None)


@bp.route("/gestione/avvisi/<int:procedure_id>/modifica", methods=["GET", "POST"])
@admin_required
def edit(procedure_id: int):
    proc = _admin_proc(procedure_id, for_update=request.method == "POST")
    if proc.state != "draft":
        flash(_("L'avviso è già stato pubblicato: si può solo prorogare la scadenza."), "info")
        return redirect(url_for("procedures.manage", procedure_id=proc.id), 303)
    if request.method == "GET":
        form = ProcedureForm(data=ProcedureForm.initial(proc))
        return render_template("procedures/form.html", form=form, proc=proc)
    form = ProcedureForm()
    if change_rows(form, request.form):
        return render_template("procedures/form.html", form=form, proc=proc)
    if form.version.data and form.version.data != str(proc.version):
        flash(_("Qualcun altro ha modificato l'avviso mentre lo stavi modificando: ricarica la pagina e riprova."),
              "danger")
        return render_template("procedures/form.html", form=form, proc=proc), 409
    saved = _save(form, lambda data: procs.update_procedure(current_user, proc, data), partial=True)
    if saved is not None:
        return _saved(saved, _("Modifiche salvate."))
    return render_template("procedures/form.html", form=form, proc=proc), 422


def _history(proc: Procedure) -> list[dict]:
    rows = db.session.execute(
        sa.select(AuditRecord, User.name).outerjoin(User, User.id == AuditRecord.actor_id)
        .where(AuditRecord.entity_type == workflow.entity_type, AuditRecord.entity_id == proc.id)
        .order_by(AuditRecord.seq)).all()
    out = []
    for record, name in rows:
        if record.trigger in AUDIT_LABELS:
            what = str(AUDIT_LABELS[record.trigger])
        elif record.trigger in workflow.by_trigger:
            what = _(workflow.by_trigger[record.trigger][0].label or record.trigger)
        else:
            what = record.trigger
        out.append({"at": record.at, "who": name, "what": what,
                    "to_state": _state_label(record.to_state) if record.to_state in workflow.states else None,
                    "reason": record.reason})
    return out


def _blocked_actions(proc: Procedure, allowed: set[str]) -> list[tuple]:
    """The transitions the admin could fire from this state but whose rules do not hold yet, with the reasons."""
    return workflow.blocked(proc, current_user)


def _clarification_forms(proc: Procedure, *, doc_form=None, answer_form=None, clar_form=None,
                         erratum_form=None) -> dict:
    """The manage page's documents and questions, with their forms (the one just refused keeps its input)."""
    if doc_form is None:
        doc_form = CallDocumentForm(formdata=None, prefix="doc", meta={"csrf": False})
    doc_form.kind.choices = choice_list([("", _("— scegli —"))] + list(DOCUMENT_KINDS.items()))
    waiting = questions.pending(current_user, proc)
    answer_forms = {q.id: AnswerForm(formdata=None, prefix=f"q{q.id}", data={"question": q.question},
                                     meta={"csrf": False}) for q in waiting}
    if answer_form is not None:
        answer_forms[answer_form[0]] = answer_form[1]
    can_publish = proc.state not in ("draft", "cancelled")
    if clar_form is None and can_publish:
        clar_form = ClarificationForm(formdata=None, prefix="clar", meta={"csrf": False})
    if erratum_form is None and proc.state in notices.ERRATA_STATES:
        erratum_form = ErratumForm(formdata=None, prefix="erratum", meta={"csrf": False})
    return {"documents": call_documents.of_call(proc), "document_kinds": DOCUMENT_KINDS,
            "notices": notices.of_call(proc),
            "erratum_form": erratum_form if proc.state in notices.ERRATA_STATES else None,
            "doc_form": doc_form if proc.state != "cancelled" else None, "waiting": waiting,
            "answer_forms": answer_forms, "clarifications": questions.clarifications(proc),
            "clar_form": clar_form if can_publish else None}


def _manage_page(proc: Procedure, status: int = 200, *, failure=None, action_form=None, extend_form=None,
                 **section_forms):
    now = utcnow()
    actions = workflow.actions(proc, current_user, now=now)
    forms = {t.trigger: ActionForm(prefix=t.trigger, formdata=None, meta={"csrf": False}) for t in actions}
    if action_form is not None:
        trigger, form = action_form
        forms[trigger] = form
    for t in actions:
        if "reason" in t.needs:
            forms[t.trigger].reason.flags.required = True
        forms[t.trigger].lot.choices = choice_list([(lot.code, f"{lot.code} – {lot.title}") for lot in proc.lots])
    can_extend = proc.open_for_proposals(now)
    if can_extend and extend_form is None:
        extend_form = ExtendForm(formdata=None, prefix="extend", meta={"csrf": False})
    counts = procs.proposal_counts([proc.id]).get(proc.id, [])
    html = render_template(
        "procedures/manage.html", proc=proc, state_label=_state_label(proc.state), actions=actions,
        action_forms=forms, blocked=_blocked_actions(proc, {t.trigger for t in actions}), failure=failure,
        extend_form=extend_form if can_extend else None, countdown=countdown(proc.submission_deadline, now),
        rules=explain(proc), counts=counts, total=sum(n for _s, _l, n in counts), history=_history(proc),
        is_open=can_extend, workflow=workflow, **_clarification_forms(proc, **section_forms))
    return html, status


@bp.route("/gestione/avvisi/<int:procedure_id>")
@admin_required
def manage(procedure_id: int):
    return _manage_page(_admin_proc(procedure_id))


@bp.route("/gestione/avvisi/<int:procedure_id>/azioni/<trigger>", methods=["POST"])
@admin_required
def transition(procedure_id: int, trigger: str):
    proc = _admin_proc(procedure_id, for_update=True)
    if trigger not in workflow.by_trigger:
        abort(404)
    label = _(workflow.by_trigger[trigger][0].label or trigger)
    form = ActionForm(prefix=trigger, meta={"csrf": False})  # the CSRF token is checked for every POST
    if not form.validate():
        return _manage_page(proc, 422, action_form=(trigger, form))
    given = {"reason": (form.reason.data or "").strip() or None, "lot": form.lot.data or None}
    params = workflow.accepted(trigger, given)
    board = request.form.get("back") == "board" and "tables.board" in current_app.view_functions
    asked = confirmation(workflow, proc, trigger, params=params, subject=_("Avviso «%(title)s»", title=proc.title),
                         back=url_for("tables.board" if board else "procedures.manage", procedure_id=proc.id))
    if asked is not None:
        return asked
    try:
        workflow.fire(proc, trigger, current_user, params)
    except GuardFailed as exc:
        db.session.rollback()
        return _manage_page(proc, 409, failure={"label": label, "reasons": exc.reasons}, action_form=(trigger, form))
    except Invalid as exc:
        db.session.rollback()
        message = apply_errors(form, exc)
        failure = {"label": label, "reasons": [message]} if message else None
        return _manage_page(proc, 422, failure=failure, action_form=(trigger, form))
    except (IllegalTransition, Conflict) as exc:
        db.session.rollback()
        return _manage_page(proc, 409, failure={"label": label, "reasons": [exc.message]})
    flash(_("Operazione eseguita: %(label)s. Stato attuale: %(state)s.", label=label,
            state=_state_label(proc.state)), "success")
    # the co-design board offers the same buttons; it names itself as where to come back (never a URL)
    if board:
        return redirect(url_for("tables.board", procedure_id=proc.id), 303)
    return redirect(url_for("procedures.manage", procedure_id=proc.id), 303)


@bp.route("/gestione/avvisi/<int:procedure_id>/proroga", methods=["POST"])
@admin_required
def extend(procedure_id: int):
    proc = _admin_proc(procedure_id, for_update=True)
    label = _("Proroga della scadenza")
    form = ExtendForm(prefix="extend", meta={"csrf": False})  # the CSRF token is checked for every POST
    if proc.state != "published":
        return _manage_page(proc, 409, failure={"label": label, "reasons": [
            _("La scadenza si può prorogare solo mentre l'avviso è pubblicato.")]})
    if not form.validate():
        return _manage_page(proc, 422, extend_form=form)
    try:
        procs.update_procedure(current_user, proc,
                               {"submission_deadline": rome_datetime(form.date.data, form.time.data)})
    except GuardFailed as exc:
        db.session.rollback()
        return _manage_page(proc, 409, failure={"label": label, "reasons": exc.reasons}, extend_form=form)
    except Invalid as exc:
        db.session.rollback()
        message = apply_errors(form, Invalid({("date" if k == "submission_deadline" else k): m
                                              for k, m in exc.fields.items()}))
        failure = {"label": label, "reasons": [message]} if message else None
        return _manage_page(proc, 422, failure=failure, extend_form=form)
    flash(_("Scadenza prorogata al %(when)s.",
            when=format_datetime_rome(proc.submission_deadline)), "success")
    return redirect(url_for("procedures.manage", procedure_id=proc.id), 303)



# --- the call's documents and clarifications (admin) -------------------------------------------------------------
def _back_to(proc: Procedure, anchor: str):
    return redirect(url_for("procedures.manage", procedure_id=proc.id, _anchor=anchor), 303)


@bp.route("/gestione/avvisi/<int:procedure_id>/documenti", methods=["POST"])
@admin_required
def add_document(procedure_id: int):
    proc = _admin_proc(procedure_id, for_update=True)
    form = CallDocumentForm(prefix="doc", meta={"csrf": False})  # the CSRF token is checked for every POST
    form.kind.choices = choice_list(list(DOCUMENT_KINDS.items()))
    if not form.validate():
        return _manage_page(proc, 422, doc_form=form)
    upload = form.file.data
    try:
        doc = call_documents.add(current_user, proc, kind=form.kind.data, title=form.title.data,
                                 filename=upload.filename, stream=upload.stream)
    except DomainError as exc:
        return _manage_page(proc, exc.status, doc_form=form,
                            failure=refusal(form, exc, _("Aggiunta di un documento")))
    flash(_("Documento «%(title)s» aggiunto all'avviso.", title=doc.title), "success")
    return _back_to(proc, "documenti")


@bp.route("/gestione/avvisi/<int:procedure_id>/documenti/<int:document_id>/rimuovi", methods=["POST"])
@admin_required
def remove_document(procedure_id: int, document_id: int):
    proc = _admin_proc(procedure_id, for_update=True)
    doc = call_documents.get(proc, document_id)
    title = doc.title
    try:
        call_documents.remove(current_user, proc, doc)
    except DomainError as exc:
        db.session.rollback()
        return _manage_page(proc, exc.status, failure={"label": _("Rimozione di un documento"),
                                                       "reasons": [exc.message]})
    flash(_("Documento «%(title)s» tolto dalla bozza.", title=title), "success")
    return _back_to(proc, "documenti")


@bp.route("/gestione/avvisi/<int:procedure_id>/domande/<int:question_id>/risposta", methods=["POST"])
@admin_required
def answer_question(procedure_id: int, question_id: int):
    proc = _admin_proc(procedure_id, for_update=True)
    q = questions.get(proc, question_id)
    form = AnswerForm(prefix=f"q{q.id}", meta={"csrf": False})  # the CSRF token is checked for every POST
    if not form.validate():
        return _manage_page(proc, 422, answer_form=(q.id, form))
    try:
        questions.answer(current_user, proc, q, {"answer": form.answer.data, "question": form.question.data})
    except DomainError as exc:
        return _manage_page(proc, exc.status, answer_form=(q.id, form),
                            failure=refusal(form, exc, _("Risposta a una domanda")))
    flash(_("Risposta pubblicata tra i chiarimenti; chi ha posto la domanda è stato avvisato."), "success")
    return _back_to(proc, "chiarimenti")


@bp.route("/gestione/avvisi/<int:procedure_id>/chiarimenti", methods=["POST"])
@admin_required
def publish_clarification(procedure_id: int):
    proc = _admin_proc(procedure_id, for_update=True)
    form = ClarificationForm(prefix="clar", meta={"csrf": False})  # the CSRF token is checked for every POST
    if not form.validate():
        return _manage_page(proc, 422, clar_form=form)
    try:
        questions.publish(current_user, proc, {"question": form.question.data, "answer": form.answer.data})
    except DomainError as exc:
        return _manage_page(proc, exc.status, clar_form=form,
                            failure=refusal(form, exc, _("Pubblicazione di un chiarimento")))
    flash(_("Chiarimento pubblicato sulla pagina dell'avviso."), "success")
    return _back_to(proc, "chiarimenti")


@bp.route("/gestione/avvisi/<int:procedure_id>/rettifiche", methods=["POST"])
@admin_required
def publish_erratum(procedure_id: int):
    proc = _admin_proc(procedure_id, for_update=True)
    form = ErratumForm(prefix="erratum", meta={"csrf": False})  # the CSRF token is checked for every POST
    if not form.validate():
        return _manage_page(proc, 422, erratum_form=form)
    label = _("Pubblica la rettifica")
    if not confirmed():
        return ask(label, _("La rettifica «%(title)s» è pubblicata subito sulla pagina dell'avviso, con la data di "
                            "oggi, e non si può ritirare; gli enti con una proposta all'avviso e chi ha posto domande "
                            "ricevono un avviso.", title=form.title.data),
                   subject=_("Avviso «%(title)s»", title=proc.title),
                   back=url_for("procedures.manage", procedure_id=proc.id, _anchor="erratum-form-title"))
    try:
        notices.publish_erratum(current_user, proc, {"title": form.title.data, "text": form.text.data})
    except DomainError as exc:
        return _manage_page(proc, exc.status, erratum_form=form, failure=refusal(form, exc, label))
    flash(_("Rettifica pubblicata sulla pagina dell'avviso; gli enti interessati sono stati avvisati."), "success")
    return _back_to(proc, "rettifiche")


@bp.route("/gestione/avvisi/<int:procedure_id>/elimina", methods=["POST"])
@admin_required
def delete_draft(procedure_id: int):
    proc = _admin_proc(procedure_id, for_update=True)
    if proc.state == "draft" and not confirmed():
        return ask(_("Elimina la bozza"), _("La bozza dell'avviso è eliminata con i suoi lotti, criteri e documenti; "
                                           "il registro delle operazioni ne conserva traccia."),
                   subject=_("Avviso «%(title)s»", title=proc.title),
                   back=url_for("procedures.manage", procedure_id=proc.id), danger=True)
    title = proc.title
    try:
        procs.delete_draft(current_user, proc)
    except DomainError as exc:
        db.session.rollback()
        return _manage_page(proc, exc.status, failure={"label": _("Elimina la bozza"), "reasons": [exc.message]})
    flash(_("Bozza «%(title)s» eliminata.", title=title), "success")
    return redirect(url_for("procedures.admin_list"), 303)
