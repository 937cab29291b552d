"""The admissibility list at the size of a metropolitan call: paged, filtered by state, lot and a text
(core.search), sorted, exported whole as the filters keep it; the API's list of a call's proposals takes the
same filters from the same service function."""
from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from codesign.core import search
from codesign.db import db
from codesign.procedures.models import Procedure
from codesign.proposals import operations as props
from codesign.proposals.models import Proposal
from tests.conftest import csrf_token_from
from tests.helpers import declarations_for
from tests.proposals.test_pages import _expire_and_start_admissibility, _html, _world

PAGE = "/gestione/avvisi/{}/ammissibilita"


def _received(w, n, *, start=0):
    """n proposals as if submitted (rows written directly, for speed): odd ones from the second body, in lot B,
    every fifth waiting for an integration; amounts grow with the number."""
    proc = db.session.get(Procedure, w.procedure_id)
    for k in range(start, start + n):
        i = k % 2
        p = props.create_proposal(w.applicants[i], proc, {
            "organization_id": w.orgs[i], "lot": "B" if i else "A", "title": f"Progetto numero {k}",
            "summary": "Orti condivisi" if k == 7 else "Un servizio di quartiere",
            "requested_amount": f"{1000 + k}.00", "cofinancing_amount": "500.00"})
        proc.last_protocol += 1
        p.state = "integration_requested" if k % 5 == 4 else "submitted"
        p.protocol_number = proc.last_protocol
        p.submitted_at = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(minutes=k)
        p.content_sha256 = "0" * 64
        p.declarations = declarations_for(w.call)
    db.session.commit()


@pytest.fixture
def big(client, make_user, token_for, login):
    """A call in admissibility with 55 proposals received and a draft withdrawn before it was ever sent."""
    w = _world(client, make_user, token_for)
    _received(w, 55)
    withdrawn = w.draft(0, title="Progetto numero mai inviato")
    db.session.get(Proposal, withdrawn).state = "withdrawn"
    db.session.commit()
    _expire_and_start_admissibility(w)
    login(w.admin)
    return w


def _rows(html: str) -> list[str]:
    """The titles of the list's rows, in order."""
    return re.findall(r'<tr id="proposta-\d+">\s*<td>\d+</td>\s*<th scope="row">\s*<a href="[^"]+">([^<]+)</a>', html)


def _get(client, w, query=""):
    r = client.get(PAGE.format(w.procedure_id) + query)
    assert r.status_code == 200, r.status_code
    return _html(r)


# --- the rule of a search box --------------------------------------------------------------------------------
def test_a_search_text_is_a_text_never_a_pattern():
    assert search.matches("  PORTI ", ["Il Portico"])
    assert not search.matches("50%", ["500 euro"]) and search.matches("50%", ["il 50% del costo"])
    assert search.matches("12", ["nulla"], numbers=(12,)) and not search.matches("1", ["nulla"], numbers=(12,))
    assert search.matches("", ["nulla"]) and search.matches(None, [None])
    assert search.condition("   ", [Proposal.title]) is None


def test_sql_and_python_say_the_same(app_ctx, big):
    """The same texts through the SQL condition (both engines) and through `matches` on the rows read."""
    rows = db.session.execute(sa.select(Proposal.title, Proposal.protocol_number)
                              .where(Proposal.procedure_id == big.procedure_id)).all()
    for text in ("numero 1", "NUMERO 1", "7", "%", "_", "\\", "progetto numero 5", "nessuno", " 12 "):
        found = search.condition(text, (Proposal.title,), (Proposal.protocol_number,))
        in_sql = set(db.session.execute(sa.select(Proposal.title).where(
            Proposal.procedure_id == big.procedure_id, found)).scalars())
        in_python = {t for t, n in rows if search.matches(text, [t], numbers=(n,))}
        assert in_sql == in_python, text


# --- the page ------------------------------------------------------------------------------------------------
def test_the_list_is_paged_and_counts_what_was_received(client, big):
    html = _get(client, big)
    assert len(_rows(html)) == 50 and "Progetto numero 0" in _rows(html)
    assert "55 proposte ricevute:" in html and "Pagina 1 di 2" in html
    assert "mai inviato" not in html  # withdrawn before it was sent: never received
    assert "presentata 44, soccorso istruttorio 11." in html and ">Presentata (44)</option>" in html
    second = _get(client, big, "?pagina=2")
    assert _rows(second) == [f"Progetto numero {k}" for k in range(50, 55)]
    assert _rows(_get(client, big, "?pagina=99")) == _rows(second)  # beyond the last: the last


