"""Service functions of the funding opportunities: write one (admins), read the open ones, and match them to a
municipality exactly as DOMAIN.md says — open (opening <= today <= deadline, in Rome), open to municipalities or
partnerships, covering the municipality, sharing at least one theme with its projects (themes compare ignoring
case and accents) — ordered by deadline, each match explained."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from codesign.core import audit, territory
from codesign.core.calendar import rome_today
from codesign.core.enums import N_
from codesign.core.errors import Invalid, NotFound
from codesign.core.schemas import money_text, parse
from codesign.db import db, utcnow
from codesign.observatory import operations as observatory
from codesign.opportunities.models import APPLICANTS, FUNDER_LEVELS, Opportunity
from codesign.opportunities.schemas import OpportunityIn

LEVEL_LABELS = {"eu": N_("Unione europea"), "national": N_("Nazionale"), "regional": N_("Regionale"),
                "foundation": N_("Fondazione")}
APPLICANT_LABELS = {"municipality": N_("Comuni"), "ets": N_("Enti del Terzo settore"),
                    "partnership": N_("Partenariati")}
FOR_MUNICIPALITIES = ("municipality", "partnership")


def create(actor, data: dict, *, now=None) -> Opportunity:
    """A new opportunity (admin): 422 per field, nothing stored, when the body or its dates do not hold."""
    now = now or utcnow()
    observatory.require_admin(actor)
    clean = parse(OpportunityIn, data)
    if clean.deadline < clean.opens_on:
        raise Invalid({"deadline": "la scadenza non può precedere l'apertura"})
    opportunity = Opportunity(
        title=clean.title, funder_level=clean.funder_level, funder=clean.funder, programme=clean.programme,
        link=clean.link, eligible=list(clean.eligible), themes=list(clean.themes),
        territory=None if clean.territory == "all" else list(clean.territory), budget=clean.budget,
        max_grant=clean.max_grant, cofinancing_min_pct=clean.cofinancing_min_pct, opens_on=clean.opens_on,
        deadline=clean.deadline, administration_id=min(actor.administration_ids, default=None),
        created_by_id=actor.id, created_at=now, updated_at=now)
    db.session.add(opportunity)
    db.session.flush()
    audit.record(actor=actor, entity_type="opportunity", entity_id=opportunity.id, trigger="create_opportunity",
                 data={"title": clean.title, "deadline": clean.deadline.isoformat()}, at=now)
    return opportunity


def get(opportunity_id: int) -> Opportunity:
    o = db.session.get(Opportunity, opportunity_id)
    if o is None:
        raise NotFound("bando non trovato")
    return o


def is_open(o: Opportunity, today: dt.date) -> bool:
    return o.opens_on <= today <= o.deadline


def _folded(values) -> set[str]:
    return {territory.fold(v) for v in values or () if v}


def list_open(*, today: dt.date | None = None, municipality: str | None = None, theme: str | None = None,
              eligible: str | None = None, funder_level: str | None = None) -> list[dict]:
    """The open opportunities by deadline; with `municipality`, only those that match it, each with why."""
    today = today or rome_today(utcnow())
    rows = db.session.execute(sa.select(Opportunity).where(Opportunity.opens_on <= today, Opportunity.deadline >= today)
                              .order_by(Opportunity.deadline, Opportunity.id)).scalars().all()
    if eligible is not None:
        rows = [o for o in rows if eligible in (o.eligible or [])]
    if funder_level is not None:
        rows = [o for o in rows if o.funder_level == funder_level]
    if theme is not None:
        rows = [o for o in rows if territory.fold(theme) in _folded(o.themes)]
    if municipality is None:
        return [to_dict(o, today) for o in rows]
    code = territory.resolve(municipality)
    if code is None:
        return []
    project_themes = _folded(observatory.themes_of(code))
    out = []
    for o in rows:
        why = match(o, code, project_themes)
        if why is not None:
            out.append(to_dict(o, today) | {"match": why})
    return out


def match(o: Opportunity, code: str, project_themes: set[str]) -> dict | None:
    """Why `o` suits the municipality `code` whose projects have these (folded) themes, or None."""
    applicants = [a for a in FOR_MUNICIPALITIES if a in (o.eligible or [])]
    if not applicants or (o.territory is not None and code not in o.territory):
        return None
    shared = [t for t in o.themes or [] if territory.fold(t) in project_themes]
    if not shared:
        return None
    reasons = [("temi in comune: " if len(shared) > 1 else "tema in comune: ") + ", ".join(shared)]
    reasons += ["aperto ai comuni" if a == "municipality" else "aperto ai partenariati" for a in applicants]
    return {"themes": shared, "eligible": applicants, "reasons": "; ".join(reasons)}


def to_dict(o: Opportunity, today: dt.date | None = None) -> dict:
    today = today or rome_today(utcnow())
    return {
        "id": o.id, "title": o.title, "funder_level": o.funder_level, "funder": o.funder, "programme": o.programme,
        "link": o.link, "eligible": [a for a in APPLICANTS if a in (o.eligible or [])], "themes": list(o.themes or []),
        "territory": "all" if o.territory is None else list(o.territory),
        "budget": money_text(o.budget), "max_grant": money_text(o.max_grant),
        "cofinancing_min_pct": None if o.cofinancing_min_pct is None else f"{Decimal(o.cofinancing_min_pct):.2f}",
        "opens_on": o.opens_on.isoformat(), "deadline": o.deadline.isoformat(),
        "open": is_open(o, today), "days_left": (o.deadline - today).days if o.deadline >= today else None,
    }


def facets() -> dict:
    """The themes of the open opportunities (for the list's filter)."""
    today = rome_today(utcnow())
    lists = db.session.execute(sa.select(Opportunity.themes).where(Opportunity.opens_on <= today,
                                                                   Opportunity.deadline >= today)).scalars().all()
    themes = {}
    for labels in lists:
        for t in labels or []:
            themes.setdefault(territory.fold(t), t)
    return {"themes": sorted(themes.values(), key=territory.fold), "levels": FUNDER_LEVELS,
            "applicants": APPLICANTS}
