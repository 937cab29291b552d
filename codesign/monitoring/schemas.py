"""What a caller may send about a report and a payment, declared once (API.md, `PUT /reports/{id}`): the API
parses with these, the OpenAPI document shows them, the pages build them from their forms."""
from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from codesign.core.schemas import Date, DecimalText, Input, Int, Money, Text

MAX_ROWS = 500
MAX_RECEIPTS = 20      # per expense line
MAX_REPORT_RECEIPTS = 300   # per report, every line together


def _not_negative(value):
    if value < 0:
        raise ValueError("il valore non può essere negativo")
    return value


IndicatorValue = Annotated[DecimalText, AfterValidator(_not_negative)]


class ExpenseIn(Input):
    category: Text(200)
    funding_source: Text(50)
    amount: Money
    description: Text(2000, min_length=0) = ""
    receipts: list[Int(1)] | None = Field(default=None, max_length=MAX_RECEIPTS, description=(
        "i giustificativi della riga (id restituiti da `POST /reports/{id}/expenses/{n}/receipts`); se omesso, la "
        "riga conserva quelli della riga nella stessa posizione"))


class ReportIn(Input):
    """The content of a report. Saved as a draft while `due` or `returned`, even when incomplete: `submit` checks
    that it is complete (409)."""

    narrative: Text(100_000, min_length=0)
    indicators: dict[Text(50), IndicatorValue] = Field(max_length=200)
    expenses: list[ExpenseIn] = Field(max_length=MAX_ROWS)
    cofinancing_amount: Money
    sustainability: Text(50_000, min_length=0) | None = None
    overspending_justification: Text(20_000, min_length=0) | None = Field(default=None, description=(
        "perché la spesa, sommata a quella delle relazioni già presentate, supera il budget di una categoria o di "
        "una fonte del progetto definitivo: obbligatoria per `submit` in quel caso"))


class ReversalIn(Input):
    """A counter-entry on a payment: why, when, the recovery order's reference, and the amount (by default all that
    the payment still counts for)."""

    reason: Text(2000)
    reversed_on: Date
    amount: Money | None = None
    reference: Text(200, min_length=0) | None = None


class PaymentIn(Input):
    """A tranche paid: its number in the agreement, the date of the payment order and its reference; the amount,
    when given, must be the tranche's."""

    tranche_number: Int(1, 1000)
    paid_on: Date
    amount: Money | None = None
    reference: Text(200, min_length=0) | None = None
