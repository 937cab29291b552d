"""The reporting calendar (DOMAIN.md): period N from start + (N-1) x period to the day before start + N x
period, due 30 days after its last day, until the monitoring duration ends."""
import datetime as dt

from codesign.core.calendar import add_months
from codesign.monitoring.operations import calendar


def test_add_months_clamps_to_the_month_end():
    assert add_months(dt.date(2021, 1, 31), 1) == dt.date(2021, 2, 28)
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2021, 11, 15), 3) == dt.date(2022, 2, 15)


def test_calendar_of_the_worked_example():
    periods = calendar(dt.date(2021, 9, 1), 24, 6)
    assert periods == [
        (dt.date(2021, 9, 1), dt.date(2022, 2, 28), dt.date(2022, 3, 30)),
        (dt.date(2022, 3, 1), dt.date(2022, 8, 31), dt.date(2022, 9, 30)),
        (dt.date(2022, 9, 1), dt.date(2023, 2, 28), dt.date(2023, 3, 30)),
        (dt.date(2023, 3, 1), dt.date(2023, 8, 31), dt.date(2023, 9, 30)),
    ]


def test_a_last_short_period_ends_with_the_monitoring():
    periods = calendar(dt.date(2022, 1, 15), 10, 4)
    assert [(a.isoformat(), b.isoformat()) for a, b, _ in periods] == [
        ("2022-01-15", "2022-05-14"), ("2022-05-15", "2022-09-14"), ("2022-09-15", "2022-11-14")]
    assert periods[-1][2] == dt.date(2022, 12, 14)
