"""Pages of the evaluation: the evaluator's queue and scoring form, the admin's committee and progress
board, the ranking (graduatoria) with its CSV and PDF, and the committee's minutes.

House style (see auth/views.py): the operations (`committee`, `evaluation.operations`, the procedure
machine) do the work and raise DomainError; a view catches it, rolls back, and renders the page again
with the status that fits (422 invalid input, 409 refused by a rule, listing every reason). The request
commits once, in `after_request`. Every list page loads what it shows in a fixed number of queries.
"""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required

from codesign.auth import operations as auth_ops
from codesign.auth.forms import InviteForm
from codesign.auth.models import User
from codesign.core.confirm import ask, confirmation, confirmed
from codesign.core.enums import Role
from codesign.core.errors import DomainError, GuardFailed, Invalid
from codesign.core.forms import apply_errors
from codesign.core.web import Pager, format_money, format_score, search_arg, standalone_script
from codesign.db import db, utcnow
from codesign.evaluation import committee as committees
from codesign.evaluation import documents, open_scores
from codesign.evaluation import operations as ev
from codesign.evaluation.forms import (JUDGEMENT_SCALE, ApproveForm, CommitteeForm, ConflictForm, plain_decimal,
                                      review_form)
from codesign.evaluation.models import CommitteeMember, ConflictDeclaration, Review
from codesign.organizations.models import Membership
from codesign.procedures import operations as procs
from codesign.procedures.models import Procedure
from codesign.procedures.workflow import workflow as procedure_wf
from codesign.proposals import operations as props
from codesign.proposals.forms import attachment_kind_titles, proposal_label
from codesign.proposals.models import Proposal

bp = Blueprint("evaluation", __name__)

# The transitions the progress board offers (its buttons come from the machine's table).
BOARD_TRIGGERS = ("approve_ranking",)


# The evaluator's view of one proposal.
QUEUE_STATUS = {
    "to_declare": _l("conflitto di interessi da dichiarare"),
    "declared": _l("da valutare"),
    "draft": _l("valutazione in bozza"),
    "final": _l("valutazione definitiva"),
    "conflict": _l("conflitto di interessi dichiarato: ti astieni"),
}
QUEUE_BADGE = {"to_declare": "badge-todo", "declared": "badge-todo", "draft": "badge-draft",
               "final": "bg-success", "conflict": "bg-secondary"}

# The admin's board: how far each member is on each proposal (never a score).
PROGRESS_STATUS = {
    "todo": _l("dichiarazione da rendere"),
    "declared": _l("da valutare"),
    "draft": _l("in bozza"),
    "final": _l("definitiva"),
    "conflict": _l("conflitto di interessi"),
    "not_needed": _l("non richiesta"),
}


@bp.context_processor
def helpers():
    return {"fmt_score": fmt_score, "fmt_value": plain_decimal, "outcome_label": documents.outcome_label,
            "notice_label": documents.notice_label, "outcome_now": documents.outcome_now}


def fmt_score(value) -> str:
    """A score as the ranking shows it: two decimals, the locale's separator (76,33)."""
    if value is None or value == "":
        return ""
    return format_decimal(Decimal(str(value)), format="#,##0.00")


def _user():
    return current_user if current_user.is_authenticated else None


def _failure_page(render, exc: DomainError, form=None):
    """Roll back and show the page again with the refusal: fields on the form, the rest as reasons."""
    db.session.rollback()
    if isinstance(exc, GuardFailed):
        return render(status=exc.status, reasons=exc.reasons)
    if isinstance(exc, Invalid) and form is not None:
        message = apply_errors(form, exc)
        return render(status=exc.status, reasons=[message] if message else None)
    return render(status=exc.status, reasons=[exc.message])


