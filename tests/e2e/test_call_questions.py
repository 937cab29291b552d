"""A call's documents and questions in Chromium: the administration attaches the avviso, a body asks a question
from the call's page, the administration answers it from its notifications, and the clarification is public.
axe-core and the phone width on every page, screenshots of the public section and the admin's."""
from __future__ import annotations

from tests.e2e.browser import button, labelled
from tests.helpers import PDF, World


def test_a_question_becomes_a_public_clarification(journey, client, make_user, token_for, tmp_path):
    w = World(client, make_user, token_for, bodies=1, contact_email="politiche.sociali@comune.milano.it",
              contact_phone="02 884 12345")
    w.publish()
    pdf = tmp_path / "avviso.pdf"
    pdf.write_bytes(PDF)
    pid = w.procedure_id

    office = journey.person("admin")
    office.log_in(w.admin.email)
    page = office.visit(f"/gestione/avvisi/{pid}")
    page.select_option("#doc-kind", "call")
    labelled(page, "Titolo del documento").fill("Avviso pubblico di co-progettazione")
    labelled(page, "File PDF").set_input_files(str(pdf))
    office.submit(button(page, "Aggiungi il documento"))
    assert "Documento «Avviso pubblico di co-progettazione» aggiunto all'avviso." in office.text()

    body = journey.person("ente")
    body.log_in(w.applicants[0].email)
    page = body.visit(f"/avvisi/{pid}")
    labelled(page, "La tua domanda").fill("Il cofinanziamento può essere dato in ore di volontariato?")
    body.submit(button(page, "Invia la domanda"))
    assert "Le tue domande in attesa di risposta" in body.text()

    page = office.visit("/notifiche")
    office.submit(button(page, f"Apri — Nuova domanda di chiarimento: {w.call['title']}"))
    assert page.url.endswith(f"/gestione/avvisi/{pid}#chiarimenti")
    labelled(page, "Risposta").fill("Sì, valorizzate al costo orario indicato nell'allegato B.")
    office.submit(button(page, "Pubblica la risposta"), shot="avviso-chiarimenti-gestione")
    assert "Nessuna domanda in attesa." in office.text()

    reader = journey.person("cittadino")
    page = reader.visit(f"/avvisi/{pid}", shot="avviso-documenti-chiarimenti")
    text = reader.text()
    assert "Avviso pubblico di co-progettazione" in text and "Chiarimento n. 1" in text
    assert "valorizzate al costo orario" in text and "politiche.sociali@comune.milano.it" in text
    with page.expect_download() as download:
        page.get_by_role("link", name="Avviso pubblico di co-progettazione").click()
    assert download.value.suggested_filename == "avviso.pdf"
