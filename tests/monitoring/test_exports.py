"""Every table of the monitoring dashboards downloads as CSV (Italian spreadsheets) and XLSX, with the page's
figures, to whom may read the page."""
import csv
import io

from openpyxl import load_workbook

from tests.helpers import transition
from tests.monitoring.conftest import API, content, prove, report_ids
from tests.monitoring.test_pages import As, _body_of, member_of


def rows(response):
    assert response.status_code == 200 and response.mimetype == "text/csv", response.status_code
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))


def sheet(response):
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return [[c.value for c in row] for row in load_workbook(io.BytesIO(response.get_data())).active.iter_rows()]


def test_project_and_call_tables_download(client, s):
    h = s.org_h["ets1"]
    rid = report_ids(client, s)[0]
    assert client.put(f"{API}/reports/{rid}", headers=h, json=content()).status_code == 200
    prove(client, rid, h)
    assert transition(client, "reports", rid, h, "submit").status_code == 200
    assert transition(client, "reports", rid, s.admin_h, "approve").status_code == 200
    r = client.post(f"{API}/proposals/{s.ids['A1']}/payments", headers=s.admin_h,
                    json={"tranche_number": 1, "paid_on": "2022-01-10", "reference": "Mandato 7"})
    assert r.status_code == 201

    body = As(client, member_of(s))
    base = f"/proposte/{s.ids['A1']}/monitoraggio"
    html = body.get(base).get_data(as_text=True)
    for table in ("relazioni", "spese-per-fonte", "spese-per-categoria", "indicatori", "tranche"):
        for fmt in ("csv", "xlsx"):
            assert f'href="{base}/{table}.{fmt}"' in html, (table, fmt)

    reports = rows(body.get(f"{base}/relazioni.csv"))
    assert reports[0] == ["Relazione", "Finale", "Inizio del periodo", "Fine del periodo", "Scadenza", "Stato",
                          "In ritardo"]
    assert reports[1] == ["1", "no", "01/09/2021", "28/02/2022", "30/03/2022", "approvata", "no"]
    assert len(reports) == 5 and reports[4][1] == "sì" and reports[4][6] == "sì"
    by_source = sheet(body.get(f"{base}/spese-per-fonte.xlsx"))
    assert by_source[0] == ["Fonte", "Budget", "Speso", "Residuo", "Percentuale spesa"]
    assert by_source[1] == ["FSE", 90000, 15000, 75000, 16.7]
    by_category = rows(body.get(f"{base}/spese-per-categoria.csv"))
    assert ["personale", "FSE", "80000,00", "15000,00", "65000,00", "no"] in by_category
    indicators = rows(body.get(f"{base}/indicatori.csv"))
    assert indicators[1] == ["P1", "Partecipanti alle attività", "persone", "300", "80", "26,7"]
    tranches = rows(body.get(f"{base}/tranche.csv"))
    assert tranches[1] == ["1", "40", "alla sottoscrizione della convenzione", "36000,00", "pagata", "10/01/2022",
                           "Mandato 7", "36000,00"]
    assert tranches[3][4] == "non ancora dovuta" and tranches[3][5:] == ["", "", ""]
    # nothing else, and nobody else
    assert body.get(f"{base}/nulla.csv").status_code == 404
    assert body.get(f"{base}/relazioni.pdf").status_code == 404
    stranger = As(client, member_of(s, _body_of(s, "B2")))
    assert stranger.get(f"{base}/relazioni.csv").status_code in (403, 404)
    # the call's table: the admin only
    admin = As(client, s.admin)
    call_base = f"/gestione/avvisi/{s.pid}/monitoraggio"
    call = sheet(admin.get(f"{call_base}/progetti.xlsx"))
    assert call[0][:6] == ["Proposta", "Titolo", "Ente", "Stato", "Concesso", "Pagato"]
    assert call[1][0] == s.ids["A1"] and call[1][4:8] == [90000, 36000, 100000, 17500]
    # the call's spending and indicators, its projects taken together (one project here: the same figures)
    assert rows(admin.get(f"{call_base}/spese-per-fonte.csv"))[1] == ["FSE", "90000,00", "15000,00", "75000,00",
                                                                     "16,7"]
    assert rows(admin.get(f"{call_base}/indicatori.csv"))[1] == indicators[1]
    assert sheet(admin.get(f"{call_base}/spese-per-categoria.xlsx"))[1][:4] == ["personale", "FSE", 80000, 15000]
    html = admin.get(call_base).get_data(as_text=True)
    for table in ("progetti", "spese-per-fonte", "spese-per-categoria", "indicatori"):
        assert f'href="{call_base}/{table}.xlsx"' in html, table
    assert 'id="chart-categories"' in html and 'id="chart-indicators"' in html
    assert admin.get(f"{call_base}/relazioni.csv").status_code == 404
    assert body.get(f"{call_base}/progetti.xlsx").status_code == 404
