"""Service functions of the co-design tables: opening (effect of `start_codesign`), meetings, project
versions and their differences, the check of `finalize`, the overdue flag, and the scrolling of the ranking.

Who may do what is asked of `tables.permissions`; the proposal's and the procedure's machines keep the
states (this module contributes guards and effects to them at registration)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from codesign.core import audit
from codesign.core.calendar import add_months, format_rome, rome_today
from codesign.core.enums import N_
from codesign.core.errors import Conflict, GuardFailed, Invalid, NotFound
from codesign.core.schemas import parse
from codesign.core.web import format_money, format_percent, format_share
from codesign.core.workflow import Context, flush_or_conflict
from codesign.db import db, utcnow
from codesign.evaluation.operations import approved
from codesign.procedures.models import Procedure
from codesign.proposals import operations as props
from codesign.proposals.models import Proposal
from codesign.proposals.notify import notify_admins, notify_body
from codesign.proposals.workflow import workflow as proposal_workflow
from codesign.tables import permissions
from codesign.tables.models import CodesignTable, Meeting, ProjectVersion
from codesign.tables.schemas import MeetingIn, MeetingPatch, VersionIn

COFINANCING = "cofinancing"
# The states whose requested amounts use a lot's budget (DOMAIN.md, "Scrolling the ranking").
USING_BUDGET = ("admitted", "in_codesign", "finalized", "agreement_signed", "started", "completed")
POST_RANKING = ("admitted", "reserve", "in_codesign", "finalized", "codesign_failed", "agreement_signed", "started",
                "completed", "revoked")


def _money(d: Decimal) -> str:
    return f"{d:.2f}"


# --- the table ---------------------------------------------------------------------------------------------------
def table_of(proposal: Proposal) -> CodesignTable | None:
    return db.session.execute(sa.select(CodesignTable).where(CodesignTable.proposal_id == proposal.id)
                              ).unique().scalar_one_or_none()


def open_table(ctx: Context) -> None:
    """Effect of `start_codesign`: the table opens, with its deadline (opening + the call's co-design months)."""
    proposal = ctx.row
    months = proposal.procedure.codesign_months or 3
    deadline = add_months(rome_today(ctx.now), months)
    db.session.add(CodesignTable(proposal_id=proposal.id, opened_at=ctx.now, opened_by_id=ctx.user.id,
                                 deadline=deadline, last_activity_at=ctx.now))
    notify_body(proposal, lambda: _("Tavolo di co-progettazione aperto: %(title)s", title=proposal.title),
                lambda: _("È stato aperto il tavolo di co-progettazione della proposta «%(title)s» (avviso "
                          "«%(call)s»).", title=proposal.title, call=proposal.procedure.title) + "\n"
                + _("Il tavolo si conclude entro il %(day)s.", day=deadline.strftime("%d/%m/%Y")))


def _close_table(proposal: Proposal, now: dt.datetime, outcome: str, final_version: int | None = None) -> None:
    table = table_of(proposal)
    if table is not None:
        table.closed_at, table.outcome, table.final_version = now, outcome, final_version
        table.last_activity_at = now


def on_finalize(ctx: Context) -> None:
    latest = latest_version(ctx.row)
    _close_table(ctx.row, ctx.now, "finalized", latest.number if latest else None)


def on_fail(ctx: Context) -> None:
    ctx.row.outcome_reason = ctx.params["reason"]
    _close_table(ctx.row, ctx.now, "failed")


def _open_table_or_409(actor, proposal: Proposal) -> CodesignTable:
    if proposal.state != "in_codesign":
        raise GuardFailed("il tavolo di co-progettazione non è aperto: la proposta non è in co-progettazione")
    table = db.session.execute(sa.select(CodesignTable).where(CodesignTable.proposal_id == proposal.id)
                               .with_for_update(of=CodesignTable).execution_options(populate_existing=True)
                               ).unique().scalar_one_or_none()
    if table is None:  # pragma: no cover - start_codesign always opens it
        raise GuardFailed("il tavolo di co-progettazione non è aperto")
    return table


# --- meetings ---------------------------------------------------------------------------------------------------
def meetings(user, proposal: Proposal) -> list[Meeting]:
    permissions.require_party(user, proposal)
    table = table_of(proposal)
    return list(table.meetings) if table else []


def record_meeting(actor, proposal: Proposal, data: dict, *, now=None) -> Meeting:
    now = now or utcnow()
    permissions.require_admin(actor, proposal)
    clean = parse(MeetingIn, data)
    table = _open_table_or_409(actor, proposal)
    meeting = Meeting(table=table, held_at=clean.held_at, place=clean.place, participants=list(clean.participants),
                      minutes=clean.minutes or None, created_by_id=actor.id)
    db.session.add(meeting)
    table.last_activity_at = now
    db.session.flush()
    audit.record(actor=actor, entity_type="proposal", entity_id=proposal.id, trigger="record_meeting",
                 data={"meeting_id": meeting.id})
    when = format_rome(clean.held_at)
    notify_body(proposal, lambda: _("Incontro del tavolo di co-progettazione: %(when)s", when=when),
                lambda: _("L'amministrazione ha fissato un incontro del tavolo di co-progettazione della proposta "
                          "«%(title)s».", title=proposal.title) + "\n"
                + _("Quando: %(when)s", when=when) + "\n" + _("Dove: %(place)s", place=clean.place))
    return meeting


def get_meeting(user, proposal: Proposal, meeting_id: int) -> Meeting:
    permissions.require_party(user, proposal)
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.table.proposal_id != proposal.id:
        raise NotFound("incontro non trovato")
    return meeting


def update_meeting(actor, proposal: Proposal, meeting: Meeting, data: dict, *, now=None) -> Meeting:
    """Write the minutes after the meeting, or move it: the admin, while the table is open."""
    now = now or utcnow()
    permissions.require_admin(actor, proposal)
    clean = parse(MeetingPatch, data)
    table = _open_table_or_409(actor, proposal)
    changed = sorted(clean.model_fields_set)
    for name in changed:
        value = getattr(clean, name)
        if name in ("held_at", "place") and value is None:
            raise Invalid({name: "campo obbligatorio"})
        setattr(meeting, name, list(value) if name == "participants" else (value or None) if name == "minutes"
                else value)
    table.last_activity_at = now
    db.session.flush()
    audit.record(actor=actor, entity_type="proposal", entity_id=proposal.id, trigger="update_meeting",
                 data={"meeting_id": meeting.id, "fields": changed})
    return meeting


def meeting_to_dict(m: Meeting) -> dict:
    return {"id": m.id, "proposal_id": m.table.proposal_id, "held_at": m.held_at.isoformat(), "place": m.place,
            "participants": list(m.participants or []), "minutes": m.minutes or ""}


# --- versions -----------------------------------------------------------------------------------------------------
def versions(user, proposal: Proposal) -> list[ProjectVersion]:
    permissions.require_party(user, proposal)
    return list(db.session.execute(sa.select(ProjectVersion).where(ProjectVersion.proposal_id == proposal.id)
                                   .order_by(ProjectVersion.number)).scalars())


def latest_version(proposal: Proposal) -> ProjectVersion | None:
    return db.session.execute(sa.select(ProjectVersion).where(ProjectVersion.proposal_id == proposal.id)
                              .order_by(ProjectVersion.number.desc()).limit(1)).scalar_one_or_none()


def get_version(user, proposal: Proposal, number: int) -> ProjectVersion:
    permissions.require_party(user, proposal)
    v = db.session.execute(sa.select(ProjectVersion).where(ProjectVersion.proposal_id == proposal.id,
                                                           ProjectVersion.number == number)).scalar_one_or_none()
    if v is None:
        raise NotFound(f"versione {number} non trovata")
    return v


def _check_version(proposal: Proposal, clean: VersionIn) -> None:
    """The rules of the version's own data that depend on the call: months within the start-up, known indicators."""
    proc = proposal.procedure
    months = proc.startup_months
    errors = {}
    for i, a in enumerate(clean.activities):
        if months and a.start_month > months:
            errors[f"activities.{i}.start_month"] = f"oltre la durata dello start-up ({months} mesi)"
        if months and a.end_month > months:
            errors[f"activities.{i}.end_month"] = f"oltre la durata dello start-up ({months} mesi)"
        elif a.end_month < a.start_month:
            errors[f"activities.{i}.end_month"] = "il mese di fine precede quello di inizio"
    known = {ind["code"] for ind in proc.indicators or []}
    seen = set()
    for i, ind in enumerate(clean.indicators):
        if ind.code not in known:
            errors[f"indicators.{i}.code"] = "indicatore sconosciuto per questo avviso"
        elif ind.code in seen:
            errors[f"indicators.{i}.code"] = "indicatore ripetuto"
        seen.add(ind.code)
        if ind.target < 0:
            errors[f"indicators.{i}.target"] = "il valore obiettivo non può essere negativo"
    if errors:
        raise Invalid(errors)


def save_version(actor, proposal: Proposal, data: dict, *, now=None) -> ProjectVersion:
    """A new numbered version (1, 2, 3 …). Saved even when it breaks the budget rules (work in progress):
    `finalize` checks them."""
    now = now or utcnow()
    permissions.require_party(actor, proposal)
    clean = parse(VersionIn, data)
    _check_version(proposal, clean)
    table = _open_table_or_409(actor, proposal)   # the row lock numbers the versions one at a time
    last = db.session.execute(sa.select(sa.func.max(ProjectVersion.number))
                              .where(ProjectVersion.proposal_id == proposal.id)).scalar_one()
    version = ProjectVersion(
        proposal_id=proposal.id, number=(last or 0) + 1, summary=clean.summary,
        activities=[a.model_dump() for a in clean.activities],
        budget_lines=[{"category": b.category, "funding_source": b.funding_source, "amount": _money(b.amount)}
                      for b in clean.budget_lines],
        requested_amount=clean.requested_amount, cofinancing_amount=clean.cofinancing_amount,
        indicators=[{"code": i.code, "target": str(i.target)} for i in clean.indicators],
        note=clean.note or None, created_by_id=actor.id, created_at=now)
    db.session.add(version)
    table.last_activity_at = now
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict("un'altra versione è stata salvata nello stesso momento: ricarica e riprova") from exc
    audit.record(actor=actor, entity_type="proposal", entity_id=proposal.id, trigger="save_version",
                 data={"number": version.number})
    def text():
        return _("È stata registrata la versione %(number)s del progetto «%(title)s» al tavolo di "
                 "co-progettazione: esaminala.", number=version.number, title=proposal.title)

    def subject():
        return _("Nuova versione del progetto da esaminare: %(title)s", title=proposal.title)

    if permissions.is_admin(actor, proposal):
        notify_body(proposal, subject, text)
    else:
        notify_admins(proposal, subject, text)
    return version


def version_to_dict(v: ProjectVersion) -> dict:
    return {"number": v.number, "proposal_id": v.proposal_id, "summary": v.summary,
            "activities": list(v.activities or []), "budget_lines": list(v.budget_lines or []),
            "requested_amount": _money(v.requested_amount), "cofinancing_amount": _money(v.cofinancing_amount),
            "indicators": list(v.indicators or []), "note": v.note,
            "created_at": v.created_at.isoformat(),
            "totals": {k: _money(val) for k, val in budget_totals(v).items()}}


def budget_totals(v: ProjectVersion) -> dict[str, Decimal]:
    lines = [Decimal(b["amount"]) for b in v.budget_lines or []]
    cof = [Decimal(b["amount"]) for b in v.budget_lines or [] if b["funding_source"] == COFINANCING]
    return {"budget_lines": sum(lines, Decimal("0")), "cofinancing_lines": sum(cof, Decimal("0")),
            "project": v.requested_amount + v.cofinancing_amount}


# --- the difference between two versions ----------------------------------------------------------------------
def _rows_diff(old: list[dict], new: list[dict], key) -> dict:
    """Rows added, removed, changed (matched by `key`) and kept."""
    old_by = {key(r): r for r in old}
    new_by = {key(r): r for r in new}
    added = [r for k, r in new_by.items() if k not in old_by]
    removed = [r for k, r in old_by.items() if k not in new_by]
    changed = [{"key": k, "from": old_by[k], "to": r} for k, r in new_by.items() if k in old_by and old_by[k] != r]
    same = [r for k, r in new_by.items() if k in old_by and old_by[k] == r]
    return {"added": added, "removed": removed, "changed": changed, "unchanged": len(same)}


def _figure(a: Decimal, b: Decimal) -> dict:
    return {"from": _money(a), "to": _money(b), "difference": _money(b - a)}


def diff(user, proposal: Proposal, a: int, b: int) -> dict:
    """What changed from version `a` to version `b`: the texts side by side, the figures with their
    differences, activities, budget lines and indicator targets added, removed and changed."""
    old, new = get_version(user, proposal, a), get_version(user, proposal, b)
    t_old, t_new = budget_totals(old), budget_totals(new)
    return {
        "from": a, "to": b,
        "summary": {"from": old.summary, "to": new.summary, "changed": old.summary != new.summary},
        "note": {"from": old.note, "to": new.note},
        "figures": {
            "requested_amount": _figure(old.requested_amount, new.requested_amount),
            "cofinancing_amount": _figure(old.cofinancing_amount, new.cofinancing_amount),
            "budget_lines_total": _figure(t_old["budget_lines"], t_new["budget_lines"]),
        },
        "activities": _rows_diff(old.activities or [], new.activities or [], lambda r: r["title"]),
        "budget_lines": _rows_diff(old.budget_lines or [], new.budget_lines or [],
                                   lambda r: (r["category"], r["funding_source"])),
        "indicators": _rows_diff(old.indicators or [], new.indicators or [], lambda r: r["code"]),
    }


# --- finalize -------------------------------------------------------------------------------------------------------
def finalize_problems(proposal: Proposal) -> list[str]:
    """DOMAIN.md, "Co-design": every unmet rule of the latest version, all at once."""
    v = latest_version(proposal)
    if v is None:
        return ["nessuna versione del progetto è stata registrata al tavolo"]
    problems = []
    allotted = proposal.allotted_amount if proposal.allotted_amount is not None else proposal.requested_amount
    if v.requested_amount > allotted:
        problems.append(f"il contributo richiesto nella versione {v.number} ({format_money(v.requested_amount)}) supera "
                        f"l'importo assegnato in graduatoria ({format_money(allotted)})")
    minimum = proposal.procedure.cofinancing_min_pct or Decimal(0)
    total = v.requested_amount + v.cofinancing_amount
    if total == 0 or v.cofinancing_amount * 100 < minimum * total:
        problems.append(f"la quota di cofinanziamento della versione {v.number} "
                        f"({format_share(v.cofinancing_amount, total)}) è inferiore al minimo dell'avviso "
                        f"({format_percent(minimum)})")
    totals = budget_totals(v)
    if totals["budget_lines"] != total:
        problems.append(f"le voci di budget sommano a {format_money(totals['budget_lines'])} invece di "
                        f"{format_money(total)} (contributo più cofinanziamento)")
    if totals["cofinancing_lines"] != v.cofinancing_amount:
        problems.append(f"le voci con fonte «cofinanziamento dell'ente» sommano a "
                        f"{format_money(totals['cofinancing_lines'])} invece del cofinanziamento di "
                        f"{format_money(v.cofinancing_amount)}")
    return problems


def finalize_guard(ctx: Context):
    """Contributed to `finalize`: evaluated in full for allowed_triggers and the buttons as well."""
    return finalize_problems(ctx.row) or None


# --- the overdue flag (codesign tick) -------------------------------------------------------------------------------
def flag_overdue_tables(now: dt.datetime) -> list[str]:
    """Flag, once, every open table past its deadline: a mail to the call's admins, and the board shows it."""
    today = rome_today(now)
    rows = db.session.execute(
        sa.select(CodesignTable).join(Proposal, Proposal.id == CodesignTable.proposal_id)
        .where(Proposal.state == "in_codesign", CodesignTable.deadline < today,
               CodesignTable.overdue_flagged_at.is_(None))
        .with_for_update(of=CodesignTable, skip_locked=True)).unique().scalars().all()
    done = []
    for table in rows:
        table.overdue_flagged_at = now
        p = table.proposal
        notify_admins(p, lambda: _("Tavolo di co-progettazione scaduto: %(title)s", title=p.title),
                      lambda: _("Il tavolo di co-progettazione della proposta «%(title)s» (avviso «%(call)s») "
                                "doveva concludersi entro il %(day)s: approva il progetto definitivo o chiudi il "
                                "tavolo senza accordo.", title=p.title, call=p.procedure.title,
                                day=table.deadline.strftime("%d/%m/%Y")))
        audit.record(actor=None, entity_type="proposal", entity_id=p.id, trigger="flag_overdue_table",
                     data={"deadline": table.deadline.isoformat()})
        done.append(f"tavolo della proposta {p.id} scaduto il {table.deadline.isoformat()}: segnalato")
    db.session.commit()
    return done


# --- scrolling the ranking ---------------------------------------------------------------------------------------------
def available_budget(procedure: Procedure, lot) -> Decimal:
    used = db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(Proposal.requested_amount), 0))
        .where(Proposal.lot_id == lot.id, Proposal.state.in_(USING_BUDGET))).scalar_one()
    return lot.budget - Decimal(used)


