"""Tables as files for a spreadsheet (core.exports): CSV as Italian spreadsheets open it, XLSX read back with
openpyxl, and no text cell that starts a formula in either."""
import datetime as dt
import io
from decimal import Decimal

from openpyxl import load_workbook

from codesign.core.exports import Column, Sheet, csv_bytes, download, safe_text, xlsx_bytes

SHEET = Sheet("prova", "Spese: per fonte [2022]", [
    Column("source", "Fonte"), Column("amount", "Importo", "money"), Column("pct", "Percentuale", "number"),
    Column("n", "Relazioni", "int"), Column("day", "Pagata il", "date")],
    [{"source": "FSE", "amount": Decimal("90000.5"), "pct": Decimal("106.70"), "n": 4, "day": dt.date(2022, 1, 10)},
     {"source": "=HYPERLINK(\"http://x\")", "amount": None, "pct": Decimal("90"), "n": 0, "day": "2023-11-02"},
     {"source": "-3+2", "amount": Decimal("-1000.00"), "pct": None, "n": None, "day": None}])


def test_csv_for_italian_spreadsheets():
    data = csv_bytes(SHEET)
    assert data.startswith("\ufeff".encode())
    lines = data.decode("utf-8").lstrip("\ufeff").split("\r\n")
    assert lines[0] == "Fonte;Importo;Percentuale;Relazioni;Pagata il"
    assert lines[1] == "FSE;90000,50;106,7;4;10/01/2022"
    assert lines[2] == '"\'=HYPERLINK(""http://x"")";;90;0;02/11/2023'
    assert lines[3] == "'-3+2;-1000,00;;;" and lines[4] == ""


def test_xlsx_keeps_numbers_dates_and_text():
    ws = load_workbook(io.BytesIO(xlsx_bytes(SHEET))).active
    assert ws.title == "Spese: per fonte 2022".replace(":", "")
    assert [c.value for c in ws[1]] == ["Fonte", "Importo", "Percentuale", "Relazioni", "Pagata il"]
    row = [c.value for c in ws[2]]
    assert row[0] == "FSE" and row[1] == 90000.5 and row[2] == 106.7 and row[3] == 4
    assert row[4].date() == dt.date(2022, 1, 10) and ws["E2"].number_format == "DD/MM/YYYY"
    assert ws["B2"].number_format == "#,##0.00"
    # a text that looks like a formula stays text, guarded as in the CSV
    assert ws["A3"].data_type == "s" and ws["A3"].value == "'=HYPERLINK(\"http://x\")"
    assert ws["B3"].value is None and ws["A4"].value == "'-3+2" and ws["B4"].value == -1000


def test_download_names_the_file_and_keeps_it_private(app):
    with app.test_request_context():
        r = download(SHEET, "xlsx")
        assert r.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        assert r.headers["Content-Disposition"] == 'attachment; filename="prova.xlsx"'
        assert r.headers["Cache-Control"] == "private, no-store"
        assert download(SHEET, "csv").mimetype == "text/csv"


def test_safe_text():
    assert [safe_text(x) for x in (None, "", "a", "=1", "+1", "-1", "@A", "\tx", 5)] == [
        "", "", "a", "'=1", "'+1", "'-1", "'@A", "'\tx", "5"]
