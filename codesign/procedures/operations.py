"""Service functions for calls: the only code that creates or changes procedures."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from flask_babel import gettext as _

from codesign.core import audit, files
from codesign.core.calendar import format_rome
from codesign.core.errors import Forbidden, GuardFailed, Invalid, NotFound
from codesign.core.schemas import parse
from codesign.db import count_rows, db, utcnow
from codesign.organizations.models import Organization
from codesign.procedures import audience
from codesign.procedures.models import CallDocument, CallNotice, Criterion, Lot, Procedure
from codesign.procedures.schemas import DeadlineIn, parse_call
from codesign.procedures.workflow import workflow

PUBLIC_STATES = tuple(s for s in workflow.states if s != "draft")


def _administration_for(actor, name: str | None):
    ids = actor.administration_ids
    if not ids:
        raise Forbidden("solo un amministratore può creare un avviso")
    orgs = db.session.execute(sa.select(Organization).where(Organization.id.in_(ids))).scalars().all()
    if name is None:
        return sorted(orgs, key=lambda o: o.id)[0]
    for org in orgs:
        if org.name == name:
            return org
    raise Invalid({"administration": "deve essere l'amministrazione per cui lavori"})


def _apply(proc: Procedure, clean: dict) -> None:
    for name, value in clean.items():
        if name not in ("administration", "lots", "criteria"):
            setattr(proc, name, value)
    # Lists replace the old rows: delete them first (flushed), so that reused codes do not collide.
    if "lots" in clean:
        proc.lots.clear()
        db.session.flush()
        proc.lots = [Lot(position=i, **lot) for i, lot in enumerate(clean["lots"])]
    if "criteria" in clean:
        proc.criteria.clear()
        db.session.flush()
        proc.criteria = [Criterion(position=i, **c) for i, c in enumerate(clean["criteria"])]


def create_procedure(actor, data: dict) -> Procedure:
    clean = parse_call(data, partial=False)
    administration = _administration_for(actor, clean.get("administration"))
    proc = Procedure(administration=administration, administration_id=administration.id, state="draft",
                     created_by_id=actor.id, funding_sources=[], declarations=[], required_attachments=[],
                     indicators=[], rescale=False)
    _apply(proc, clean)
    db.session.add(proc)
    db.session.flush()
    audit.record(actor=actor, entity_type="procedure", entity_id=proc.id, trigger="create", to_state="draft")
    return proc


def update_procedure(actor, proc: Procedure, data: dict, *, now: dt.datetime | None = None) -> Procedure:
    """In draft, any field; once published, only a later deadline, before the current one passes."""
    require_admin(actor, proc)
    now = now or utcnow()
    if proc.state == "draft":
        clean = parse_call(data, partial=True)
        if clean.get("administration") not in (None, proc.administration.name):
            raise Invalid({"administration": "l'amministrazione di un avviso non si cambia"})
        _apply(proc, clean)
        db.session.flush()
        audit.record(actor=actor, entity_type="procedure", entity_id=proc.id, trigger="update",
                     data={"fields": sorted(clean)})
        return proc
    if set(data) - {"submission_deadline"} or "submission_deadline" not in data:
        raise GuardFailed("dopo la pubblicazione si può modificare solo la scadenza (proroga)")
    if proc.state != "published":
        raise GuardFailed("la scadenza si può prorogare solo mentre l'avviso è pubblicato")
    new = parse(DeadlineIn, data).submission_deadline
    if proc.deadline_passed(now):
        raise GuardFailed("la scadenza è già passata: non si può più prorogare")
    if new <= proc.submission_deadline:
        raise GuardFailed("la nuova scadenza deve essere successiva a quella attuale (solo proroga)")
    old = proc.submission_deadline
    proc.submission_deadline = new
    db.session.add(CallNotice(procedure_id=proc.id, kind="extension", previous_deadline=old, new_deadline=new,
                              published_at=now, published_by_id=actor.id))   # dated on the call's page
    db.session.flush()
    audit.record(actor=actor, entity_type="procedure", entity_id=proc.id, trigger="extend_deadline",
                 data={"from": old.isoformat(), "to": new.isoformat()})
    audience.tell(proc, lambda: _("Scadenza prorogata: %(title)s", title=proc.title[:200]),
                  lambda: _("La scadenza dell'avviso «%(call)s» è prorogata dal %(old)s al %(new)s (ora italiana).",
                            call=proc.title, old=format_rome(old), new=format_rome(new)), now=now)
    return proc


def delete_draft(actor, proc: Procedure) -> None:
    """An admin deletes a call never published, with its lots, criteria and documents; the audit keeps that it
    existed. A published call stays on file (it may be revoked, not deleted)."""
    require_admin(actor, proc)
    if proc.state != "draft":
        raise GuardFailed("un avviso pubblicato resta agli atti: non si elimina, si può revocare in autotutela")
    audit.record(actor=actor, entity_type="procedure", entity_id=proc.id, trigger="delete_draft",
                 data={"title": proc.title, "administration_id": proc.administration_id})
    digests = [d.sha256 for d in db.session.execute(sa.select(CallDocument).where(
        CallDocument.procedure_id == proc.id)).scalars()]
    db.session.execute(sa.delete(CallDocument).where(CallDocument.procedure_id == proc.id))
    db.session.delete(proc)
    db.session.flush()
    files.release(*digests)


# The proposals module, above this one, tells how many proposals each call holds per state (the pages show
# it): registered at init_app, so that this module never imports it.
_COUNTERS: list = []


def register_proposal_counter(counter) -> None:
    """counter(procedure_ids) -> {procedure_id: [(state, label, count), …]} in the proposal machine's order."""
    _COUNTERS[:] = [counter]


