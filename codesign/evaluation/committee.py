"""The committee: appointment, who sees which proposal, and what is still missing before the ranking."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from codesign.auth.operations import get_user_by_email
from codesign.core import audit, notifications
from codesign.core.errors import GuardFailed, Invalid
from codesign.core.notifications import Recipient
from codesign.core.schemas import parse
from codesign.db import db
from codesign.evaluation.models import CommitteeMember, ConflictDeclaration, Review
from codesign.evaluation.schemas import CommitteeIn
from codesign.procedures.operations import require_admin
from codesign.proposals.models import Proposal

REVIEWABLE_PROCEDURE_STATES = ("evaluation", "ranked", "codesign", "agreements", "implementation", "concluded")
EVALUATED_PROPOSAL_STATES = ("admissible", "admitted", "reserve", "below_threshold", "in_codesign", "finalized",
                             "codesign_failed", "agreement_signed", "started", "completed", "revoked")
MIN_REVIEWS = 3


def members(procedure_id: int) -> list[CommitteeMember]:
    return list(db.session.execute(sa.select(CommitteeMember).where(CommitteeMember.procedure_id == procedure_id)
                                   .order_by(CommitteeMember.substitute, CommitteeMember.id)).scalars())


def committee_problem(procedure) -> str | None:
    regular = [m for m in members(procedure.id) if not m.substitute]
    if len(regular) < 3 or len(regular) % 2 == 0:
        return "la commissione di valutazione non è stata nominata (serve un numero dispari di membri, almeno 3)"
    return None


def committee_appointed(ctx) -> str | None:
    """A committee of an odd number (at least 3) of evaluators is appointed."""
    return committee_problem(ctx.row)


def membership(user, procedure_id: int) -> CommitteeMember | None:
    if user is None:
        return None
    return db.session.execute(sa.select(CommitteeMember).where(CommitteeMember.procedure_id == procedure_id,
                                                               CommitteeMember.user_id == user.id)).scalar_one_or_none()


def conflicted_user_ids(proposal_id: int) -> set[int]:
    return set(db.session.execute(sa.select(ConflictDeclaration.user_id).where(
        ConflictDeclaration.proposal_id == proposal_id, ConflictDeclaration.conflict.is_(True))).scalars())


def needs_substitutes(regular_ids: set[int], conflicted: set[int]) -> bool:
    """Substitutes review a proposal on which fewer than 3 regular members are free of conflicts."""
    return len(regular_ids - conflicted) < MIN_REVIEWS


def assigned(user, proposal) -> CommitteeMember | None:
    """The user's committee seat, if they must (or may) review this proposal."""
    if proposal.procedure.state not in REVIEWABLE_PROCEDURE_STATES or proposal.state not in EVALUATED_PROPOSAL_STATES:
        return None
    seat = membership(user, proposal.procedure_id)
    if seat is None:
        return None
    conflicted = conflicted_user_ids(proposal.id)
    if user.id in conflicted:
        return None
    if seat.substitute:
        regular = {m.user_id for m in members(proposal.procedure_id) if not m.substitute}
        if not needs_substitutes(regular, conflicted):
            return None
    return seat


def evaluator_can_view(user, proposal) -> bool:
    return user is not None and user.is_evaluator and assigned(user, proposal) is not None


def evaluator_condition(user, procedure):
    """SQL condition: the proposals of this call that this evaluator may see (for lists)."""
    if user is None or not user.is_evaluator or procedure.state not in REVIEWABLE_PROCEDURE_STATES:
        return None
    seat = membership(user, procedure.id)
    if seat is None:
        return None
    not_conflicted = ~sa.exists().where(ConflictDeclaration.proposal_id == Proposal.id,
                                        ConflictDeclaration.user_id == user.id,
                                        ConflictDeclaration.conflict.is_(True))
    cond = sa.and_(Proposal.state.in_(EVALUATED_PROPOSAL_STATES), not_conflicted)
    if seat.substitute:
        regular_ok = (sa.select(sa.func.count(CommitteeMember.id))
                      .where(CommitteeMember.procedure_id == procedure.id, CommitteeMember.substitute.is_(False),
                             ~sa.exists().where(ConflictDeclaration.proposal_id == Proposal.id,
                                                ConflictDeclaration.user_id == CommitteeMember.user_id,
                                                ConflictDeclaration.conflict.is_(True))
                             .correlate_except(ConflictDeclaration))
                      .correlate(Proposal).scalar_subquery())
        cond = sa.and_(cond, regular_ok < MIN_REVIEWS)
    return cond


