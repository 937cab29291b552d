"""The observatory in Chromium: an admin registers a project funded elsewhere through the form (a refusal
first, shown beside its field), records a progress update, imports another from OpenCoesione's CSV, and a
citizen finds them in the list by municipality
and opens its page; axe-core and the phone width on every page, screenshots of the form, list and project."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from PIL import Image

from codesign.core.calendar import rome_today
from codesign.db import db, utcnow
from codesign.observatory.models import Project
from tests.e2e.browser import button, labelled


def test_admin_registers_a_project_and_a_citizen_finds_it(journey, make_user, tmp_path):
    admin_user = make_user("admin", org="Città metropolitana di Milano")
    admin = journey.person("admin")
    admin.log_in(admin_user.email)
    page = admin.visit("/progetti")
    page.get_by_role("link", name="Registra un progetto finanziato altrove").click()
    page.wait_for_load_state()
    admin.check(shot="osservatorio-nuovo-progetto")
    labelled(page, "CUP").fill("D47H18001230001")
    labelled(page, "Titolo").fill("Casa di quartiere Giambellino")
    labelled(page, "Descrizione").fill("Un ex mercato comunale diventa spazio per le associazioni del quartiere.")
    labelled(page, "Programma di finanziamento").fill("Bando Periferie 2016")
    labelled(page, "Tema").fill("Rinnovamento urbano e rurale")
    labelled(page, "Comune").select_option(label="Sesto San Giovanni")
    labelled(page, "Beneficiario").fill("Comune di Sesto San Giovanni")
    labelled(page, "Finanziamento pubblico (euro)").fill("1.500.000,00")
    labelled(page, "Pagamenti effettuati (euro)").fill("250000,50")
    labelled(page, "Inizio previsto").fill("2021-01-01")
    labelled(page, "Fine prevista").fill("2020-12-31")          # before the start: refused beside the field
    labelled(page, "Stato").select_option(label="In corso")
    labelled(page, "Avanzamento fisico (%)").fill("35")
    admin.submit(button(page, "Registra il progetto"), expect_error=True)
    assert "la fine prevista non può precedere l'inizio previsto" in page.locator("#planned_end-error").inner_text()
    assert db.session.execute(sa.select(sa.func.count()).select_from(Project)).scalar_one() == 0
    labelled(page, "Fine prevista").fill("2026-12-31")
    admin.submit(button(page, "Registra il progetto"), shot="osservatorio-progetto")
    assert "Progetto registrato." in admin.text() and "1.500.000,00" in admin.text()

    labelled(page, "Data dell'aggiornamento").fill("2022-03-01")
    labelled(page, "Pagamenti effettuati a quella data (euro)").fill("400.000")
    labelled(page, "Nota").fill("Conclusi i lavori del primo lotto.")
    admin.submit(button(page, "Registra l'aggiornamento"))
    assert "Conclusi i lavori del primo lotto." in admin.text()

    # the office marks it as a good practice, with a photo
    page.get_by_role("link", name="Segna come buona pratica").click()
    page.wait_for_load_state()
    labelled(page, "Che cosa è stato fatto").fill("Un ex mercato comunale diventato casa di quartiere.")
    labelled(page, "Per chi").fill("Famiglie e anziani del quartiere")
    labelled(page, "Risultati").fill("1.200 persone l'anno e 14 associazioni ospitate")
    labelled(page, "Che cosa possono riprendere gli altri").fill("Il patto di collaborazione")
    labelled(page, "Referente").fill("Ufficio rigenerazione urbana")
    labelled(page, "E-mail del referente").fill("rigenerazione@comune.example")
    admin.submit(button(page, "Pubblica come buona pratica"))
    assert "Il progetto è ora una buona pratica." in admin.text()
    photo = tmp_path / "cortile.jpg"
    Image.new("RGB", (1800, 1200), (40, 140, 90)).save(photo, "JPEG")
    labelled(page, "Foto (JPEG, PNG o WebP, al massimo 10 MB)").set_input_files(str(photo))
    labelled(page, "Che cosa mostra la foto").fill("Il cortile della casa di quartiere")
    admin.submit(button(page, "Aggiungi la foto"), shot="buona-pratica-scheda")
    assert "Foto aggiunta." in admin.text()

    page = admin.visit("/progetti")
    page.get_by_role("link", name="Importa progetti da un file CSV").click()
    page.wait_for_load_state()
    admin.check(shot="osservatorio-importa")
    csv_file = tmp_path / "progetti.csv"
    csv_file.write_text("CUP;OC_TITOLO_PROGETTO;OC_TEMA_SINTETICO;OC_DESCRIZIONE_PROGRAMMA;COD_COMUNE;"
                        "OC_DENOM_BENEFICIARIO;FINANZ_TOTALE_PUBBLICO;OC_DATA_INIZIO_PROGETTO;"
                        "OC_DATA_FINE_PROGETTO_PREVISTA;OC_STATO_PROGETTO\n"
                        "J41B16000230001;Piazza dei bambini;Rinnovamento urbano e rurale;PON Metro;015209;"
                        "Comune di Sesto San Giovanni;1200000,00;20170301;20301231;In corso\n", encoding="utf-8")
    labelled(page, "File CSV (UTF-8)").set_input_files(str(csv_file))
    admin.submit(button(page, "Importa il file"))
    assert "Progetti creati: 1; aggiornati: 0." in admin.text()

    citizen = journey.person("cittadino")
    outside = []
    citizen.page.on("request", lambda req: None if req.url.startswith(journey.base_url) else outside.append(req.url))
    page = citizen.visit("/")
    page.get_by_role("link", name="Mappa", exact=True).first.click()
    page.wait_for_load_state()
    page.locator("#map path.leaflet-interactive").nth(132).wait_for()
    citizen.check(shot="osservatorio-mappa")
    assert page.locator("#map path.leaflet-interactive").count() == 133      # every municipality, drawn locally
    assert not outside, outside                                              # no tile server, nothing from elsewhere
    page.get_by_role("link", name="Sesto San Giovanni", exact=True).click()     # the municipality's page
    page.wait_for_load_state()
    citizen.check(shot="osservatorio-comune")
    assert page.get_by_role("heading", level=1).inner_text() == "Sesto San Giovanni"
    assert "Piazza dei bambini" in citizen.text()
    page = citizen.visit("/progetti")
    page.get_by_label("Comune").select_option(label="Sesto San Giovanni")
    citizen.submit(button(page, "Cerca"), shot="osservatorio-elenco")
    assert "2 progetti" in citizen.text() and "Piazza dei bambini" in citizen.text()
    page.get_by_role("link", name="Casa di quartiere Giambellino").click()
    page.wait_for_load_state()
    citizen.check()
    assert "Storia dell'avanzamento" in citizen.text() and "Registra un aggiornamento" not in citizen.text()
    page.get_by_role("link", name="Leggi che cosa possono riprenderne altri comuni ed enti").click()
    page.wait_for_load_state()
    citizen.check(shot="buona-pratica")
    assert "Il patto di collaborazione" in citizen.text() and "rigenerazione@comune.example" in citizen.text()
    assert page.get_by_role("img", name="Il cortile della casa di quartiere").evaluate("i => i.naturalWidth") == 640
    og_image = page.locator('meta[property="og:image"]').get_attribute("content")
    assert og_image.startswith("http") and "/buone-pratiche/foto/" in og_image      # absolute, for sharing
    page.get_by_role("link", name="Buone pratiche", exact=True).first.click()
    page.wait_for_load_state()
    citizen.check(shot="buone-pratiche")
    assert "1 buona pratica" in citizen.text()
    assert not outside, outside


def test_a_citizen_finds_the_calls_that_suit_a_municipality(journey, client, make_user, token_for):
    h = token_for(make_user("admin", org="Città metropolitana di Milano"))
    assert client.post("/api/v1/projects", headers=h, json={
        "cup": "D47H18001230001", "title": "Casa di quartiere", "programme": "PNRR", "theme": "Inclusione sociale",
        "municipality": "015182", "beneficiary": {"name": "Comune di Rho"}, "public_funding": "1000.00",
        "planned_start": "2024-01-01", "planned_end": "2027-12-31", "state": "in_progress"}).status_code == 201
    today = rome_today(utcnow())
    assert client.post("/api/v1/opportunities", headers=h, json={
        "title": "Piste ciclabili", "funder_level": "regional", "funder": "Regione Lombardia", "programme": "PR FESR",
        "link": "https://www.example.org/bando", "eligible": ["municipality"], "themes": ["Trasporti"],
        "budget": "1000000.00", "opens_on": (today - dt.timedelta(days=5)).isoformat(),
        "deadline": (today + dt.timedelta(days=30)).isoformat()}).status_code == 201
    admin = journey.person("admin")
    admin.log_in(make_user("admin", org="Città metropolitana di Milano").email)
    page = admin.visit("/opportunita")
    page.get_by_role("link", name="Aggiungi un bando").click()
    page.wait_for_load_state()
    admin.check(shot="opportunita-nuovo")
    labelled(page, "Titolo del bando").fill("Spazi di comunità")
    labelled(page, "Livello del finanziatore").select_option("regional")
    labelled(page, "Finanziatore").fill("Regione Lombardia")
    labelled(page, "Programma").fill("PR FESR 2021-2027")
    labelled(page, "Indirizzo web del bando").fill("https://www.example.org/spazi")
    labelled(page, "Chi può partecipare").select_option(["municipality"])
    labelled(page, "Temi (uno per riga)").fill("Inclusione sociale")
    labelled(page, "Dotazione del bando (euro)").fill("2.000.000")
    labelled(page, "Apertura").fill((today - dt.timedelta(days=5)).isoformat())
    labelled(page, "Scadenza").fill((today + dt.timedelta(days=30)).isoformat())
    admin.submit(button(page, "Pubblica il bando"))
    assert "Bando pubblicato tra le opportunità." in admin.text()
    citizen = journey.person("cittadino")
    page = citizen.visit("/")
    page.get_by_role("link", name="Opportunità", exact=True).first.click()
    page.wait_for_load_state()
    citizen.check()
    assert "2 bandi aperti" in citizen.text()
    page.get_by_label("Adatti al comune").select_option(label="Rho")
    citizen.submit(button(page, "Filtra"), shot="opportunita-elenco")
    assert "1 bando aperto" in citizen.text() and "tema in comune: Inclusione sociale; aperto ai comuni" in citizen.text()
    page.get_by_role("link", name="Spazi di comunità").click()
    page.wait_for_load_state()
    citizen.check(shot="opportunita-bando")
    assert "Scade tra 30 giorni" in citizen.text()


def test_the_office_sees_late_and_stale_projects_and_the_spending(journey, client, make_user, token_for):
    office = make_user("admin", org="Città metropolitana di Milano")
    h = token_for(office)
    common = {"beneficiary": {"name": "Comune di Rho"}, "municipality": "015182", "planned_start": "2019-01-01",
              "state": "in_progress"}
    for cup, title, programme, theme, amount, end in (
            ("D47H18001230001", "Casa di quartiere", "PNRR M5C2", "Inclusione sociale", "900000.00", "2022-12-31"),
            ("D47H18001230002", "Piazza dei bambini", "Bando Periferie 2016", "Rinnovamento urbano e rurale",
             "1500000.00", "2030-12-31"),
            ("D47H18001230003", "Orti sociali", "PNRR M5C2", "Ambiente", "250000.00", "2030-12-31")):
        assert client.post("/api/v1/projects", headers=h, json=common | {
            "cup": cup, "title": title, "programme": programme, "theme": theme, "public_funding": amount,
            "planned_end": end}).status_code == 201
    admin = journey.person("ufficio")
    admin.log_in(office.email)
    page = admin.visit("/")
    page.get_by_role("link", name="Osservatorio", exact=True).first.click()
    page.wait_for_load_state()
    page.locator("#chart-theme").wait_for()
    admin.check(shot="osservatorio-quadro")
    late = page.locator("table[aria-labelledby=late]")
    assert late.locator("tbody tr").count() == 1 and "Casa di quartiere" in late.inner_text()
    # the charts are drawn (Chart.js sizes its canvas), each followed by the table of its figures
    assert page.locator("#chart-programme").evaluate("c => c.width > 0 && c.height > 0")
    assert "Bando Periferie 2016" in page.locator("#by-programme + div + div table").inner_text()
    page.get_by_role("link", name="Casa di quartiere").click()
    page.wait_for_load_state()
    assert "In ritardo" in admin.text()


def test_a_citizen_finds_milans_projects_by_municipio_and_neighbourhood(journey, client, make_user, token_for):
    h = token_for(make_user("admin", org="Città metropolitana di Milano"))
    for cup, title, municipio, nil in [("D47H18001230001", "Casa delle associazioni di Quarto Oggiaro", 8, 76),
                                       ("D47H18001230002", "Portineria di comunità San Siro", 7, 57),
                                       ("D47H18001230003", "Sportello lavoro per tutta la città", None, None)]:
        assert client.post("/api/v1/projects", headers=h, json={
            "cup": cup, "title": title, "programme": "PNRR M5C2", "theme": "Inclusione sociale",
            "municipality": "015146", "municipio": municipio, "nil": nil, "beneficiary": {"name": "Comune di Milano"},
            "public_funding": "100000.00", "planned_start": "2024-01-01", "planned_end": "2027-12-31",
            "state": "in_progress"}).status_code == 201
    citizen = journey.person("cittadino")
    page = citizen.visit("/comuni/015146")
    citizen.check(shot="osservatorio-milano")
    areas = page.get_by_role("table", name="I progetti di Milano per Municipio")
    assert areas.get_by_role("row").count() == 10                   # the header and the nine Municipi
    assert "1 progetto non indica il Municipio." in citizen.text()
    page.get_by_role("table", name="I quartieri (NIL) con progetti").get_by_role("link").first.click()
    page.wait_for_load_state()
    citizen.check()
    assert "1 progetto" in citizen.text() and "Portineria di comunità San Siro" in citizen.text()
    assert page.get_by_label("Quartiere di Milano (NIL)").input_value() == "57"
    page.get_by_role("link", name="Portineria di comunità San Siro").click()
    page.wait_for_load_state()
    citizen.check()
    assert "Municipio 7" in citizen.text() and "San Siro" in citizen.text()
