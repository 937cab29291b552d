"""The pages of the co-design phase and of the agreement, for the admin and the body: every step of the
worked example after the ranking through forms (CSRF included), and the refusals shown on the page."""
import io
import re

import pytest

from codesign.db import db
from codesign.proposals.models import Proposal
from tests.conftest import csrf_token_from
from tests.helpers import PDF, Scenario, project_cup, to_codesign, transition


@pytest.fixture()
def s(client, make_user, token_for):
    sc = Scenario(client, make_user, token_for)
    to_codesign(sc)
    return sc


def html(r):
    return r.get_data(as_text=True)


def state(pid):
    db.session.expire_all()
    return db.session.get(Proposal, pid).state


def post(client, url, data, get_url, **kw):
    token = csrf_token_from(html(client.get(get_url)))
    return client.post(url, data={**data, "csrf_token": token}, **kw)


def test_board_table_versions_diff_and_finalize_through_the_pages(client, s, login):
    a1 = s.ids["A1"]
    login(s.admin)
    r = client.get(f"/gestione/avvisi/{s.pid}/coprogettazione")
    assert r.status_code == 200
    page = html(r)
    assert "Proposta A1" in page and "aprire il tavolo di co-progettazione" in page
    assert "Proposta A3" in page  # reserves are listed too
    r = client.get(f"/gestione/avvisi/{s.pid}/coprogettazione?lotto=B&stato=reserve")
    assert "Proposta B1" in html(r) and "Proposta A1" not in html(r)
    table_url = f"/proposte/{a1}/tavolo"
    r = client.get(table_url)
    assert r.status_code == 200 and 'data-trigger="start_codesign"' in html(r)
    r = post(client, f"{table_url}/azioni/start_codesign", {"confirmed": "yes"}, table_url)
    assert r.status_code == 303 and state(a1) == "in_codesign"
    # a meeting, with its minutes written afterwards
    r = post(client, f"{table_url}/incontri", {"meeting-date": "2021-05-10", "meeting-time": "10:00",
                                                "meeting-place": "Palazzo Marino", "meeting-participants": "Rossi\nBianchi"},
             table_url)
    assert r.status_code == 303, html(r)[:2000]
    page = html(client.get(table_url))
    assert "Palazzo Marino" in page and "10/05/2021 10:00" in page
    mid = int(re.search(r'id="incontro-(\d+)"', page).group(1))
    r = post(client, f"{table_url}/incontri/{mid}", {f"m{mid}-minutes": "Si concordano le attività."}, table_url)
    assert r.status_code == 303
    r = client.get(f"{table_url}/incontri/{mid}/verbale.pdf")
    assert r.status_code == 200 and r.get_data().startswith(b"%PDF")
    # a bad meeting: 422, named field
    r = post(client, f"{table_url}/incontri", {"meeting-date": "", "meeting-time": "10:00", "meeting-place": ""},
             table_url)
    assert r.status_code == 422 and "Operazione non eseguita" in html(r)
    # two versions through the form (Italian amounts), the second after adding a row
    form_url = f"{table_url}/versioni/nuova"
    assert client.get(form_url).status_code == 200
    v1 = {"v-summary": "Prima stesura", "v-requested_amount": "90.000,00",
          "v-cofinancing_amount": "10000", "v-activities-0-title": "Accoglienza", "v-activities-0-start_month": "1",
          "v-activities-0-end_month": "30", "v-budget_lines-0-category": "personale",
          "v-budget_lines-0-funding_source": "FSE", "v-budget_lines-0-amount": "90000",
          "v-indicators-0-code": "P1", "v-indicators-0-target": "300"}
    r = post(client, form_url, v1, form_url)
    assert r.status_code == 422 and "oltre la durata dello start-up" in html(r)
    v1["v-activities-0-end_month"] = "24"
    r = post(client, form_url, v1, form_url)
    assert r.status_code == 303, html(r)[:3000]
    # finalize refused: the budget lines do not add up; the page lists why and nothing changes
    r = post(client, f"{table_url}/azioni/finalize", {"confirmed": "yes"}, table_url)
    assert r.status_code == 409 and "le voci di budget sommano a 90.000,00" in html(r)
    assert state(a1) == "in_codesign"
    r = post(client, form_url, {**v1, "add_row": "budget_lines"}, form_url)
    assert r.status_code == 200 and 'name="v-budget_lines-1-amount"' in html(r)
    v2 = {**v1, "v-summary": "Versione concordata", "v-budget_lines-1-category": "personale",
          "v-budget_lines-1-funding_source": "cofinancing", "v-budget_lines-1-amount": "10000,00"}
    r = post(client, form_url, v2, form_url)
    assert r.status_code == 303
    r = client.get(f"{table_url}/confronto?da=1&a=2")
    assert r.status_code == 200
    page = html(r)
    assert "Prima stesura" in page and "Versione concordata" in page and "aggiunta" in page
    assert client.get(f"{table_url}/versioni/2").status_code == 200
    r = post(client, f"{table_url}/azioni/finalize", {"confirmed": "yes"}, table_url)
    assert r.status_code == 303 and state(a1) == "finalized"
    # the body sees the table, a stranger does not
    client.get("/esci") if False else None