def scroll(ctx: Context) -> None:
    """Effect of `scroll_ranking` (DOMAIN.md): the lot's reserves in rank order, each admitted if it fits the
    budget left, the others skipped. The procedure's row lock makes concurrent scrolls wait for each other."""
    procedure = ctx.row
    code = ctx.params.get("lot")
    db.session.execute(sa.select(Procedure.id).where(Procedure.id == procedure.id).with_for_update())
    lot = procedure.lot_by_code(code)
    if lot is None:
        raise Invalid({"lot": "lotto sconosciuto per questo avviso"})
    stored = approved(procedure)
    order = [e["proposal_id"] for e in (stored.data["lots"].get(lot.code, {}).get("ranking", []) if stored else [])]
    reserves = {p.id: p for p in db.session.execute(
        sa.select(Proposal).where(Proposal.lot_id == lot.id, Proposal.state == "reserve")
        .execution_options(populate_existing=True)).unique().scalars()}
    left = available_budget(procedure, lot)
    admitted, skipped = [], []
    for pid in order:
        p = reserves.get(pid)
        if p is None:
            continue
        if p.requested_amount <= left:
            left -= p.requested_amount
            p.allotted_amount = p.requested_amount
            proposal_workflow.cascade(p, "scroll_admitted", ctx.user, now=ctx.now, data={"lot": lot.code})
            admitted.append(p)
            notify_body(p, lambda: _("Ammessa alla co-progettazione per scorrimento: %(title)s", title=p.title),
                        lambda: _("Per scorrimento della graduatoria dell'avviso «%(call)s», la proposta «%(title)s» "
                                  "(lotto %(lot)s) è ammessa alla co-progettazione con un contributo di %(amount)s. "
                                  "L'amministrazione ti convocherà al tavolo.", call=procedure.title, title=p.title,
                                  lot=lot.code, amount=format_money(p.requested_amount)))
        else:
            skipped.append(p.id)
    ctx.params["outcome"] = {"lot": lot.code, "admitted": [p.id for p in admitted], "skipped": skipped,
                             "budget_left": _money(left)}
    # a concurrent scroll moved the same proposal: its version no longer matches
    flush_or_conflict("la graduatoria è stata fatta scorrere nello stesso momento: ricarica e riprova")


