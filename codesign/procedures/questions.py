"""Questions on a call and the clarifications it publishes (chiarimenti, FAQ). A signed-in applicant asks while
the call is published, until its question deadline (the call's own, else five days before the submission
deadline); the call's administration is told. The administration answers: the question (reworded if it must, so
that nobody is named) and the answer become a dated clarification, public on the call's page and in the API, and
the asker is told. The administration may also publish a clarification of its own. Every step audited."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from codesign.auth.models import User
from codesign.core import audit, notifications
from codesign.core.calendar import format_rome
from codesign.core.enums import Role
from codesign.core.errors import Forbidden, GuardFailed, NotFound
from codesign.core.notifications import Recipient
from codesign.core.schemas import parse
from codesign.db import count_rows, db, utcnow
from codesign.organizations.operations import notify_members
from codesign.procedures.models import CallQuestion, Procedure
from codesign.procedures.operations import is_admin_of, require_admin
from codesign.procedures.schemas import AnswerIn, ClarificationIn, QuestionIn

MAX_PENDING = 10  # unanswered questions one person may have on one call


def open_for_questions(proc: Procedure, now) -> bool:
    """Questions are taken while the call is published and its question deadline has not passed."""
    deadline = proc.question_deadline
    return proc.state == "published" and deadline is not None and now < deadline


def may_ask(user, proc: Procedure, now) -> bool:
    """Whether the page offers this person the question form (the same checks `ask` makes)."""
    return (user is not None and user.is_applicant and not is_admin_of(user, proc)
            and open_for_questions(proc, now))


def ask(actor, proc: Procedure, data: dict, *, now=None) -> CallQuestion:
    """An applicant asks; the call's administration is told, the question waits for its answer."""
    now = now or utcnow()
    if not actor.is_applicant or is_admin_of(actor, proc):
        raise Forbidden("le domande di chiarimento si inviano con un account di un ente")
    if not actor.email_verified:
        raise GuardFailed("conferma prima il tuo indirizzo e-mail (il link è nel messaggio ricevuto alla "
                          "registrazione), poi invia la domanda")
    if not open_for_questions(proc, now):
        if proc.state == "published" and proc.question_deadline is not None:
            raise GuardFailed("il termine per le domande di chiarimento è scaduto il "
                              f"{format_rome(proc.question_deadline)}")
        raise GuardFailed("le domande di chiarimento si inviano solo mentre l'avviso è aperto")
    text = parse(QuestionIn, data).question
    pending = count_rows(sa.select(CallQuestion.id).where(CallQuestion.procedure_id == proc.id,
                                                          CallQuestion.asked_by_id == actor.id,
                                                          CallQuestion.answered_at.is_(None)))
    if pending >= MAX_PENDING:
        raise GuardFailed(f"hai già {pending} domande in attesa di risposta su questo avviso: attendi le risposte")
    q = CallQuestion(procedure_id=proc.id, question=text, asked_by_id=actor.id, asked_at=now)
    db.session.add(q)
    db.session.flush()
    audit.record(actor=actor, entity_type="procedure", entity_id=proc.id, trigger="ask_question", at=now,
                 data={"question_id": q.id})
    notify_members(proc.administration_id, Role.admin,
                   lambda: _("Nuova domanda di chiarimento: %(title)s", title=proc.title),
                   lambda: _("%(person)s ha inviato una domanda sull'avviso «%(call)s»:", person=actor.name,
                             call=proc.title)
                   + f"\n\n{text}\n\n"
                   + _("Rispondi dalla pagina di gestione dell'avviso: la domanda e la risposta saranno pubblicate "
                       "tra i chiarimenti, senza il nome di chi l'ha posta."),
                   link=notifications.path("procedures.manage", procedure_id=proc.id, anchor="chiarimenti"))
    return q


def get(proc: Procedure, question_id: int) -> CallQuestion:
    q = db.session.get(CallQuestion, question_id)
    if q is None or q.procedure_id != proc.id:
        raise NotFound("domanda non trovata")
    return q


def answer(actor, proc: Procedure, q: CallQuestion, data: dict, *, now=None) -> CallQuestion:
    """The administration answers: published at once as a dated clarification; the asker is told."""
    require_admin(actor, proc)
    if q.answered_at is not None:
        raise GuardFailed("la domanda ha già una risposta pubblicata")
    now = now or utcnow()
    clean = parse(AnswerIn, data)
    text, reworded = clean.answer, clean.question
    original = q.question
    if reworded:
        q.question = reworded
    q.answer, q.answered_by_id, q.answered_at = text, actor.id, now
    db.session.flush()
    audit.record(actor=actor, entity_type="procedure", entity_id=proc.id, trigger="answer_question", at=now,
                 data={"question_id": q.id, "reworded": bool(reworded) and reworded != original,
                       "original": original if reworded and reworded != original else None})
    asker = db.session.get(User, q.asked_by_id) if q.asked_by_id is not None else None
    if asker is not None and asker.active:
        notifications.notify([Recipient.of(asker)],
                             lambda: _("Risposta alla tua domanda: %(title)s", title=proc.title),
                             lambda: _("L'amministrazione ha risposto alla tua domanda sull'avviso «%(call)s».",
                                       call=proc.title)
                             + "\n\n" + _("Domanda: %(text)s", text=q.question)
                             + "\n\n" + _("Risposta: %(text)s", text=text) + "\n\n"
                             + _("La risposta è pubblicata tra i chiarimenti dell'avviso, senza il tuo nome."),
                             link=notifications.path("procedures.public_detail", procedure_id=proc.id,
                                                     anchor="chiarimenti"))
    return q


def publish(actor, proc: Procedure, data: dict, *, now=None) -> CallQuestion:
    """A clarification the administration publishes of its own (an errata, a frequent doubt)."""
    require_admin(actor, proc)
    if proc.state in ("draft", "cancelled"):
        raise GuardFailed("i chiarimenti si pubblicano su un avviso pubblicato")
    now = now or utcnow()
    clean = parse(ClarificationIn, data)
    q = CallQuestion(procedure_id=proc.id, question=clean.question, asked_by_id=None, asked_at=now, answer=clean.answer,
                     answered_by_id=actor.id, answered_at=now)
    db.session.add(q)
    db.session.flush()
    audit.record(actor=actor, entity_type="procedure", entity_id=proc.id, trigger="publish_clarification", at=now,
                 data={"question_id": q.id})
    return q


def clarifications(proc: Procedure) -> list[CallQuestion]:
    """The published clarifications, oldest first (numbered in that order on the page)."""
    return list(db.session.execute(sa.select(CallQuestion).where(CallQuestion.procedure_id == proc.id,
                                                                 CallQuestion.answered_at.is_not(None))
                                   .order_by(CallQuestion.answered_at, CallQuestion.id)).scalars())


def pending(user, proc: Procedure) -> list[CallQuestion]:
    """The questions still waiting: all of them for the call's administration, one's own for an applicant."""
    q = sa.select(CallQuestion).where(CallQuestion.procedure_id == proc.id, CallQuestion.answered_at.is_(None))
    if user is None:
        return []
    if not is_admin_of(user, proc):
        q = q.where(CallQuestion.asked_by_id == user.id)
    return list(db.session.execute(q.order_by(CallQuestion.id)).scalars())


def to_dict(q: CallQuestion, *, for_admin: bool = False) -> dict:
    out = {"id": q.id, "question": q.question, "asked_at": q.asked_at.isoformat(), "answer": q.answer,
           "answered_at": q.answered_at.isoformat() if q.answered_at else None}
    if for_admin:
        out["asked_by_id"] = q.asked_by_id
    return out
