"""Service functions of the observatory: register, edit and update external projects, record the procedure
projects (effect of `sign_agreement`), and read the one catalogue of both origins (lists, one project, the
figures per municipality). Pages, API and import call these; none holds a rule of its own.

Lists load a fixed number of queries whatever their length: one per origin, their counts, and monitoring's two."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from codesign.agreements.models import Agreement
from codesign.agreements.operations import agreement_of
from codesign.core import audit, search, territory
from codesign.core.calendar import add_months, rome_today
from codesign.core.errors import Forbidden, GuardFailed, Invalid, NotFound, Unauthorized
from codesign.core.exports import safe_text
from codesign.core.schemas import money_text, parse
from codesign.core.workflow import Context
from codesign.db import count_rows, db, utcnow
from codesign.monitoring import operations as monitoring
from codesign.observatory.models import STATES, Project, ProjectUpdate
from codesign.observatory.schemas import MILAN_FIELDS, PROCEDURE_FIELDS, REQUIRED, ProjectIn, ProjectPatch, UpdateIn
from codesign.organizations.models import Organization
from codesign.procedures.models import Procedure
from codesign.proposals.models import Proposal
from codesign.tables.models import ProjectVersion
from codesign.transparency import operations as transparency

GEOMETRY = Path(__file__).parent / "data" / "municipalities.geojson"
STALE_AFTER_MONTHS = 6
ZERO = Decimal("0.00")
# An external project's states and the proposal states that mean the same for a procedure project (filters).
PROCEDURE_STATE = {"planned": "agreement_signed", "in_progress": "started", "completed": "completed",
                   "interrupted": "revoked"}
PROGRESS_FIELDS = ("paid_amount", "progress_pct", "state")
RUNNING = ("planned", "in_progress")                      # the states that expect progress updates
PROCEDURE_RUNNING = ("agreement_signed", "started")


def _date(d) -> str | None:
    return d.isoformat() if d else None


# --- who may write ---------------------------------------------------------------------------------------------
def require_admin(user) -> None:
    if user is None:
        raise Unauthorized("Autenticazione richiesta")
    if not user.is_admin:
        raise Forbidden("solo gli amministratori delle amministrazioni tengono il catalogo dei progetti")


def can_edit(user, project: Project) -> bool:
    return bool(user is not None and user.is_admin
                and (project.administration_id is None or project.administration_id in user.administration_ids))


def require_editor(user, project: Project) -> None:
    require_admin(user)
    if not can_edit(user, project):
        raise Forbidden("il progetto è tenuto da un'altra amministrazione")


# --- register, edit, update --------------------------------------------------------------------------------------
def consistency(values: dict) -> dict:
    """The rules that tie a project's fields together (422, per field)."""
    errors = {}
    if values.get("planned_start") and values.get("planned_end") and values["planned_end"] < values["planned_start"]:
        errors["planned_end"] = "la fine prevista non può precedere l'inizio previsto"
    if values.get("actual_start") and values.get("actual_end") and values["actual_end"] < values["actual_start"]:
        errors["actual_end"] = "la fine effettiva non può precedere l'inizio effettivo"
    if values.get("municipality") != territory.MILANO:
        errors |= {k: "il Municipio e il quartiere (NIL) si indicano solo per i progetti del Comune di Milano"
                   for k in MILAN_FIELDS if values.get(k) is not None}
    return errors


def cleared_outside_milan(project: Project, values: dict) -> dict:
    """A project moved out of Milan loses the Municipio and the neighbourhood it had but that the change does not
    name (they mean nothing elsewhere)."""
    if values.get("municipality", project.municipality) == territory.MILANO:
        return {}
    return {k: None for k in MILAN_FIELDS if k not in values and getattr(project, k) is not None}


def _cup_holder(cup: str, *, except_id: int | None = None) -> str | None:
    """The title of the project that already holds this CUP (either origin), or None."""
    holder = external_cup_holder(cup, except_id=except_id)
    return holder if holder is not None else cups_under_agreement([cup]).get(cup)


