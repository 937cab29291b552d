"""Declared inputs (core/schemas.py): strict types, unknown keys refused, exact decimals, Italian messages."""
from decimal import Decimal

import pytest

from codesign.core.errors import BadRequest, Invalid
from codesign.core.schemas import INT_MAX, Date, Input, Int, Money, Text, parse


class Line(Input):
    category: Text(40)
    amount: Money


class Body(Input):
    summary: Text(200)
    lines: list[Line] = []
    on: Date | None = None
    months: Int(1, 120) = 1


def test_valid_body_is_parsed_exactly():
    m = parse(Body, {"summary": " Sintesi ", "lines": [{"category": "personale", "amount": "10.5"}],
                     "on": "2027-01-31", "months": 24})
    assert m.summary == "Sintesi" and m.lines[0].amount == Decimal("10.50") and m.on.isoformat() == "2027-01-31"
    assert m.model_dump(mode="json")["lines"][0]["amount"] == "10.50"


@pytest.mark.parametrize("data,field,message", [
    ({"summary": ["x"]}, "summary", "deve essere un testo"),
    ({"summary": "x", "actor": 1}, "actor", "campo non previsto"),
    ({"summary": "a\x00b"}, "summary", "NUL"),
    ({"summary": "x", "months": "3"}, "months", "numero intero"),
    ({"summary": "x", "months": INT_MAX + 1}, "months", "massimo"),
    ({"summary": "x", "lines": [{"category": "c", "amount": 10.5}]}, "lines.0.amount", "notazione decimale"),
    ({"summary": "x", "lines": [{"category": "c", "amount": "1.005"}]}, "lines.0.amount", "due decimali"),
    ({"summary": "x", "on": "31/01/2027"}, "on", "AAAA-MM-GG"),
    ({}, "summary", "obbligatorio"),
])
def test_bad_input_is_refused_per_field(data, field, message):
    with pytest.raises(Invalid) as exc:
        parse(Body, data)
    assert message in exc.value.fields[field]


def test_only_objects_and_shallow_bodies():
    with pytest.raises(BadRequest):
        parse(Body, ["summary"])
    nested: dict = {"summary": "x"}
    cur = nested
    for _ in range(30):
        cur["x"] = {}
        cur = cur["x"]
    with pytest.raises(BadRequest):
        parse(Body, nested)
