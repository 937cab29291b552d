"""Service functions of the funding opportunities: write one (admins), read the open ones, and match them to a
municipality exactly as DOMAIN.md says — open (opening <= today <= deadline, in Rome), open to municipalities or
partnerships, covering the municipality, sharing at least one theme with its projects (themes compare ignoring
case and accents) — ordered by deadline, each match explained. A Third Sector body is matched the same way: open
to bodies or partnerships, covering its seat or a municipality of its projects, sharing a theme with its projects
or with the projects of the calls it answered. Signed-in people follow an opportunity and are reminded by mail
15 and 3 days before its deadline (`codesign tick`), once each."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.exc import IntegrityError

from codesign.auth.models import User
from codesign.core import audit, notifications, territory
from codesign.core.calendar import rome_today
from codesign.core.enums import N_, OrgKind, Role
from codesign.core.errors import Conflict, Invalid, NotFound, Unauthorized
from codesign.core.notifications import Recipient
from codesign.core.schemas import money_text, parse
from codesign.db import db, utcnow
from codesign.observatory import operations as observatory
from codesign.observatory.models import Project
from codesign.opportunities.models import APPLICANTS, FUNDER_LEVELS, Application, Follow, Notice, Opportunity
from codesign.opportunities.schemas import ApplicationIn, NoticeIn, OpportunityIn
from codesign.opportunities.workflow import workflow as application_workflow
from codesign.organizations.models import Organization
from codesign.organizations.operations import recipients
from codesign.proposals.models import Proposal

LEVEL_LABELS = {"eu": N_("Unione europea"), "national": N_("Nazionale"), "regional": N_("Regionale"),
                "foundation": N_("Fondazione")}
APPLICANT_LABELS = {"municipality": N_("Comuni"), "ets": N_("Enti del Terzo settore"),
                    "partnership": N_("Partenariati")}
FOR_MUNICIPALITIES = ("municipality", "partnership")
FOR_BODIES = ("ets", "partnership")
OPEN_TO = {"municipality": "aperto ai comuni", "ets": "aperto agli enti del Terzo settore",
           "partnership": "aperto ai partenariati"}


def create(actor, data: dict, *, now=None) -> Opportunity:
    """A new opportunity (admin): 422 per field, nothing stored, when the body or its dates do not hold."""
    now = now or utcnow()
    observatory.require_admin(actor)
    clean = parse(OpportunityIn, data)
    if clean.deadline < clean.opens_on:
        raise Invalid({"deadline": "la scadenza non può precedere l'apertura"})
    opportunity = new_opportunity(actor, values_of(clean), now=now)
    db.session.flush()
    audit.record(actor=actor, entity_type="opportunity", entity_id=opportunity.id, trigger="create_opportunity",
                 data={"title": clean.title, "deadline": clean.deadline.isoformat()}, at=now)
    return opportunity


def update(actor, o: Opportunity, data: dict, *, now=None) -> Opportunity:
    """Change the fields sent (admin): the call as it would then be is checked as a new one is (422 per field,
    nothing stored); the followers' reminders follow the new deadline."""
    now = now or utcnow()
    observatory.require_admin(actor)
    if not isinstance(data, dict):
        raise Invalid({"body": "atteso un oggetto JSON"})
    current = {k: v for k, v in to_dict(o).items() if k in OpportunityIn.model_fields}
    clean = parse(OpportunityIn, current | data)
    if clean.deadline < clean.opens_on:
        raise Invalid({"deadline": "la scadenza non può precedere l'apertura"})
    changed = {k: v for k, v in values_of(clean).items() if getattr(o, k) != v}
    for k, v in changed.items():
        setattr(o, k, v)
    if changed:
        o.updated_at = now
        if "deadline" in changed:   # a new deadline: its reminders are still ahead
            db.session.execute(sa.update(Follow).where(Follow.opportunity_id == o.id)
                               .values(reminded_15_at=None, reminded_3_at=None))
        audit.record(actor=actor, entity_type="opportunity", entity_id=o.id, trigger="edit_opportunity",
                     data={"fields": sorted(changed)}, at=now)
    return o


def values_of(clean: OpportunityIn) -> dict:
    """The stored columns of a checked opportunity."""
    return {"title": clean.title, "funder_level": clean.funder_level, "funder": clean.funder,
            "programme": clean.programme, "link": clean.link, "eligible": list(clean.eligible),
            "themes": list(clean.themes), "territory": None if clean.territory == "all" else list(clean.territory),
            "budget": clean.budget, "max_grant": clean.max_grant, "cofinancing_min_pct": clean.cofinancing_min_pct,
            "opens_on": clean.opens_on, "deadline": clean.deadline}