def external_cup_holder(cup: str, *, except_id: int | None = None) -> str | None:
    """The title of the external project with this CUP, or None (also registered with the agreements: a procedure
    project's CUP may not be one an external project holds)."""
    q = sa.select(Project.title, Project.cup).where(Project.cup == cup)
    if except_id is not None:
        q = q.where(Project.id != except_id)
    row = db.session.execute(q).first()
    return None if row is None else (row.title or row.cup)


def cups_under_agreement(cups: list[str]) -> dict[str, str]:
    """The CUPs among these that an agreement holds → the title of its proposal (one query)."""
    if not cups:
        return {}
    rows = db.session.execute(sa.select(Agreement.cup, Proposal.title)
                              .join(Proposal, Proposal.id == Agreement.proposal_id)
                              .where(Agreement.cup.in_(cups))).all()
    return {cup: title for cup, title in rows}


def _check_cup(cup: str, errors: dict, *, except_id=None) -> None:
    holder = _cup_holder(cup, except_id=except_id)
    if holder is not None:
        errors["cup"] = f"il CUP {cup} è già di un altro progetto («{holder}»)"


def flat(clean) -> dict:
    values = clean.model_dump(exclude_unset=True) if isinstance(clean, ProjectPatch) else clean.model_dump()
    values = {k: getattr(clean, k) for k in values}   # the typed values (Decimal, date), not their JSON form
    beneficiary = values.pop("beneficiary", None)
    if beneficiary is not None:
        values["beneficiary_name"] = beneficiary.name
        values["beneficiary_tax_code"] = beneficiary.tax_code or None
    return values


def record_entry(project: Project, actor, kind: str, day: dt.date, values: dict,
                 note: str | None = None) -> ProjectUpdate:
    """Add an entry to the project's history and bring its current paid amount, progress and state up to date.
    An entry dated on or after every other one is the newest (by date, then by entry): the fields it gives are
    current at once; an older one needs the history read again."""
    entry = ProjectUpdate(project_id=project.id, kind=kind, date=day, note=note,
                          created_by_id=getattr(actor, "id", None),
                          **{k: values.get(k) for k in PROGRESS_FIELDS})
    db.session.add(entry)
    if project.last_entry_on is None or day >= project.last_entry_on:
        for name in PROGRESS_FIELDS:
            if values.get(name) is not None:
                setattr(project, name, values[name])
        project.last_entry_on = day
    else:
        db.session.flush()
        _recompute(project)
    return entry


def _recompute(project: Project) -> None:
    """The project's current paid amount, progress and state: each the value of the latest entry that gives it,
    by date and then by entry."""
    entries = db.session.execute(sa.select(ProjectUpdate).where(ProjectUpdate.project_id == project.id)
                                 .order_by(ProjectUpdate.date, ProjectUpdate.id)).scalars().all()
    for name in PROGRESS_FIELDS:
        given = [getattr(e, name) for e in entries if getattr(e, name) is not None]
        if given:
            setattr(project, name, given[-1])
    project.last_entry_on = max((e.date for e in entries), default=None)


def create_project(actor, data: dict, *, now=None) -> Project:
    """Register an external project (admin); its values are the first entry of its history."""
    now = now or utcnow()
    require_admin(actor)
    clean = parse(ProjectIn, data)
    values = flat(clean)
    errors = consistency(values)
    _check_cup(clean.cup, errors)
    if errors:
        raise Invalid(errors)
    project = new_external(actor, values, now=now)
    _flush_cup(clean.cup)
    record_entry(project, actor, "create", rome_today(now), values)
    audit.record(actor=actor, entity_type="project", entity_id=project.id, trigger="register_project",
                 data={"cup": project.cup, "origin": "external"}, at=now)
    return project


def new_external(actor, values: dict, *, now) -> Project:
    """A new external project with these values (its progress comes from its first entry)."""
    project = Project(origin="external", administration_id=min(actor.administration_ids, default=None),
                      created_by_id=actor.id, created_at=now, updated_at=now,
                      **{k: v for k, v in values.items() if k not in PROGRESS_FIELDS})
    db.session.add(project)
    return project