def appoint(actor, procedure, data: dict) -> list[CommitteeMember]:
    """Replace the committee (CommitteeIn). Allowed in closed and admissibility; in evaluation, only replacing
    members without a final review, or adding substitutes."""
    require_admin(actor, procedure)
    body = parse(CommitteeIn, data)
    evaluators, substitutes = list(body.evaluators), list(body.substitutes or [])
    errors = {}
    if len(evaluators) < 3 or len(evaluators) % 2 == 0:
        errors["evaluators"] = "servono almeno 3 valutatori, in numero dispari"
    emails = evaluators + substitutes   # normalised and lower-cased by the Email type
    if len(set(emails)) != len(emails):
        errors["evaluators"] = "un valutatore compare più volte"
    users = {}
    for e in emails:
        u = get_user_by_email(e)
        if u is None or not u.is_evaluator:
            errors.setdefault("evaluators" if e in evaluators else "substitutes",
                              f"{e} non è un valutatore registrato")
        else:
            users[e] = u
    if errors:
        raise Invalid(errors)
    if procedure.state not in ("closed", "admissibility", "evaluation"):
        raise GuardFailed("la commissione si nomina dopo la scadenza, prima o durante la valutazione")
    applicant_orgs = set(db.session.execute(sa.select(Proposal.organization_id).where(
        Proposal.procedure_id == procedure.id, Proposal.state.notin_(("draft", "withdrawn")))).scalars())
    clashes = [u.email for u in users.values() if u.body_ids & applicant_orgs]
    if clashes:
        raise GuardFailed([f"{e} appartiene a un ente che ha presentato una proposta" for e in clashes])
    current = {m.user_id: m for m in members(procedure.id)}
    wanted = {users[e].id: False for e in evaluators}
    wanted.update({users[e].id: True for e in substitutes})
    if procedure.state == "evaluation":
        finals = set(db.session.execute(sa.select(Review.user_id).join(
            Proposal, Proposal.id == Review.proposal_id).where(Proposal.procedure_id == procedure.id,
                                                               Review.final.is_(True))).scalars())
        for uid, m in current.items():
            if (uid not in wanted or wanted[uid] != m.substitute) and uid in finals:
                raise GuardFailed("in valutazione si può sostituire solo un membro che non ha ancora "
                                  "concluso alcuna valutazione")
    for uid, m in current.items():
        if uid not in wanted:
            db.session.delete(m)
        else:
            m.substitute = wanted[uid]
    for uid, sub in wanted.items():
        if uid not in current:
            db.session.add(CommitteeMember(procedure_id=procedure.id, user_id=uid, substitute=sub))
    db.session.flush()
    newcomers = [u for u in users.values() if u.id not in current]
    for substitute in (False, True):
        notifications.notify([Recipient.of(u) for u in newcomers if wanted[u.id] is substitute],
                             lambda: _("Nomina nella commissione di valutazione: %(title)s",
                                       title=procedure.title[:200]),
                             lambda: appointment_text(procedure, substitute),
                             link=notifications.path("evaluation.queue"))
    audit.record(actor=actor, entity_type="procedure", entity_id=procedure.id, trigger="appoint_committee",
                 data={"evaluators": evaluators, "substitutes": substitutes})
    return members(procedure.id)


def appointment_text(procedure, substitute: bool) -> str:
    text = (_("Sei stato nominato membro supplente della commissione di valutazione dell'avviso «%(call)s».",
              call=procedure.title) if substitute else
            _("Sei stato nominato membro della commissione di valutazione dell'avviso «%(call)s».",
              call=procedure.title))
    then = (_("La valutazione è in corso: le proposte da valutare sono nella pagina «Valutazioni».")
            if procedure.state == "evaluation" else
            _("Riceverai un avviso quando la valutazione sarà avviata; le proposte da valutare saranno nella "
              "pagina «Valutazioni»."))
    return f"{text}\n\n{then}"


def on_evaluation_started(ctx) -> None:
    """Effect of `start_evaluation`: the committee's members are told that their proposals wait for them."""
    procedure = ctx.row
    regular = [m.user for m in members(procedure.id) if not m.substitute and m.user.active]
    notifications.notify([Recipient.of(u) for u in regular],
                         lambda: _("Valutazione aperta: %(title)s", title=procedure.title[:200]),
                         lambda: _("La valutazione delle proposte dell'avviso «%(call)s» è aperta: le proposte da "
                                   "valutare sono nella pagina «Valutazioni».", call=procedure.title),
                         link=notifications.path("evaluation.queue"), now=ctx.now)


def to_dict(procedure_id: int) -> dict:
    ms = members(procedure_id)
    return {"evaluators": [m.user.email for m in ms if not m.substitute],
            "substitutes": [m.user.email for m in ms if m.substitute]}