# --- the admin's board ------------------------------------------------------------------------------------------------
def board(user, procedure: Procedure, *, lot: str | None = None, state: str | None = None, text: str | None = None,
          offset: int = 0, limit: int | None = None) -> tuple[list[dict], int]:
    """The proposals of the call after the ranking (POST_RANKING, or one of those states), of a lot, matching a
    text (proposals.operations.list_query), by lot and position in the ranking: `limit` of them from `offset` (all
    when None), each with its table's deadline, last activity and next action; and how many in all. Four
    statements whatever the size of the call."""
    permissions.require_procedure_admin(user, procedure)
    proposals, total = props.list_visible(user, procedure, limit=limit, offset=offset, lot=lot, text=text,
                                          states=(state,) if state else POST_RANKING, sort="ranking")
    ids = [p.id for p in proposals]
    by_proposal = {t.proposal_id: t for t in db.session.execute(
        sa.select(CodesignTable).where(CodesignTable.proposal_id.in_(ids))).unique().scalars()} if ids else {}
    versions_count = dict(db.session.execute(
        sa.select(ProjectVersion.proposal_id, sa.func.max(ProjectVersion.number))
        .where(ProjectVersion.proposal_id.in_(ids)).group_by(ProjectVersion.proposal_id)).all()) if ids else {}
    out = []
    for p in proposals:
        table = by_proposal.get(p.id)
        out.append({"proposal": p, "table": table, "latest_version": versions_count.get(p.id),
                    "last_activity": table.last_activity_at if table else p.updated_at,
                    "overdue": bool(table and table.overdue_flagged_at and p.state == "in_codesign"),
                    "next_action": NEXT_ACTION.get(p.state, "")})
    return out, total


NEXT_ACTION = {
    "admitted": N_("aprire il tavolo di co-progettazione"),
    "reserve": N_("in riserva: può essere ammessa scorrendo la graduatoria"),
    "in_codesign": N_("condurre il tavolo: incontri e versioni, poi approvare il progetto definitivo"),
    "finalized": N_("predisporre la convenzione e registrarne la sottoscrizione"),
    "codesign_failed": N_("nessuna: il budget è tornato disponibile per lo scorrimento"),
    "agreement_signed": N_("avviare il progetto"),
    "started": N_("seguire le relazioni periodiche"),
    "completed": N_("nessuna"),
    "revoked": N_("nessuna"),
}