def apply_values(project: Project, values: dict, *, now) -> dict:
    """Set the fields that differ (not the progress fields, which entries set); what changed."""
    changed = {k: v for k, v in values.items() if k not in PROGRESS_FIELDS and getattr(project, k) != v}
    for k, v in changed.items():
        setattr(project, k, v)
    if changed:
        project.updated_at = now
    return changed


def _flush_cup(cup: str) -> None:
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise Invalid({"cup": f"il CUP {cup} è stato registrato nello stesso momento per un altro progetto"}) from exc


def patch_project(actor, project: Project, data: dict, *, now=None) -> Project:
    """Change the fields sent (admin of the administration that keeps the project). For a procedure project only
    its description, theme and municipality: the rest is the agreement's and monitoring's."""
    now = now or utcnow()
    require_editor(actor, project)
    clean = parse(ProjectPatch, data)
    values = flat(clean)
    errors = {k: "campo obbligatorio" for k, v in values.items() if v is None and k in REQUIRED}
    if clean.model_fields_set & {"beneficiary"} and clean.beneficiary is None:
        errors["beneficiary"] = "campo obbligatorio"
    if project.origin == "procedure":
        errors |= {k: "dato della convenzione e del monitoraggio: si modifica nella procedura"
                   for k in clean.model_fields_set if k not in PROCEDURE_FIELDS}
    values |= cleared_outside_milan(project, values)
    merged = {k: getattr(project, k, None) for k in ("planned_start", "planned_end", "actual_start", "actual_end",
                                                      "municipality", *MILAN_FIELDS)}
    merged |= {k: v for k, v in values.items() if k in merged}
    errors |= consistency(merged)
    if values.get("cup") and values["cup"] != project.cup:
        _check_cup(values["cup"], errors, except_id=project.id)
    if errors:
        raise Invalid(errors)
    changed = apply_values(project, values, now=now)
    progress = {k: v for k, v in values.items()
                if k in PROGRESS_FIELDS and v is not None and getattr(project, k) != v}
    if "cup" in changed:
        _flush_cup(project.cup)
    if progress:
        record_entry(project, actor, "edit", rome_today(now), progress)
    if progress:
        project.updated_at = now
    if changed or progress:
        audit.record(actor=actor, entity_type="project", entity_id=project.id, trigger="edit_project",
                     data={"fields": sorted(set(changed) | set(progress))}, at=now)
    return project


def add_update(actor, project: Project, data: dict, *, now=None) -> ProjectUpdate:
    """A dated progress update of an external project (admin): paid amount, progress, state, note."""
    now = now or utcnow()
    require_editor(actor, project)
    clean = parse(UpdateIn, data)
    if project.origin != "external":
        raise GuardFailed("l'avanzamento dei progetti delle procedure viene dalle relazioni e dai pagamenti del "
                          "monitoraggio")
    if clean.date > rome_today(now):
        raise Invalid({"date": "la data dell'aggiornamento non può essere nel futuro"})
    entry = record_entry(project, actor, "update", clean.date, {k: getattr(clean, k) for k in PROGRESS_FIELDS},
                         note=clean.note)
    db.session.flush()    # the entry's id, for the answer
    project.updated_at = now
    audit.record(actor=actor, entity_type="project", entity_id=project.id, trigger="add_update",
                 data={"date": clean.date.isoformat()}, at=now)
    return entry


def history(project: Project) -> list[ProjectUpdate]:
    """The project's entries, newest first."""
    return list(db.session.execute(sa.select(ProjectUpdate).where(ProjectUpdate.project_id == project.id)
                                   .order_by(ProjectUpdate.date.desc(), ProjectUpdate.id.desc())).scalars())


def update_to_dict(e: ProjectUpdate) -> dict:
    return {"id": e.id, "project_id": e.project_id, "kind": e.kind, "date": e.date.isoformat(),
            "paid_amount": money_text(e.paid_amount), "progress_pct": e.progress_pct, "state": e.state, "note": e.note,
            "created_at": e.created_at.isoformat()}


