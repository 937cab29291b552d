"""Small validators shared by the API and the forms. Each returns the clean value or raises ValueError
with an Italian message; `collect` turns a set of them into one Invalid (422) listing every field."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from email_validator import EmailNotValidError, validate_email

from codesign.core.errors import Invalid

ROME = ZoneInfo("Europe/Rome")
_DECIMAL_RE = re.compile(r"^-?\d+(\.\d+)?$")


def money(value, *, allow_zero=True) -> Decimal:
    """A non-negative amount with at most two decimals, given as a string (or int) in plain notation."""
    if value is None or value == "":
        raise ValueError("campo obbligatorio")
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise ValueError("importo non valido: usare una stringa in notazione decimale, es. \"1000.00\"")
    text = str(value).strip()
    if not _DECIMAL_RE.match(text):
        raise ValueError("importo non valido: usare la notazione decimale, es. \"1000.00\"")
    try:
        d = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the regex already excludes this
        raise ValueError("importo non valido") from exc
    if d < 0:
        raise ValueError("l'importo non può essere negativo")
    if not allow_zero and d == 0:
        raise ValueError("l'importo deve essere maggiore di zero")
    if d.as_tuple().exponent < -2:
        raise ValueError("al massimo due decimali")
    if d >= Decimal("1e12"):
        raise ValueError("importo troppo grande")
    return d.quantize(Decimal("0.01"))


def decimal_value(value, *, lo=None, hi=None, places=2) -> Decimal:
    if value is None or value == "":
        raise ValueError("campo obbligatorio")
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise ValueError("valore non valido: usare una stringa in notazione decimale")
    text = str(value).strip()
    if not _DECIMAL_RE.match(text):
        raise ValueError("valore non valido: usare la notazione decimale")
    d = Decimal(text)
    if d.as_tuple().exponent < -places:
        raise ValueError(f"al massimo {places} decimali")
    if lo is not None and d < lo:
        raise ValueError(f"il valore minimo è {lo}")
    if hi is not None and d > hi:
        raise ValueError(f"il valore massimo è {hi}")
    return d


def storable(value: str) -> str:
    """A text the database can keep as it is: no NUL (PostgreSQL refuses it), no lone surrogate."""
    if "\x00" in value:
        raise ValueError("il testo contiene un carattere non ammesso (NUL)")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("il testo contiene caratteri non validi") from exc
    return value


def text(value, *, required=True, max_length=None) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValueError("campo obbligatorio")
        return None
    if not isinstance(value, str):
        raise ValueError("deve essere un testo")
    value = storable(value.strip())
    if max_length and len(value) > max_length:
        raise ValueError(f"al massimo {max_length} caratteri")
    return value


def email_address(value: str) -> str:
    """An e-mail address, normalized and lower-cased (its domain is not looked up)."""
    try:
        return validate_email(value or "", check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ValueError("indirizzo e-mail non valido") from exc


def integer(value, *, lo=None, hi=None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        else:
            raise ValueError("deve essere un numero intero")
    if lo is not None and value < lo:
        raise ValueError(f"il valore minimo è {lo}")
    if hi is not None and value > hi:
        raise ValueError(f"il valore massimo è {hi}")
    return value


def aware_datetime(value) -> dt.datetime:
    """ISO 8601 with offset; a time without offset is read as Europe/Rome. Returned in UTC."""
    if isinstance(value, dt.datetime):
        d = value
    elif isinstance(value, str):
        try:
            d = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError as exc:
            raise ValueError("data e ora non valide: usare ISO 8601, es. 2026-03-01T12:00:00+01:00") from exc
    else:
        raise ValueError("data e ora non valide: usare ISO 8601")
    _in_years(d.year)
    if d.tzinfo is None:
        d = d.replace(tzinfo=ROME)
    return d.astimezone(dt.timezone.utc)


# The years a date of a procedure or a project may fall in: nobody means year 1 or 9999, and the calendar
# arithmetic (reporting periods, time zones) must never overflow.
YEARS = (2000, 2100)


def _in_years(year: int) -> None:
    if not YEARS[0] <= year <= YEARS[1]:
        raise ValueError(f"la data deve cadere tra il {YEARS[0]} e il {YEARS[1]}")


def date_value(value) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        _in_years(value.year)
        return value
    if not isinstance(value, str):
        raise ValueError("data non valida: usare AAAA-MM-GG")
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValueError("data non valida: usare AAAA-MM-GG") from exc
    _in_years(day.year)
    return day


class Collector:
    """Gathers per-field errors so that a 422 names every invalid field at once."""

    def __init__(self):
        self.errors: dict[str, str] = {}

    def __call__(self, field: str, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ValueError as exc:
            self.errors[field] = str(exc)
            return None

    def add(self, field: str, message: str):
        self.errors.setdefault(field, message)

    def raise_if_any(self):
        if self.errors:
            raise Invalid(self.errors)
