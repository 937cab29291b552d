"""What a caller may send to a co-design table, declared once (the API parses with these, the OpenAPI
document shows them, the pages build them from their forms)."""
from __future__ import annotations

from pydantic import Field

from codesign.core.schemas import DateTime, DecimalText, Input, Int, Money, Text

MAX_ROWS = 200


class MeetingIn(Input):
    held_at: DateTime
    place: Text(300)
    participants: list[Text(300)] = Field(default_factory=list, max_length=MAX_ROWS)
    minutes: Text(100_000, min_length=0) | None = None


class MeetingPatch(Input):
    held_at: DateTime | None = None
    place: Text(300) | None = None
    participants: list[Text(300)] | None = Field(default=None, max_length=MAX_ROWS)
    minutes: Text(100_000, min_length=0) | None = None


class ActivityIn(Input):
    title: Text(300)
    description: Text(10_000, min_length=0) = ""
    start_month: Int(1, 1200)
    end_month: Int(1, 1200)   # within the start-up duration and not before start_month: checked by the operations


class BudgetLineIn(Input):
    category: Text(200)
    funding_source: Text(50)
    amount: Money


class IndicatorTargetIn(Input):
    code: Text(50)
    target: DecimalText


class VersionIn(Input):
    summary: Text(50_000)
    activities: list[ActivityIn] = Field(default_factory=list, max_length=MAX_ROWS)
    budget_lines: list[BudgetLineIn] = Field(default_factory=list, max_length=MAX_ROWS)
    requested_amount: Money
    cofinancing_amount: Money
    indicators: list[IndicatorTargetIn] = Field(default_factory=list, max_length=MAX_ROWS)
    note: Text(5000, min_length=0) | None = None