def record_procedure_project(ctx: Context) -> None:
    """Effect of `sign_agreement`: the proposal enters the catalogue as a `procedure` project."""
    p = ctx.row
    if db.session.execute(sa.select(Project.id).where(Project.proposal_id == p.id)).first() is not None:
        return
    agreement = agreement_of(p)
    db.session.add(Project(origin="procedure", proposal_id=p.id,
                           municipality=territory.resolve(agreement.municipality if agreement else None),
                           administration_id=p.procedure.administration_id))


# --- reading the catalogue ---------------------------------------------------------------------------------------
def get(project_id: int) -> Project:
    project = db.session.get(Project, project_id)
    if project is None:
        raise NotFound("progetto non trovato")
    return project


def of_proposal(proposal_id: int) -> Project | None:
    """The catalogue's row of a proposal's project (None before its agreement is signed)."""
    return db.session.execute(sa.select(Project).where(Project.proposal_id == proposal_id)).scalar_one_or_none()


def find_by_cup(cup: str) -> Project | None:
    """The project of either origin with this CUP (an external one's own, a procedure one's agreement's)."""
    cup = (cup or "").strip().upper()
    if not cup or len(cup) > 15:
        return None
    return db.session.execute(
        sa.select(Project).outerjoin(Agreement, Agreement.proposal_id == Project.proposal_id)
        .where(sa.or_(Project.cup == cup, Agreement.cup == cup))).scalars().first()


def stale(last_update: dt.date | None, running: bool, today: dt.date) -> bool:
    """A running project with no update for six months (DOMAIN.md); a finished one awaits none."""
    return running and last_update is not None and last_update < add_months(today, -STALE_AFTER_MONTHS)


def late(planned_end: dt.date | None, completed: bool, today: dt.date) -> bool:
    """A project past its planned end and not completed (DOMAIN.md)."""
    return bool(planned_end and planned_end < today and not completed)


def public_url(endpoint: str, **values) -> str | None:
    """The absolute address of a public page (None where no request or server name says the host)."""
    if not (has_request_context() or current_app.config.get("SERVER_NAME")):
        return None
    return url_for(endpoint, _external=True, **values)


def external_dict(p: Project, today: dt.date, administrations: dict | None = None) -> dict:
    end = p.actual_end or p.planned_end
    return {
        "id": p.id, "origin": "external", "proposal_id": None, "procedure_id": None,
        "cup": p.cup, "title": p.title, "description": p.description, "programme": p.programme, "theme": p.theme,
        "municipality": p.municipality, "municipality_name": territory.name_of(p.municipality),
        **milan_dict(p),
        "beneficiary": {"name": p.beneficiary_name, "tax_code": p.beneficiary_tax_code},
        "administration": (administrations or {}).get(p.administration_id),
        "public_funding": money_text(p.public_funding), "other_funding": money_text(p.other_funding),
        "paid_amount": money_text(p.paid_amount or ZERO),
        "amount": money_text(p.public_funding), "cofinancing_amount": money_text(p.other_funding or ZERO),
        "planned_start": _date(p.planned_start), "planned_end": _date(p.planned_end),
        "actual_start": _date(p.actual_start), "actual_end": _date(p.actual_end),
        "start_date": _date(p.actual_start or p.planned_start), "end_date": _date(end),
        "state": p.state, "progress_pct": p.progress_pct,
        "late": late(p.planned_end, p.state == "completed", today),
        "stale": stale(p.last_entry_on, p.state in RUNNING, today), "good_practice": p.good_practice,
        "last_update_on": _date(p.last_entry_on),
        "legal_basis": None, "rup": None, "office": None, "selection_method": None, "published_on": None,
        "indicators": [], "url": public_url("observatory.project", project_id=p.id),
    }


def milan_dict(p: Project) -> dict:
    """Where in Milan a project runs: its Municipio and neighbourhood (NIL), None elsewhere or where not said."""
    return {"municipio": p.municipio, "nil": p.nil, "nil_name": territory.nil_name(p.nil)}