def new_opportunity(actor, values: dict, *, now) -> Opportunity:
    o = Opportunity(**values, administration_id=min(actor.administration_ids, default=None), created_by_id=actor.id,
                    created_at=now, updated_at=now)
    db.session.add(o)
    return o


def get(opportunity_id: int) -> Opportunity:
    o = db.session.get(Opportunity, opportunity_id)
    if o is None:
        raise NotFound("bando non trovato")
    return o


def is_open(o: Opportunity, today: dt.date) -> bool:
    return o.opens_on <= today <= o.deadline


def _folded(values) -> set[str]:
    return {territory.fold(v) for v in values or () if v}


def _open(today: dt.date):
    """The calls open on `today` (opening <= today <= deadline), by deadline."""
    return (sa.select(Opportunity).where(Opportunity.opens_on <= today, Opportunity.deadline >= today)
            .order_by(Opportunity.deadline, Opportunity.id))


def list_open(*, today: dt.date | None = None, municipality: str | None = None, theme: str | None = None,
              eligible: str | None = None, funder_level: str | None = None, organization: int | None = None,
              actor=None) -> list[dict]:
    """The open opportunities by deadline; with `municipality`, only those that match it, each with why; with
    `organization`, those that match that Third Sector body (its members and admins only)."""
    today = today or rome_today(utcnow())
    rows = db.session.execute(_open(today)).scalars().all()
    if eligible is not None:
        rows = [o for o in rows if eligible in (o.eligible or [])]
    if funder_level is not None:
        rows = [o for o in rows if o.funder_level == funder_level]
    if theme is not None:
        rows = [o for o in rows if territory.fold(theme) in _folded(o.themes)]
    if organization is not None:
        places, themes = body_profile(readable_body(actor, organization))
        return _matched(rows, FOR_BODIES, places, themes, today)
    if municipality is None:
        return [to_dict(o, today) for o in rows]
    code = territory.resolve(municipality)
    if code is None:
        return []
    return _matched(rows, FOR_MUNICIPALITIES, {code}, _folded(observatory.themes_of(code)), today)


def _matched(rows, applicants, places: set[str], themes: set[str], today: dt.date) -> list[dict]:
    out = []
    for o in rows:
        why = match(o, applicants, places, themes)
        if why is not None:
            out.append(to_dict(o, today) | {"match": why})
    return out


def match(o: Opportunity, applicants_for: tuple[str, ...], places: set[str], themes: set[str]) -> dict | None:
    """Why `o` suits a municipality (`applicants_for` FOR_MUNICIPALITIES, `places` its code) or a body (FOR_BODIES,
    its seat and its projects' municipalities) whose projects have these (folded) themes, or None."""
    applicants = [a for a in applicants_for if a in (o.eligible or [])]
    if not applicants or (o.territory is not None and not places & set(o.territory)):
        return None
    shared = [t for t in o.themes or [] if territory.fold(t) in themes]
    if not shared:
        return None
    reasons = [("temi in comune: " if len(shared) > 1 else "tema in comune: ") + ", ".join(shared)]
    reasons += [OPEN_TO[a] for a in applicants]
    return {"themes": shared, "eligible": applicants, "reasons": "; ".join(reasons)}


def readable_body(actor, organization_id: int) -> Organization:
    """The body whose matches `actor` may read: its members' and the admins' (the calls it answered are not
    public)."""
    if actor is None:
        raise Unauthorized("Autenticazione richiesta")
    body = db.session.get(Organization, organization_id)
    if body is None or not (actor.is_admin or organization_id in actor.body_ids):
        raise NotFound("ente non trovato tra i tuoi")
    return body