def test_filters_and_sorts(client, big):
    assert len(_rows(_get(client, big, "?stato=integration_requested"))) == 11
    lot_b = _rows(_get(client, big, "?lotto=B"))
    assert len(lot_b) == 27 and all(int(t.split()[-1]) % 2 for t in lot_b)
    assert _rows(_get(client, big, "?q=orti+condivisi")) == ["Progetto numero 7"]    # the summary
    assert _rows(_get(client, big, "?q=numero+12")) == ["Progetto numero 12"]         # the title
    assert _rows(_get(client, big, "?q=13&lotto=A")) == ["Progetto numero 12"]        # receipt n. 13 is k = 12
    assert len(_rows(_get(client, big, "?q=vicini+di+casa&ordine=ente"))) == 27        # the body's name
    assert len(_rows(_get(client, big, "?q=23456780156"))) == 27                       # its tax code
    by_amount = _rows(_get(client, big, "?ordine=importo"))
    assert by_amount[:2] == ["Progetto numero 54", "Progetto numero 53"]
    recent = _rows(_get(client, big, "?ordine=recenti&lotto=A"))
    assert recent[0] == "Progetto numero 54"
    html = _get(client, big, "?q=nessuna+proposta+con+questo+testo")
    assert _rows(html) == [] and "Nessuna proposta corrisponde ai filtri scelti." in html
    # values the page does not offer are ignored, never a failure
    assert len(_rows(_get(client, big, "?stato=draft&lotto=Z&ordine=x&pagina=-3"))) == 50


def test_a_row_s_action_goes_back_to_the_same_page_of_the_same_list(client, big):
    query = "?lotto=B&ordine=importo&pagina=2"
    html = _get(client, big, query)
    target = db.session.execute(sa.select(Proposal).where(Proposal.title == _rows(html)[0])).scalar_one()
    action = f"/gestione/proposte/{target.id}/azioni/declare_admissible"
    assert f'action="{action}?' in html
    form_action = re.search(rf'action="({re.escape(action)}\?[^"]+)"', html).group(1).replace("&amp;", "&")
    r = client.post(form_action, data={"csrf_token": csrf_token_from(html)})
    if r.status_code == 200:  # asked to confirm: the confirmation posts to the same address, query kept
        page = _html(r)
        assert f'action="{form_action}"' in page
        r = client.post(form_action, data={"csrf_token": csrf_token_from(page), "confirmed": "yes"})
    assert r.status_code == 302
    location = r.headers["Location"]
    assert "lotto=B" in location and "ordine=importo" in location and "pagina=2" in location
    assert location.endswith(f"#proposta-{target.id}")
    db.session.expire_all()
    assert db.session.get(Proposal, target.id).state == "admissible"


def test_the_export_holds_the_whole_filtered_list(client, big):
    r = client.get(f"/gestione/avvisi/{big.procedure_id}/ammissibilita.csv?lotto=A&ordine=importo")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    assert r.headers["Cache-Control"] == "private, no-store"
    lines = r.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("N.;Titolo;Ente;Codice fiscale;Lotto;Ricevuta il;Contributo richiesto")
    assert len(lines) == 1 + 28
    first = lines[1].split(";")
    assert first[1] == "Progetto numero 54" and first[3] == "12345670157" and first[6] == "1054,00"
    assert "Allegato «Progetto tecnico»: mancante" in lines[1]
    r = client.get(f"/gestione/avvisi/{big.procedure_id}/ammissibilita.xlsx?q=orti%20condivisi")
    sheet = load_workbook(io.BytesIO(r.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][1] == "Progetto numero 7" and Decimal(str(rows[1][6])) == Decimal("1007")


def test_the_list_and_its_export_are_the_administration_s(client, big, make_user, login):
    for user in (make_user("admin", org="Comune di Bergamo"), big.applicants[0], make_user("evaluator")):
        login(user)
        for url in (PAGE.format(big.procedure_id), f"/gestione/avvisi/{big.procedure_id}/ammissibilita.csv"):
            assert client.get(url).status_code == 404, (user, url)


def test_filtered_pages_run_a_fixed_number_of_queries(client, big, statements):
    urls = [PAGE.format(big.procedure_id) + q
            for q in ("?lotto=A&q=progetto&ordine=ente", "?stato=submitted&ordine=recenti", "?pagina=2")]
    few = statements(urls)
    proc = db.session.get(Procedure, big.procedure_id)
    proc.state = "published"   # reopened only to add rows quickly, then back
    proc.submission_deadline = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)
    db.session.commit()
    _received(big, 60, start=55)
    proc = db.session.get(Procedure, big.procedure_id)
    proc.state = "admissibility"
    db.session.commit()
    assert statements(urls) == few


# --- the API -------------------------------------------------------------------------------------------------
def test_the_api_list_takes_the_same_filters(client, big):
    url = f"/api/v1/procedures/{big.procedure_id}/proposals"
    h = big.admin_h
    r = client.get(url + "?lot=B&state=submitted&sort=amount&limit=5", headers=h)
    assert r.status_code == 200 and r.headers["X-Total-Count"] == "22"
    assert [p["title"] for p in r.json] == [f"Progetto numero {k}" for k in (53, 51, 47, 45, 43)]
    r = client.get(url + "?q=ORTI%20Condivisi", headers=h)
    assert [p["title"] for p in r.json] == ["Progetto numero 7"]
    # the body sees its own only, with the same filters
    r = client.get(url + "?q=progetto&limit=100", headers=big.headers[1])
    assert r.headers["X-Total-Count"] == "27" and all(p["organization_id"] == big.orgs[1] for p in r.json)
    for query, field in (("?lot=Z", "lot"), ("?sort=x", "sort"), ("?state=nope", "state"), ("?colour=red", "colour"),
                         ("?q=" + "x" * 201, "q")):
        r = client.get(url + query, headers=h)
        assert r.status_code == 422 and field in r.json["error"]["fields"], (query, r.json)
