"""The agreement's body (API.md, `PUT /proposals/{id}/agreement`), declared once."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

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


# A check of the body's self-declarations: `true` verified by a person with a regular outcome, `false` not yet
# verified (what a check not sent is: nothing defaults to a fact nobody checked), `null` where the law does not
# ask for it.
Check = bool | None


class ChecksIn(Input):
    runts: Check = False
    durc: Check = False
    antimafia: Check = False
    criminal_records: Check = False


class AgreementIn(Input):
    start_date: Date
    cup: Text(15, min_length=0) | None = None
    municipality: Text(120, min_length=0) | None = None   # where the project runs; the body's by default
    premises: list[PremisesIn] = Field(default_factory=list, max_length=MAX_ROWS)
    tranches: list[TrancheIn] = Field(min_length=1, max_length=MAX_ROWS)
    declaration_checks: ChecksIn = Field(default_factory=ChecksIn)


class HandoverIn(Input):
    """The hand-over of a premises: the day and the state it was found in (the signed minutes come as a file)."""

    handed_over_on: Date
    condition: Text(5000)
