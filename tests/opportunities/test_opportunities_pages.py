"""The opportunities' pages: the public list by deadline with its filters and the reasons of a match, a page per
call with its countdown, the admins' form (each refusal beside its field, nothing stored)."""
import datetime as dt

import sqlalchemy as sa
import time_machine

from codesign.db import db
from codesign.opportunities.models import Opportunity

FORM = {"title": "Spazi di comunità", "funder_level": "regional", "funder": "Regione Lombardia",
        "programme": "PR FESR 2021-2027", "link": "https://www.bandi.regione.lombardia.it/spazi",
        "eligible": ["municipality", "partnership"], "themes": "Inclusione sociale\nRinnovamento urbano e rurale",
        "territory": [], "budget": "2.000.000,00", "max_grant": "", "cofinancing_min_pct": "10",
        "opens_on": "2026-11-01", "deadline": "2027-01-31"}


def count() -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(Opportunity)).scalar_one()


@time_machine.travel(dt.datetime(2026, 12, 4, 10, tzinfo=dt.timezone.utc), tick=False)
def test_admin_writes_a_call_and_anyone_finds_it(client, make_user, login, post_form, token_for):
    h = token_for(make_user("admin", org="Città metropolitana di Milano"))
    assert client.post("/api/v1/projects", headers=h, json={
        "cup": "D47H18001230001", "title": "Casa di quartiere", "programme": "PNRR", "theme": "Inclusione sociale",
        "municipality": "015182", "beneficiary": {"name": "Comune di Rho"}, "public_funding": "1000.00",
        "planned_start": "2024-01-01", "planned_end": "2027-12-31", "state": "in_progress"}).status_code == 201
    login(make_user("admin", org="Città metropolitana di Milano"))
    url = "/opportunita/nuova"
    r = post_form(url, FORM | {"deadline": "2026-10-01"})
    assert r.status_code == 422 and "la scadenza non può precedere" in r.get_data(as_text=True)
    r = post_form(url, FORM | {"link": "www.regione.it"})
    assert r.status_code == 422 and "https://" in r.get_data(as_text=True) and count() == 0
    r = post_form(url, FORM)
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Scade tra 58 giorni, il 31/01/2027." in html and "2.000.000,00" in html
    assert "Tutta la Città metropolitana di Milano" in html

    html = client.get("/opportunita").get_data(as_text=True)
    assert "Spazi di comunità" in html and "1 bando aperto" in html and "ancora 58 giorni" in html
    html = client.get("/opportunita?comune=015182").get_data(as_text=True)
    assert "tema in comune: Inclusione sociale; aperto ai comuni; aperto ai partenariati" in html
    assert "Nessun bando aperto" in client.get("/opportunita?comune=015146").get_data(as_text=True)
    assert "Nessun bando aperto" in client.get("/opportunita?livello=eu&tema=nessuno").get_data(as_text=True)


def test_only_admins_write(client, make_user, login):
    assert client.get("/opportunita/nuova").status_code == 302
    login(make_user("applicant"))
    assert client.get("/opportunita/nuova").status_code == 403
    assert client.get("/opportunita").status_code == 200
