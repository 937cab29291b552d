"""The receipts (giustificativi) of a report's expense lines through the API and the pages: PDF or image checked by
content and size, several per line, a line with an amount and no receipt refuses `submit` (409 naming it), the
receipts kept with every submitted version, those never submitted deleted with the last line that named them, read
by the body and the administration only; the report form's rows added and taken out without JavaScript."""
import io

import sqlalchemy as sa
from PIL import Image

from codesign.db import db
from codesign.monitoring import operations as monitoring_ops
from codesign.monitoring.models import ExpenseReceipt, Report
from codesign.monitoring.schemas import MAX_ROWS
from codesign.proposals import operations as props
from codesign.proposals.models import Attachment
from tests.conftest import csrf_token_from
from tests.helpers import PDF, transition
from tests.monitoring.conftest import API, content, prove, report_ids
from tests.monitoring.test_pages import FORM, As, member_of


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 60), "white").save(out, "PNG")
    return out.getvalue()


def upload(client, rid, n, h, data=PDF, name="fattura.pdf"):
    return client.post(f"{API}/reports/{rid}/expenses/{n}/receipts", headers=h, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), name)})


def attachments() -> int:
    return db.session.execute(sa.select(sa.func.count(Attachment.id))).scalar_one()


def test_receipts_per_line_checked_kept_and_required(client, s, app):
    h1 = s.org_h["ets1"]
    rid = report_ids(client, s)[0]
    assert client.put(f"{API}/reports/{rid}", headers=h1, json=content()).status_code == 200
    # a PDF on line 1, an image on line 2 (kept as uploaded)
    r = upload(client, rid, 1, h1, name="fattura-educatori.pdf")
    assert r.status_code == 201 and r.json["content_type"] == "application/pdf" and r.json["name"] == "fattura-educatori.pdf"
    pdf_id = r.json["id"]
    image = png()
    r = upload(client, rid, 2, h1, image, "scontrino.png")
    assert r.status_code == 201 and r.json["content_type"] == "image/png" and r.json["size"] == len(image)
    png_id = r.json["id"]
    lines = client.get(f"{API}/reports/{rid}", headers=h1).json["expenses"]
    assert [[x["id"] for x in e["receipts"]] for e in lines] == [[pdf_id], [png_id]]
    # refused, nothing stored: not a PDF nor an image, a cut image, empty, too large, a line that does not exist,
    # no file, a receipt posted as a document of the proposal
    before = attachments()
    r = upload(client, rid, 1, h1, b"<html>non sono una fattura</html>", "fattura.pdf")
    assert r.status_code == 422 and "né un'immagine" in r.json["error"]["fields"]["file"]
    assert upload(client, rid, 1, h1, image[:60], "tagliata.png").status_code == 422
    assert upload(client, rid, 1, h1, b"", "vuoto.pdf").status_code == 422
    limit, app.config["MAX_UPLOAD_MB"] = app.config["MAX_UPLOAD_MB"], 1
    try:
        assert upload(client, rid, 1, h1, PDF + b"0" * (1024 * 1024)).status_code == 413
    finally:
        app.config["MAX_UPLOAD_MB"] = limit
    assert upload(client, rid, 3, h1).status_code == 404
    assert upload(client, rid, 0, h1).status_code == 404
    r = client.post(f"{API}/reports/{rid}/expenses/1/receipts", headers=h1, content_type="multipart/form-data",
                    data={"altro": "x"})
    assert r.status_code == 400
    r = client.post(f"{API}/proposals/{s.ids['A1']}/attachments", headers=h1, content_type="multipart/form-data",
                    data={"kind": "expense_receipt", "file": (io.BytesIO(PDF), "fattura.pdf")})
    assert r.status_code == 409
    assert attachments() == before
    # receipts are not the proposal's documents: its JSON does not list them; the committee never reads them
    proposal_json = client.get(f"{API}/proposals/{s.ids['A1']}", headers=h1).json
    assert pdf_id not in [a["id"] for a in proposal_json["attachments"]]
    att = db.session.get(Attachment, pdf_id)
    assert props.can_read(s.admin, att) and not props.can_read(s.org_users["ets2"], att)
    assert props.readers_of("expense_receipt") == ("body", "admin")
    # a PUT that does not name receipts keeps each line's; one that names another report's is refused (422)
    other = report_ids(client, s)[1]
    assert client.put(f"{API}/reports/{other}", headers=h1, json=content()).status_code == 200
    foreign = upload(client, other, 1, h1).json["id"]
    body = content()
    body["expenses"][0]["receipts"] = [foreign]
    r = client.put(f"{API}/reports/{rid}", headers=h1, json=body)
    assert r.status_code == 422 and "expenses.0.receipts" in r.json["error"]["fields"]
    r = client.put(f"{API}/reports/{rid}", headers=h1, json=content())
    assert [[x["id"] for x in e["receipts"]] for e in r.json["expenses"]] == [[pdf_id], [png_id]]
    # a line without a receipt refuses submit, naming it; a line of zero needs none
    body = content()
    body["expenses"].append({"category": "attrezzature", "funding_source": "FSE", "amount": "300.00"})
    body["expenses"].append({"category": "attrezzature", "funding_source": "FSE", "amount": "0.00"})
    assert client.put(f"{API}/reports/{rid}", headers=h1, json=body).status_code == 200
    r = transition(client, "reports", rid, h1, "submit")
    assert r.status_code == 409 and any("righe 3:" in x for x in r.json["error"]["reasons"]), r.json
    assert upload(client, rid, 3, h1, PDF + b"% 300\n", "ricevuta-300.pdf").status_code == 201
    r = transition(client, "reports", rid, h1, "submit")
    assert r.status_code == 200, r.json
    # after submission: no upload, no removal (409)
    assert upload(client, rid, 1, h1).status_code == 409
    assert client.delete(f"{API}/reports/{rid}/expenses/1/receipts/{pdf_id}", headers=h1).status_code == 409
    # returned: the body takes the PDF off line 1 and puts another; the submitted one is kept with its version
    assert transition(client, "reports", rid, s.admin_h, "return", reason="Fattura illeggibile").status_code == 200
    r = client.delete(f"{API}/reports/{rid}/expenses/1/receipts/{pdf_id}", headers=h1)
    assert r.status_code == 200 and r.json["expenses"][0]["receipts"] == []
    assert client.delete(f"{API}/reports/{rid}/expenses/1/receipts/{pdf_id}", headers=h1).status_code == 404
    assert db.session.get(Attachment, pdf_id) is not None
    sub = client.get(f"{API}/reports/{rid}/submissions", headers=s.admin_h).json[0]
    assert sub["content"]["expenses"][0]["receipts"] == [pdf_id]
    # one never submitted is deleted with its line, its file too
    fresh = upload(client, rid, 1, h1, PDF + b"% nuova\n", "fattura-nuova.pdf").json
    stored = props.attachment_path(db.session.get(Attachment, fresh["id"]))
    assert stored.is_file()
    r = client.delete(f"{API}/reports/{rid}/expenses/1/receipts/{fresh['id']}", headers=h1)
    assert r.status_code == 200
    db.session.expire_all()
    assert db.session.get(Attachment, fresh["id"]) is None and not stored.exists()
    assert db.session.execute(sa.select(ExpenseReceipt).where(ExpenseReceipt.attachment_id == fresh["id"])).first() is None