def procedure_dict(project: Project, row: dict, today: dt.date) -> dict:
    """A procedure project: the public record of transparency, with the catalogue's fields."""
    end = dt.date.fromisoformat(row["end_date"]) if row["end_date"] else None
    last_update = row.pop("_last_update")
    return row | {
        "id": project.id, "origin": "procedure", "description": project.description, "theme": project.theme,
        "municipality": project.municipality, "municipality_name": territory.name_of(project.municipality)
        or row["municipality"], **milan_dict(project),
        "public_funding": row["amount"], "other_funding": row["cofinancing_amount"],
        "planned_start": row.pop("_planned_start"), "planned_end": row["end_date"],
        "actual_start": row.pop("_actual_start"), "actual_end": None, "progress_pct": None,
        "late": late(end, row["state"] in ("completed", "revoked"), today),
        "stale": stale(last_update, row["state"] in PROCEDURE_RUNNING, today), "good_practice": project.good_practice,
        "last_update_on": _date(last_update),
        "url": public_url("transparency.project", proposal_id=row["proposal_id"]),
    }


def _procedure_query(f: dict):
    q = (sa.select(Project, Proposal, Agreement, ProjectVersion)
         .join(Proposal, Proposal.id == Project.proposal_id)
         .join(Procedure, Procedure.id == Proposal.procedure_id)
         .join(Agreement, Agreement.proposal_id == Proposal.id)
         .join(ProjectVersion, sa.and_(ProjectVersion.proposal_id == Proposal.id,
                                       ProjectVersion.number == Agreement.version_number))
         .where(Project.origin == "procedure", Proposal.state.in_(transparency.PUBLIC_STATES)))
    if "state" in f:
        q = q.where(Proposal.state == PROCEDURE_STATE.get(f["state"], f["state"]))
    if "programme" in f:
        q = q.where(sa.func.lower(Procedure.programme) == f["programme"].lower())
    if "administration" in f:
        q = q.where(Proposal.procedure.has(Procedure.administration.has(Organization.name == f["administration"])))
    body = aliased(Organization)  # the beneficiary; the administration's filter above names its own
    found = search.condition(f.get("text"), (Proposal.title, Agreement.cup, body.name))
    if found is not None:
        q = q.join(body, body.id == Proposal.organization_id).where(found)
    return q


def _external_query(f: dict):
    q = sa.select(Project).where(Project.origin == "external")
    if "state" in f:
        q = q.where(Project.state == f["state"])
    if "programme" in f:
        q = q.where(sa.func.lower(Project.programme) == f["programme"].lower())
    if "administration" in f:
        q = q.where(Project.administration_id.in_(sa.select(Organization.id)
                                                  .where(Organization.name == f["administration"])))
    found = search.condition(f.get("text"), (Project.title, Project.cup, Project.beneficiary_name))
    if found is not None:
        q = q.where(found)
    return q


def _common(q, f: dict):
    """Filters on the catalogue's own columns, the same for both origins."""
    if "municipality" in f:
        q = q.where(Project.municipality == f["municipality"])
    for name in MILAN_FIELDS:
        if name in f:
            q = q.where(getattr(Project, name) == f[name])
    if "theme" in f:
        q = q.where(Project.theme.in_(f["theme"]))
    if f.get("good_practice"):
        q = q.where(Project.good_practice == sa.true())
    return q


def _theme_labels(theme: str) -> list[str]:
    """The stored labels of a theme: themes compare ignoring case and accents (DOMAIN.md), matched in Python
    over the few distinct labels (one query)."""
    wanted = territory.fold(theme)
    return [t for (t,) in db.session.execute(sa.select(Project.theme).where(Project.theme.is_not(None)).distinct())
            if territory.fold(t) == wanted]


