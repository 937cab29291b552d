"""Reading the CSV files people import (projects, funding opportunities), one way for every import: UTF-8 (a BOM
allowed), comma- or semicolon-separated (whichever the header uses more), a header row, empty rows skipped, a
bound on the rows; cells as people write them (amounts with a decimal comma, days as YYYYMMDD or 31/12/2022);
every bad row named `"row N: column"`, N counting data rows from 1, in the order of the file."""
from __future__ import annotations

import csv
import io
import re

from codesign.core.errors import Invalid
from codesign.core.forms import parse_amount

_YYYYMMDD = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
ROW_KEY = re.compile(r"^row (\d+): (.+)$")


def decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid({"file": "il file non è in UTF-8: salvalo come «CSV UTF-8» e riprova"}) from None


def _reader(text: str):
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def read_rows(raw: bytes, *, max_rows: int) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the data rows `(n, cells)` of a file (422 on `file` when it cannot be read, is empty or too
    long)."""
    reader = _reader(decode(raw))
    try:
        header = next(reader)
    except StopIteration:
        raise Invalid({"file": "il file è vuoto: serve una riga di intestazione e almeno una riga di dati"}) from None
    except csv.Error as exc:
        raise Invalid({"file": f"il file non è un CSV leggibile ({exc})"}) from None
    rows = []
    try:
        for n, cells in enumerate(reader, start=1):
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= max_rows:
                raise Invalid({"file": f"al massimo {max_rows} righe per file: dividilo in più file"})
            rows.append((n, cells))
    except csv.Error as exc:
        raise Invalid({"file": f"il file non è un CSV leggibile ({exc})"}) from None
    if not rows:
        raise Invalid({"file": "il file non contiene righe di dati"})
    return header, rows


def amount_text(value: str) -> str:
    """An amount as people write it ("2.000.000,50", "1500000,50", "250000 €", "1500000.50") in the API's
    decimal notation (core.forms.parse_amount reads it, as the pages' amount fields do); what it cannot read is
    left for the schema to refuse."""
    text = value.strip().replace("\u00a0", "").replace(" ", "").removesuffix("€")
    amount = parse_amount(text)
    return text if amount is None else format(amount, "f")


def date_text(value: str) -> str:
    """A day written YYYYMMDD (OpenCoesione) or 31/12/2022 as ISO; anything else as it is, for the schema."""
    value = value.strip()
    if m := _YYYYMMDD.match(value):
        return f"{m[1]}-{m[2]}-{m[3]}"
    if m := _DMY.match(value):
        return f"{m[3]}-{int(m[2]):02d}-{int(m[1]):02d}"
    return value


def row_order(item):
    """Sort key of `("row N: column", message)` items: by row, then column."""
    m = ROW_KEY.match(item[0])
    return (int(m[1]) if m else 0, item[0])


def refuse(errors: dict) -> None:
    """All or nothing: every bad row at once, in the file's order, nothing stored."""
    if errors:
        raise Invalid(dict(sorted(errors.items(), key=row_order)),
                      message=f"Il file non è stato importato: {len({k.split(':')[0] for k in errors})} righe "
                              "da correggere (nulla è stato salvato)")