# --- the evaluator ------------------------------------------------------------------------------------------
@bp.route("/valutazioni")
@login_required
def queue():
    user = current_user
    if not user.is_evaluator:
        abort(403)
    procedures = db.session.execute(
        sa.select(Procedure)
        .join(CommitteeMember, sa.and_(CommitteeMember.procedure_id == Procedure.id,
                                       CommitteeMember.user_id == user.id))
        .where(Procedure.state == "evaluation")
        .order_by(Procedure.submission_deadline.desc().nulls_last(), Procedure.id.desc())).unique().scalars().all()
    proc_ids = [p.id for p in procedures]
    listed = {proc.id: props.list_visible(user, proc, limit=None, states=("admissible",))[0] for proc in procedures}
    declarations, reviews = {}, {}
    conflicted = {pid: [] for pid in proc_ids}
    if proc_ids:
        # One query each, for every proposal of every listed call.
        for row in db.session.execute(
                sa.select(ConflictDeclaration.proposal_id, ConflictDeclaration.conflict, Proposal.procedure_id,
                          Proposal.protocol_number, Proposal.title)
                .join(Proposal, Proposal.id == ConflictDeclaration.proposal_id)
                .where(ConflictDeclaration.user_id == user.id, Proposal.procedure_id.in_(proc_ids))):
            declarations[row.proposal_id] = row.conflict
            if row.conflict:
                conflicted[row.procedure_id].append(row)
        reviews = dict(db.session.execute(
            sa.select(Review.proposal_id, Review.final)
            .join(Proposal, Proposal.id == Review.proposal_id)
            .where(Review.user_id == user.id, Proposal.procedure_id.in_(proc_ids))).all())
    groups = []
    for proc in procedures:
        items = []
        for p in listed[proc.id]:
            if declarations.get(p.id) is True:
                continue
            if p.id not in declarations:
                status = "to_declare"
            elif p.id not in reviews:
                status = "declared"
            else:
                status = "final" if reviews[p.id] else "draft"
            items.append({"id": p.id, "number": p.protocol_number, "title": p.title, "lot": p.lot.code,
                          "organization": p.organization.name, "status": status})
        for row in conflicted[proc.id]:
            items.append({"id": None, "number": row.protocol_number, "title": row.title, "lot": None,
                          "organization": None, "status": "conflict"})
        items.sort(key=lambda i: (i["number"] or 0))
        pending = sum(1 for i in items if i["status"] in ("to_declare", "declared", "draft"))
        groups.append({"proc": proc, "rows": items, "pending": pending})
    return render_template("evaluation/queue.html", groups=groups, labels=QUEUE_STATUS, badges=QUEUE_BADGE)


def _assigned_proposal(proposal_id: int) -> Proposal:
    """A proposal the evaluator must (or may) review; anything else, a conflicted one included, is 404."""
    user = current_user
    if not user.is_evaluator:
        abort(404)
    p = db.session.execute(sa.select(Proposal).where(Proposal.id == proposal_id)).unique().scalar_one_or_none()
    if p is None or committees.assigned(user, p) is None:
        abort(404)
    return p


def _proposal_page(p: Proposal, *, status=200, conflict_form=None, form=None, reasons=None):
    user = current_user
    proc = p.procedure
    decl = ev.declaration(user, p)
    review = ev._review(user, p) if decl is not None and not decl.conflict else None
    open_ = proc.state == "evaluation" and p.state == "admissible"
    editable = open_ and decl is not None and (review is None or not review.final)
    if decl is None or (open_ and review is None):
        # Before declaring; or, declared without conflict and not yet scoring: a conflict may still be declared.
        conflict_form = conflict_form or ConflictForm(formdata=None, meta={"csrf": False})
    else:
        conflict_form = None
    if editable and form is None:
        form = review_form(proc, review, formdata=None, meta={"csrf": False})
    scores = []
    if review is not None:
        by_code = {s.criterion_code: s for s in review.scores}
        scores = [(c, by_code.get(c.code)) for c in proc.criteria]
    html = render_template("evaluation/proposal.html", p=p, proc=proc, decl=decl, review=review, scores=scores,
                           form=form if editable else None, conflict_form=conflict_form, reasons=reasons,
                           kind_titles=attachment_kind_titles(proc), editable=editable, scale=JUDGEMENT_SCALE,
                           attachments=props.readable_attachments(user, p))
    return html, status


@bp.route("/valutazioni/proposte/<int:proposal_id>", methods=["GET", "POST"])
@login_required
def proposal(proposal_id: int):
    p = _assigned_proposal(proposal_id)
    if request.method == "GET":
        return _proposal_page(p)
    action = request.form.get("action")
    if action == "declare":
        return _declare(p)
    if action in ("draft", "final"):
        return _save_review(p, final=action == "final")
    abort(400)


