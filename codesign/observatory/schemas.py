"""What a caller may send about a project of the catalogue (API.md, "Endpoints of the metropolitan observatory"),
declared once: the API parses with these, the OpenAPI document shows them, the pages and the import build them."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from codesign.core import territory
from codesign.core.schemas import Cup, Date, Input, JsonSchemaOf, Money, Text, Whole
from codesign.observatory.models import STATES
from codesign.organizations.taxcode import normalize_tax_code

State = Literal[STATES]

# OpenCoesione's synthetic themes (OC_TEMA_SINTETICO), which the pages offer; a theme stays a label of its own.
OC_THEMES = ("Agenda digitale", "Ambiente e prevenzione dei rischi", "Attrazione culturale, naturale e turistica",
             "Competitività per le imprese", "Energia e efficienza energetica", "Inclusione sociale",
             "Istruzione", "Occupazione e mobilità dei lavoratori", "Rafforzamento capacità della PA",
             "Ricerca e innovazione", "Rinnovamento urbano e rurale", "Servizi di cura infanzia e anziani",
             "Trasporti e infrastrutture a rete")


def _municipality(value: str) -> str:
    if territory.get(value) is None:
        raise ValueError(f"«{value}» non è il codice ISTAT di uno dei {len(territory.municipalities())} comuni della "
                         f"{territory.TERRITORY_NAME} (sei cifre, es. {territory.MILANO} per Milano)")
    return value


def _nil(value: int) -> int:
    if territory.nil_name(value) is None:
        raise ValueError(f"indicare il numero di uno degli {len(territory.neighbourhoods())} quartieri (NIL) di Milano "
                         "(es. 66 per QT 8)")
    return value


def _tax_code(value: str) -> str:
    return normalize_tax_code(value) if value else value


Municipality = Annotated[Text(20), AfterValidator(_municipality), JsonSchemaOf(lambda: {
    "type": "string", "enum": territory.codes(), "description": "il codice ISTAT di un comune del territorio"})]
Progress = Whole(0, 100)
Municipio = Annotated[Whole(1, 9), Field(description="solo per Milano")]
Nil = Annotated[Whole(1, 88), AfterValidator(_nil),
                Field(description="solo per Milano: il quartiere (NIL) del PGT 2030, da 1 a 88")]


class BeneficiaryIn(Input):
    name: Text(300)
    tax_code: Annotated[Text(16, min_length=0), AfterValidator(_tax_code)] | None = None


class ProjectIn(Input):
    """An external project (funded outside codesign's calls)."""

    cup: Cup
    title: Text(500)
    description: Text(20_000, min_length=0) | None = None
    programme: Text(300)
    theme: Text(200)
    municipality: Municipality
    municipio: Municipio | None = None
    nil: Nil | None = None
    beneficiary: BeneficiaryIn
    public_funding: Money
    other_funding: Money | None = None
    paid_amount: Money | None = None
    planned_start: Date
    planned_end: Date
    actual_start: Date | None = None
    actual_end: Date | None = None
    state: State
    progress_pct: Progress | None = None


class ProjectPatch(Input):
    """Any field of `ProjectIn`; those sent replace the stored ones (a required one cannot be emptied)."""

    cup: Cup | None = None
    title: Text(500) | None = None
    description: Text(20_000, min_length=0) | None = None
    programme: Text(300) | None = None
    theme: Text(200) | None = None
    municipality: Municipality | None = None
    municipio: Municipio | None = None
    nil: Nil | None = None
    beneficiary: BeneficiaryIn | None = None
    public_funding: Money | None = None
    other_funding: Money | None = None
    paid_amount: Money | None = None
    planned_start: Date | None = None
    planned_end: Date | None = None
    actual_start: Date | None = None
    actual_end: Date | None = None
    state: State | None = None
    progress_pct: Progress | None = None


# a path of the nested body → the flat field that forms, files and the stored row name (`beneficiary.name`)
FLAT_FIELDS = {"beneficiary.name": "beneficiary_name", "beneficiary.tax_code": "beneficiary_tax_code",
               "beneficiary": "beneficiary_name"}
REQUIRED = tuple(name for name, f in ProjectIn.model_fields.items() if f.is_required())
# the fields of a procedure project that the catalogue keeps (the rest comes from the agreement and monitoring)
PROCEDURE_FIELDS = ("description", "theme", "municipality", "municipio", "nil")
# the fields that only Milan's projects name
MILAN_FIELDS = ("municipio", "nil")


class UpdateIn(Input):
    """A progress update (stato di avanzamento) of an external project."""

    date: Date
    paid_amount: Money | None = None
    progress_pct: Progress | None = None
    state: State | None = None
    note: Text(5000)