def body_profile(body: Organization) -> tuple[set[str], set[str]]:
    """Where a body works and on what (two queries): its seat and its projects' municipalities; the (folded)
    themes of its projects of either origin (its proposals' that reached an agreement, the external ones with its
    tax code as beneficiary) and of the projects of the calls its proposals answered."""
    own = sa.select(Proposal.id).where(Proposal.organization_id == body.id)
    answered = sa.select(Proposal.id).where(Proposal.procedure_id.in_(
        sa.select(Proposal.procedure_id).where(Proposal.organization_id == body.id)))
    mine = Project.proposal_id.in_(own)
    if body.tax_code:
        mine = sa.or_(mine, sa.and_(Project.origin == "external", Project.beneficiary_tax_code == body.tax_code))
    rows = db.session.execute(sa.select(Project.municipality, Project.theme, mine.label("mine"))
                              .where(sa.or_(mine, Project.proposal_id.in_(answered)))).all()
    places = {m for m, _theme, is_mine in rows if m and is_mine}
    seat = territory.resolve(body.municipality)
    if seat:
        places.add(seat)
    return places, _folded(theme for _m, theme, _mine in rows)


def for_user(user, *, today: dt.date | None = None) -> list[dict]:
    """The open opportunities matching any of the user's bodies, by deadline, each with the bodies it suits."""
    today = today or rome_today(utcnow())
    bodies = db.session.execute(sa.select(Organization).where(Organization.id.in_(user.body_ids))
                                .order_by(Organization.name)).scalars().all()
    if not bodies:
        return []
    rows = db.session.execute(_open(today)).scalars().all()
    out: dict[int, dict] = {}
    for body in bodies:
        for row in _matched(rows, FOR_BODIES, *body_profile(body), today):
            out.setdefault(row["id"], row | {"bodies": []})["bodies"].append(body.name)
    return sorted(out.values(), key=lambda r: (r["deadline"], r["id"]))


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
    lists = db.session.execute(_open(rome_today(utcnow())).with_only_columns(Opportunity.themes)).scalars().all()
    themes = {}
    for labels in lists:
        for t in labels or []:
            themes.setdefault(territory.fold(t), t)
    return {"themes": sorted(themes.values(), key=territory.fold), "levels": FUNDER_LEVELS,
            "applicants": APPLICANTS}