def test_at_most_twenty_receipts_a_line(client, s):
    h1 = s.org_h["ets1"]
    rid = report_ids(client, s)[0]
    assert client.put(f"{API}/reports/{rid}", headers=h1, json=content()).status_code == 200
    for i in range(20):
        assert upload(client, rid, 1, h1, PDF + f"% {i}\n".encode()).status_code == 201
    r = upload(client, rid, 1, h1)
    assert r.status_code == 409 and "20 giustificativi" in r.json["error"]["message"]


def test_at_most_so_many_receipts_a_report(client, s, monkeypatch):
    h1 = s.org_h["ets1"]
    rid = report_ids(client, s)[0]
    assert client.put(f"{API}/reports/{rid}", headers=h1, json=content()).status_code == 200
    monkeypatch.setattr(monitoring_ops, "MAX_REPORT_RECEIPTS", 2)
    for i in range(2):
        assert upload(client, rid, 1, h1, PDF + f"% {i}\n".encode()).status_code == 201
    before = attachments()
    r = upload(client, rid, 1, h1, PDF + b"% one more\n")
    assert r.status_code == 409 and "la relazione ha già 2 giustificativi" in r.json["error"]["message"]
    assert attachments() == before


def report_page(client, s):
    """The body's member on their first report's page: who, the report, its address, and a way to post its form."""
    As.current.clear()
    body = As(client, member_of(s))
    rid = report_ids(client, s)[0]
    url = f"/relazioni/{rid}"

    def send(data):
        page = body.get(url)
        return body.post(url, data={**data, "csrf_token": csrf_token_from(page.get_data(as_text=True))})

    return body, rid, url, send


