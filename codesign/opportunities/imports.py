"""The import of funding opportunities from a CSV file (the office's spreadsheet of calls), all or nothing, read as
every import is (core.csvfiles): a header row with the columns of `POST /api/v1/opportunities` — lists (`eligible`,
`themes`, `territory`) with their items separated by `|` or `;`, words as the pages write them («Regionale»,
«Enti del Terzo settore», a municipality's name) or as the API does (`regional`, `ets`, an ISTAT code), an empty
`territory` (or «all») for the whole territory. Every row is validated as `POST /api/v1/opportunities` validates one;
any bad row refuses the whole file with every bad row named, and nothing is stored. A row whose `link` is that of
a stored opportunity updates it (the call's page names it), so importing the same file twice changes nothing."""
from __future__ import annotations

import re

import sqlalchemy as sa

from codesign.core import audit, territory
from codesign.core.csvfiles import amount_text, date_text, read_rows, refuse
from codesign.core.errors import Invalid
from codesign.core.schemas import parse
from codesign.db import db, utcnow
from codesign.observatory import operations as observatory
from codesign.opportunities import operations as opportunities
from codesign.opportunities.models import APPLICANTS, FUNDER_LEVELS, Opportunity
from codesign.opportunities.schemas import OpportunityIn

MAX_ROWS = 2_000
COLUMNS = ("title", "funder_level", "funder", "programme", "link", "eligible", "themes", "territory", "budget",
           "max_grant", "cofinancing_min_pct", "opens_on", "deadline")
REQUIRED = ("title", "funder_level", "funder", "programme", "link", "eligible", "themes", "budget", "opens_on",
            "deadline")
LISTS = ("eligible", "themes", "territory")
_SPLIT = re.compile(r"[|;]")
# the words people use for a level and for who may apply, beside the API's own
LEVEL_WORDS = {territory.fold(label): code for code, label in opportunities.LEVEL_LABELS.items()} | {
    "ue": "eu", "europeo": "eu", "europa": "eu", "nazionale": "national", "regionale": "regional",
    "fondazione": "foundation", **{code: code for code in FUNDER_LEVELS}}
APPLICANT_WORDS = {territory.fold(label): code for code, label in opportunities.APPLICANT_LABELS.items()} | {
    "comune": "municipality", "ente": "ets", "ente del terzo settore": "ets", "enti": "ets",
    "partenariato": "partnership", **{code: code for code in APPLICANTS}}


def _header(names: list[str]) -> dict[str, int]:
    index = {}
    for i, name in enumerate(names):
        index.setdefault(name.strip().lower(), i)
    found = {c: index[c] for c in COLUMNS if c in index}
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise Invalid({"file": "mancano le colonne: " + ", ".join(missing)})
    return found


def _items(value: str) -> list[str]:
    return [v.strip() for v in _SPLIT.split(value) if v.strip()]


def _body(cells: dict[str, str]) -> dict:
    """A row as the body of `POST /api/v1/opportunities` (empty optional cells left out)."""
    out: dict = {}
    for field, value in cells.items():
        value = value.strip()
        if field == "territory":
            items = _items(value)
            out[field] = "all" if not items or territory.fold(items[0]) in ("all", "tutto il territorio", "tutti") \
                else [territory.resolve(v) or v for v in items]
        elif not value:
            continue
        elif field == "funder_level":
            out[field] = LEVEL_WORDS.get(territory.fold(value), value)
        elif field == "eligible":
            out[field] = [APPLICANT_WORDS.get(territory.fold(v), v) for v in _items(value)]
        elif field == "themes":
            out[field] = _items(value)
        elif field in ("budget", "max_grant"):
            out[field] = amount_text(value)
        elif field == "cofinancing_min_pct":
            out[field] = amount_text(value.removesuffix("%"))
        elif field in ("opens_on", "deadline"):
            out[field] = date_text(value)
        else:
            out[field] = value
    return out


def import_opportunities(actor, raw: bytes, *, now=None) -> dict:
    """Create or update the file's opportunities, all or nothing: `{"created": n, "updated": m}`."""
    now = now or utcnow()
    observatory.require_admin(actor)
    header, found = read_rows(raw, max_rows=MAX_ROWS)
    columns = _header(header)
    names = {field: header[i].strip() for field, i in columns.items()}
    errors, cleaned, seen = {}, [], {}
    for n, cells in found:
        row = {f: (cells[i] if i < len(cells) else "") for f, i in columns.items()}
        try:
            clean = parse(OpportunityIn, _body(row))
        except Invalid as exc:
            for path, message in exc.fields.items():
                column = path.split(".", 1)[0]
                errors.setdefault(f"row {n}: {names.get(column, column)}", message)
            continue
        if clean.deadline < clean.opens_on:
            errors[f"row {n}: {names['deadline']}"] = "la scadenza non può precedere l'apertura"
        if clean.link in seen:
            errors[f"row {n}: {names['link']}"] = f"bando ripetuto: lo stesso indirizzo è già alla riga {seen[clean.link]}"
        seen.setdefault(clean.link, n)
        cleaned.append(clean)
    refuse(errors)
    existing = {o.link: o for o in db.session.execute(
        sa.select(Opportunity).where(Opportunity.link.in_([c.link for c in cleaned]))).scalars()}
    created, updated = [], []
    for clean in cleaned:
        values = opportunities.values_of(clean)
        o = existing.get(clean.link)
        if o is None:
            o = opportunities.new_opportunity(actor, values, now=now)
            created.append(o)
        else:
            changed = {k: v for k, v in values.items() if getattr(o, k) != v}
            for k, v in changed.items():
                setattr(o, k, v)
            if changed:
                o.updated_at = now
            updated.append(o)
    db.session.flush()
    audit.record(actor=actor, entity_type="opportunity", entity_id=None, trigger="import_opportunities",
                 data={"created": [o.id for o in created], "updated": [o.id for o in updated]}, at=now)
    return {"created": len(created), "updated": len(updated)}
