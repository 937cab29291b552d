"""Bodies with several members in Chromium: a second volunteer who tries to register a body already registered is
pointed to the request to join, sends it; the legal representative accepts it from the body's page and the new
member sees the body among theirs; the representative finds the request among their notifications. axe-core and the phone width on every page, screenshots of the join form and of
the body's page with the request waiting."""
from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa

from codesign.db import db
from codesign.organizations.models import Membership
from tests.e2e.browser import button, labelled


def test_a_second_volunteer_joins_a_registered_body(journey, client, make_user, token_for):
    founder = make_user("applicant", name="Marta Rossi")
    r = client.post("/api/v1/organizations", headers=token_for(founder),
                    json={"name": "APS Il Cortile", "kind": "ets", "tax_code": "97735020584", "municipality": "Milano"})
    assert r.status_code == 201, r.json
    org_id = r.json["id"]
    second = make_user("applicant", name="Luca Bianchi")

    volunteer = journey.person("volunteer")
    volunteer.log_in(second.email)
    page = volunteer.visit("/enti/nuovo")
    labelled(page, "Denominazione").fill("Il Cortile")
    labelled(page, "Codice fiscale").fill("97735020584")
    volunteer.submit(button(page, "Registra l'ente"), expect_error=True)
    page.get_by_role("link", name="Chiedi di unirti a «APS Il Cortile»").click()
    page.wait_for_load_state()
    assert labelled(page, "Codice fiscale dell'ente").input_value() == "97735020584"
    labelled(page, "Messaggio per i membri dell'ente (facoltativo)").fill("Seguo il doposcuola del giovedì.")
    volunteer.check(shot="ente-chiedi-di-unirti")
    volunteer.submit(button(page, "Invia la richiesta"))
    assert "Richiesta inviata ai membri di «APS Il Cortile»" in volunteer.text()
    assert "in attesa della risposta" in volunteer.text()

    representative = journey.person("representative")
    representative.log_in(founder.email)
    page = representative.page
    page.get_by_role("link", name="Notifiche 1 non letta").click()  # the header counts what is unread
    page.wait_for_load_state()
    representative.check(shot="notifiche")
    assert "Richiesta di unirsi a APS Il Cortile" in representative.text()
    representative.submit(button(page, "Apri — Richiesta di unirsi a APS Il Cortile"))
    assert page.url.endswith(f"/enti/{org_id}")
    representative.check(shot="ente-membri-richiesta")
    assert "Seguo il doposcuola del giovedì." in representative.text()
    representative.submit(button(page, "Accetta Luca Bianchi"))
    assert "ora fa parte dell'ente" in representative.text()
    assert db.session.execute(sa.select(sa.func.count(Membership.id)).where(
        Membership.organization_id == org_id)).scalar_one() == 2

    page = volunteer.visit("/enti/")
    page.get_by_role("link", name="APS Il Cortile").click()
    page.wait_for_load_state()
    volunteer.check()
    assert "Luca Bianchi (tu)" in volunteer.text() and "Marta Rossi" in volunteer.text()


def test_an_admin_invites_a_colleague(journey, make_user):
    admin = make_user("admin", org="Comune di Milano", name="Giulia Rossi")
    office = journey.person("admin")
    office.log_in(admin.email)
    page = office.visit("/gestione/avvisi")
    page.get_by_role("link", name="Colleghi di Comune di Milano").click()
    page.wait_for_load_state()
    labelled(page, "Nome e cognome").fill("Anna Verdi")
    labelled(page, "Indirizzo e-mail").fill("anna.verdi@")
    office.submit(button(page, "Invia l'invito"), expect_error=True)
    labelled(page, "Indirizzo e-mail").fill("anna.verdi@comune.milano.example")
    office.submit(button(page, "Invia l'invito"), shot="amministrazione-colleghi")
    assert "Invito inviato a anna.verdi@comune.milano.example" in office.text()
    assert "in attesa che scelga la password" in office.text()


def test_on_a_machine_without_smtp_the_colleague_follows_the_invitation_from_the_outbox(journey, make_user):
    admin = make_user("admin", org="Comune di Milano", name="Giulia Rossi")
    office = journey.person("admin")
    office.log_in(admin.email)
    assert office.page.url.endswith("/gestione/avvisi")  # an admin lands where the calls are managed
    page = office.visit(f"/enti/{next(iter(admin.administration_ids))}/colleghi")
    labelled(page, "Nome e cognome").fill("Anna Verdi")
    labelled(page, "Indirizzo e-mail").fill("anna.verdi@comune.milano.example")
    office.submit(button(page, "Invia l'invito"))
    page.get_by_role("link", name="Posta in uscita").first.click()
    page.wait_for_load_state()
    office.check(shot="posta-in-uscita")
    assert "anna.verdi@comune.milano.example" in office.text()
    link = page.locator("main a[href*='/invito/']").first.get_attribute("href")

    colleague = journey.person("colleague")
    page = colleague.visit(urlsplit(link).path)
    labelled(page, "Nuova password").fill("una-password-lunga")
    labelled(page, "Ripeti la nuova password").fill("una-password-lunga")
    colleague.submit(button(page, "Attiva l'account"))
    colleague.log_in("anna.verdi@comune.milano.example", "una-password-lunga")
    assert colleague.page.url.endswith("/gestione/avvisi")
