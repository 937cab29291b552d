"""Calendar arithmetic of the procedures: months added as people count them, and the day in Rome."""
from __future__ import annotations

import calendar
import datetime as dt
from zoneinfo import ZoneInfo

ROME = ZoneInfo("Europe/Rome")


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the month's last day when it is shorter (31 Jan + 1 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def rome_today(now: dt.datetime) -> dt.date:
    return now.astimezone(ROME).date()


def format_rome(value: dt.datetime, fmt: str = "%d/%m/%Y %H:%M") -> str:
    """A point in time as people in Rome read it (for mail and documents; pages use core.web's filter)."""
    return value.astimezone(ROME).strftime(fmt)
