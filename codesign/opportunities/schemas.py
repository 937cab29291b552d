"""What a caller may send about a funding opportunity (API.md, `POST /api/v1/opportunities`) and about who applies
to it, declared once."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema, model_validator

from codesign.core import territory
from codesign.core.schemas import Checked, Date, DecimalText, Input, Int, JsonSchemaOf, Money, Text
from codesign.opportunities.models import APPLICANTS, FUNDER_LEVELS


def _link(value: str) -> str:
    if not (value.startswith("https://") or value.startswith("http://")) or len(value) < 11 or " " in value:
        raise ValueError("indicare l'indirizzo web del bando, che inizia con https:// (o http://)")
    return value


def _territory(value):
    if value == "all":
        return value
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value) or len(value) > 200:
        raise ValueError("indicare \"all\" (tutto il territorio) o l'elenco dei codici ISTAT dei comuni")
    outside = [code[:20] for code in value if territory.get(code) is None]
    if outside:
        raise ValueError(f"non sono comuni della {territory.TERRITORY_NAME}: " + ", ".join(outside))
    if not value:
        raise ValueError("indicare almeno un comune, o \"all\" per tutto il territorio")
    return sorted(set(value))


def _pct(value):
    if value < 0 or value > 100:
        raise ValueError("una percentuale da 0 a 100")
    return value


def _unique(values: list) -> list:
    seen, out = set(), []
    for v in values:
        key = territory.fold(v) if isinstance(v, str) else v
        if key not in seen:
            seen.add(key)
            out.append(v)
    return out


Link = Checked(1000, _link, {"pattern": "^(https://[^ ]{3,}|http://[^ ]{4,})$",
                             "description": "l'indirizzo web del bando"})
Territory = Annotated[object, BeforeValidator(_territory), JsonSchemaOf(lambda: {
    "description": "\"all\" (tutto il territorio) o i codici ISTAT dei comuni", "oneOf": [
        {"const": "all"}, {"type": "array", "items": {"type": "string", "enum": territory.codes()}, "minItems": 1,
                           "maxItems": 200}]})]


class OpportunityIn(Input):
    title: Text(500)
    funder_level: Literal[FUNDER_LEVELS]
    funder: Text(300)
    programme: Text(300)
    link: Link
    eligible: Annotated[list[Literal[APPLICANTS]], Field(min_length=1, max_length=3), AfterValidator(_unique)]
    themes: Annotated[list[Text(200)], Field(min_length=1, max_length=20), AfterValidator(_unique)]
    territory: Territory = "all"
    budget: Money
    max_grant: Money | None = None
    cofinancing_min_pct: Annotated[DecimalText, AfterValidator(_pct)] | None = None
    opens_on: Date
    deadline: Date


def _municipality(value: str) -> str:
    if territory.get(value) is None:
        raise ValueError(f"non è un comune della {territory.TERRITORY_NAME} (codice ISTAT di sei cifre)")
    return value


Municipality = Annotated[Text(6), AfterValidator(_municipality),
                         WithJsonSchema({"type": "string", "pattern": "^[0-9]{6}$",
                                         "description": "il codice ISTAT di un comune del territorio"})]


class Party(Input):
    """A municipality (its ISTAT code) or a body registered in codesign (its id): exactly one of the two."""

    municipality: Municipality | None = None
    organization_id: Int(1) | None = None

    @model_validator(mode="after")
    def _one(self):
        if (self.municipality is None) == (self.organization_id is None):
            raise ValueError("indicare un comune (municipality) o un ente (organization_id), uno solo")
        return self


class ApplicationIn(Input):
    """An application the office records (`POST /api/v1/opportunities/{id}/applications`): the project, its lead
    and partners (a network of municipalities and bodies), what it asks."""

    title: Text(500)
    lead: Party
    partners: Annotated[list[Party], Field(max_length=50)] = []
    requested_amount: Money | None = None
    note: Text(5000, min_length=0) | None = None


class FundParams(Input):
    """`fund`: the funded application becomes an external project of the observatory with its CUP."""

    cup: Text(15)
    public_funding: Money
    planned_start: Date
    planned_end: Date
    theme: Text(200) | None = None
    reason: Text(5000, min_length=0) | None = None


class NoticeIn(Input):
    """The office proposes an opportunity (`POST /api/v1/opportunities/{id}/notices`): to whom, and a word of its
    own."""

    parties: Annotated[list[Party], Field(min_length=1, max_length=200)]
    message: Text(5000, min_length=0) | None = None
