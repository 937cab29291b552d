"""Funding opportunities in Chromium: the office publishes a call through its form (a refusal first, beside its
field); a body's member finds it on the dashboard, with why it suits the body, follows it, and finds it among the
calls followed with the address of the calendar feed; axe-core and the phone width on every page, screenshots of
the dashboard's section and the list of calls followed."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from codesign.core.calendar import rome_today
from codesign.db import db, utcnow
from codesign.opportunities.models import Follow, Opportunity
from tests.e2e.browser import button, labelled


def test_a_body_finds_a_matching_call_and_follows_it(journey, client, make_user, token_for):
    office_user = make_user("admin", org="Città metropolitana di Milano")
    member = make_user("applicant")
    r = client.post("/api/v1/organizations", headers=token_for(member),
                    json={"name": "Cooperativa Sociale Il Portico", "kind": "ets", "tax_code": "12345670157",
                          "municipality": "Rho"})
    assert r.status_code == 201, r.json
    r = client.post("/api/v1/projects", headers=token_for(office_user), json={
        "cup": "D47H18001230001", "title": "Casa di quartiere", "programme": "PNRR", "theme": "Inclusione sociale",
        "municipality": "015182", "beneficiary": {"name": "Cooperativa Sociale Il Portico",
                                                  "tax_code": "12345670157"},
        "public_funding": "100000.00", "planned_start": "2024-01-01", "planned_end": "2027-12-31",
        "state": "in_progress"})
    assert r.status_code == 201, r.json
    today = rome_today(utcnow())
    deadline = today + dt.timedelta(days=40)

    office = journey.person("office")
    office.log_in(office_user.email)
    page = office.visit("/opportunita")
    page.get_by_role("link", name="Aggiungi un bando").click()
    page.wait_for_load_state()
    labelled(page, "Titolo del bando").fill("Welfare di comunità 2027")
    labelled(page, "Livello del finanziatore").select_option("foundation")
    labelled(page, "Finanziatore").fill("Fondazione Cariplo")
    labelled(page, "Programma").fill("Welfare in azione")
    labelled(page, "Indirizzo web del bando").fill("www.fondazionecariplo.it/bandi")   # no scheme: refused
    labelled(page, "Chi può partecipare").select_option(["ets", "partnership"])
    labelled(page, "Temi (uno per riga)").fill("Inclusione sociale\nCultura")
    labelled(page, "Dotazione del bando (euro)").fill("5.000.000,00")
    labelled(page, "Apertura").fill((today - dt.timedelta(days=10)).isoformat())
    labelled(page, "Scadenza").fill(deadline.isoformat())
    office.submit(button(page, "Pubblica il bando"), expect_error=True)
    assert "https://" in page.locator("#link-error").inner_text()
    assert db.session.execute(sa.select(sa.func.count()).select_from(Opportunity)).scalar_one() == 0
    labelled(page, "Indirizzo web del bando").fill("https://www.fondazionecariplo.it/bandi")
    office.submit(button(page, "Pubblica il bando"))
    assert "Bando pubblicato tra le opportunità." in office.text()

    body = journey.person("body")
    body.log_in(member.email)
    page = body.visit("/le-mie-proposte", shot="opportunita-cruscotto-ente")
    section = page.locator("section", has=page.get_by_role("heading", name="Bandi di finanziamento adatti ai tuoi enti"))
    assert "Welfare di comunità 2027" in section.inner_text()
    assert "tema in comune: Inclusione sociale; aperto agli enti del Terzo settore; aperto ai partenariati" in (
        section.inner_text())
    body.submit(section.get_by_role("button", name="Segui il bando «Welfare di comunità 2027»"))
    assert page.url.endswith("/le-mie-proposte")
    assert "Ora segui questo bando" in body.text()
    assert db.session.execute(sa.select(sa.func.count()).select_from(Follow)).scalar_one() == 1
    page.get_by_role("link", name="I bandi che segui").click()
    page.wait_for_load_state()
    body.check(shot="opportunita-seguiti")
    assert "1 bando seguito" in body.text() and "Welfare di comunità 2027" in body.text()
    feed = labelled(page, "Indirizzo del calendario").input_value()
    assert "/opportunita/calendario/" in feed and feed.endswith(".ics")
    response = page.request.get(body.url("/" + feed.split("://", 1)[1].split("/", 1)[1]))
    assert response.status == 200 and f"DTSTART;VALUE=DATE:{deadline:%Y%m%d}" in response.text()
    page.get_by_role("link", name="Welfare di comunità 2027").click()
    page.wait_for_load_state()
    body.check()
    body.submit(page.get_by_role("button", name="Non seguire più il bando «Welfare di comunità 2027»"))
    assert "Non segui più questo bando" in body.text()
    assert db.session.execute(sa.select(sa.func.count()).select_from(Follow)).scalar_one() == 0


def test_the_office_records_a_network_that_gets_funded(journey, client, make_user, token_for):
    office_user = make_user("admin", org="Città metropolitana di Milano")
    h = token_for(office_user)
    today = rome_today(utcnow())
    r = client.post("/api/v1/opportunities", headers=h, json={
        "title": "Spazi di comunità", "funder_level": "regional", "funder": "Regione Lombardia",
        "programme": "PR FESR 2021-2027", "link": "https://www.regione.lombardia.it/spazi",
        "eligible": ["municipality", "partnership"], "themes": ["Rinnovamento urbano e rurale"], "territory": "all",
        "budget": "2000000.00", "opens_on": (today - dt.timedelta(days=5)).isoformat(),
        "deadline": (today + dt.timedelta(days=30)).isoformat()})
    assert r.status_code == 201, r.json
    office = journey.person("office")
    office.log_in(office_user.email)
    page = office.visit(f"/opportunita/{r.json['id']}")
    page.get_by_role("link", name="Chi partecipa").click()
    page.wait_for_load_state()
    page.get_by_text("Segnala il bando a comuni ed enti").click()
    labelled(page, "A chi segnalarlo").select_option(label="Rho")
    labelled(page, "Messaggio").fill("Potrebbe servire per la casa di quartiere.")
    office.submit(button(page, "Invia la segnalazione"))
    assert "Bando segnalato a 1 tra comuni ed enti" in office.text()
    labelled(page, "Progetto candidato").fill("Casa di quartiere di Rho")
    labelled(page, "Capofila").select_option(label="Rho")
    labelled(page, "Partner").select_option(label="Sesto San Giovanni")
    labelled(page, "Contributo richiesto (euro)").fill("200.000")
    office.submit(button(page, "Registra la candidatura"))
    assert "Candidatura registrata." in office.text()
    office.submit(page.get_by_role("button", name="Candidatura presentata: Casa di quartiere di Rho"))
    labelled(page, "CUP").fill("D47H26000120001")
    labelled(page, "Contributo concesso (euro)").fill("180.000,00")
    labelled(page, "Inizio previsto").fill("2027-03-01")
    labelled(page, "Fine prevista").fill("2026-01-01")                    # before the start: refused
    office.submit(button(page, "Registra il finanziamento"), expect_error=True, shot="opportunita-candidature")
    assert "la fine prevista non può precedere" in office.text()
    labelled(page, "Fine prevista").fill("2028-12-31")
    office.submit(button(page, "Registra il finanziamento"))
    assert "Candidatura aggiornata: finanziata." in office.text()
    page.get_by_role("link", name="Il progetto").click()
    page.wait_for_load_state()
    office.check()
    assert "Il bando che lo finanzia" in office.text() and "D47H26000120001" in office.text()
