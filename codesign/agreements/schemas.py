"""The agreement's body (API.md, `PUT /proposals/{id}/agreement`), declared once."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from codesign.core.schemas import Date, DecimalText, Input, Int, Text

MAX_ROWS = 50


class PremisesIn(Input):
    address: Text(300)
    description: Text(2000, min_length=0) = ""


class TrancheIn(Input):
    number: Int(1, MAX_ROWS)
    pct: DecimalText
    after: Literal["signature", "report", "final"]
    report_number: Int(1, 1000) | None = None


def _done(value: bool | None) -> bool | None:
    if value is False:
        raise ValueError("indicare true (controllo eseguito con esito regolare) o null (controllo non dovuto): "
                         "con un esito irregolare la convenzione non si sottoscrive")
    return value


Check = Annotated[bool | None, AfterValidator(_done)]


class ChecksIn(Input):
    """The checks of the body's self-declarations: each `true` (done, regular), or `null` where not due."""

    runts: Check
    durc: Check
    antimafia: Check
    criminal_records: Check


class AgreementIn(Input):
    start_date: Date
    cup: Text(15, min_length=0) | None = None
    municipality: Text(120, min_length=0) | None = None   # where the project runs; the body's by default
    premises: list[PremisesIn] = Field(default_factory=list, max_length=MAX_ROWS)
    tranches: list[TrancheIn] = Field(min_length=1, max_length=MAX_ROWS)
    declaration_checks: ChecksIn