def _filters(filters: dict) -> dict | None:
    """Normalised filters, or None when a value names nothing that exists (the answer is an empty list)."""
    f = {k: v for k, v in filters.items() if v not in (None, "")}
    if "municipality" in f:
        code = territory.resolve(f["municipality"])
        if code is None:
            return None
        f["municipality"] = code
    if "municipio" in f:
        f["municipio"] = _number(f["municipio"], territory.MUNICIPI)
        if f["municipio"] is None:
            return None
    if "nil" in f:
        f["nil"] = territory.resolve_nil(str(f["nil"]))
        if f["nil"] is None:
            return None
    if "theme" in f:
        f["theme"] = _theme_labels(f["theme"])
        if not f["theme"]:
            return None
    if "state" in f and f["state"] not in STATES and f["state"] not in transparency.PUBLIC_STATES:
        return None
    if f.get("origin") not in (None, "procedure", "external"):
        return None
    return f


def _number(value, allowed) -> int | None:
    text = str(value).strip()
    return int(text) if text.isdigit() and text.isascii() and int(text) in allowed else None


def _queries(filters: dict) -> dict:
    """The query of each origin that the filters keep ({} when they name nothing that exists)."""
    f = _filters(filters)
    if f is None:
        return {}
    origins = [f["origin"]] if "origin" in f else ["procedure", "external"]
    state = f.get("state")
    queries = {}
    if "procedure" in origins and (state is None or state in PROCEDURE_STATE or state in transparency.PUBLIC_STATES):
        queries["procedure"] = _common(_procedure_query(f), f)
    if "external" in origins and (state is None or state in STATES):
        queries["external"] = _common(_external_query(f), f)
    return queries


def list_projects(*, limit=100, offset=0, today: dt.date | None = None, **filters) -> tuple[list[dict], int]:
    """Both origins, procedure projects first (newest agreement first), then external ones (newest first)."""
    today = today or rome_today(utcnow())
    queries = _queries(filters)
    counts = {k: count_rows(q)
              for k, q in queries.items()}
    rows: list[dict] = []
    skip, room = offset, limit
    if "procedure" in queries and room > 0:
        if skip < counts["procedure"]:
            found = db.session.execute(queries["procedure"].order_by(Agreement.signed_at.desc(), Proposal.id.desc())
                                       .limit(room).offset(skip)).unique().all()
            rows += _procedure_rows(found, today)
            room -= len(found)
        skip = max(0, skip - counts["procedure"])
    if "external" in queries and room > 0:
        found = db.session.execute(queries["external"].order_by(Project.id.desc()).limit(room).offset(skip)
                                   ).scalars().all()
        names = _administration_names({p.administration_id for p in found})
        rows += [external_dict(p, today, names) for p in found]
    return rows, sum(counts.values())


def _procedure_rows(found, today: dt.date) -> list[dict]:
    public = transparency.with_monitoring([(p, a, v) for _project, p, a, v in found])
    activity = monitoring.last_activity([p.id for _project, p, _a, _v in found])
    out = []
    for (project, p, a, _v), row in zip(found, public):
        row["_planned_start"] = _date(a.start_date)
        row["_actual_start"] = _date(a.started_on)
        days = [d for d in (a.signed_at and rome_today(a.signed_at), a.started_on, activity.get(p.id)) if d]
        row["_last_update"] = max(days, default=None)
        out.append(procedure_dict(project, row, today))
    return out


def _administration_names(ids: set) -> dict:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(Organization.id, Organization.name).where(Organization.id.in_(ids))).all())


def project_dict(project: Project, *, today: dt.date | None = None) -> dict:
    """One project of either origin, as the public sees it (404 for a procedure project not yet public)."""
    today = today or rome_today(utcnow())
    if project.origin == "external":
        return external_dict(project, today, _administration_names({project.administration_id}))
    found = db.session.execute(_procedure_query({}).where(Project.id == project.id)).unique().all()
    if not found:
        raise NotFound("progetto non trovato")
    return _procedure_rows(found, today)[0]