def _declare(p: Proposal):
    form = ConflictForm(meta={"csrf": False})  # the CSRF token is checked for every POST (CSRFProtect)
    if not form.validate():
        return _proposal_page(p, status=422, conflict_form=form)
    try:
        decl = ev.declare_conflict(current_user, p, form.to_data())
    except DomainError as exc:
        return _failure_page(lambda **kw: _proposal_page(p, conflict_form=form, **kw), exc, form)
    if decl.conflict:
        flash(_("Hai dichiarato un conflitto di interessi sulla proposta «%(title)s»: non la vedrai e non la "
                "valuterai.", title=p.title), "info")
        return redirect(url_for("evaluation.queue"), 303)
    flash(_("Dichiarazione registrata: ora puoi leggere la proposta e valutarla."), "success")
    return redirect(url_for("evaluation.proposal", proposal_id=p.id, _anchor="valutazione"), 303)


def _save_review(p: Proposal, *, final: bool):
    form = review_form(p.procedure, meta={"csrf": False})
    if not form.validate():
        return _proposal_page(p, status=422, form=form)
    data = form.to_data(final=final)
    ask_first = final and not confirmed()   # a final review is asked once, when it would be accepted
    try:
        (ev.check_review if ask_first else ev.save_review)(current_user, p, data)
    except Invalid as exc:
        db.session.rollback()
        leftover = form.apply_domain_errors(exc.fields)
        return _proposal_page(p, status=exc.status, form=form, reasons=leftover or None)
    except DomainError as exc:
        return _failure_page(lambda **kw: _proposal_page(p, form=form, **kw), exc)
    if ask_first:
        return ask(_("Valutazione definitiva"),
                   _("La valutazione diventa definitiva con i valori e le motivazioni inseriti e non si potrà più "
                     "modificare; entra nel calcolo della graduatoria quando tutta la commissione avrà concluso."),
                   subject=proposal_label(p),
                   back=url_for("evaluation.proposal", proposal_id=p.id, _anchor="valutazione"))
    if final:
        flash(_("Valutazione definitiva confermata: non si può più modificare."), "success")
    else:
        flash(_("Bozza della valutazione salvata."), "success")
    return redirect(url_for("evaluation.proposal", proposal_id=p.id, _anchor="valutazione"), 303)


# --- the administration ------------------------------------------------------------------------------------
def _admin_proc(procedure_id: int, *, for_update: bool = False) -> Procedure:
    return procs.get_for_admin(current_user, procedure_id, for_update=for_update)


def _registered_evaluators() -> list:
    """Every active user with an evaluator membership: one query."""
    return list(db.session.execute(
        sa.select(User.id, User.name, User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.role == Role.evaluator, User.active.is_(True), User.is_system.is_(False))
        .distinct().order_by(User.name, User.id)).all())


COMMITTEE_STATES = ("closed", "admissibility", "evaluation")


def _committee_page(proc: Procedure, *, form=None, status=200, reasons=None, invite_form=None):
    members = committees.members(proc.id)
    people = _registered_evaluators()
    editable = proc.state in COMMITTEE_STATES
    if editable and form is None:
        form = CommitteeForm(formdata=None, meta={"csrf": False},
                             data={"evaluators": [m.user_id for m in members if not m.substitute],
                                   "substitutes": [m.user_id for m in members if m.substitute]})
    html = render_template("evaluation/committee.html", proc=proc, members=members, people=people,
                           form=form if editable else None, reasons=reasons,
                           invite_form=invite_form or InviteForm(formdata=None, prefix="invite", meta={"csrf": False}),
                           state_label=_(procedure_wf.states[proc.state]))
    return html, status


@bp.route("/gestione/avvisi/<int:procedure_id>/commissione/invito", methods=["POST"])
@login_required
def invite(procedure_id: int):
    """Invite an evaluator who has no account yet: then appoint them in the committee form above."""
    proc = _admin_proc(procedure_id)
    form = InviteForm(prefix="invite", meta={"csrf": False})  # the CSRF token is checked for every POST
    if not form.validate():
        return _committee_page(proc, invite_form=form, status=422)
    try:
        user = auth_ops.invite_evaluator(current_user, form.email.data, form.name.data,
                                         lambda secret: url_for("auth.invitation", secret=secret, _external=True))
    except DomainError as exc:
        db.session.rollback()
        apply_errors(form, exc)
        return _committee_page(proc, invite_form=form, status=exc.status)
    flash(_("Invito inviato a %(email)s: ora puoi nominarlo nella commissione.", email=user.email), "success")
    return redirect(url_for("evaluation.committee", procedure_id=proc.id), 303)


