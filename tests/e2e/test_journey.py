"""The worked example through the pages only, each person in a browser context of their own.

The admin writes and publishes "Quartieri Connessi 2"; two Third Sector bodies register, draft, attach a
PDF, submit and get their receipt; the deadline passes; the admin runs admissibility with one
integration request, which the body answers; three evaluators declare they have no conflict of interest
and score both proposals with the worked example's coefficients; the admin approves the ranking; a
citizen reads it and downloads it as CSV; the admin opens the co-design phase (the later phases' pages
join the journey as they land). Every page on the way is checked with axe-core and at a 375-pixel
viewport (see browser.py); `make screenshots` runs this test to refresh docs/screenshots/.

Accounts that only the command line creates in real life (the admin, the evaluators) are made through
the service layer; everything else happens in the browser. Time moves with time-machine, for the whole
process (the served app runs in a thread of it), as the deadline must pass between submission and
admissibility.
"""
from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import time_machine

from codesign.core.tick import run_tick
from codesign.db import db
from tests.e2e.browser import PASSWORD, button, labelled, tick
from tests.helpers import PDF, SCENARIO

ROME = ZoneInfo("Europe/Rome")
CALL = SCENARIO["call"]


def lines(rows, *keys) -> str:
    return "\n".join(" | ".join(str(r[k]) for k in keys if r.get(k) not in (None, "")) for r in rows)