def _figures(external_key, procedure_key, filters: dict, *, fold=None) -> dict:
    """Projects, public funding and paid amount of both origins grouped by a key (three queries): `{key: [n,
    public, paid]}`; with `fold`, keys that fold alike are one group, named by the first label met."""
    queries = _queries(filters)
    figures: dict = {}
    names: dict = {}

    def group(key):
        if fold is None or key is None:
            return key
        return names.setdefault(fold(key), key)

    if "external" in queries:
        external = db.session.execute(queries["external"].with_only_columns(
            external_key, sa.func.count(), sa.func.coalesce(sa.func.sum(Project.public_funding), 0),
            sa.func.coalesce(sa.func.sum(Project.paid_amount), 0)).group_by(external_key)).all()
        for key, n, public, paid in external:
            f = figures.setdefault(group(key), [0, ZERO, ZERO])
            f[0] += n
            f[1] += Decimal(public)
            f[2] += Decimal(paid)
    if "procedure" in queries:
        procedure = db.session.execute(queries["procedure"].with_only_columns(
            procedure_key, Proposal.id, ProjectVersion.requested_amount)).all()
        paid = monitoring.paid_amounts([pid for _key, pid, _amount in procedure])
        for key, pid, amount in procedure:
            f = figures.setdefault(group(key), [0, ZERO, ZERO])
            f[0] += 1
            f[1] += Decimal(amount)
            f[2] += Decimal(paid.get(pid) or 0)
    return figures


def _figure(n: int, public: Decimal, paid: Decimal) -> dict:
    return {"projects": n, "public_funding": money_text(public), "paid_amount": money_text(paid)}


def municipality_figures(**filters) -> list[dict]:
    """Every municipality of the territory, zero included: projects, public funding and paid amount of both
    origins (three queries), ordered by ISTAT code; the filters of the list keep the projects counted."""
    figures = _figures(Project.municipality, Project.municipality, filters)
    out = []
    for m in territory.municipalities():
        out.append({"municipality": m.code, "name": m.name} | _figure(*figures.get(m.code, (0, ZERO, ZERO))))
    return out


def milan_figures() -> dict:
    """Milan's projects of both origins by Municipio (the nine, zero included) and by neighbourhood (the NIL that
    have projects, by number): projects, public funding and paid amount (six queries); `unplaced` counts those
    that name no Municipio or no neighbourhood."""
    municipi = _figures(Project.municipio, Project.municipio, {"municipality": territory.MILANO})
    nil = _figures(Project.nil, Project.nil, {"municipality": territory.MILANO})
    return {"municipi": [{"number": n} | _figure(*municipi.get(n, (0, ZERO, ZERO))) for n in territory.MUNICIPI],
            "nil": [{"number": n, "name": territory.nil_name(n)} | _figure(*nil[n])
                    for n in sorted(k for k in nil if k is not None)],
            "unplaced_municipi": municipi.get(None, (0,))[0], "unplaced_nil": nil.get(None, (0,))[0]}


def spending(by: str, **filters) -> list[dict]:
    """Projects, public funding and paid amount of both origins by programme or by theme (`label` None where the
    project names none), labels compared ignoring case and accents, the largest public funding first."""
    keys = {"programme": (Project.programme, Procedure.programme), "theme": (Project.theme, Project.theme)}[by]
    figures = _figures(*keys, filters, fold=territory.fold)
    rows = [{"label": key} | _figure(*f) for key, f in figures.items()]
    return sorted(rows, key=lambda r: (-Decimal(r["public_funding"]), r["label"] is None,
                                       territory.fold(r["label"] or "")))


