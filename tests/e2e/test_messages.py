"""Messages about a proposal in Chromium: the body writes to the administration with a PDF, the administration
finds it among its notifications and answers in the thread. axe-core and the phone width on every page,
screenshots of the thread."""
from __future__ import annotations

from tests.e2e.browser import button, labelled
from tests.helpers import PDF, World


def test_the_body_and_the_administration_talk_on_the_proposal(journey, client, make_user, token_for, tmp_path):
    w = World(client, make_user, token_for, bodies=1)
    w.publish()
    pid = w.draft(0, title="Portineria di via Padova")
    assert w.submit(pid, 0).status_code == 200
    pdf = tmp_path / "cronoprogramma.pdf"
    pdf.write_bytes(PDF)

    body = journey.person("ente")
    body.log_in(w.applicants[0].email)
    page = body.visit(f"/proposte/{pid}")
    labelled(page, "Messaggio").fill("Alleghiamo il cronoprogramma aggiornato: l'avvio slitta a ottobre.")
    labelled(page, "Documento PDF (facoltativo)").set_input_files(str(pdf))
    body.submit(button(page, "Invia il messaggio"))
    assert "Messaggio inviato." in body.text() and "cronoprogramma.pdf" in body.text()

    office = journey.person("admin")
    office.log_in(w.admin.email)
    page = office.visit("/notifiche")
    office.submit(button(page, "Apri — Nuovo messaggio sulla proposta: Portineria di via Padova"))
    assert page.url.endswith(f"/proposte/{pid}#messaggi")
    labelled(page, "Messaggio").fill("Va bene: lo annotiamo nel verbale di ammissibilità.")
    office.submit(button(page, "Invia il messaggio"), shot="proposta-messaggi")
    text = office.text()
    assert text.index("l'avvio slitta a ottobre") < text.index("lo annotiamo nel verbale")