def test_the_body_shares_documents_and_versions_and_sees_its_next_step(client, s, login):
    a1 = s.ids["A1"]
    transition(client, "proposals", a1, s.admin_h, "start_codesign")
    login(s.org_users["ets1"])
    table_url = f"/proposte/{a1}/tavolo"
    r = client.get(table_url)
    assert r.status_code == 200 and "Fissa un incontro" not in html(r)  # meetings are the admin's
    token = csrf_token_from(html(r))
    r = client.post(f"{table_url}/documenti", content_type="multipart/form-data",
                    data={"csrf_token": token, "doc-file": (io.BytesIO(PDF), "bozza.pdf")})
    assert r.status_code == 303
    assert "bozza.pdf" in html(client.get(table_url))
    r = client.post(f"{table_url}/documenti", content_type="multipart/form-data",
                    data={"csrf_token": token, "doc-file": (io.BytesIO(b"not a pdf"), "x.pdf")})
    assert r.status_code == 422 and "PDF" in html(r)
    # the body cannot fire the admin's actions
    r = client.post(f"{table_url}/azioni/finalize", data={"csrf_token": token, "confirmed": "yes"})
    assert r.status_code in (403, 409) and state(a1) == "in_codesign"
    page = html(client.get("/le-mie-proposte"))
    assert "Tavolo di co-progettazione" in page and "partecipa agli incontri" in page
    # another body: not found
    login(s.org_users["ets2"])
    assert client.get(table_url).status_code == 404


