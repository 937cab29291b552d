"""What a caller may send about a funding opportunity (API.md, `POST /api/v1/opportunities`), declared once."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema

from codesign.core import territory
from codesign.core.schemas import Date, DecimalText, Input, Money, Text
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


Territory = Annotated[object, BeforeValidator(_territory), WithJsonSchema({
    "description": "\"all\" (tutto il territorio) o i codici ISTAT dei comuni", "oneOf": [
        {"const": "all"}, {"type": "array", "items": {"type": "string", "pattern": "^[0-9]{6}$"}, "minItems": 1,
                           "maxItems": 200}]})]


class OpportunityIn(Input):
    title: Text(500)
    funder_level: Literal[FUNDER_LEVELS]
    funder: Text(300)
    programme: Text(300)
    link: Annotated[Text(1000), AfterValidator(_link)]
    eligible: Annotated[list[Literal[APPLICANTS]], Field(min_length=1, max_length=3), AfterValidator(_unique)]
    themes: Annotated[list[Text(200)], Field(min_length=1, max_length=20), AfterValidator(_unique)]
    territory: Territory = "all"
    budget: Money
    max_grant: Money | None = None
    cofinancing_min_pct: Annotated[DecimalText, AfterValidator(_pct)] | None = None
    opens_on: Date
    deadline: Date
