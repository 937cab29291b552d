"""The worked example through the pages only, each person in a browser context of their own.

The admin writes and publishes "Quartieri Connessi 2"; two Third Sector bodies register, draft, attach a
PDF, submit and get their receipt; the deadline passes; the admin runs admissibility with one
integration request, which the body answers; three evaluators declare they have no conflict of interest
and score both proposals with the worked example's coefficients; the admin approves the ranking; a
citizen reads it and downloads it as CSV. Then the co-design phase: the admin opens it, holds A1's table
(two meetings, the first one's minutes written afterwards and downloaded as PDF; the body's first version,
which breaks the budget rules and cannot be finalized; the admin's second, with a budget row added; the
diff; finalize), closes A2's table without agreement and scrolls lot A's ranking, which admits A3; then
the agreement of A1 (terms, PDF, the signed copy uploaded by the body, the signature), the implementation
phase and the project's start. The applicant's dashboard shows the next step at each state. Every page on
the way is checked with axe-core and at a 375-pixel viewport (see browser.py); `make screenshots` runs this
test to refresh docs/screenshots/.

Accounts that only the command line creates in real life (the admin, the evaluators) are made through
the service layer. The third body (A3, in reserve until the ranking scrolls) submits and is scored, and its
table is held, through the fixed API, to keep the journey short; everything else happens in the browser. Time moves with time-machine, for the whole
process (the served app runs in a thread of it), as the deadline must pass between submission and
admissibility.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import time_machine
from babel.numbers import format_decimal

from codesign.core.mail import OutboxMessage
from codesign.core.tick import run_tick
from codesign.db import db
from tests.e2e.browser import PASSWORD, action, button, labelled, tick
from tests.helpers import PDF, SCENARIO, declarations_for, transition, version_body

ROME = ZoneInfo("Europe/Rome")
CALL = SCENARIO["call"]
API = "/api/v1"


def fill_rows(person, page, name, add, rows, *keys, shot=None):
    """A list of the call typed row by row, as a person does: "Aggiungi …" for each row after the first (the page
    comes back with what was typed), then the row's fields; amounts the Italian way."""
    for i, row in enumerate(rows):
        if i:
            person.submit(button(page, add), shot=shot if i == len(rows) - 1 else None)
        for k in keys:
            value = "" if row.get(k) is None else str(row[k])
            page.locator(f"#{name}-{i}-{k}").fill(format_decimal(Decimal(value), "#,##0.00", locale="it") if k == "budget"
                                                   else value)


def submit_a3(client, headers, procedure_id) -> int:
    """The third body's proposal (A3), drafted, documented and submitted through the API."""
    body = SCENARIO["organizations"][2]
    mine = next(p for p in SCENARIO["proposals"] if p["ref"] == "A3")
    r = client.post(f"{API}/organizations", headers=headers,
                    json={"name": body["name"], "kind": "ets", "tax_code": body["tax_code"]})
    assert r.status_code == 201, r.json
    r = client.post(f"{API}/procedures/{procedure_id}/proposals", headers=headers, json={
        "organization_id": r.json["id"], "lot": mine["lot"], "title": f"{mine['title']} – portineria di quartiere",
        "summary": "Una portineria sociale nei cortili ERP.", "requested_amount": mine["requested_amount"],
        "cofinancing_amount": mine["cofinancing_amount"]})
    assert r.status_code == 201, r.json
    pid = r.json["id"]
    r = client.post(f"{API}/proposals/{pid}/attachments", headers=headers, content_type="multipart/form-data",
                    data={"kind": "progetto", "file": (io.BytesIO(PDF), "proposta.pdf")})
    assert r.status_code == 201, r.json
    r = transition(client, "proposals", pid, headers, "submit", declarations=declarations_for(CALL))
    assert r.status_code == 200 and r.json["protocol_number"] == 3, r.json
    return pid


# Posts the form of one of the page's action buttons (its CSRF token included) to another action's address.
FIRE_JS = """({from, url}) => {
  const form = document.querySelector(`button[data-trigger='${from}']`).form.cloneNode(true);
  form.action = url;
  form.querySelectorAll('textarea').forEach(t => t.remove());
  document.body.appendChild(form);
  form.submit();
}"""


