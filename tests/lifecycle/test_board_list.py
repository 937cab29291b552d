"""The co-design board at the size of a metropolitan call: paged, filtered by lot, state and a text (core.search,
through proposals.operations.list_query), by lot and position in the ranking, exported whole as filtered."""
from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from codesign.db import db
from codesign.procedures.models import Procedure
from codesign.proposals.models import Proposal
from tests.helpers import Scenario, to_codesign


def _reserves(s, n, *, start=0):
    """n more proposals in reserve in lot C, as if ranked (rows written directly, for speed): "Riserva k" scores
    k mod 10, so the ranking's order is not the receipts' order."""
    proc = db.session.get(Procedure, s.pid)
    lot_c = proc.lot_by_code("C")
    org = next(iter(s.org_ids.values()))
    now = dt.datetime.now(dt.timezone.utc)
    for k in range(start, start + n):
        proc.last_protocol += 1
        db.session.add(Proposal(
            procedure_id=proc.id, organization_id=org, lot_id=lot_c.id, state="reserve", title=f"Riserva {k}",
            summary="Un servizio di quartiere", requested_amount=Decimal("1000.00"),
            cofinancing_amount=Decimal("200.00"), partners=[], declarations={}, protocol_number=proc.last_protocol,
            submitted_at=now, content_sha256="0" * 64, ranking_total=Decimal(k % 10)))
    db.session.commit()


@pytest.fixture()
def s(client, make_user, token_for, login):
    sc = Scenario(client, make_user, token_for)
    to_codesign(sc)
    login(sc.admin)
    return sc


def _titles(html: str) -> list[str]:
    return re.findall(r'<tr id="proposta-\d+" data-state="[a-z_]+">\s*<th scope="row">\s*(?:<a [^>]+>)?([^<]+)', html)


def _get(client, s, query=""):
    r = client.get(f"/gestione/avvisi/{s.pid}/coprogettazione{query}")
    assert r.status_code == 200
    return r.get_data(as_text=True)


def test_the_board_is_paged_in_ranking_order(client, s):
    before = _titles(_get(client, s))
    _reserves(s, 60)
    first = _get(client, s)
    rows = _titles(first)
    assert len(rows) == 50 and "pagina 1 di 2" in first
    assert rows[:len(before)] == before   # lots A and B first, as before; then lot C by score
    lot_c = _titles(_get(client, s, "?lotto=C&pagina=2"))
    assert lot_c[-1] == "Riserva 50" and len(_titles(_get(client, s, "?lotto=C"))) == 50
    assert _titles(_get(client, s, "?pagina=9")) == _titles(_get(client, s, "?pagina=2"))  # beyond the last


def test_the_board_searches_and_exports_what_it_shows(client, s):
    _reserves(s, 12)
    assert _titles(_get(client, s, "?q=riserva+11")) == ["Riserva 11"]
    assert len(_titles(_get(client, s, "?q=RISERVA&stato=reserve"))) == 12
    html = _get(client, s, "?q=nessuna+proposta+si+chiama+così")
    assert _titles(html) == [] and "Nessuna proposta con questi filtri." in html
    assert 'href="/gestione/avvisi/{}/coprogettazione.csv?lotto=C&amp;q=riserva"'.format(s.pid) in _get(
        client, s, "?lotto=C&q=riserva")
    r = client.get(f"/gestione/avvisi/{s.pid}/coprogettazione.csv?lotto=C&q=riserva")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "private, no-store"
    lines = r.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("N.;Titolo;Ente;Codice fiscale;Lotto;Punteggio;Contributo assegnato;Stato")
    in_order = (9, 8, 7, 6, 5, 4, 3, 2, 1, 11, 0, 10)   # by score, then by receipt number
    assert [line.split(";")[1] for line in lines[1:]] == [f"Riserva {k}" for k in in_order]
    assert lines[1].split(";")[5] == "9"
    book = load_workbook(io.BytesIO(client.get(f"/gestione/avvisi/{s.pid}/coprogettazione.xlsx").data))
    everything = list(book.active.iter_rows(values_only=True))
    assert len(everything) == 1 + len(_titles(_get(client, s))) and everything[1][1] == "Proposta A1"


def test_the_board_and_its_export_are_the_administration_s(client, s, make_user, login):
    for user in (make_user("admin", org="Comune di Bergamo"), next(iter(s.org_users.values()))):
        login(user)
        for url in (f"/gestione/avvisi/{s.pid}/coprogettazione", f"/gestione/avvisi/{s.pid}/coprogettazione.csv"):
            assert client.get(url).status_code in (403, 404), url


def test_the_board_runs_a_fixed_number_of_statements(client, s, statements):
    urls = [f"/gestione/avvisi/{s.pid}/coprogettazione{q}" for q in ("", "?lotto=C&q=riserva", "?stato=reserve")]
    _reserves(s, 3)
    few = statements(urls)
    _reserves(s, 70, start=3)
    assert statements(urls) == few
    count = db.session.execute(sa.select(sa.func.count()).select_from(Proposal)
                               .where(Proposal.procedure_id == s.pid)).scalar_one()
    assert count > 70