def test_worked_example_through_the_pages(journey, make_user, tmp_path):
    from codesign.organizations import operations as org_ops

    comune = org_ops.get_or_create_administration("Comune di Milano")
    db.session.commit()
    make_user("admin", email="rup@comune.milano.example", name="Giulia Bianchi", org=comune)
    evaluators = [make_user("evaluator", email=f"valutatore{i}@comune.milano.example",
                            name=f"Valutatore {i}", org=comune) for i in (1, 2, 3)]
    evaluators = [(e.name, e.email) for e in evaluators]
    pdf = tmp_path / "proposta.pdf"
    pdf.write_bytes(PDF)

    today = dt.datetime.now(ROME).date()
    deadline_day = today + dt.timedelta(days=3)

    # --- the admin writes the call and publishes it -----------------------------------------------
    admin = journey.person("admin")
    admin.log_in("rup@comune.milano.example")
    page = admin.visit("/gestione/avvisi/nuovo")
    form = {
        "Titolo dell'avviso": CALL["title"],
        "Programma": CALL["programme"],
        "CUP (Codice Unico di Progetto)": CALL["cup"],
        "Responsabile del procedimento (RUP)": CALL["rup"],
        "Atto di approvazione": CALL["act_ref"],
        "Periodo minimo di pubblicazione (giorni)": "2",
        "Budget totale (euro)": CALL["budget_total"],
        "Quota minima di cofinanziamento (%)": CALL["cofinancing_min_pct"],
        "Fonti di finanziamento": "FSE | 100",
        "Lotti": lines(CALL["lots"], "code", "title", "budget"),
        "Scadenza: giorno": deadline_day.isoformat(),
        "Scadenza: ora": "12:00",
        "Durata della co-progettazione (mesi)": "3",
        "Durata dello start-up (mesi)": "24",
        "Durata del monitoraggio (mesi)": "24",
        "Periodicità delle relazioni (mesi)": "6",
        "Criteri di valutazione": lines(CALL["criteria"], "code", "title", "max_points", "min_points"),
        "Soglia di punteggio": CALL["threshold"],
        "Criterio per i pari merito": CALL["tie_break_criterion"],
        "Allegati obbligatori": "progetto | Proposta progettuale",
        "Dichiarazioni richieste": lines(CALL["declarations"], "code", "text"),
        "Indicatori": lines(CALL["indicators"], "code", "title", "unit"),
    }
    for label, value in form.items():
        labelled(page, label).fill(value)
    labelled(page, "Metodo di valutazione").select_option("coefficients")
    admin.submit(button(page, "Salva la bozza"))
    assert "Bozza" in admin.text() or "bozza" in admin.text()
    manage_url = page.url
    procedure_id = int(re.search(r"/gestione/avvisi/(\d+)", manage_url).group(1))
    admin.submit(button(page, "Pubblica l'avviso"))
    assert "Pubblicato" in admin.text() or "pubblicato" in admin.text()

    # --- a citizen finds the call ----------------------------------------------------------------
    citizen = journey.person("cittadino")
    page = citizen.visit("/avvisi")
    with page.expect_navigation():
        page.get_by_role("link", name=CALL["title"]).click()
    citizen.check(shot="avviso-pubblico")
    assert "Portinerie sociali" in citizen.text()

    # --- two bodies register, draft, attach, submit --------------------------------------------------
    bodies = SCENARIO["organizations"][:2]
    wanted = {}  # each body's first proposal in the worked example: A1 and A2
    for proposal in SCENARIO["proposals"]:
        wanted.setdefault(proposal["org"], proposal)
    applicants, proposal_ids = [], []
    for n, body in enumerate(bodies, start=1):
        person = journey.person(f"ente{n}")
        applicants.append(person)
        email = f"ente{n}@terzosettore.example"
        page = person.visit("/registrati")
        labelled(page, "Nome e cognome").fill(f"Referente {n}")
        labelled(page, "Indirizzo e-mail").fill(email)
        labelled(page, "Password").fill(PASSWORD)
        labelled(page, "Ripeti la password").fill(PASSWORD)
        person.submit(button(page, "Crea l'account"))
        page = person.visit("/enti/nuovo")
        labelled(page, "Denominazione").fill(body["name"])
        labelled(page, "Codice fiscale").fill(body["tax_code"])
        person.submit(button(page, "Registra l'ente"))

        page = person.visit(f"/avvisi/{procedure_id}")
        with page.expect_navigation():
            page.get_by_role("link", name="Presenta una proposta").click()
        person.check(shot="proposta-modulo" if n == 1 else None)
        mine = wanted[body["ref"]]
        labelled(page, "Lotto").select_option(mine["lot"])
        labelled(page, "Titolo della proposta").fill(f"{mine['title']} – portineria di quartiere")
        labelled(page, "Descrizione della proposta").fill("Una portineria sociale nei cortili ERP.")
        labelled(page, "Contributo richiesto (euro)").fill(mine["requested_amount"])
        labelled(page, "Cofinanziamento dell'ente (euro)").fill(mine["cofinancing_amount"])
        person.submit(button(page, "Salva la bozza"))
        proposal_ids.append(int(re.search(r"/proposte/(\d+)", page.url).group(1)))

        labelled(page, "Tipo di documento").select_option("progetto")
        labelled(page, "File PDF").set_input_files(str(pdf))
        person.submit(button(page, "Carica il documento"))
        for declaration in CALL["declarations"]:
            tick(page, declaration["text"])
        person.submit(button(page, "Invia la proposta"), shot="ricevuta" if n == 1 else None)
        assert "/ricevuta" in page.url
        assert re.search(rf"\b{n}\b", person.text())
        assert re.search(r"[0-9a-f]{64}", person.text()), "the receipt shows the SHA-256 of the content"
        person.visit("/le-mie-proposte", shot="dashboard-ente" if n == 1 else None)

    # --- the deadline passes; cron closes the call ------------------------------------------------------
    after_deadline = dt.datetime.combine(deadline_day, dt.time(12, 0), ROME) + dt.timedelta(hours=1)
    with time_machine.travel(after_deadline, tick=True):
        run_tick(dt.datetime.now(dt.timezone.utc))
        db.session.remove()

        page = admin.visit(f"/gestione/avvisi/{procedure_id}")
        admin.submit(button(page, "Avvia la verifica di ammissibilità"))
        page = admin.visit(f"/gestione/avvisi/{procedure_id}/ammissibilita", shot="ammissibilita")

        # soccorso istruttorio for the second body, which answers it
        row = page.locator(f"#proposta-{proposal_ids[1]}")
        request = row.locator("details", has_text="Richiedi integrazione")
        request.locator("summary").click()
        labelled(request, "Motivazione").fill("Allegare l'accordo di partenariato firmato.")
        labelled(request, "Termine per l'integrazione").fill((after_deadline.date() + dt.timedelta(days=10)).isoformat())
        admin.submit(request.get_by_role("button", name=re.compile("Conferma: Richiedi integrazione")))

        ente2 = applicants[1]
        page = ente2.visit(f"/proposte/{proposal_ids[1]}")
        assert "Allegare l'accordo di partenariato firmato." in ente2.text()
        kinds = labelled(page, "Tipo di documento")
        kinds.select_option(index=len(kinds.locator("option").all()) - 1)
        labelled(page, "File PDF").set_input_files(str(pdf))
        ente2.submit(button(page, "Carica il documento"))
        labelled(page, "Nota per l'amministrazione (facoltativa)").fill("Allegato l'accordo firmato.")
        ente2.submit(button(page, "Invia l'integrazione"))

        page = admin.visit(f"/gestione/avvisi/{procedure_id}/ammissibilita")
        for pid in proposal_ids:
            row = page.locator(f"#proposta-{pid}")
            admin.submit(row.get_by_role("button", name=re.compile("Dichiara ammissibile")))
            page = admin.page
        assert page.locator("tbody tr", has_text="ammessa alla valutazione").count() == 2

        # --- committee, evaluation ------------------------------------------------------------------
        page = admin.visit(f"/gestione/avvisi/{procedure_id}/commissione")
        for name, _ in evaluators:
            tick(page.locator("fieldset", has_text="Componenti della commissione"), name)
        admin.submit(button(page, "Salva la commissione"))
        page = admin.visit(f"/gestione/avvisi/{procedure_id}")
        admin.submit(button(page, "Avvia la valutazione"))

        refs = [wanted[b["ref"]]["ref"] for b in bodies]
        reviews = {(r["evaluator"], r["proposal"]): r for r in SCENARIO["reviews"]}
        for k, (_, email) in enumerate(evaluators, start=1):
            person = journey.person(f"valutatore{k}")
            person.log_in(email)
            page = person.visit("/valutazioni")
            for pid, ref in zip(proposal_ids, refs):
                review = reviews[(f"e{k}", ref)]
                assert not review["conflict"]
                page = person.visit(f"/valutazioni/proposte/{pid}")
                tick(page, "No, dichiaro di non trovarmi")
                person.submit(button(page, "Invia la dichiarazione"))
                for i, criterion in enumerate(CALL["criteria"]):
                    page.locator(f"[name=score_{i}]").fill(review["scores"][criterion["code"]])
                    page.locator(f"[name=reason_{i}]").fill(f"Motivazione del criterio {criterion['code']}.")
                if k == 1 and pid == proposal_ids[0]:
                    person.submit(button(page, "Salva bozza"), shot="valutazione-modulo")
                person.submit(button(page, "Conferma valutazione definitiva"))

        # --- the admin approves the ranking; a citizen reads it ------------------------------------------
        page = admin.visit(f"/gestione/avvisi/{procedure_id}/valutazione", shot="valutazione-avanzamento")
        labelled(page, "Estremi dell'atto di approvazione").fill("Determinazione dirigenziale n. 77 del 12/05/2021")
        admin.submit(button(page, "Approva e pubblica la graduatoria"))

        page = citizen.visit(f"/avvisi/{procedure_id}/graduatoria", shot="graduatoria")
        text = citizen.text()
        first, second = (f"{wanted[b['ref']]['title']} – portineria di quartiere" for b in bodies)
        assert text.index(first) < text.index(second)
        assert "76,33" in text and "68,67" in text
        assert "Valutatore 1" not in text, "evaluators stay anonymous on the public ranking"
        with page.expect_download() as download:
            page.get_by_role("link", name="Scarica in CSV").click()
        csv_text = download.value.path().read_text(encoding="utf-8-sig")
        assert "76.33" in csv_text or "76,33" in csv_text

        # --- as far as the later phases have landed: the admin opens the co-design phase ---------------
        page = admin.visit(f"/gestione/avvisi/{procedure_id}")
        admin.submit(button(page, "Avvia la co-progettazione"))
        assert page.locator("#procedure-state").get_attribute("data-state") == "codesign"

    journey.write_report()
    assert not journey.report.blocking(), journey.report.summary()
    assert len(journey.report.pages) >= 30