def state_of(page, what="proposal") -> str:
    return page.locator(f"#{what}-state").get_attribute("data-state")


def test_worked_example_through_the_pages(journey, make_user, token_for, client, tmp_path):
    from codesign.organizations import operations as org_ops

    comune = org_ops.get_or_create_administration("Comune di Milano")
    db.session.commit()
    admin_user = make_user("admin", email="rup@comune.milano.example", name="Giulia Bianchi", org=comune)
    evaluator_users = [make_user("evaluator", email=f"valutatore{i}@comune.milano.example",
                                 name=f"Valutatore {i}", org=comune) for i in (1, 2, 3)]
    evaluators = [(e.name, e.email) for e in evaluator_users]
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
        "Budget totale (euro)": "516.500,00",
        "Quota minima di cofinanziamento (%)": CALL["cofinancing_min_pct"],
        "Scadenza: giorno": deadline_day.isoformat(),
        "Scadenza: ora": "12:00",
        "Durata della co-progettazione (mesi)": "3",
        "Durata dello start-up (mesi)": "24",
        "Durata del monitoraggio (mesi)": "24",
        "Periodicità delle relazioni (mesi)": "6",
        "Soglia di punteggio": CALL["threshold"],
        "Criterio per i pari merito": CALL["tie_break_criterion"],
    }
    for label, value in form.items():
        labelled(page, label).fill(value)
    fill_rows(admin, page, "funding_sources", "Aggiungi una fonte", [{"code": "FSE", "share_pct": "100"}],
              "code", "share_pct")
    fill_rows(admin, page, "lots", "Aggiungi un lotto", CALL["lots"], "code", "title", "budget", shot="avviso-modulo")
    fill_rows(admin, page, "criteria", "Aggiungi un criterio", CALL["criteria"], "code", "title", "max_points",
              "min_points")
    fill_rows(admin, page, "required_attachments", "Aggiungi un allegato",
              [{"kind": "progetto", "title": "Proposta progettuale"}], "kind", "title")
    fill_rows(admin, page, "declarations", "Aggiungi una dichiarazione", CALL["declarations"], "code", "text")
    fill_rows(admin, page, "indicators", "Aggiungi un indicatore", CALL["indicators"], "code", "title", "unit")
    labelled(page, "Metodo di valutazione").select_option("coefficients")
    admin.submit(button(page, "Salva la bozza"))
    assert "Bozza" in admin.text() or "bozza" in admin.text()
    manage_url = page.url
    procedure_id = int(re.search(r"/gestione/avvisi/(\d+)", manage_url).group(1))
    admin.submit(button(page, "Pubblica l'avviso"), shot="conferma-pubblicazione")
    admin.confirm()
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
        tick(page, "Ho letto l'informativa sulla privacy")
        person.submit(button(page, "Crea l'account"))
        mailed = db.session.execute(sa.select(OutboxMessage.body).where(OutboxMessage.to == email)).scalar_one()
        page = person.visit(re.search(r"(/conferma-email/[\w-]+)", mailed).group(1),
                            shot="conferma-email" if n == 1 else None)
        person.submit(button(page, "Conferma l'indirizzo"))
        assert f"Indirizzo {email} confermato." in person.page.locator("main").inner_text()
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

    # --- a third body submits A3 through the API ---------------------------------------------------------
    a3 = submit_a3(client, token_for(make_user("applicant", email="ente3@terzosettore.example")), procedure_id)
    db.session.remove()

    # --- the deadline passes; cron closes the call ------------------------------------------------------
    after_deadline = dt.datetime.combine(deadline_day, dt.time(12, 0), ROME) + dt.timedelta(hours=1)
    with time_machine.travel(after_deadline, tick=True):
        run_tick(dt.datetime.now(dt.timezone.utc))
        db.session.remove()

        page = admin.visit(f"/gestione/avvisi/{procedure_id}")
        admin.submit(button(page, "Avvia la verifica di ammissibilità"))
        admin.confirm()
        page = admin.visit(f"/gestione/avvisi/{procedure_id}/ammissibilita", shot="ammissibilita")

        # soccorso istruttorio for the second body, which answers it
        row = page.locator(f"#proposta-{proposal_ids[1]}")
        request = row.locator("details", has_text="Richiedi integrazione")
        request.locator("summary").click()
        labelled(request, "Motivazione").fill("Allegare l'accordo di partenariato firmato.")
        labelled(request, "Termine per l'integrazione").fill((after_deadline.date() + dt.timedelta(days=10)).isoformat())
        admin.submit(request.get_by_role("button", name=re.compile("Richiedi integrazione")))
        admin.confirm()

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
        for pid in [*proposal_ids, a3]:
            row = page.locator(f"#proposta-{pid}")
            admin.submit(row.get_by_role("button", name=re.compile("Dichiara ammissibile")))
            page = admin.page
        assert page.locator("tbody tr", has_text="ammessa alla valutazione").count() == 3

        # --- committee, evaluation ------------------------------------------------------------------
        page = admin.visit(f"/gestione/avvisi/{procedure_id}/commissione")
        for name, _ in evaluators:
            tick(page.locator("fieldset", has_text="Componenti della commissione"), name)
        admin.submit(button(page, "Salva la commissione"))
        page = admin.visit(f"/gestione/avvisi/{procedure_id}")
        admin.submit(button(page, "Avvia la valutazione"))
        admin.confirm()

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
                person.submit(button(page, "Conferma valutazione definitiva"),
                              shot="valutazione-conferma" if k == 1 and pid == proposal_ids[0] else None)
                person.confirm()
        for k, user in enumerate(evaluator_users, start=1):  # A3's reviews, through the API
            h, review = token_for(user), reviews[(f"e{k}", "A3")]
            r = client.put(f"{API}/proposals/{a3}/conflict", headers=h, json={"conflict": False})
            assert r.status_code == 200, r.json
            r = client.put(f"{API}/proposals/{a3}/review", headers=h, json={
                "scores": review["scores"], "reasons": {c: "Motivazione." for c in review["scores"]}, "final": True})
            assert r.status_code == 200, r.json
        db.session.remove()

        # --- the admin approves the ranking; a citizen reads it ------------------------------------------
        page = admin.visit(f"/gestione/avvisi/{procedure_id}/valutazione", shot="valutazione-avanzamento")
        labelled(page, "Estremi dell'atto di approvazione").fill("Determinazione dirigenziale n. 77 del 12/05/2021")
        admin.submit(button(page, "Approva e pubblica la graduatoria"))
        admin.confirm()

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
        with page.expect_download() as download:
            page.get_by_role("link", name="Punteggi anonimi (JSON)").click()
        scores = download.value.path().read_bytes()
        assert hashlib.sha256(scores).hexdigest() in text, "the page prints the scores file's fingerprint"
        assert b"Valutatore 1" not in scores and b'"evaluator": "V1"' in scores

        # the first body reads why its proposal got its outcome
        page = applicants[0].visit(f"/proposte/{proposal_ids[0]}#esito", shot="esito-spiegato")
        assert "Esito della valutazione" in applicants[0].text() and "contributo assegnato" in applicants[0].text()

        # --- the admin opens the co-design phase; the board lists A1 and A2 admitted, A3 in reserve -------
        page = admin.visit(manage_path := f"/gestione/avvisi/{procedure_id}")
        admin.submit(button(page, "Avvia la co-progettazione"))
        admin.confirm()
        assert state_of(page, "procedure") == "codesign"
        board = f"/gestione/avvisi/{procedure_id}/coprogettazione"
        page = admin.visit(board)
        a1, a2 = proposal_ids
        rows = {pid: page.locator(f"#proposta-{pid}").get_attribute("data-state") for pid in (a1, a2, a3)}
        assert rows == {a1: "admitted", a2: "admitted", a3: "reserve"}, rows
        ente1, ente2 = applicants

        # --- A1's table: start it, two meetings, the first one's minutes afterwards, its PDF ------------------
        table = f"/proposte/{a1}/tavolo"
        page = admin.visit(table)
        admin.submit(action(page, "start_codesign"))
        admin.confirm()
        assert state_of(page) == "in_codesign"
        first_day = after_deadline.date() + dt.timedelta(days=7)
        meetings = [(first_day, "10:00", "Palazzo Marino, sala Alessi", "Giulia Bianchi (Comune, RUP)\nReferente 1 (Il Portico)", ""),
                    (first_day + dt.timedelta(days=14), "15:30", "Videoconferenza", "Giulia Bianchi (Comune, RUP)",
                     "Si rivede il piano finanziario: una voce di cofinanziamento per il personale.")]
        for day, time, place, participants, minutes in meetings:
            form = page.locator("form", has=button(page, "Registra l'incontro"))
            labelled(form, "Giorno").fill(day.isoformat())
            labelled(form, "Ora (ora italiana)").fill(time)
            labelled(form, "Luogo").fill(place)
            labelled(form, "Partecipanti").fill(participants)
            labelled(form, "Verbale").fill(minutes)
            admin.submit(button(form, "Registra l'incontro"))
        held = page.locator("article[id^=incontro-]")
        assert held.count() == 2
        first = held.first
        assert f"{first_day:%d/%m/%Y} 10:00" in first.inner_text() and "Verbale non ancora scritto" in first.inner_text()
        labelled(first, "Verbale").fill("Si concordano le attività di accoglienza e gli orari di apertura.")
        admin.submit(button(first, "Salva il verbale"))
        first = page.locator("article[id^=incontro-]").first
        assert "Si concordano le attività" in first.inner_text()
        with page.expect_download() as download:
            first.get_by_role("link", name="Scarica il verbale (PDF)").click()
        assert download.value.path().read_bytes().startswith(b"%PDF")
        page = ente1.visit("/le-mie-proposte")
        assert "Il tavolo di co-progettazione è aperto" in ente1.text()

        # --- version 1, by the body: the budget rows do not add up -------------------------------------------
        page = ente1.visit(f"{table}/versioni/nuova")
        labelled(page, "Descrizione del progetto").fill("Prima stesura: una portineria sociale in due cortili ERP.")
        assert labelled(page, "Contributo richiesto (euro)").input_value() == "90000,00"
        activity = page.get_by_role("group", name="Attività 1")
        labelled(activity, "Attività").fill("Apertura della portineria")
        labelled(activity, "Descrizione").fill("Accoglienza, ascolto e piccoli servizi di vicinato.")
        labelled(activity, "Mese di inizio").fill("1")
        labelled(activity, "Mese di fine").fill("24")
        line = page.get_by_role("group", name="Voce 1")
        labelled(line, "Categoria di costo").fill("personale")
        labelled(line, "Fonte di finanziamento").select_option("FSE")
        labelled(line, "Importo (euro)").fill("90000,00")
        labelled(page, "Obiettivo: P1").fill("300")
        ente1.submit(button(page, "Registra la versione"))
        assert "/tavolo/versioni/1" in page.url

        # finalize is not offered: the page says why; fired anyway (a page left open, a script) it is refused
        # with 409 and every reason, and nothing changes
        page = admin.visit(table)
        reasons = ["le voci di budget sommano a 90.000,00 € invece di 100.000,00 €",
                   "le voci con fonte «cofinanziamento dell'ente» sommano a 0,00 € invece del cofinanziamento di 10.000,00 €"]
        warning = page.locator(".alert-warning").inner_text()
        assert all(r in warning for r in reasons), warning
        assert action(page, "finalize").count() == 0
        with page.expect_navigation() as refused:
            page.evaluate(FIRE_JS, {"from": "fail_codesign", "url": f"{table}/azioni/finalize"})
        assert refused.value.status == 409
        admin.check()
        problem = page.locator("#problem").inner_text()
        assert "Operazione non eseguita" in problem and all(r in problem for r in reasons), problem
        assert state_of(page) == "in_codesign"

        # --- version 2, by the admin: one budget row more, the rules hold ---------------------------------------
        page = admin.visit(f"{table}/versioni/nuova")
        labelled(page, "Descrizione del progetto").fill("Versione concordata al tavolo: la portineria e un servizio "
                                                          "di accompagnamento per gli inquilini.")
        labelled(page.get_by_role("group", name="Voce 1"), "Importo (euro)").fill("80000,00")
        line = page.get_by_role("group", name="Voce 2")
        labelled(line, "Categoria di costo").fill("materiali e attrezzature")
        labelled(line, "Fonte di finanziamento").select_option("FSE")
        labelled(line, "Importo (euro)").fill("10000,00")
        admin.submit(button(page, "Aggiungi una voce"), shot="versione-modulo")
        assert labelled(page.get_by_role("group", name="Voce 2"), "Importo (euro)").input_value() == "10000,00"
        line = page.get_by_role("group", name="Voce 3")
        labelled(line, "Categoria di costo").fill("personale")
        labelled(line, "Fonte di finanziamento").select_option("cofinancing")
        labelled(line, "Importo (euro)").fill("10000,00")
        labelled(page, "Nota sulla versione").fill("Aggiunte le voci dei materiali e del cofinanziamento.")
        admin.submit(button(page, "Registra la versione"))
        assert "/tavolo/versioni/2" in page.url

        page = admin.visit(f"{table}/confronto?da=1&a=2", shot="confronto-versioni")
        text = admin.text()
        assert "Prima stesura" in text and "Versione concordata" in text
        assert page.locator("tr.diff-added").count() == 2 and page.locator("tr.diff-changed").count() == 1
        page = admin.visit(table, shot="tavolo")
        assert page.locator(".alert-warning").count() == 0
        admin.submit(action(page, "finalize"))
        admin.confirm()
        assert state_of(page) == "finalized"
        page = ente1.visit("/le-mie-proposte")
        assert "Il progetto definitivo è approvato" in ente1.text()

        # --- A2's table closes without agreement; lot A's ranking scrolls to A3 --------------------------------
        page = admin.visit(f"/proposte/{a2}/tavolo")
        admin.submit(action(page, "start_codesign"))
        admin.confirm()
        form = page.locator("form", has=action(page, "fail_codesign"))
        labelled(form, "Motivazione").fill("L'ente ha rinunciato: non dispone più dei locali.")
        admin.submit(action(form, "fail_codesign"))
        admin.confirm()
        assert state_of(page) == "codesign_failed" and "non dispone più dei locali" in admin.text()
        ente2.visit("/le-mie-proposte")
        assert "si è chiuso senza accordo" in ente2.text()
        page = admin.visit(manage_path)
        form = page.locator("form", has=action(page, "scroll_ranking"))
        labelled(form, "Lotto").select_option("A")
        admin.submit(action(form, "scroll_ranking"))
        admin.confirm()
        page = admin.visit(board, shot="coprogettazione")
        assert page.locator(f"#proposta-{a3}").get_attribute("data-state") == "admitted"
        # the approved ranking stays as approved; the notices beside it tell what became of A2 and A3
        page = citizen.visit(f"/avvisi/{procedure_id}/graduatoria", shot="graduatoria-avvisi")
        assert "Avvisi successivi all'approvazione" in citizen.text()
        assert "Esito attuale: co-progettazione non conclusa" in page.locator(f"tr[data-proposal='{a2}']").inner_text()
        assert "Esito attuale: ammessa alla co-progettazione per scorrimento" in page.locator(
            f"tr[data-proposal='{a3}']").inner_text()

        # A3's table, held through the API; then the admin closes the co-design phase
        admin_h = token_for(admin_user)
        assert transition(client, "proposals", a3, admin_h, "start_codesign").status_code == 200
        r = client.post(f"{API}/proposals/{a3}/versions", headers=admin_h, json=version_body("80000.00", "12000.00"))
        assert r.status_code == 201, r.json
        assert transition(client, "proposals", a3, admin_h, "finalize").status_code == 200
        db.session.remove()
        page = admin.visit(manage_path)
        admin.submit(action(page, "close_codesign"))
        admin.confirm()
        assert state_of(page, "procedure") == "agreements"

        # --- A1's agreement: the terms, the PDF -----------------------------------------------------------------
        agreement = f"/proposte/{a1}/convenzione"
        planned_start = after_deadline.date() + dt.timedelta(days=40)
        page = admin.visit(agreement)
        labelled(page, "Data di avvio prevista").fill(planned_start.isoformat())
        assert labelled(page, "CUP del progetto").input_value() == ""   # the call funds several: none offered
        labelled(page, "CUP del progetto").fill("B41H26000310006")
        labelled(page, "Immobile 1: indirizzo").fill("Via Odazio 9, Milano")
        labelled(page, "Immobile 1: descrizione").fill("Locale al piano terra, 60 m²")
        for n, (pct, after) in enumerate([("40", "signature"), ("40", "report"), ("20", "final")], start=1):
            labelled(page, f"Tranche {n}: percentuale").fill(pct)
            labelled(page, f"Tranche {n}: quando si eroga").select_option(after)
        labelled(page, "Tranche 2: numero della relazione").fill("2")
        for label, value in {"Iscrizione al RUNTS": "true", "Regolarità contributiva (DURC)": "true",
                             "Informazione antimafia": "null", "Casellario giudiziale": "true"}.items():
            labelled(page, label).select_option(value)
        admin.submit(button(page, "Salva la convenzione"), shot="convenzione")
        text = admin.text()
        assert "36.000,00" in text and "18.000,00" in text and "Via Odazio 9" in text
        assert "manca la copia firmata" in page.locator(".alert-warning").inner_text()
        with page.expect_download() as download:
            page.get_by_role("link", name="Scarica la convenzione (PDF)").click()
        agreement_pdf = tmp_path / "convenzione.pdf"
        download.value.save_as(agreement_pdf)
        assert agreement_pdf.read_bytes().startswith(b"%PDF")
        journey.pdf_image(agreement_pdf, "convenzione-pdf")

        # the body downloads it, signs it and uploads the signed copy; the admin records the signature
        page = ente1.visit(agreement)
        assert "firmala e caricane la copia firmata" in ente1.text()
        with page.expect_download() as download:
            page.get_by_role("link", name="Scarica la convenzione (PDF)").click()
        assert download.value.path().read_bytes().startswith(b"%PDF")
        labelled(page, "Convenzione firmata digitalmente (PDF)").set_input_files(str(pdf))
        ente1.submit(button(page, "Carica la copia firmata"))
        assert page.locator("#signed-title + ul li").count() == 1
        page = admin.visit(agreement)
        admin.submit(action(page, "sign_agreement"))
        admin.confirm()
        assert state_of(page) == "agreement_signed"
        ente1.visit("/le-mie-proposte")
        assert "La convenzione è sottoscritta" in ente1.text()

        # --- the implementation phase; the project starts ---------------------------------------------------
        page = admin.visit(manage_path)
        admin.submit(action(page, "start_implementation"))
        admin.confirm()
        assert state_of(page, "procedure") == "implementation"
        started = planned_start + dt.timedelta(days=14)
        page = admin.visit(agreement)
        assert "Il progetto non si può ancora avviare perché:" in admin.text()   # the premises not yet handed over
        labelled(page, "Immobile 1: Data della consegna").fill((started - dt.timedelta(days=2)).isoformat())
        labelled(page, "Immobile 1: Stato dei locali alla consegna").fill("Buono stato; consegnate due chiavi.")
        labelled(page, "Immobile 1: Verbale di consegna firmato (PDF)").set_input_files(str(pdf))
        admin.submit(button(page, "Registra la consegna"), shot="consegna-locali")
        assert "Consegna dei locali n. 1 registrata." in admin.text()
        labelled(page, "Data di avvio effettiva").fill(started.isoformat())
        admin.submit(action(page, "start"))
        admin.confirm()
        assert state_of(page) == "started" and f"{started:%d/%m/%Y}" in admin.text()
        ente1.visit("/le-mie-proposte")
        assert "Il progetto è avviato" in ente1.text()

    journey.write_report()
    assert not journey.report.blocking(), journey.report.summary()
    assert len(journey.report.pages) >= 60