@bp.route("/gestione/avvisi/<int:procedure_id>/commissione", methods=["GET", "POST"], endpoint="committee")
@login_required
def committee_view(procedure_id: int):
    proc = _admin_proc(procedure_id, for_update=request.method == "POST")
    if request.method == "GET":
        return _committee_page(proc)
    form = CommitteeForm(meta={"csrf": False})
    people = {row.id: row.email for row in _registered_evaluators()}
    valid = form.validate()   # first: validating resets the fields' errors, so the check below comes after it
    for f in (form.evaluators, form.substitutes):
        if any(uid not in people for uid in (f.data or ())):
            f.errors = [*f.errors, _("Scegli solo tra i valutatori registrati.")]
    if not valid or form.evaluators.errors or form.substitutes.errors:
        return _committee_page(proc, form=form, status=422)
    try:
        committees.appoint(current_user, proc, {"evaluators": [people[i] for i in form.evaluators.data or ()],
                                                "substitutes": [people[i] for i in form.substitutes.data or ()]})
    except DomainError as exc:
        return _failure_page(lambda **kw: _committee_page(proc, form=form, **kw), exc, form)
    flash(_("Commissione di valutazione nominata."), "success")
    return redirect(url_for("evaluation.committee", procedure_id=proc.id), 303)


BOARD_PAGE = 50  # proposals per page of the board
PREVIEW_ROWS = 20  # the first entries of each lot the board's preview shows (the CSV has them all)
# The board's ?situazione= values, and the situation each picks (evaluation.operations.SITUATIONS).
SITUATION_ARGS = {"da-completare": "incomplete", "complete": "complete"}


def _board_filters(proc: Procedure) -> dict:
    """The board's filters from the query string (?lotto=, ?situazione=, ?q=), each kept only when it is one the
    page offers: a lot of this call, a situation, a text of at most 200 characters."""
    lot = request.args.get("lotto", "")
    return {"lot": lot if proc.lot_by_code(lot) is not None else None,
            "situation": SITUATION_ARGS.get(request.args.get("situazione", "")), "text": search_arg()}


def _with_total(board: dict) -> tuple[dict, int]:
    return board, board["total"]


def _progress_page(proc: Procedure, *, status=200, approve_form=None, reasons=None, reasons_title=None):
    board, missing, preview, actions, owed, next_reminder, pager = None, [], None, [], {}, None, None
    filters = _board_filters(proc)
    stored = ev.approved(proc)
    if proc.state == "evaluation":
        board, pager = Pager.read(BOARD_PAGE, lambda offset, limit: _with_total(
            ev.progress(proc, **filters, offset=offset, limit=limit)))
        owed = board["owed"]
        next_reminder = ev.next_reminder(proc) if owed else None
        missing = ev.ranking_problems(proc)
        if not missing:
            # ranking_problems holds ev.preview()'s checks (committee, reviews) and the page is the admin's
            preview = documents.lots_view(proc, ev.ranking_json(*ev.compute(proc)))
        actions = [t for t in procedure_wf.actions(proc, current_user) if t.trigger in BOARD_TRIGGERS]
        if actions and approve_form is None:
            approve_form = ApproveForm(formdata=None, meta={"csrf": False})
    html = render_template("evaluation/progress.html", proc=proc, board=board, missing=missing, preview=preview,
                           actions=actions, approve_form=approve_form if actions else None, reasons=reasons,
                           stored=stored, labels=PROGRESS_STATUS, state_label=_(procedure_wf.states[proc.state]),
                           owed=owed, reasons_title=reasons_title, next_reminder=next_reminder,
                           remind_every=ev.REMIND_EVERY, now=utcnow(), board_pager=pager, filters=filters,
                           situations={v: k for k, v in SITUATION_ARGS.items()}, preview_rows=PREVIEW_ROWS)
    return html, status


@bp.route("/gestione/avvisi/<int:procedure_id>/valutazione")
@login_required
def progress(procedure_id: int):
    return _progress_page(_admin_proc(procedure_id))