def test_rows_added_and_taken_out_without_javascript(client, s):
    body, rid, url, send = report_page(client, s)
    html = body.get(url).get_data(as_text=True)
    assert 'name="expenses-2-category"' in html and 'name="expenses-3-category"' not in html
    # one more row, nothing saved; what was typed stays
    rows = {**FORM, "expenses-2-category": "", "expenses-2-funding_source": "", "expenses-2-amount": "", "expenses-2-description": ""}
    r = send({**rows, "add_row": "expenses"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'name="expenses-3-category"' in html and 'value="educatori"' in html
    db.session.expire_all()
    assert db.session.get(Report, rid).narrative is None
    # a fourth line typed in the added row, then the first taken out: the others move up, nothing saved
    four = {**rows, "expenses-3-category": "attrezzature", "expenses-3-funding_source": "FSE", "expenses-3-amount": "800",
            "expenses-3-description": "proiettore"}
    r = send({**four, "remove_row": "expenses-0"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'value="educatori"' not in html and 'value="proiettore"' in html
    assert 'name="expenses-2-description" type="text" value="proiettore"' in html
    # saved with the fourth row: two lines in the report, the blank ones left out
    r = send({**four, "expenses-1-category": "personale", "expenses-1-funding_source": "FSE", "expenses-1-amount": "100",
              "expenses-1-description": "coordinamento"})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    db.session.expire_all()
    assert [e["description"] for e in db.session.get(Report, rid).expenses] == ["educatori", "coordinamento",
                                                                                "proiettore"]
    html = body.get(url).get_data(as_text=True)
    assert 'name="expenses-5-category"' in html and html.count('name="remove_row"') == 6
    prove(client, rid, s.org_h["ets1"])
    assert "Nessun giustificativo per questa riga." not in body.get(url).get_data(as_text=True)


def test_a_rows_error_beside_its_own_field_after_blank_rows(client, s):
    """The body leaves blank rows out, so the domain's `expenses.0` is the form's second row: the message lands
    there, the summary links it, nothing is stored; adding rows stops at the domain's limit."""
    body, rid, url, send = report_page(client, s)
    rows = {"narrative": "N", "cofinancing_amount": "0",
            "expenses-0-category": "", "expenses-0-funding_source": "", "expenses-0-amount": "",
            "expenses-0-description": "",
            "expenses-1-category": "", "expenses-1-funding_source": "FSE", "expenses-1-amount": "100",
            "expenses-1-description": "coordinamento"}
    r = send(rows)
    html = r.get_data(as_text=True)
    assert r.status_code == 422, html[:500]
    assert 'id="expenses-1-category-error"' in html and 'id="expenses-0-category-error"' not in html
    assert 'href="#expenses-1-category"' in html and "Spese sostenute nel periodo, riga 2, Categoria di spesa" in html
    db.session.expire_all()
    assert db.session.get(Report, rid).narrative is None
    many = {f"expenses-{i}-description": "" for i in range(MAX_ROWS)}
    r = send({**many, "add_row": "expenses"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and f'name="expenses-{MAX_ROWS - 1}-description"' in html
    assert f'name="expenses-{MAX_ROWS}-description"' not in html