def test_agreement_page_draft_pdf_signed_copy_sign_and_start(client, s, login):
    from tests.lifecycle.test_codesign_api import finish_codesign

    finish_codesign(client, s)
    a1 = s.ids["A1"]
    login(s.admin)
    board = html(client.get(f"/gestione/avvisi/{s.pid}/coprogettazione"))   # co-design closed: no scrolling said
    assert "Fase della procedura:" in board and "Scorri la graduatoria" not in board
    url = f"/proposte/{a1}/convenzione"
    r = client.get(url)
    assert r.status_code == 200 and "Predisponi la convenzione" in html(r)
    # nothing is preset as verified; the anti-mafia information is not due on 90,000 EUR; the call funds several
    # projects, so its CUP is not offered
    selected = {name: re.search(rf'name="ag-{name}".*?<option selected value="(\w+)"', html(r), re.S).group(1)
                for name in ("runts", "durc", "antimafia", "criminal_records")}
    assert selected == {"runts": "false", "durc": "false", "antimafia": "null", "criminal_records": "false"}
    assert re.search(r'<input[^>]*name="ag-cup"[^>]*value=""', html(r))
    base = {"ag-start_date": "2021-09-01", "ag-cup": "", "ag-premises-0-address": "Via Odazio 9",
            "ag-premises-0-description": "locale", "ag-tranches-0-pct": "40", "ag-tranches-0-after": "signature",
            "ag-tranches-1-pct": "40", "ag-tranches-1-after": "report", "ag-tranches-1-report_number": "2",
            "ag-tranches-2-pct": "30", "ag-tranches-2-after": "final", "ag-runts": "false", "ag-durc": "true",
            "ag-antimafia": "null", "ag-criminal_records": "true"}
    r = post(client, url, base, url)
    assert r.status_code == 422 and "sommano a 110" in html(r)
    r = post(client, url, {**base, "ag-tranches-2-pct": "20"}, url)
    assert r.status_code == 303, html(r)[:3000]
    page = html(client.get(url))
    assert "manca il CUP del progetto" in page and "controlli non ancora verificati: iscrizione al RUNTS" in page
    assert "non ancora verificato" in page
    r = post(client, url, {**base, "ag-tranches-2-pct": "20", "ag-runts": "true", "ag-cup": project_cup(a1)}, url)
    assert r.status_code == 303, html(r)[:3000]
    page = html(client.get(url))
    assert project_cup(a1) in page and "36.000,00" in page and "manca il CUP" not in page
    r = client.get(f"{url}.pdf")
    assert r.status_code == 200 and r.get_data().startswith(b"%PDF")
    r = post(client, f"{url}/azioni/sign_agreement", {"confirmed": "yes"}, url) if 'data-trigger="sign_agreement"' in page else None
    assert r is None  # not offered before the signed copy: the page says why
    assert "manca la copia firmata" in page
    token = csrf_token_from(page)
    r = client.post(f"{url}/copia-firmata", content_type="multipart/form-data",
                    data={"csrf_token": token, "copy-file": (io.BytesIO(PDF), "firmata.pdf")})
    assert r.status_code == 303
    r = post(client, f"{url}/azioni/sign_agreement", {"confirmed": "yes"}, url)
    assert r.status_code == 303 and state(a1) == "agreement_signed"
    transition(client, "procedures", s.pid, s.admin_h, "start_implementation")
    r = post(client, f"{url}/azioni/start", {"act-start_date": "2021-09-15", "confirmed": "yes"}, url)   # the premises not handed over
    assert r.status_code == 409 and "verbale di consegna dei locali" in html(r) and state(a1) == "agreement_signed"
    r = client.post(f"{url}/consegne/1", content_type="multipart/form-data", data={
        "csrf_token": csrf_token_from(html(client.get(url))), "h1-handed_over_on": "2021-09-14",
        "h1-condition": "Buono stato", "h1-file": (io.BytesIO(PDF), "verbale-consegna.pdf")})
    assert r.status_code == 303, html(r)[:3000]
    r = post(client, f"{url}/azioni/start", {"act-start_date": "2021-09-15", "confirmed": "yes"}, url)
    assert r.status_code == 303 and state(a1) == "started"
    assert "15/09/2021" in html(client.get(url))


def test_the_board_offers_the_procedures_moves_with_their_reasons(client, s, login):
    login(s.admin)
    board = f"/gestione/avvisi/{s.pid}/coprogettazione"
    page = html(client.get(board))
    assert 'data-trigger="scroll_ranking"' in page
    assert "«Scorri la graduatoria», tra le operazioni della procedura qui sotto" in page   # where it is
    # close_codesign is explained, not offered, while tables are pending
    assert 'data-trigger="close_codesign"' not in page and "ancora ammesse" in page
    transition(client, "proposals", s.ids["A2"], s.admin_h, "start_codesign")
    transition(client, "proposals", s.ids["A2"], s.admin_h, "fail_codesign", reason="rinuncia")
    r = post(client, f"/gestione/avvisi/{s.pid}/azioni/scroll_ranking",
             {"scroll_ranking-lot": "A", "back": "board"}, board)
    asked = html(r)   # the step that asks: the lot and the way back carried, "Annulla" back to the board
    assert r.status_code == 200 and "Conferma: Scorri la graduatoria" in asked and f'href="{board}"' in asked
    assert 'name="scroll_ranking-lot" value="A"' in asked and state(s.ids["A3"]) == "reserve"
    r = post(client, f"/gestione/avvisi/{s.pid}/azioni/scroll_ranking",
             {"scroll_ranking-lot": "A", "back": "board", "confirmed": "yes"}, board)
    assert r.status_code == 303 and r.headers["Location"].endswith(board)
    assert state(s.ids["A3"]) == "admitted"