@bp.route("/gestione/avvisi/<int:procedure_id>/valutazione/approva", methods=["POST"])
@login_required
def approve(procedure_id: int):
    proc = _admin_proc(procedure_id, for_update=True)
    form = ApproveForm(meta={"csrf": False})
    if not form.validate():
        return _progress_page(proc, status=422, approve_form=form)
    params = {}
    act_ref = (form.act_ref.data or "").strip()
    if act_ref:
        params["act_ref"] = act_ref
    asked = confirmation(procedure_wf, proc, "approve_ranking", params=params,
                         subject=_("Avviso «%(title)s»", title=proc.title),
                         back=url_for("evaluation.progress", procedure_id=proc.id))
    if asked is not None:
        return asked
    try:
        procedure_wf.fire(proc, "approve_ranking", current_user, params)
    except DomainError as exc:
        return _failure_page(lambda **kw: _progress_page(proc, approve_form=form, **kw), exc, form)
    flash(_("Graduatoria approvata e pubblicata."), "success")
    return redirect(url_for("evaluation.ranking", procedure_id=proc.id), 303)


@bp.route("/gestione/avvisi/<int:procedure_id>/valutazione/sollecito", methods=["POST"])
@login_required
def remind(procedure_id: int):
    proc = _admin_proc(procedure_id)
    try:
        result = ev.remind_evaluators(current_user, proc)
    except DomainError as exc:
        return _failure_page(lambda **kw: _progress_page(proc, reasons_title=_("Il sollecito non è stato inviato"), **kw),
                             exc)
    flash(ngettext("Sollecito inviato a %(num)s valutatore.", "Sollecito inviato a %(num)s valutatori.",
                   result["reminded"]), "success")
    return redirect(url_for("evaluation.progress", procedure_id=proc.id), 303)


# --- the ranking (public once approved) ---------------------------------------------------------------------
def _approved_or_404(procedure_id: int):
    user = _user()
    proc = procs.get_visible(user, procedure_id)
    stored = ev.approved(proc)
    return proc, stored


@bp.route("/avvisi/<int:procedure_id>/graduatoria")
def ranking(procedure_id: int):
    proc, stored = _approved_or_404(procedure_id)
    if stored is None:
        if procs.is_admin_of(_user(), proc):
            flash(_("La graduatoria non è ancora approvata: qui trovi l'avanzamento della valutazione."), "info")
            return redirect(url_for("evaluation.progress", procedure_id=proc.id))
        abort(404)
    return render_template("evaluation/ranking.html", proc=proc, stored=stored,
                           **documents.ranking_view(proc, stored, ev.notices(proc)),
                           is_admin=procs.is_admin_of(_user(), proc))


@bp.route("/avvisi/<int:procedure_id>/graduatoria.csv")
def ranking_csv(procedure_id: int):
    proc, stored = _approved_or_404(procedure_id)
    if stored is None:
        abort(404)
    return Response(documents.ranking_csv(proc, stored.data, ev.notices(proc)), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="graduatoria-avviso-{proc.id}.csv"'})


@bp.route("/gestione/avvisi/<int:procedure_id>/valutazione/anteprima.csv")
@login_required
def preview_csv(procedure_id: int):
    """The whole preview of the ranking, as the CSV of the approved one (the board shows each lot's first
    PREVIEW_ROWS entries)."""
    proc = _admin_proc(procedure_id)
    if proc.state != "evaluation":
        abort(404)
    try:
        data = ev.preview(current_user, proc)
    except GuardFailed as exc:
        db.session.rollback()
        flash(_("L'anteprima della graduatoria non è disponibile: %(why)s", why=" ".join(exc.reasons)), "warning")
        return redirect(url_for("evaluation.progress", procedure_id=proc.id), 303)
    return Response(documents.ranking_csv(proc, data), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="anteprima-graduatoria-avviso-{proc.id}.csv"'})


@bp.route("/avvisi/<int:procedure_id>/graduatoria/punteggi.json")
def ranking_scores(procedure_id: int):
    proc, text = _published_scores_or_404(procedure_id)
    return Response(text, content_type="application/json; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="punteggi-avviso-{proc.id}.json"',
                             "ETag": f'"{open_scores.sha256(text)}"'})


@bp.route("/avvisi/<int:procedure_id>/graduatoria/punteggi.csv")
def ranking_scores_csv(procedure_id: int):
    proc, text = _published_scores_or_404(procedure_id)
    return Response(open_scores.as_csv(text), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="punteggi-avviso-{proc.id}.csv"'})


@bp.route("/graduatorie/ricalcola_graduatoria.py")
def recompute_script():
    """The standalone script that recomputes a ranking from its scores file (docs/transparency.md)."""
    return standalone_script("codesign.evaluation", "recompute_ranking.py", "ricalcola_graduatoria.py")


def _published_scores_or_404(procedure_id: int):
    """The call and its published scores file (ev.published_scores says when there is none: then 404)."""
    proc = procs.get_visible(_user(), procedure_id)
    try:
        return proc, ev.published_scores(proc)
    except DomainError:
        abort(404)


@bp.route("/avvisi/<int:procedure_id>/graduatoria.pdf")
def ranking_pdf(procedure_id: int):
    proc, stored = _approved_or_404(procedure_id)
    if stored is None:
        abort(404)
    html = render_template("evaluation/ranking_pdf.html", proc=proc, stored=stored,
                           **documents.ranking_view(proc, stored, ev.notices(proc)), generated_at=utcnow())
    return _pdf(documents.render_pdf(html), f"graduatoria-avviso-{proc.id}.pdf", public=True)


@bp.route("/gestione/avvisi/<int:procedure_id>/verbale.pdf")
@login_required
def minutes_pdf(procedure_id: int):
    proc = _admin_proc(procedure_id)
    if proc.state not in committees.REVIEWABLE_PROCEDURE_STATES:
        abort(404)
    html = render_template("evaluation/minutes_pdf.html", m=documents.minutes(proc), proc=proc,
                           generated_at=utcnow())
    return _pdf(documents.render_pdf(html), f"verbale-commissione-avviso-{proc.id}.pdf", public=False)


def _pdf(data: bytes, filename: str, *, public: bool) -> Response:
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "public, max-age=300" if public else "private, no-store"})


