"""The import of external projects from a CSV file (API.md, `POST /api/v1/projects/import`; DOMAIN.md, "Import").

The file is UTF-8 with a header row, comma- or semicolon-separated, with codesign's columns or OpenCoesione's
own export columns for the same fields (`CUP`, `OC_TITOLO_PROGETTO`, `OC_TEMA_SINTETICO`, `COD_COMUNE`, …, dates
as YYYYMMDD); other columns are ignored. Every row is validated as `POST /api/v1/projects` validates one project;
any bad row refuses the whole file, with every bad row named (`"row N: column"`, N counting data rows from 1), and
nothing is stored. A row whose CUP belongs to an external project updates it, changing only what differs, so that
importing the same file twice changes nothing. The writes run in a fixed number of statements per row."""
from __future__ import annotations

import sqlalchemy as sa

from codesign.core import audit, territory
from codesign.core.calendar import rome_today
from codesign.core.csvfiles import amount_text, date_text, read_rows, refuse
from codesign.core.errors import Invalid
from codesign.core.schemas import parse
from codesign.db import db, utcnow
from codesign.observatory import operations as observatory
from codesign.observatory.models import Project
from codesign.observatory.schemas import FLAT_FIELDS, ProjectIn

MAX_ROWS = 20_000
# codesign's column → OpenCoesione's export column for the same field
COLUMNS = {
    "cup": "CUP", "title": "OC_TITOLO_PROGETTO", "description": "OC_SINTESI_PROGETTO",
    "programme": "OC_DESCRIZIONE_PROGRAMMA", "theme": "OC_TEMA_SINTETICO", "municipality": "COD_COMUNE",
    "beneficiary_name": "OC_DENOM_BENEFICIARIO", "beneficiary_tax_code": "OC_CODFISC_BENEFICIARIO",
    "public_funding": "FINANZ_TOTALE_PUBBLICO", "other_funding": "FINANZ_PRIVATO", "paid_amount": "TOT_PAGAMENTI",
    "planned_start": "OC_DATA_INIZIO_PROGETTO", "planned_end": "OC_DATA_FINE_PROGETTO_PREVISTA",
    "actual_start": "OC_DATA_INIZIO_PROGETTO_EFFETTIVA", "actual_end": "OC_DATA_FINE_PROGETTO_EFFETTIVA",
    "state": "OC_STATO_PROGETTO", "progress_pct": None, "municipio": None, "nil": None,
}
REQUIRED = ("cup", "title", "programme", "theme", "municipality", "beneficiary_name", "public_funding",
            "planned_start", "planned_end", "state")
AMOUNTS = ("public_funding", "other_funding", "paid_amount")
DATES = ("planned_start", "planned_end", "actual_start", "actual_end")
# a state as codesign names it, as the pages write it, or as OpenCoesione's OC_STATO_PROGETTO does
STATE_WORDS = {"planned": "planned", "in_progress": "in_progress", "completed": "completed",
               "interrupted": "interrupted", "programmato": "planned", "non avviato": "planned",
               "in corso": "in_progress", "concluso": "completed", "liquidato": "completed",
               "interrotto": "interrupted", "sospeso": "interrupted"}


def _header(names: list[str]) -> dict[str, int]:
    """Each field → the index of its column in the file (codesign's name first, else OpenCoesione's)."""
    index = {}
    for i, name in enumerate(names):
        index.setdefault(name.strip(), i)
    found = {}
    for field, oc in COLUMNS.items():
        for name in (field, field.upper(), oc):
            if name and name in index:
                found[field] = index[name]
                break
    missing = [f for f in REQUIRED if f not in found]
    if missing:
        raise Invalid({"file": "mancano le colonne: " + ", ".join(
            f"{f} (o {COLUMNS[f]})" if COLUMNS[f] else f for f in missing)})
    return found


def _municipality(value: str) -> str:
    digits = value.strip()
    if digits.isdigit() and digits.isascii():
        if len(digits) == 9:          # OpenCoesione: region (3) + province (3) + municipality (3)
            digits = digits[3:]
        digits = digits.zfill(6)
    return territory.resolve(digits) or digits


