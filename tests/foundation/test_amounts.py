"""Amounts typed on pages are read as people write them (Babel, Italian first)."""
from decimal import Decimal

import pytest

from codesign.core.forms import parse_amount


@pytest.mark.parametrize("typed, value", [
    ("90.000,50", "90000.50"), ("90000,50", "90000.50"), ("90000.50", "90000.50"), ("1.500", "1500"),
    ("12.345.678,90", "12345678.90"), ("0,5", "0.5")])
def test_italian_and_plain_notations(typed, value):
    assert parse_amount(typed) == Decimal(value)


@pytest.mark.parametrize("typed", ["abc", "1,2,3", "90,000.50.1", "", "1.50.0", "NaN", "nan", "sNaN", "Infinity",
                                   "-Infinity", "inf", "1e5", "1E+5", "١٢٣", "12\u00a0000"])
def test_what_is_not_a_number(typed):
    assert parse_amount(typed) is None
