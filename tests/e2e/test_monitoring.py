"""Monitoring in Chromium: the body writes and submits a report, the admin returns it with a reason, the body
corrects and resubmits it, the admin approves it and records a payment; to the end of the procedure, the admin
revokes a signed project's grant, concludes the call once its other project is completed, and a citizen reads
the call's final figures; axe-core and the phone width on every page (the report form, the review, the project's
and the call's dashboards, the agreement's page, the call's management and public pages)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from codesign.auth.models import User
from codesign.core.mail import OutboxMessage
from codesign.core.tick import run_tick
from codesign.db import db
from codesign.monitoring.models import Payment, Report
from codesign.organizations.models import Membership
from tests.e2e.browser import button, labelled
from tests.e2e.test_english import italian_fragments, page_words
from tests.helpers import PDF, SCENARIO, Scenario, to_codesign
from codesign.procedures.models import Procedure
from codesign.proposals.models import Proposal
from tests.monitoring.conftest import finish_codesign, report_ids, sign, sign_and_start
from tests.monitoring.test_conclusion import run_to_complete


def test_report_returned_corrected_approved_and_paid(journey, client, make_user, token_for):
    s = Scenario(client, make_user, token_for)
    to_codesign(s)
    finish_codesign(client, s)
    sign_and_start(client, s, "A1")
    rid = report_ids(client, s)[0]
    member = db.session.execute(sa.select(User).join(Membership, Membership.user_id == User.id)
                                .where(Membership.organization_id == s.org_ids["ets1"])).scalars().first()

    body = journey.person("ente")
    body.log_in(member.email)
    page = body.visit(f"/relazioni/{rid}", shot="monitoraggio-relazione")
    labelled(page, "Attività svolte nel periodo").fill("Aperto lo spazio cinque giorni su sette.")
    labelled(page, "Partecipanti alle attività (P1)").fill("80")
    labelled(page, "Ore di apertura dello spazio (P3)").fill("250")
    page.get_by_label("Categoria di spesa, riga 1").select_option("personale")
    page.get_by_label("Fonte di finanziamento, riga 1").select_option("FSE")
    page.get_by_label("Importo in euro, riga 1").fill("15000,00")
    page.get_by_label("Descrizione, riga 1").fill("educatori")
    labelled(page, "Cofinanziamento apportato nel periodo").fill("2500")
    body.submit(button(page, "Aggiungi una riga di spesa"))        # a fourth row, what was typed kept
    assert page.get_by_label("Descrizione, riga 1").input_value() == "educatori"
    page.get_by_label("Categoria di spesa, riga 4").select_option("attrezzature")
    page.get_by_label("Fonte di finanziamento, riga 4").select_option("FSE")
    page.get_by_label("Importo in euro, riga 4").fill("800")
    page.get_by_label("Descrizione, riga 4").fill("proiettore")
    body.submit(button(page, "Salva la relazione"))
    db.session.expire_all()
    assert [e["description"] for e in db.session.get(Report, rid).expenses] == ["educatori", "proiettore"]
    # each line's receipt, uploaded on the page
    for n, name in ((1, "fattura-educatori.pdf"), (2, "ricevuta-proiettore.pdf")):
        page.get_by_label(f"Giustificativo per la riga {n} (PDF o immagine JPEG, PNG, WebP)").set_input_files(
            {"name": name, "mimeType": "application/pdf", "buffer": PDF + f"% {n}\n".encode()})
        body.submit(page.locator(f"#giustificativi-{n}").get_by_role("button", name="Carica il giustificativo"),
                    shot="monitoraggio-giustificativi" if n == 2 else None)
    assert "ricevuta-proiettore.pdf" in body.text()
    body.submit(button(page, "Presenta la relazione"))
    assert "presentata" in body.text()

    admin = journey.person("admin")
    admin.log_in(s.admin.email)
    page = admin.visit(f"/relazioni/{rid}", shot="monitoraggio-esame")
    labelled(page, "Motivazione della restituzione").fill("Manca il dettaglio delle ore di febbraio.")
    admin.submit(button(page, "Restituisci per correzioni"))

    page = body.visit(f"/relazioni/{rid}")
    assert "Manca il dettaglio delle ore di febbraio." in body.text()
    labelled(page, "Ore di apertura dello spazio (P3)").fill("262")
    body.submit(button(page, "Salva la relazione"))
    body.submit(button(page, "Presenta la relazione"))

    page = admin.visit(f"/relazioni/{rid}")
    assert "Indicatore P3: da 250 a 262" in admin.text()
    admin.submit(button(page, "Approva la relazione"))
    admin.confirm()
    db.session.expire_all()
    assert db.session.get(Report, rid).state == "approved"

    page = admin.visit(f"/proposte/{s.ids['A1']}/monitoraggio", shot="monitoraggio-progetto")
    page.get_by_label("Data del pagamento (mandato)").fill("2022-01-10")
    labelled(page, "Riferimento del mandato di pagamento").fill("Mandato n. 7")
    admin.submit(button(page, "Registra il pagamento"))
    assert db.session.query(Payment).count() == 1
    # a payment recorded with the wrong amount is corrected by a counter-entry, never deleted
    page = admin.page
    labelled(page, "Importo da stornare (euro)").fill("1000,00")
    labelled(page, "Motivo dello storno").fill("Importo eccedente per un errore di calcolo")
    labelled(page, "Riferimento della reversale o del recupero").fill("Reversale n. 3")
    page.get_by_label("Data dello storno").fill("2022-02-01")
    admin.submit(button(page, "Registra lo storno"), shot="monitoraggio-storno")
    assert "Storno di 1.000,00 € il 01/02/2022" in admin.text() and "35.000,00 €" in admin.text()
    db.session.expire_all()
    assert db.session.query(Payment).one().net_amount == Decimal("35000.00")
    # the tick reminds the body of the reports still to submit, once each; the report's page lists them
    second = report_ids(client, s)[1]
    run_tick(dt.datetime(2022, 10, 20, 9, tzinfo=dt.timezone.utc))
    run_tick(dt.datetime(2022, 10, 20, 10, tzinfo=dt.timezone.utc))
    reminders = [m.subject for m in db.session.query(OutboxMessage) if "relazione" in m.subject.lower()
                 and ("Promemoria" in m.subject or "scadenza" in m.subject or "mancante" in m.subject)]
    assert reminders and len(reminders) == len(set(reminders)), reminders
    body.visit(f"/relazioni/{second}")
    assert "Promemoria inviati all'ente" in body.text()
    admin.visit(f"/gestione/avvisi/{s.pid}/monitoraggio", shot="monitoraggio-avviso")
    body.visit(f"/proposte/{s.ids['A1']}/monitoraggio")
    # the same pages in English: no Italian label left untranslated
    # (the data stay in Italian: the call's indicator titles are not labels)
    data = " ".join(i["title"] for i in SCENARIO["call"]["indicators"])
    italian = {f for f in italian_fragments() if f not in data}
    for person, paths in ((body, [f"/relazioni/{rid}", f"/relazioni/{report_ids(client, s)[-1]}",
                                  f"/proposte/{s.ids['A1']}/monitoraggio"]),
                          (admin, [f"/relazioni/{rid}", f"/gestione/avvisi/{s.pid}/monitoraggio"])):
        page = person.visit("/")
        person.submit(button(page, "English"))
        for path in paths:
            page = person.visit(path)
            assert page.locator("html").get_attribute("lang") == "en"
            words = page_words(page)
            assert not sorted(f for f in italian if f in words), (path, sorted(f for f in italian if f in words))


def test_revoked_completed_and_concluded(journey, client, make_user, token_for):
    s = Scenario(client, make_user, token_for)
    to_codesign(s)
    finish_codesign(client, s)
    sign_and_start(client, s, "A1")
    sign(client, s, "A3")

    admin = journey.person("admin")
    admin.log_in(s.admin.email)
    page = admin.visit(f"/proposte/{s.ids['A3']}/convenzione", shot="convenzione-revoca")
    form = page.locator("form", has=page.locator('button[data-trigger="revoke"]'))
    admin.submit(form.locator('button[data-trigger="revoke"]'), expect_error=True)     # no reason: refused
    assert "Operazione non eseguita" in admin.text()
    page.locator("form", has=page.locator('button[data-trigger="revoke"]')).get_by_label("Motivazione").fill(
        "L'ente ha rinunciato prima dell'avvio.")
    admin.submit(page.locator('button[data-trigger="revoke"]'), shot="conferma-revoca")
    assert "L'ente ha rinunciato prima dell'avvio." in admin.text()     # the reason shown on the step
    admin.confirm()
    db.session.expire_all()
    assert db.session.get(Proposal, s.ids["A3"]).state == "revoked"

    page = admin.visit(f"/gestione/avvisi/{s.pid}")
    assert "1 progetto finanziato non è ancora concluso o revocato" in admin.text()
    run_to_complete(client, s)
    page = admin.visit(f"/gestione/avvisi/{s.pid}")
    admin.submit(page.locator('button[data-trigger="conclude"]'))
    admin.confirm()
    db.session.expire_all()
    assert db.session.get(Procedure, s.pid).state == "concluded"

    citizen = journey.person("cittadino")
    citizen.visit(f"/avvisi/{s.pid}", shot="avviso-risultati-finali")
    text = citizen.text()
    assert "Risultati finali dell'avviso" in text and "Contributi revocati" in text and "80.000,00 €" in text