def _body(cells: dict[str, str]) -> dict:
    """A row as the body of `POST /api/v1/projects` (empty cells left out)."""
    out: dict = {}
    for field, value in cells.items():
        value = value.strip()
        if not value:
            continue
        if field in AMOUNTS:
            value = amount_text(value)
        elif field in DATES:
            value = date_text(value)
        elif field == "municipality":
            value = _municipality(value)
        elif field == "state":
            value = STATE_WORDS.get(territory.fold(value).replace("-", " "), value)
        elif field == "progress_pct":
            value = value.removesuffix("%").strip()
        elif field == "nil":
            value = territory.resolve_nil(value) or value     # its number, or its name
        out[field] = value
    beneficiary = {"name": out.pop("beneficiary_name", None), "tax_code": out.pop("beneficiary_tax_code", None)}
    if beneficiary["name"] is not None or beneficiary["tax_code"] is not None:
        out["beneficiary"] = {k: v for k, v in beneficiary.items() if v is not None}
    return out


def _column(path: str, names: dict[str, str]) -> str:
    """The file's name of the column a domain path names (`beneficiary.name` → `beneficiary_name`)."""
    field = FLAT_FIELDS.get(path, path.split(".", 1)[0])
    return names.get(field, field)


def import_projects(actor, raw: bytes, *, now=None) -> dict:
    """Create or update the file's projects, all or nothing: `{"created": n, "updated": m}` (rows that named an
    existing project count as updated, whether or not anything differed)."""
    now = now or utcnow()
    observatory.require_admin(actor)
    header, found = read_rows(raw, max_rows=MAX_ROWS)
    columns = _header(header)
    names = {field: header[i].strip() for field, i in columns.items()}
    rows = [(n, {f: (cells[i] if i < len(cells) else "") for f, i in columns.items()}) for n, cells in found]
    errors: dict = {}
    cleaned = []
    for n, cells in rows:
        try:
            clean = parse(ProjectIn, _body(cells))
        except Invalid as exc:
            for path, message in exc.fields.items():
                errors.setdefault(f"row {n}: {_column(path, names)}", message)
            continue
        # a column the file does not have changes nothing that is stored
        values = {k: v for k, v in observatory.flat(clean).items() if k in columns}
        for path, message in observatory.consistency(values).items():
            errors[f"row {n}: {_column(path, names)}"] = message
        cleaned.append((n, clean.cup, values))

    cups = [cup for _n, cup, _v in cleaned]
    existing = {p.cup: p for p in db.session.execute(sa.select(Project).where(Project.cup.in_(cups))).scalars()}
    held = observatory.cups_under_agreement(cups)
    seen: dict[str, int] = {}
    for n, cup, _values in cleaned:
        key = f"row {n}: {names['cup']}"
        if cup in seen:
            errors[key] = f"CUP ripetuto: è già alla riga {seen[cup]}"
        elif cup in held:
            errors[key] = f"il CUP {cup} è già di un progetto di una procedura («{held[cup]}»)"
        elif cup in existing and existing[cup].origin != "external":
            errors[key] = f"il CUP {cup} è già di un progetto di una procedura"
        elif cup in existing and not observatory.can_edit(actor, existing[cup]):
            errors[key] = f"il progetto con CUP {cup} è tenuto da un'altra amministrazione"
        seen.setdefault(cup, n)
    refuse(errors)

    today = rome_today(now)
    created, updated = [], []
    for _n, cup, values in cleaned:
        project = existing.get(cup)
        if project is None:
            project = observatory.new_external(actor, values, now=now)
            created.append(project)
        else:
            observatory.apply_values(project, values | observatory.cleared_outside_milan(project, values), now=now)
            updated.append(project)
        existing[cup] = project
    db.session.flush()
    for project, values in [(existing[cup], values) for _n, cup, values in cleaned]:
        progress = {k: values.get(k) for k in observatory.PROGRESS_FIELDS if values.get(k) is not None}
        if project in created or any(getattr(project, k) != v for k, v in progress.items()):
            observatory.record_entry(project, actor, "import", today, progress)
    db.session.flush()
    audit.record(actor=actor, entity_type="project", entity_id=None, trigger="import_projects",
                 data={"created": [p.cup for p in created], "updated": [p.cup for p in updated]}, at=now)
    return {"created": len(created), "updated": len(updated)}