def overview(*, today: dt.date | None = None, limit: int = 100) -> dict:
    """The office's overview (DOMAIN.md): the late and the stale projects of both origins, each list the first
    `limit` by how long they have waited, with its count; the spending by programme and by theme; the totals.
    A fixed number of queries: procedure projects are read whole (the running ones), external ones filtered in
    SQL."""
    today = today or rome_today(utcnow())
    running = db.session.execute(_procedure_query({}).where(Proposal.state.in_(PROCEDURE_RUNNING))).unique().all()
    procedure = _procedure_rows(running, today)
    cutoff = add_months(today, -STALE_AFTER_MONTHS)
    external = {
        "late": (Project.planned_end < today, Project.state != "completed", Project.planned_end),
        "stale": (Project.last_entry_on < cutoff, Project.state.in_(RUNNING), Project.last_entry_on),
    }
    out: dict = {"today": today.isoformat()}
    for flag, (*conditions, order) in external.items():
        q = sa.select(Project).where(Project.origin == "external", *conditions)
        count = count_rows(q)
        found = db.session.execute(q.order_by(order, Project.id).limit(limit)).scalars().all()
        names = _administration_names({p.administration_id for p in found})
        rows = [r for r in procedure if r[flag]] + [external_dict(p, today, names) for p in found]
        since = "planned_end" if flag == "late" else "last_update_on"
        rows.sort(key=lambda r: (r[since] or "", r["id"]))
        out[flag] = {"count": count + sum(1 for r in procedure if r[flag]), "projects": rows[:limit]}
    out["by_programme"], out["by_theme"] = spending("programme"), spending("theme")
    out["totals"] = _figure(sum(r["projects"] for r in out["by_programme"]),
                            sum((Decimal(r["public_funding"]) for r in out["by_programme"]), ZERO),
                            sum((Decimal(r["paid_amount"]) for r in out["by_programme"]), ZERO))
    return out


@cache
def geometry() -> dict:
    """The territory's municipalities as simplified polygons (GeoJSON shipped with the project: ISTAT's limits,
    CC BY 4.0, via openpolis/geojson-italy), each with its ISTAT `code`, `name` and an inner `point`."""
    return json.loads(GEOMETRY.read_text(encoding="utf-8"))


def figures_geojson(**filters) -> dict:
    """The projects by municipality as GeoJSON: each municipality's polygon with its figures."""
    by_code = {f["municipality"]: f for f in municipality_figures(**filters)}
    shapes = geometry()
    return {"type": "FeatureCollection", "metadata": shapes["metadata"],
            "features": [{"type": "Feature", "geometry": feature["geometry"],
                          "properties": {"point": feature["properties"]["point"]} | by_code[feature["properties"]["code"]]}
                         for feature in shapes["features"] if feature["properties"]["code"] in by_code]}


def facets() -> dict:
    """The values the list's filters offer: programmes, themes and administrations of the catalogue's projects."""
    external = db.session.execute(sa.select(Project.programme, Project.theme, Organization.name)
                                  .outerjoin(Organization, Organization.id == Project.administration_id)
                                  .distinct()).all()
    procedure = transparency.facets()
    return {"programmes": sorted({r[0] for r in external if r[0]} | set(procedure["programmes"]), key=territory.fold),
            "themes": sorted({r[1] for r in external if r[1]}, key=territory.fold),
            "administrations": sorted({r[2] for r in external if r[2]} | set(procedure["administrations"]))}


# --- open data ---------------------------------------------------------------------------------------------------
CSV_COLUMNS = transparency.CSV_COLUMNS + (
    "id", "origin", "municipality_name", "municipio", "nil", "nil_name", "theme", "public_funding", "other_funding",
    "planned_start", "planned_end", "actual_start", "actual_end", "progress_pct", "late", "stale", "good_practice",
    "url")


def csv_text(rows: list[dict]) -> str:
    """The public list as CSV (UTF-8, header row): the same rows and values as the JSON."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for r in rows:
        flat = r | {"beneficiary_name": r["beneficiary"]["name"], "beneficiary_tax_code": r["beneficiary"]["tax_code"],
                    "indicators": json.dumps(r["indicators"], ensure_ascii=False)}
        w.writerow([safe_text(_csv_value(flat.get(c))) for c in CSV_COLUMNS])
    return out.getvalue()


def _csv_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def themes_of(municipality: str) -> list[str]:
    """The themes of a municipality's projects of either origin (one query)."""
    return sorted({t for (t,) in db.session.execute(
        sa.select(Project.theme).where(Project.municipality == municipality, Project.theme.is_not(None)).distinct())})