def proposal_counts(procedure_ids) -> dict[int, list[tuple[str, str, int]]]:
    return _COUNTERS[0](list(procedure_ids)) if _COUNTERS else {}


def is_admin_of(user, proc: Procedure) -> bool:
    return user is not None and proc.administration_id in user.administration_ids


def require_admin(user, proc: Procedure) -> None:
    if not is_admin_of(user, proc):
        raise Forbidden("solo un amministratore dell'ente che ha pubblicato l'avviso può farlo")


def can_view(user, proc: Procedure) -> bool:
    return proc.state != "draft" or is_admin_of(user, proc)


def get_visible(user, procedure_id: int, *, for_update: bool = False) -> Procedure:
    q = sa.select(Procedure).where(Procedure.id == procedure_id)
    if for_update:
        q = q.with_for_update(of=Procedure)
    proc = db.session.execute(q).unique().scalar_one_or_none()
    if proc is None or not can_view(user, proc):
        raise NotFound("avviso non trovato")
    return proc


def get_for_admin(user, procedure_id: int, *, for_update: bool = False) -> Procedure:
    """A call of one of the user's administrations; for anyone else 404 (its existence is not told)."""
    q = visible_query(user, admin_only=True).where(Procedure.id == procedure_id)
    if for_update:
        q = q.with_for_update(of=Procedure)  # not the outer-joined administration (PostgreSQL refuses that)
    proc = db.session.execute(q).unique().scalar_one_or_none()
    if proc is None:
        raise NotFound("avviso non trovato")
    return proc


def visible_query(user, *, admin_only: bool = False):
    """Public calls (anything but drafts) and the caller's administrations' drafts."""
    admin_ids = user.administration_ids if user is not None else set()
    if admin_only:
        return sa.select(Procedure).where(Procedure.administration_id.in_(admin_ids or {-1}))
    cond = Procedure.state != "draft"
    if admin_ids:
        cond = sa.or_(cond, Procedure.administration_id.in_(admin_ids))
    return sa.select(Procedure).where(cond)


def list_visible(user, *, limit=100, offset=0, admin_only=False, states=None) -> tuple[list[Procedure], int]:
    q = visible_query(user, admin_only=admin_only)
    if states:
        q = q.where(Procedure.state.in_(states))
    total = count_rows(q)
    rows = db.session.execute(q.order_by(Procedure.submission_deadline.desc().nulls_last(), Procedure.id.desc())
                              .limit(limit).offset(offset)).unique().scalars().all()
    return list(rows), total


def _s(d):
    """Points and percentages: plain decimal strings with two decimals."""
    return None if d is None else f"{d:.2f}"


def to_dict(proc: Procedure, user=None, *, now=None) -> dict:
    return {
        "id": proc.id,
        "state": proc.state,
        "state_label": workflow.states[proc.state],
        "allowed_triggers": workflow.allowed_triggers(proc, user, now=now),
        "title": proc.title,
        "programme": proc.programme,
        "administration": proc.administration.name,
        "administration_id": proc.administration_id,
        "cup": proc.cup,
        "rup": proc.rup,
        "office": proc.office,
        "contact_email": proc.contact_email,
        "contact_phone": proc.contact_phone,
        "questions_until": proc.questions_until.isoformat() if proc.questions_until else None,
        "question_deadline": proc.question_deadline.isoformat() if proc.question_deadline else None,
        "act_ref": proc.act_ref,
        "min_publication_days": proc.min_publication_days,
        "budget_total": None if proc.budget_total is None else f"{proc.budget_total:.2f}",
        "funding_sources": proc.funding_sources or [],
        "cofinancing_min_pct": _s(proc.cofinancing_min_pct),
        "submission_deadline": proc.submission_deadline.isoformat() if proc.submission_deadline else None,
        "codesign_months": proc.codesign_months,
        "startup_months": proc.startup_months,
        "monitoring_months": proc.monitoring_months,
        "reporting_every_months": proc.reporting_every_months,
        "scoring": proc.scoring,
        "rescale": proc.rescale,
        "threshold": _s(proc.threshold),
        "tie_break_criterion": proc.tie_break_criterion,
        "declarations": proc.declarations or [],
        "required_attachments": proc.required_attachments or [],
        "indicators": proc.indicators or [],
        "lots": [{"code": lot.code, "title": lot.title, "budget": f"{lot.budget:.2f}"} for lot in proc.lots],
        "criteria": [{"code": c.code, "title": c.title, "max_points": _s(c.max_points),
                      "min_points": _s(c.min_points)} for c in proc.criteria],
        "published_at": proc.published_at.isoformat() if proc.published_at else None,
        "cancel_reason": proc.cancel_reason,
    }
