"""Tables a page shows, as files for a spreadsheet: CSV as Italian spreadsheets open it (UTF-8 with a byte order
mark, `;` between cells, a decimal comma, days as 31/12/2022) and XLSX written by openpyxl (amounts and quantities
stay numbers, days stay dates). A text cell never starts a formula in either (OWASP, CSV injection): the one guard
is `safe_text`, which the open data files use too."""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Font

FORMATS = ("csv", "xlsx")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_FORMATS = {"money": "#,##0.00", "number": "#,##0.###", "int": "0", "date": "DD/MM/YYYY"}


def safe_text(value) -> str:
    """A text cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in FORMULA_START else text


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"     # text | money | number | int | date


@dataclass
class Sheet:
    """A table: its file name (without extension), its title (the page's caption) and typed columns."""
    name: str
    title: str
    columns: list[Column]
    rows: list[dict] = field(default_factory=list)


def _italian(value, kind: str) -> str:
    if value is None or value == "":
        return ""
    if kind == "money":
        return f"{Decimal(value):.2f}".replace(".", ",")
    if kind == "number":
        text = format(Decimal(value).normalize(), "f")
        return text.replace(".", ",")
    if kind == "int":
        return str(int(value))
    if kind == "date":
        day = dt.date.fromisoformat(value) if isinstance(value, str) else value
        return day.strftime("%d/%m/%Y")
    return safe_text(value)


def csv_bytes(sheet: Sheet) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\r\n")
    w.writerow([safe_text(c.label) for c in sheet.columns])
    for row in sheet.rows:
        w.writerow([_italian(row.get(c.key), c.kind) for c in sheet.columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx_value(value, kind: str):
    if value is None or value == "":
        return None
    if kind in ("money", "number"):
        return Decimal(value)
    if kind == "int":
        return int(value)
    if kind == "date":
        return dt.date.fromisoformat(value) if isinstance(value, str) else value
    return safe_text(value)


def xlsx_bytes(sheet: Sheet) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "".join(ch for ch in sheet.title if ch not in "[]:*?/\\")[:31] or "Tabella"
    ws.append([c.label for c in sheet.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.data_type = "s"
    for row in sheet.rows:
        ws.append([_xlsx_value(row.get(c.key), c.kind) for c in sheet.columns])
    for i, col in enumerate(sheet.columns, start=1):
        letter = ws.cell(row=1, column=i).column_letter
        width = max([len(col.label)] + [len(_italian(r.get(col.key), col.kind)) for r in sheet.rows])
        ws.column_dimensions[letter].width = min(60, max(10, width + 2))
        for cells in ws.iter_rows(min_row=2, min_col=i, max_col=i):
            for cell in cells:
                if col.kind in XLSX_FORMATS:
                    cell.number_format = XLSX_FORMATS[col.kind]
                elif cell.value is not None:
                    cell.data_type = "s"       # text stays text: never a formula
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def download(sheet: Sheet, fmt: str, *, private: bool = True) -> Response:
    """The table as a file to download in `fmt` (one of FORMATS)."""
    data = csv_bytes(sheet) if fmt == "csv" else xlsx_bytes(sheet)
    headers = {"Content-Disposition": f'attachment; filename="{sheet.name}.{fmt}"'}
    if private:
        headers["Cache-Control"] = "private, no-store"
    return Response(data, content_type=MEDIA_TYPES[fmt], headers=headers)