# --- the outcome on the proposal's page (proposals.views.register_proposal_section) --------------------------------
OUTCOME_OF = {"admitted": "admitted", "budget": "reserve", "threshold": "below_threshold",
              "criterion_minimum": "below_threshold"}


def _why(p: Proposal, o: dict) -> list[str]:
    """Why the proposal got its outcome, in words: the rule that decided it."""
    proc = p.procedure
    if o["decided_by"] == "admitted":
        return [_("Ammessa alla co-progettazione: è idonea e il budget del lotto %(lot)s copriva l'importo "
                  "richiesto; contributo assegnato %(amount)s.", lot=o["lot"], amount=format_money(o["allotted"]))]
    if o["decided_by"] == "budget":
        return [_("Idonea ma non finanziata: quando è arrivato il suo turno nel lotto %(lot)s restavano %(left)s, "
                  "meno dell'importo richiesto (%(requested)s). Può essere ammessa per scorrimento della graduatoria, "
                  "se si libera budget.", lot=o["lot"], left=format_money(o["left_at_turn"]),
                  requested=format_money(p.requested_amount))]
    out = []
    if Decimal(o["raw_total"]) < Decimal(proc.threshold):
        out.append(_("Non idonea: il punteggio totale %(total)s è inferiore alla soglia di %(threshold)s punti.",
                     total=format_score(o["raw_total"]), threshold=format_score(proc.threshold)))
    titles = {c.code: c for c in proc.criteria}
    for code in o["short_of"]:
        c = titles.get(code)
        out.append(_("Non idonea: nel criterio %(code)s «%(title)s» il punteggio %(score)s è inferiore al minimo di "
                     "%(min)s punti.", code=code, title=c.title if c else code,
                     score=format_score(o["raw_criteria"][code]), min=format_score(c.min_points) if c else ""))
    return out


def outcome_section(p: Proposal):
    """The proposal's outcome explained, for its body and the call's administration, once the ranking is
    approved: rank, total, each criterion's score with the committee's reasons, and the rule that decided."""
    if not (props.is_member(current_user, p) or props.is_admin(current_user, p)):
        return None
    o = ev.outcome_of(p)
    if o is None:
        return None
    proc = p.procedure
    rows = [{"code": c.code, "title": c.title, "max": c.max_points, "min": c.min_points,
             "score": o["criteria"].get(c.code), "raw": o["raw_criteria"].get(c.code), "short": c.code in o["short_of"],
             "reasons": o["reasons"].get(c.code, [])} for c in proc.criteria]
    return {"template": "evaluation/_outcome.html", "outcome": o, "criteria_rows": rows, "why": _why(p, o),
            "rescaled": bool(proc.rescale), "outcome_label": documents.OUTCOMES[OUTCOME_OF[o["decided_by"]]]}
