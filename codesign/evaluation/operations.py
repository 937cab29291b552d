"""Conflict declarations, reviews, progress, and the ranking (computed, previewed, approved)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from codesign.core import audit, notifications, search
from codesign.core.calendar import format_rome, rome_today
from codesign.core.enums import Role
from codesign.core.errors import Conflict, Forbidden, GuardFailed, Invalid, NotFound, Unauthorized
from codesign.core.notifications import Recipient
from codesign.core.schemas import parse, within
from codesign.db import db, utcnow
from codesign.evaluation import committee, open_scores
from codesign.evaluation.models import ApprovedRanking, CommitteeMember, ConflictDeclaration, Review, ReviewScore
from codesign.evaluation.ranking import Candidate, Criterion, Lot, compute_ranking
from codesign.evaluation.schemas import ConflictIn, ReviewIn
from codesign.organizations.models import Organization
from codesign.organizations.operations import recipients
from codesign.procedures.models import Lot as ProcedureLot
from codesign.procedures.operations import is_admin_of, require_admin
from codesign.proposals.models import Proposal
from codesign.proposals.operations import get_visible, is_admin, is_member
from codesign.proposals.workflow import workflow as proposal_wf


def _seat_or_403(user, proposal) -> CommitteeMember:
    seat = committee.membership(user, proposal.procedure_id)
    if seat is None or not user.is_evaluator:
        raise Forbidden("non fai parte della commissione di questo avviso")
    if proposal.procedure.state != "evaluation" or proposal.state != "admissible":
        raise GuardFailed("la proposta non è in valutazione")
    return seat


def declare_conflict(user, proposal, data: dict) -> ConflictDeclaration:
    body = parse(ConflictIn, data)
    conflict, note = body.conflict, body.note
    _seat_or_403(user, proposal)
    existing = db.session.execute(sa.select(ConflictDeclaration).where(
        ConflictDeclaration.proposal_id == proposal.id, ConflictDeclaration.user_id == user.id)).scalar_one_or_none()
    review = _review(user, proposal)
    if review is not None and conflict:
        raise GuardFailed("hai già iniziato la valutazione: la dichiarazione non si può più cambiare")
    if existing is None:
        existing = ConflictDeclaration(proposal_id=proposal.id, user_id=user.id, conflict=conflict, note=note)
        db.session.add(existing)
    else:
        existing.conflict, existing.note, existing.declared_at = conflict, note, utcnow()
    db.session.flush()
    audit.record(actor=user, entity_type="proposal", entity_id=proposal.id, trigger="declare_conflict",
                 data={"conflict": conflict})
    return existing


def declaration(user, proposal) -> ConflictDeclaration | None:
    return db.session.execute(sa.select(ConflictDeclaration).where(
        ConflictDeclaration.proposal_id == proposal.id, ConflictDeclaration.user_id == user.id)).scalar_one_or_none()


def _review(user, proposal) -> Review | None:
    return db.session.execute(sa.select(Review).where(Review.proposal_id == proposal.id,
                                                      Review.user_id == user.id)).scalar_one_or_none()


def _value(procedure, criterion, value: Decimal) -> Decimal:
    hi = Decimal(1) if procedure.scoring == "coefficients" else criterion.max_points
    return within(value, Decimal(0), hi)


def _checked_review(user, proposal, data: dict):
    """The review's values checked (ReviewIn's shape; against the call: its criteria, each score's range, a final
    one complete) and the evaluator's right to write it (seat, assignment, declaration, not yet final): what to
    write, or the refusal."""
    body = parse(ReviewIn, data)
    scores, reasons, final = body.scores, body.reasons or {}, body.final
    criteria = {cr.code: cr for cr in proposal.procedure.criteria}
    errors: dict[str, str] = {}
    clean = {}
    for code, value in scores.items():
        if code not in criteria:
            errors[f"scores.{code}"] = "criterio sconosciuto"
        elif value is not None:
            try:
                clean[code] = _value(proposal.procedure, criteria[code], value)
            except ValueError as exc:
                errors[f"scores.{code}"] = str(exc)
    for code in reasons:
        if code not in criteria:
            errors[f"reasons.{code}"] = "criterio sconosciuto"
    if final:
        for code in criteria:
            if code not in clean:
                errors.setdefault(f"scores.{code}", "manca il punteggio")
            if not reasons.get(code):
                errors.setdefault(f"reasons.{code}", "manca la motivazione")
    if errors:
        raise Invalid(errors)
    seat = _seat_or_403(user, proposal)
    decl = declaration(user, proposal)
    if decl is not None and decl.conflict:
        raise Forbidden("hai dichiarato un conflitto di interessi su questa proposta")
    if committee.assigned(user, proposal) is None:
        raise Forbidden("questa proposta non ti è assegnata")
    if decl is None:
        raise GuardFailed("prima di valutare dichiara se hai un conflitto di interessi")
    review = _review(user, proposal)
    if review is not None and review.final:
        raise Conflict("la valutazione è definitiva e non si può più modificare")
    return criteria, scores, reasons, final, clean, seat, review


def check_review(user, proposal, data: dict) -> None:
    """Refuse what `save_review` would refuse, writing nothing: the page asks before a final review only when
    it would be accepted."""
    _checked_review(user, proposal, data)


def save_review(user, proposal, data: dict) -> Review:
    criteria, scores, reasons, final, clean, seat, review = _checked_review(user, proposal, data)
    if review is None:
        review = Review(proposal_id=proposal.id, user_id=user.id)
        db.session.add(review)
    existing = {s.criterion_code: s for s in review.scores}
    for code in criteria:
        if code in scores or code in reasons:
            s = existing.get(code)
            if s is None:
                s = ReviewScore(criterion_code=code)
                review.scores.append(s)
            if code in scores:
                s.value = clean.get(code)
            if code in reasons:
                s.reason = reasons[code] or None
    review.final = final
    review.updated_at = utcnow()
    if final:
        review.finalized_at = utcnow()
    db.session.flush()
    audit.record(actor=user, entity_type="proposal", entity_id=proposal.id,
                 trigger="finalize_review" if final else "save_review", data={"seat": seat.id})
    return review


def review_to_dict(review: Review | None, proposal) -> dict:
    if review is None:
        return {"proposal_id": proposal.id, "scores": {}, "reasons": {}, "final": False}
    return {"proposal_id": proposal.id,
            "scores": {s.criterion_code: None if s.value is None else f"{s.value:.2f}".rstrip("0").rstrip(".")
                       if proposal.procedure.scoring == "coefficients" else f"{s.value:.2f}"
                       for s in review.scores if s.value is not None},
            "reasons": {s.criterion_code: s.reason for s in review.scores if s.reason},
            "final": review.final}


# --- progress and the ranking -------------------------------------------------------------------------
_DATA_KEY = "codesign.evaluation_data"


def _forget_evaluation_data(session, *args) -> None:
    session.info.pop(_DATA_KEY, None)


for _event in ("after_flush", "after_commit", "after_rollback", "after_soft_rollback"):
    sa.event.listen(sa.orm.Session, _event, _forget_evaluation_data)


@sa.event.listens_for(sa.orm.Session, "do_orm_execute")
def _forget_on_dml(state) -> None:
    if not state.is_select:
        _forget_evaluation_data(state.session)


def _cached(key, load):
    """`load()`, once per unit of work (forgotten at any write, flush, commit or rollback): a page asks the same
    thing several times (its buttons, what is blocked, the board). The loads read through the connection, which
    does not autoflush as the session does: what the session holds unwritten is flushed first."""
    db.session.flush()  # nothing to do, and no event, when nothing is pending
    cache = db.session.info.setdefault(_DATA_KEY, {})
    if key not in cache:
        cache[key] = load()
    return cache[key]


def _needed(ms, conflicted: set[int]) -> list:
    """The members whose final review a proposal needs, in the committee's order (committee.members: regular
    members first): the regular members without a conflict on it, and the substitutes without one when fewer than
    MIN_REVIEWS regular members remain."""
    needed = [m for m in ms if not m.substitute and m.user_id not in conflicted]
    if len(needed) < committee.MIN_REVIEWS:
        needed += [m for m in ms if m.substitute and m.user_id not in conflicted]
    return needed


def _reviews_owed(proposals, ms, conflicted_by: dict[int, set[int]], finals: set[tuple[int, int]]):
    """Per proposal, in order: the members whose final review it needs (_needed, worked out once per set of
    conflicted members: for most proposals none) and those among them whose review is not final yet. The one pass
    the refusal's reasons and the board's counts both make; it reads no attribute of a member per proposal."""
    needed_for: dict[frozenset, list] = {}
    for p in proposals:
        conflicted = frozenset(conflicted_by.get(p.id, ()))
        if conflicted not in needed_for:
            needed_for[conflicted] = [(m, m.user_id) for m in _needed(ms, conflicted)]
        needed = needed_for[conflicted]
        yield p, needed, [m for m, uid in needed if (p.id, uid) not in finals]


MAX_REASONS = 10  # a refusal names this many missing reviews, then says how many more


def _missing(proposals, ms, conflicted_by: dict[int, set[int]], finals: set[tuple[int, int]]) -> list[str]:
    """Why the ranking cannot be computed yet: each needed review not final, and each proposal left with fewer than
    MIN_REVIEWS evaluators without a conflict; the first MAX_REASONS of them, then how many more.
    `proposals`: _readiness's rows in the board's order; `finals`: (proposal id, user id) pairs."""
    missing, more = [], 0
    for p, needed, lacking in _reviews_owed(proposals, ms, conflicted_by, finals):
        for m in lacking:
            if len(missing) < MAX_REASONS:
                missing.append(f"«{p.title}» (n. {p.protocol_number}): manca la valutazione definitiva di "
                               f"{m.user.name}")
            else:
                more += 1
        if len(needed) < committee.MIN_REVIEWS:  # so fewer than MIN_REVIEWS final reviews can count
            if len(missing) < MAX_REASONS:
                missing.append(f"«{p.title}» (n. {p.protocol_number}): meno di 3 valutatori senza conflitto, "
                               "nominare dei supplenti")
            else:
                more += 1
    if more:
        missing.append(ngettext("… e un'altra valutazione o nomina mancante.",
                                "… e altre %(count)s valutazioni o nomine mancanti.", more, count=format_decimal(more)))
    return missing


def _readiness(procedure):
    """What the board's counts and the ranking's readiness depend on, as plain rows, once per unit of work: the
    admissible proposals (id, title, protocol number, lot code) in the board's order, who declared a conflict on
    which, whose reviews are final and whose are drafts. Three statements whatever the number of proposals, read
    as tuples through the connection (no proposal, declaration or review loaded as an object, no ORM row)."""
    def load():
        admissible = sa.select(Proposal.id).where(Proposal.procedure_id == procedure.id,
                                                  Proposal.state == "admissible")
        read = db.session.connection().execute
        proposals = read(
            sa.select(Proposal.id, Proposal.title, Proposal.protocol_number, ProcedureLot.code.label("lot"))
            .join(ProcedureLot, ProcedureLot.id == Proposal.lot_id)
            .where(Proposal.procedure_id == procedure.id, Proposal.state == "admissible")
            .order_by(Proposal.protocol_number)).fetchall()
        conflicted_by: dict[int, set[int]] = {}
        for pid, uid in read(sa.select(ConflictDeclaration.proposal_id, ConflictDeclaration.user_id)
                             .where(ConflictDeclaration.proposal_id.in_(admissible), ConflictDeclaration.conflict)):
            conflicted_by.setdefault(pid, set()).add(uid)
        finals, drafts = set(), set()
        for pid, uid, final in read(sa.select(Review.proposal_id, Review.user_id, Review.final)
                                    .where(Review.proposal_id.in_(admissible))).fetchall():
            (finals if final else drafts).add((pid, uid))
        return proposals, conflicted_by, finals, drafts
    return _cached(("readiness", procedure.id), load)


SITUATIONS = ("incomplete", "complete")  # a proposal on the board: a needed review not yet final, or all final


def progress(procedure, *, lot: str | None = None, situation: str | None = None, text: str | None = None,
             offset: int = 0, limit: int | None = None) -> dict:
    """The evaluation board. Over every admissible proposal, from plain rows (_readiness): how many are complete
    (every needed review final) and incomplete, and the final reviews each committee member still owes (`owed`);
    what the ranking still lacks is ranking_problems(). Then the proposals the filters keep (a lot's code, a
    SITUATION, a text: core.search over the title and the receipt number), `total` of them, and for `limit` of them from `offset` (all when None) who
    must review each and how far each member is: "todo", "declared", "draft", "final", "conflict" or "not_needed".
    Never scores. A constant number of statements whatever the size of the call."""
    proposals, conflicted_by, finals, drafts = _readiness(procedure)
    ms = committee.members(procedure.id)
    owed: dict = {}
    counts = dict.fromkeys(SITUATIONS, 0)
    kept = []
    for p, needed, lacking in _reviews_owed(proposals, ms, conflicted_by, finals):
        for m in lacking:
            owed[m] = owed.get(m, 0) + 1
        done = len(needed) - len(lacking)
        state = "complete" if done == len(needed) >= committee.MIN_REVIEWS else "incomplete"
        counts[state] += 1
        if ((not lot or p.lot == lot) and (not situation or state == situation)
                and search.matches(text, (p.title,), (p.protocol_number,))):
            kept.append((p, needed, done))
    page = kept[offset:] if limit is None else kept[offset:offset + limit]
    ids = [p.id for p, _needed_members, _done in page]
    declared = {}
    if ids:
        declared = {(pid, uid): conflict for pid, uid, conflict in db.session.execute(
            sa.select(ConflictDeclaration.proposal_id, ConflictDeclaration.user_id, ConflictDeclaration.conflict)
            .where(ConflictDeclaration.proposal_id.in_(ids)))}
    rows = []
    for p, needed, done in page:
        cells, asked = [], {uid for _m, uid in needed}
        for m in ms:
            key = (p.id, m.user_id)
            if declared.get(key):
                status = "conflict"
            elif m.user_id not in asked:
                status = "not_needed"
            elif key in finals:
                status = "final"
            elif key in drafts:
                status = "draft"
            elif key in declared:
                status = "declared"
            else:
                status = "todo"
            cells.append({"member": m, "status": status})
        rows.append({"proposal": p, "cells": cells, "finals": done, "needed": len(needed)})
    return {"members": ms, "rows": rows, "total": len(kept), "counts": counts, "owed": owed}


REMIND_EVERY = dt.timedelta(hours=24)  # a committee is reminded at most once a day


def next_reminder(procedure) -> dt.datetime | None:
    """From when the admin may remind the committee again (None: never reminded, so now)."""
    last = audit.last_at("procedure", procedure.id, "remind_evaluators")
    return last + REMIND_EVERY if last is not None else None


def remind_evaluators(actor, procedure, *, now=None) -> dict:
    """The admin reminds each committee member who still owes final reviews, with how many: one notification
    each, audited. Refused outside the evaluation, when nobody owes any, or within a day of the last reminder."""
    require_admin(actor, procedure)
    if procedure.state != "evaluation":
        raise GuardFailed("la valutazione non è in corso")
    owed = progress(procedure, limit=0)["owed"]
    if not owed:
        raise GuardFailed("nessun valutatore deve ancora concludere una valutazione")
    now = now or utcnow()
    after = next_reminder(procedure)
    if after is not None and now < after:
        raise GuardFailed(f"un sollecito è già stato inviato il {format_rome(after - REMIND_EVERY)}: il prossimo "
                          f"si può inviare dal {format_rome(after)}")
    for m, n in owed.items():
        notifications.notify(
            [Recipient.of(m.user)], lambda: _("Valutazioni da completare: %(title)s", title=procedure.title[:200]),
            lambda: ngettext("%(num)s proposta dell'avviso «%(call)s» aspetta ancora la tua valutazione definitiva: "
                             "la trovi nella pagina «Valutazioni».",
                             "%(num)s proposte dell'avviso «%(call)s» aspettano ancora la tua valutazione "
                             "definitiva: le trovi nella pagina «Valutazioni».", n, call=procedure.title)
            + " " + _("L'amministrazione approva la graduatoria quando tutte le valutazioni sono definitive."),
            link=notifications.path("evaluation.queue"), now=now)
    result = {"reminded": len(owed), "reviews_missing": sum(owed.values())}
    audit.record(actor=actor, entity_type="procedure", entity_id=procedure.id, trigger="remind_evaluators",
                 data={**result, "evaluators": sorted(m.user.email for m in owed)}, at=now)
    return result


def ranking_problems(procedure) -> list[str]:
    """Why the ranking cannot be computed yet (the approve_ranking guard, the preview, the board): read from plain
    rows, so the call's page does not load the committee's work to say whether the ranking is ready."""
    def load():
        problem = committee.committee_problem(procedure)
        if problem:
            return [problem]
        proposals, conflicted_by, finals, _drafts = _readiness(procedure)
        return _missing(proposals, committee.members(procedure.id), conflicted_by, finals)
    return list(_cached(("problems", procedure.id), load))


def _ranking_input(procedure):
    """What the ranking is computed from, as plain rows, once per unit of work: the admissible proposals (id, title,
    organization, lot, protocol number, requested amount) in protocol order, and per proposal the reviews the
    ranking counts (final, by an evaluator without a conflict on it) as {user id: {criterion: value}}. Two
    statements whatever the number of proposals, and no object loaded: at 10,000 proposals x 5 reviews x 6
    criteria the 300,000 scores are read as tuples."""
    def load():
        admissible = sa.select(Proposal.id).where(Proposal.procedure_id == procedure.id,
                                                  Proposal.state == "admissible")
        proposals = db.session.execute(
            sa.select(Proposal.id, Proposal.title, Organization.name.label("organization"),
                      ProcedureLot.code.label("lot"), Proposal.protocol_number, Proposal.requested_amount)
            .join(Organization, Organization.id == Proposal.organization_id)
            .join(ProcedureLot, ProcedureLot.id == Proposal.lot_id)
            .where(Proposal.procedure_id == procedure.id, Proposal.state == "admissible")
            .order_by(Proposal.protocol_number)).all()
        conflicted = sa.exists().where(ConflictDeclaration.proposal_id == Review.proposal_id,
                                       ConflictDeclaration.user_id == Review.user_id, ConflictDeclaration.conflict)
        reviews: dict[int, dict[int, dict]] = {}
        # unordered (a mean does not depend on the order; the scores file sorts what it writes), and through the
        # connection: 300,000 tuples need none of the ORM's row processing
        for pid, uid, code, value in db.session.connection().execute(
                sa.select(Review.proposal_id, Review.user_id, ReviewScore.criterion_code, ReviewScore.value)
                .outerjoin(ReviewScore, ReviewScore.review_id == Review.id)
                .where(Review.proposal_id.in_(admissible), Review.final, ~conflicted)).fetchall():
            scores = reviews.setdefault(pid, {}).setdefault(uid, {})
            if code is not None:  # a final review without scores counts, and the ranking says what it lacks
                scores[code] = value
        return proposals, reviews
    return _cached(("ranking", procedure.id), load)


def compute(procedure):
    """The ranking of the call's admissible proposals, and each proposal's plain row by id (title, organization,
    lot, protocol number, requested amount)."""
    proposals, reviews = _ranking_input(procedure)
    candidates = [Candidate(proposal_id=p.id, lot=p.lot, protocol_number=p.protocol_number,
                            requested_amount=p.requested_amount, reviews=list(reviews.get(p.id, {}).values()))
                  for p in proposals]
    result = compute_ranking(
        criteria=[Criterion(c.code, Decimal(c.max_points), None if c.min_points is None else Decimal(c.min_points))
                  for c in procedure.criteria],
        lots=[Lot(lot.code, lot.budget) for lot in procedure.lots], candidates=candidates,
        scoring=procedure.scoring, threshold=Decimal(procedure.threshold), rescale=procedure.rescale,
        tie_break_criterion=procedure.tie_break_criterion)
    return result, {p.id: p for p in proposals}


def scores_text(procedure, data: dict, *, approved_at, act_ref) -> str:
    """The anonymised scores file of the ranking `data` (evaluation.open_scores): from the rows the ranking was
    computed from, loaded once per unit of work, so no query of its own."""
    proposals, reviews = _ranking_input(procedure)
    names = open_scores.pseudonyms(m.user_id for m in committee.members(procedure.id))
    scored = [open_scores.ScoredProposal(
        proposal_id=p.id, protocol_number=p.protocol_number, lot=p.lot, requested_amount=p.requested_amount,
        title=p.title, organization=p.organization,
        reviews=[(names[uid], scores) for uid, scores in reviews.get(p.id, {}).items()])
        for p in proposals]
    rules = {"scoring": procedure.scoring, "threshold": procedure.threshold, "rescale": procedure.rescale,
             "tie_break_criterion": procedure.tie_break_criterion,
             "criteria": [(c.code, c.max_points, c.min_points) for c in procedure.criteria],
             "lots": [(lot.code, lot.budget) for lot in procedure.lots]}
    about = {"id": procedure.id, "title": procedure.title, "administration": procedure.administration.name,
             "approved_at": approved_at, "act_ref": act_ref}
    return open_scores.document(procedure=about, rules=rules, proposals=scored, ranking=data)


def ranking_json(result, by_id) -> dict:
    lots = {}
    for code, lot in result.lots.items():
        lots[code] = {"budget_left": f"{lot.budget_left:.2f}", "ranking": [
            {"proposal_id": e.proposal_id, "rank": e.rank, "total": f"{e.total:.2f}",
             "criteria": {k: f"{val:.2f}" for k, val in e.criteria.items()}, "outcome": e.outcome,
             "title": by_id[e.proposal_id].title, "organization": by_id[e.proposal_id].organization}
            for e in lot.entries]}
    return {"lots": lots}


def preview(user, procedure) -> dict:
    require_admin(user, procedure)
    problems = ranking_problems(procedure)
    if problems:
        raise GuardFailed(problems)
    return ranking_json(*compute(procedure))


def approved(procedure) -> ApprovedRanking | None:
    return db.session.execute(sa.select(ApprovedRanking).where(ApprovedRanking.procedure_id == procedure.id)
                              ).scalar_one_or_none()


# What became of the ranking after the act (DOMAIN.md): the proposal's transitions that change its outcome, each
# only possible after the approval, read from the audit trail (written with the state change it records).
NOTICE_EVENTS = {"fail_codesign": "codesign_failed", "scroll_admitted": "admitted_by_scrolling", "revoke": "revoked"}


def notices(procedure) -> list[dict]:
    """The dated notices beside the approved ranking, in the order they happened: `{date, proposal_id, event,
    reason?}` (the date in Rome). One query."""
    rows = db.session.execute(
        sa.select(audit.AuditRecord.at, audit.AuditRecord.entity_id, audit.AuditRecord.trigger,
                  audit.AuditRecord.reason)
        .join(Proposal, Proposal.id == audit.AuditRecord.entity_id)
        .where(audit.AuditRecord.entity_type == "proposal", Proposal.procedure_id == procedure.id,
               audit.AuditRecord.trigger.in_(NOTICE_EVENTS))
        .order_by(audit.AuditRecord.seq)).all()
    return [{"date": rome_today(at).isoformat(), "proposal_id": pid, "event": NOTICE_EVENTS[trigger],
             **({"reason": reason} if reason else {})} for at, pid, trigger, reason in rows]


def get_ranking(user, procedure) -> dict:
    """API.md: before approval admin only (409 until every review is final); after, anyone, with the notices of
    what became of it."""
    stored = approved(procedure)
    if stored is not None:
        return stored.data | {"notices": notices(procedure)}
    if user is None:
        raise Unauthorized("la graduatoria non è ancora approvata: accesso riservato all'amministrazione")

    if not is_admin_of(user, procedure):
        raise Forbidden("la graduatoria non è ancora approvata")
    if procedure.state != "evaluation":
        raise GuardFailed("la valutazione non è ancora iniziata")
    return preview(user, procedure)


def published_scores(procedure) -> str:
    """The anonymised scores file of the approved ranking, as published; public like the ranking itself."""
    stored = approved(procedure)
    if stored is None:
        raise NotFound("la graduatoria non è ancora approvata")
    if stored.scores is None:
        raise NotFound("i punteggi anonimi non sono disponibili per le graduatorie approvate prima della loro "
                       "pubblicazione")
    return stored.scores


def explain_outcomes(procedure, result) -> dict:
    """What decided each proposal's outcome, kept with the approved ranking (the body's page explains it): its
    rank among the lot's n, the scores shown and before re-scaling, and the rule: `threshold` (total under it),
    `criterion_minimum` (the criteria under their minimum), `budget` (eligible, but what the lot had left when its
    turn came did not cover the amount) or `admitted`."""
    minima = {c.code: Decimal(c.min_points) for c in procedure.criteria if c.min_points is not None}
    out = {}
    for code, lot in result.lots.items():
        budget = procedure.lot_by_code(code)
        left = Decimal(budget.budget) if budget is not None else Decimal(0)
        for e in lot.entries:
            short = sorted(c for c, m in minima.items() if c in e.raw_criteria and e.raw_criteria[c] < m)
            if e.outcome == "admitted":
                decided = "admitted"
            elif e.outcome == "reserve":
                decided = "budget"
            else:
                decided = "criterion_minimum" if short and e.raw_total >= procedure.threshold else "threshold"
            out[str(e.proposal_id)] = {
                "lot": code, "rank": e.rank, "of": len(lot.entries), "total": f"{e.total:.2f}",
                "raw_total": f"{e.raw_total:.2f}", "criteria": {k: f"{v:.2f}" for k, v in e.criteria.items()},
                "raw_criteria": {k: f"{v:.2f}" for k, v in e.raw_criteria.items()}, "decided_by": decided,
                "short_of": short, "left_at_turn": f"{left:.2f}", "allotted": f"{e.allotted:.2f}"}
            if e.outcome == "admitted":
                left -= e.allotted
    return out


def outcome_of(proposal) -> dict | None:
    """A ranked proposal's outcome as the approved ranking explained it, with the committee's reasons per criterion
    (the counted final reviews', without names); None before the approval, or for a ranking approved before the
    explanations were kept."""
    stored = approved(proposal.procedure)
    explained = (stored.explanations or {}).get(str(proposal.id)) if stored is not None else None
    if explained is None:
        return None
    conflicted = sa.select(ConflictDeclaration.user_id).where(ConflictDeclaration.proposal_id == proposal.id,
                                                              ConflictDeclaration.conflict.is_(True))
    rows = db.session.execute(
        sa.select(ReviewScore.criterion_code, ReviewScore.reason).join(Review, Review.id == ReviewScore.review_id)
        .where(Review.proposal_id == proposal.id, Review.final.is_(True), Review.user_id.not_in(conflicted),
               ReviewScore.reason.is_not(None))
        .order_by(Review.id, ReviewScore.id))
    reasons: dict[str, list[str]] = {}
    for code, reason in rows:
        if reason.strip():
            reasons.setdefault(code, []).append(reason.strip())
    return {**explained, "reasons": reasons, "approved_at": stored.approved_at}


RANK_MOVES = {"admitted": "rank_admitted", "reserve": "rank_reserve", "below_threshold": "rank_below_threshold"}


def approve(ctx) -> None:
    """Effect of `approve_ranking`: store the ranking and move each admissible proposal to its outcome."""
    procedure = ctx.row
    result, by_id = compute(procedure)
    data = ranking_json(result, by_id)
    act_ref = ctx.params.get("act_ref")
    scores = scores_text(procedure, data, approved_at=ctx.now, act_ref=act_ref)
    db.session.add(ApprovedRanking(procedure_id=procedure.id, approved_by_id=ctx.user.id,
                                   act_ref=act_ref, data=data, approved_at=ctx.now, scores=scores,
                                   explanations=explain_outcomes(procedure, result)))
    outcome_text = {"admitted": _l("ammessa alla co-progettazione"),
                    "reserve": _l("idonea non finanziata (in riserva)"), "below_threshold": _l("non idonea")}
    proposals = {p.id: p for p in db.session.execute(sa.select(Proposal).where(  # by_id's proposals, as objects
        Proposal.procedure_id == procedure.id, Proposal.state == "admissible")).scalars()}
    told = recipients({p.organization_id for p in proposals.values()}, Role.applicant)
    moves = []
    for code, lot in result.lots.items():
        for e in lot.entries:
            p = proposals[e.proposal_id]
            notifications.notify(told.get(p.organization_id, []),
                                 lambda: _("Esito della valutazione: %(title)s", title=p.title),
                                 lambda: _("La graduatoria dell'avviso «%(call)s» è stata approvata.",
                                           call=procedure.title) + "\n\n"
                                 + _("Proposta: %(title)s (n. %(number)s), lotto %(lot)s", title=p.title,
                                     number=p.protocol_number, lot=code) + "\n"
                                 + _("Posizione: %(rank)s; punteggio: %(total)s", rank=e.rank,
                                     total=format_decimal(e.total, format="#,##0.00")) + "\n"
                                 + _("Esito: %(outcome)s", outcome=outcome_text[e.outcome]),
                                 link=notifications.path("proposals.edit", proposal_id=p.id), now=ctx.now)
            p.ranking_total = e.total
            p.allotted_amount = e.allotted if e.outcome == "admitted" else None
            moves.append((p, RANK_MOVES[e.outcome], {"rank": e.rank, "total": f"{e.total:.2f}"}))
    proposal_wf.cascade_all(moves, ctx.user, now=ctx.now)   # one flush for every proposal, not a few statements each


def ranking_guard(ctx):
    return ranking_problems(ctx.row) or None


def proposal_to_review(user, proposal_id: int):
    """The proposal a committee member reviews: a member who cannot see it (conflicted, or not assigned) is
    told "forbidden" rather than "unknown", since they sit on its committee; anyone else 404."""
    try:
        return get_visible(user, proposal_id)
    except NotFound:
        p = db.session.get(Proposal, proposal_id)
        if p is not None and committee.membership(user, p.procedure_id) is not None:
            raise Forbidden("hai dichiarato un conflitto di interessi su questa proposta o non ti è assegnata") from None
        raise


BEFORE_DECLARATION = ("id", "procedure_id", "organization_id", "organization", "state", "state_label",
                      "allowed_triggers", "lot", "title", "summary", "partners", "protocol_number")


def committee_reads_documents(user, proposal) -> bool:
    """Whether an evaluator reads a proposal's documents (proposals.register_committee_reader): assigned to it,
    having declared no conflict on it, while the call is being evaluated; nothing after the ranking."""
    if user is None or not user.is_evaluator or proposal.procedure.state != "evaluation":
        return False
    if committee.assigned(user, proposal) is None:
        return False
    decl = declaration(user, proposal)
    return decl is not None and not decl.conflict


def redact_for_evaluator(user, proposal, data: dict) -> dict:
    """An evaluator who has not yet declared on a proposal sees only its title, body and partners."""
    if is_admin(user, proposal) or is_member(user, proposal):
        return data
    if declaration(user, proposal) is None:
        return {k: data[k] for k in BEFORE_DECLARATION if k in data} | {"conflict_declared": False}
    # what became of the proposal after the evaluation (a failed table's reason, a revocation) is the parties'
    return data | {"conflict_declared": True, "outcome_reason": None}