# --- following an opportunity -------------------------------------------------------------------------------------
def _is_signed_in(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def _signed_in(actor) -> None:
    if not _is_signed_in(actor):
        raise Unauthorized("Autenticazione richiesta: accedi per seguire un bando")


def follow(actor, o: Opportunity, *, now=None) -> tuple[Follow, bool]:
    """`actor` follows `o` (any signed-in person), until its deadline: (the follow, whether it is new). Following
    twice changes nothing; an expired opportunity is refused (409)."""
    now = now or utcnow()
    _signed_in(actor)
    if o.deadline < rome_today(now):
        raise Conflict("il bando è scaduto: non si può più seguire")
    existing = following(actor, o)
    if existing is not None:
        return existing, False
    f = Follow(opportunity_id=o.id, user_id=actor.id, created_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(f)
    except IntegrityError:  # the same person in another tab, a moment earlier
        return following(actor, o), False
    return f, True


def unfollow(actor, o: Opportunity) -> bool:
    """`actor` stops following `o` (no more reminders): whether they were following it."""
    _signed_in(actor)
    done = db.session.execute(sa.delete(Follow).where(Follow.opportunity_id == o.id, Follow.user_id == actor.id))
    return bool(done.rowcount)


def following(actor, o: Opportunity) -> Follow | None:
    if not _is_signed_in(actor):
        return None
    return db.session.execute(sa.select(Follow).where(Follow.opportunity_id == o.id, Follow.user_id == actor.id)
                              ).scalar_one_or_none()


def followed_ids(actor) -> set[int]:
    """The ids of the opportunities `actor` follows (one query; empty when not signed in)."""
    if not _is_signed_in(actor):
        return set()
    return set(db.session.execute(sa.select(Follow.opportunity_id).where(Follow.user_id == actor.id)).scalars())


def followed_by(user) -> list[Opportunity]:
    """The opportunities `user` follows, expired ones included, by deadline (one query)."""
    return list(db.session.execute(sa.select(Opportunity).join(Follow, Follow.opportunity_id == Opportunity.id)
                                   .where(Follow.user_id == user.id)
                                   .order_by(Opportunity.deadline, Opportunity.id)).scalars())


def follow_dict(f: Follow, today: dt.date | None = None) -> dict:
    return {"opportunity": to_dict(f.opportunity, today), "following": True, "since": f.created_at.isoformat(),
            "reminded": {"15": f.reminded_15_at.isoformat() if f.reminded_15_at else None,
                         "3": f.reminded_3_at.isoformat() if f.reminded_3_at else None}}


# --- reminders (codesign tick) --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reminder:
    """A reminder to the followers of an opportunity, sent once while its days left are within [fewest, most]: a
    tick missed for a day still sends it, late but once; a follow begun after the window gets only the next."""

    column: str
    most: int
    fewest: int


REMINDERS = (Reminder("reminded_15_at", 15, 4), Reminder("reminded_3_at", 3, 0))


def remind_followers(now: dt.datetime) -> list[str]:
    """Mail each active follower of an open opportunity 15 and 3 days before its deadline, once each: the
    follow's column is set by a conditional UPDATE that only one tick can win, in the transaction that queues
    the mail."""
    today = rome_today(now)
    done = []
    for reminder in REMINDERS:
        column = getattr(Follow, reminder.column)
        rows = db.session.execute(
            sa.select(Follow.id, Opportunity, User.id, User.email, User.locale)
            .join(Opportunity, Opportunity.id == Follow.opportunity_id)
            .join(User, User.id == Follow.user_id)
            .where(column.is_(None), User.active.is_(True),
                   Opportunity.deadline <= today + dt.timedelta(days=reminder.most),
                   Opportunity.deadline >= today + dt.timedelta(days=reminder.fewest))
            .order_by(Opportunity.deadline, Follow.id)).all()
        for follow_id, o, user_id, email, locale in rows:
            won = db.session.execute(sa.update(Follow).where(Follow.id == follow_id, column.is_(None))
                                     .values({reminder.column: now}))
            if not won.rowcount:
                continue
            days = (o.deadline - today).days
            notifications.notify([Recipient(user_id, email, locale)],
                                 lambda: _("Promemoria: il bando «%(title)s» scade il %(day)s", title=o.title[:200],
                                           day=o.deadline.strftime("%d/%m/%Y")),
                                 lambda: reminder_text(o, days), now=now,
                                 link=notifications.path("opportunities.detail", opportunity_id=o.id))
            done.append(f"promemoria a {days} giorni dalla scadenza del bando {o.id} per {email}")
        db.session.commit()
    return done


def reminder_text(o: Opportunity, days: int) -> str:
    """A follower's reminder, in the language in force; the notification adds the link to the call's page in
    codesign."""
    when = _("oggi è l'ultimo giorno") if days == 0 else ngettext("manca %(num)s giorno", "mancano %(num)s giorni",
                                                                  days)
    return "\n".join((
        _("Segui il bando «%(title)s» (%(funder)s, %(programme)s).", title=o.title, funder=o.funder,
          programme=o.programme),
        _("Scade il %(day)s: %(when)s.", day=o.deadline.strftime("%d/%m/%Y"), when=when), "",
        _("Il bando sul sito del finanziatore: %(link)s", link=o.link), "",
        _("Per non ricevere altri promemoria, smetti di seguirlo dalla scheda del bando in codesign:")))


# --- applications: who answers an opportunity, and with whom ------------------------------------------------------
LEAD_KINDS = {"municipality": ("municipality", "partnership"), "organization": ("ets", "partnership")}


def _party_key(party) -> tuple[str, object]:
    """What tells one party from another: a municipality's code or a body's id (of a request's party or a stored
    notice)."""
    return ("municipality", party.municipality) if party.municipality else ("organization", party.organization_id)


def record_application(actor, o: Opportunity, data: dict, *, now=None) -> Application:
    """The office records who applies to `o` (admin): a lead and partners, municipalities of the territory and
    registered bodies, each once; a lead the opportunity is not open to, or a municipality outside its territory,
    is refused (422 per field), nothing stored."""
    now = now or utcnow()
    observatory.require_admin(actor)
    clean = parse(ApplicationIn, data)
    errors = _known_bodies([("lead", clean.lead)] + [(f"partners.{n}", p) for n, p in enumerate(clean.partners)])
    kind = _party_key(clean.lead)[0]
    if not any(a in (o.eligible or []) for a in LEAD_KINDS[kind]):
        errors.setdefault("lead", "il bando non è aperto a " + ("comuni" if kind == "municipality" else "enti") +
                          " come capofila")
    if clean.lead.municipality and o.territory is not None and clean.lead.municipality not in o.territory:
        errors.setdefault("lead.municipality", "il comune non è nel territorio del bando")
    if errors:
        raise Invalid(errors)
    a = Application(opportunity_id=o.id, title=clean.title, lead_municipality=clean.lead.municipality,
                    lead_organization_id=clean.lead.organization_id,
                    partner_municipalities=[p.municipality for p in clean.partners if p.municipality],
                    partner_organization_ids=[p.organization_id for p in clean.partners if p.organization_id],
                    requested_amount=clean.requested_amount, note=clean.note or None, state="interested",
                    created_by_id=actor.id, created_at=now, updated_at=now)
    db.session.add(a)
    db.session.flush()
    audit.record(actor=actor, entity_type="application", entity_id=a.id, trigger="record_application",
                 data={"opportunity_id": o.id, "title": clean.title}, at=now)
    return a


def get_application(actor, application_id: int) -> Application:
    """An application, for the office (admins): 401 without a caller, 404 for everyone else."""
    if actor is None:
        raise Unauthorized("Autenticazione richiesta")
    a = db.session.get(Application, application_id)
    if a is None or not actor.is_admin:
        raise NotFound("candidatura non trovata")
    return a


def application_of_project(project_id: int) -> Application | None:
    """The funded application that became this external project, if any."""
    return db.session.execute(sa.select(Application).where(Application.project_id == project_id)).scalar_one_or_none()


def applications_of(actor, o: Opportunity) -> list[Application]:
    """The applications to `o`, oldest first (admins; one query)."""
    observatory.require_admin(actor)
    return list(db.session.execute(sa.select(Application).where(Application.opportunity_id == o.id)
                                   .order_by(Application.id)).scalars())


def body_names(rows) -> dict[int, str]:
    """The names of the bodies that these applications or notices name (one query, which also loads the bodies
    into the session for the machine's guards)."""
    ids = {i for r in rows for i in [getattr(r, "lead_organization_id", None), getattr(r, "organization_id", None),
                                      *(getattr(r, "partner_organization_ids", None) or [])] if i}
    if not ids:
        return {}
    return {b.id: b.name for b in db.session.execute(sa.select(Organization).where(Organization.id.in_(ids))).scalars()}


def _party(municipality: str | None, organization_id: int | None, names: dict) -> dict:
    if municipality:
        return {"municipality": municipality, "name": territory.name_of(municipality)}
    return {"organization_id": organization_id, "name": names.get(organization_id)}


def application_dict(a: Application, names: dict | None = None) -> dict:
    names = body_names([a]) if names is None else names
    return {
        "id": a.id, "opportunity_id": a.opportunity_id, "title": a.title, "state": a.state,
        "lead": _party(a.lead_municipality, a.lead_organization_id, names),
        "partners": [_party(m, None, names) for m in a.partner_municipalities or []]
        + [_party(None, i, names) for i in a.partner_organization_ids or []],
        "requested_amount": money_text(a.requested_amount), "note": a.note, "project_id": a.project_id,
        "created_at": a.created_at.isoformat(), "updated_at": a.updated_at.isoformat(),
    }


def outcome(applications: list[Application]) -> dict:
    """What the office sees of an opportunity: how many applied, and how many in each state."""
    by_state = {s: 0 for s in application_workflow.states}
    for a in applications:
        by_state[a.state] += 1
    return {"applications": len(applications), "by_state": by_state}


# --- proposing an opportunity: who was told ---------------------------------------------------------------------
def _known_bodies(parties: list[tuple[str, object]]) -> dict:
    """The refusals, by path, of a list of (path, party): a body not registered (`<path>.organization_id`), a
    party named twice (`<path>`). One query."""
    ids = {p.organization_id for _path, p in parties if p.organization_id}
    known = set(db.session.execute(sa.select(Organization.id).where(Organization.id.in_(ids))).scalars()) if ids else set()
    errors, seen = {}, set()
    for path, party in parties:
        key = _party_key(party)
        if key[0] == "organization" and party.organization_id not in known:
            errors[f"{path}.organization_id"] = "ente non registrato in codesign"
        elif key in seen:
            errors[path] = "già indicato"
        seen.add(key)
    return errors


def town_administrations(codes) -> dict[str, int]:
    """The administration registered in codesign for each municipality (an organisation of kind `pa` named
    «Comune di <name>», ignoring case and accents): ISTAT code → its id (one query)."""
    wanted = {territory.fold(f"Comune di {territory.name_of(c)}"): c for c in codes}
    if not wanted:
        return {}
    rows = db.session.execute(sa.select(Organization.id, Organization.name).where(Organization.kind == OrgKind.pa))
    return {wanted[territory.fold(name)]: org_id for org_id, name in rows if territory.fold(name) in wanted}


def propose(actor, o: Opportunity, data: dict, *, now=None) -> tuple[list[Notice], list[dict]]:
    """The office proposes `o` to municipalities (the admins of their administration in codesign) and bodies (their
    members): one message to each person through the outbox, once per party (a party already told is skipped
    and listed). An expired opportunity is refused (409); an unknown body, 422, nothing sent."""
    now = now or utcnow()
    observatory.require_admin(actor)
    clean = parse(NoticeIn, data)
    if o.deadline < rome_today(now):
        raise Conflict("il bando è scaduto: non si segnala più")
    errors = _known_bodies([(f"parties.{n}", p) for n, p in enumerate(clean.parties)])
    if errors:
        raise Invalid(errors)
    told = {_party_key(n): n for n in db.session.execute(sa.select(Notice).where(Notice.opportunity_id == o.id))
            .scalars()}
    towns = town_administrations(p.municipality for p in clean.parties if p.municipality)
    admins = recipients(towns.values(), Role.admin)
    bodies = recipients({p.organization_id for p in clean.parties if p.organization_id}, Role.applicant)
    sender = db.session.get(Organization, min(actor.administration_ids)) if actor.administration_ids else None
    subject, text = notice_text(o, clean.message, sender.name if sender else None)
    sent, skipped = [], []
    for party in clean.parties:
        key = _party_key(party)
        if key in told:
            skipped.append(notice_dict(told[key]))
            continue
        to = (admins.get(towns.get(party.municipality), []) if party.municipality
              else bodies.get(party.organization_id, []))
        notice = Notice(opportunity_id=o.id, municipality=party.municipality, organization_id=party.organization_id,
                        message=clean.message or None, recipients=len(to), sent_at=now, sent_by_id=actor.id)
        try:  # another office told the same party a moment earlier
            with db.session.begin_nested():
                db.session.add(notice)
        except IntegrityError:
            continue
        notifications.notify(to, subject, text, link=notifications.path("opportunities.detail", opportunity_id=o.id),
                             now=now)
        sent.append(notice)
    audit.record(actor=actor, entity_type="opportunity", entity_id=o.id, trigger="propose_opportunity",
                 data={"told": len(sent), "skipped": len(skipped),
                       "messages": sum(n.recipients for n in sent)}, at=now)
    return sent, skipped


OPEN_TO_WHOM = {"municipality": N_("ai comuni"), "ets": N_("agli enti del Terzo settore"),
                "partnership": N_("ai partenariati")}


def notice_text(o: Opportunity, message: str | None, sender: str | None):
    """The subject and text of a notice, as functions that write them in the reader's language; the notification
    adds the link to the call's page in codesign."""
    def text():
        who = ", ".join(_(OPEN_TO_WHOM[a]) for a in APPLICANTS if a in (o.eligible or []))
        lead = (message.strip() + "\n\n") if message and message.strip() else ""
        return lead + "\n".join((
            _("%(sender)s vi segnala il bando «%(title)s» (%(funder)s, %(programme)s).",
              sender=sender or _("La Città metropolitana"), title=o.title, funder=o.funder, programme=o.programme),
            _("Aperto %(whom)s; temi: %(themes)s.", whom=who, themes=", ".join(o.themes or [])),
            _("Apertura %(opens)s, scadenza %(deadline)s.", opens=o.opens_on.strftime("%d/%m/%Y"),
              deadline=o.deadline.strftime("%d/%m/%Y")),
            "", _("Il bando sul sito del finanziatore: %(link)s", link=o.link), "",
            _("La scheda in codesign, dove potete seguirlo e ricevere i promemoria della scadenza:")))

    return (lambda: _("Un bando per voi: %(title)s", title=o.title[:200])), text


def notices_of(actor, o: Opportunity) -> list[Notice]:
    """Who was told of `o`, in order (admins; one query)."""
    observatory.require_admin(actor)
    return list(db.session.execute(sa.select(Notice).where(Notice.opportunity_id == o.id)
                                   .order_by(Notice.sent_at, Notice.id)).scalars())


def notice_dict(n: Notice, names: dict | None = None) -> dict:
    names = body_names([n]) if names is None else names
    return {"id": n.id, "opportunity_id": n.opportunity_id, "party": _party(n.municipality, n.organization_id, names),
            "message": n.message, "recipients": n.recipients, "sent_at": n.sent_at.isoformat()}
