"""After the ranking, through the fixed API: co-design tables (meetings, versions, diff, finalize), one table
failing and the ranking scrolled, agreements (PDF, signed copy, signature) and the start with its calendar."""
import csv
import io
import json
import re

import pytest

from codesign.core import audit
from codesign.core.calendar import rome_today
from codesign.core.mail import OutboxMessage
from codesign.core.notifications import Notification
from codesign.db import db, utcnow
from codesign.proposals.models import Proposal
from tests.helpers import AGREEMENT, PDF, Scenario, agreement_for, project_cup, to_codesign, transition, version_body
from tests.monitoring.conftest import hand_over

API = "/api/v1"


@pytest.fixture()
def s(client, make_user, token_for):
    sc = Scenario(client, make_user, token_for)
    to_codesign(sc)
    return sc


def state(pid):
    db.session.expire_all()
    return db.session.get(Proposal, pid).state


def fire(s, ref, trigger, h=None, **params):
    return transition(s.client, "proposals", s.ids[ref], h or s.admin_h, trigger, **params)


def upload(client, pid, headers, kind="signed_agreement"):
    return client.post(f"{API}/proposals/{pid}/attachments", headers=headers, content_type="multipart/form-data",
                       data={"kind": kind, "file": (io.BytesIO(PDF), "convenzione-firmata.pdf")})


def test_table_meetings_versions_diff_finalize(client, s):
    a1, h1 = s.ids["A1"], s.org_h["ets1"]
    # before the table opens nothing can be recorded
    r = client.post(f"{API}/proposals/{a1}/versions", headers=h1, json=version_body("90000.00", "10000.00"))
    assert r.status_code == 409
    r = fire(s, "A1", "start_codesign")
    assert r.status_code == 200 and r.json["state"] == "in_codesign"
    # meetings: admin only; the body reads them
    r = client.post(f"{API}/proposals/{a1}/meetings", headers=h1, json={
        "held_at": "2021-05-10T10:00:00+02:00", "place": "Sala A", "participants": ["Rossi"], "minutes": ""})
    assert r.status_code == 403
    r = client.post(f"{API}/proposals/{a1}/meetings", headers=s.admin_h, json={
        "held_at": "2021-05-10T10:00:00+02:00", "place": "Palazzo Marino, sala A",
        "participants": ["Maria Rossi (Comune)", "Luca Bianchi (Il Portico)"]})
    assert r.status_code == 201, r.json
    m1 = r.json
    assert m1["held_at"] == "2021-05-10T08:00:00+00:00" and m1["minutes"] == ""
    r = client.patch(f"{API}/proposals/{a1}/meetings/{m1['id']}", headers=s.admin_h,
                     json={"minutes": "Si concordano le attività."})
    assert r.status_code == 200 and r.json["minutes"] == "Si concordano le attività."
    r = client.post(f"{API}/proposals/{a1}/meetings", headers=s.admin_h, json={
        "held_at": "2021-06-10T10:00:00+02:00", "place": "Online", "participants": [], "minutes": "Verbale 2"})
    assert r.status_code == 201
    r = client.get(f"{API}/proposals/{a1}/meetings", headers=h1)
    assert r.status_code == 200 and [m["place"] for m in r.json] == ["Palazzo Marino, sala A", "Online"]
    assert r.headers["X-Total-Count"] == "2"
    # bad meeting input: 422 per field, nothing stored
    r = client.post(f"{API}/proposals/{a1}/meetings", headers=s.admin_h,
                    json={"held_at": "domani", "place": "", "participants": "Rossi", "extra": 1})
    assert r.status_code == 422
    assert set(r.json["error"]["fields"]) == {"held_at", "place", "participants", "extra"}
    # a first version that breaks the budget rules is saved (work in progress) …
    v1 = version_body("95000.00", "5000.00", summary="Prima stesura",
                      lines=[{"category": "personale", "funding_source": "FSE", "amount": "90000.00"},
                             {"category": "personale", "funding_source": "cofinancing", "amount": "4000.00"}])
    r = client.post(f"{API}/proposals/{a1}/versions", headers=h1, json=v1)
    assert r.status_code == 201 and r.json["number"] == 1, r.json
    # … but cannot be finalized: not offered, and fired it lists every rule at once
    assert "finalize" not in client.get(f"{API}/proposals/{a1}", headers=s.admin_h).json["allowed_triggers"]
    r = fire(s, "A1", "finalize")
    assert r.status_code == 409
    reasons = r.json["error"]["reasons"]
    assert len(reasons) == 4, reasons
    assert any("supera l'importo assegnato" in x for x in reasons)
    assert any("cofinanziamento" in x and "inferiore al minimo" in x for x in reasons)
    assert any("le voci di budget sommano a 94.000,00 €" in x for x in reasons)
    assert any("«cofinanziamento dell'ente» sommano a 4.000,00 €" in x for x in reasons)
    assert state(a1) == "in_codesign"
    # the admin saves version 2, which holds
    v2 = version_body("90000.00", "10000.00", summary="Versione concordata")
    r = client.post(f"{API}/proposals/{a1}/versions", headers=s.admin_h, json=v2)
    assert r.status_code == 201 and r.json["number"] == 2
    r = client.get(f"{API}/proposals/{a1}/versions", headers=h1)
    assert [v["number"] for v in r.json] == [1, 2]
    # the difference between the two
    r = client.get(f"{API}/proposals/{a1}/versions/diff?from=1&to=2", headers=h1)
    assert r.status_code == 200
    d = r.json
    assert d["summary"] == {"from": "Prima stesura", "to": "Versione concordata", "changed": True}
    assert d["figures"]["requested_amount"] == {"from": "95000.00", "to": "90000.00", "difference": "-5000.00"}
    assert d["figures"]["cofinancing_amount"]["difference"] == "5000.00"
    assert len(d["budget_lines"]["changed"]) == 1 and d["budget_lines"]["unchanged"] == 1 and d["activities"]["unchanged"] == 1
    assert client.get(f"{API}/proposals/{a1}/versions/diff?from=1&to=9", headers=h1).status_code == 404
    assert client.get(f"{API}/proposals/{a1}/versions/diff?from=x&to=2", headers=h1).status_code == 422
    # finalize
    assert "finalize" in client.get(f"{API}/proposals/{a1}", headers=s.admin_h).json["allowed_triggers"]
    r = fire(s, "A1", "finalize")
    assert r.status_code == 200 and r.json["state"] == "finalized", r.json
    # versions are never edited: after the table closes, no new one
    r = client.post(f"{API}/proposals/{a1}/versions", headers=h1, json=v2)
    assert r.status_code == 409
    # strangers: another body gets 404, an evaluator 403
    assert client.get(f"{API}/proposals/{a1}/versions", headers=s.org_h["ets2"]).status_code == 404
    assert client.get(f"{API}/proposals/{a1}/meetings", headers=s.ev_h["e1"]).status_code in (403, 404)
    subjects = [m.subject for m in db.session.query(OutboxMessage).all()]
    assert sum("Incontro del tavolo" in x for x in subjects) == 2
    assert any("Nuova versione del progetto" in x for x in subjects)
    meetings = [n for n in db.session.query(Notification).all() if "Incontro del tavolo" in n.subject]
    assert len(meetings) == 2 and {n.link for n in meetings} == {f"/proposte/{a1}"}
    assert audit.verify()[0]


def test_version_input_rules(client, s):
    a1, h1 = s.ids["A1"], s.org_h["ets1"]
    fire(s, "A1", "start_codesign")
    body = version_body("90000.00", "10000.00")
    body["activities"] = [{"title": "A", "description": "", "start_month": 3, "end_month": 30},
                          {"title": "B", "description": "", "start_month": 5, "end_month": 2}]
    body["indicators"] = [{"code": "ZZ", "target": "1"}]
    body["budget_lines"][0]["amount"] = "10.001"
    r = client.post(f"{API}/proposals/{a1}/versions", headers=h1, json=body)
    assert r.status_code == 422
    fields = r.json["error"]["fields"]
    assert "budget_lines.0.amount" in fields
    body["budget_lines"][0]["amount"] = "90000.00"
    r = client.post(f"{API}/proposals/{a1}/versions", headers=h1, json=body)
    fields = r.json["error"]["fields"]
    assert r.status_code == 422
    assert set(fields) == {"activities.0.end_month", "activities.1.end_month", "indicators.0.code"}, fields
    assert "24 mesi" in fields["activities.0.end_month"]
    r = client.post(f"{API}/proposals/{a1}/versions", headers=h1, json={**version_body("1", "1"), "summary": ["x"]})
    assert r.status_code == 422 and "summary" in r.json["error"]["fields"]
    assert client.get(f"{API}/proposals/{a1}/versions", headers=h1).json == []


def test_fail_codesign_and_scroll_the_ranking(client, s):
    # A2 renounces: its table opens and fails, which frees 80,000 on lot A
    assert fire(s, "A2", "fail_codesign", reason="rinuncia").status_code == 409   # illegal from admitted
    fire(s, "A2", "start_codesign")
    r = fire(s, "A2", "fail_codesign")
    assert r.status_code == 422 and "reason" in r.json["error"]["fields"]
    r = fire(s, "A2", "fail_codesign", reason=["non", "un testo"])
    assert r.status_code == 422
    r = fire(s, "A2", "fail_codesign", reason="L'ente ha rinunciato")
    assert r.status_code == 200 and r.json["state"] == "codesign_failed"
    # unknown lot: 422; missing lot: 422
    r = transition(client, "procedures", s.pid, s.admin_h, "scroll_ranking", lot="Z")
    assert r.status_code == 422 and "lot" in r.json["error"]["fields"]
    r = transition(client, "procedures", s.pid, s.admin_h, "scroll_ranking")
    assert r.status_code == 422
    # an applicant cannot scroll
    r = transition(client, "procedures", s.pid, s.org_h["ets3"], "scroll_ranking", lot="A")
    assert r.status_code in (403, 404)
    r = transition(client, "procedures", s.pid, s.admin_h, "scroll_ranking", lot="A")
    assert r.status_code == 200 and r.json["state"] == "codesign", r.json
    a3 = db.session.get(Proposal, s.ids["A3"])
    assert a3.state == "admitted" and a3.allotted_amount == a3.requested_amount
    # lot B: B1 (100,000) does not fit the 90,000 left: skipped, 200 and nothing changes
    r = transition(client, "procedures", s.pid, s.admin_h, "scroll_ranking", lot="B")
    assert r.status_code == 200 and state(s.ids["B1"]) == "reserve"
    # scrolling again changes nothing
    assert transition(client, "procedures", s.pid, s.admin_h, "scroll_ranking", lot="A").status_code == 200
    # the approved ranking is an act: not rewritten
    ranking = client.get(f"{API}/procedures/{s.pid}/ranking").json
    outcomes = {e["proposal_id"]: e["outcome"] for e in ranking["lots"]["A"]["ranking"]}
    assert outcomes[s.ids["A3"]] == "reserve" and outcomes[s.ids["A2"]] == "admitted"
    # ... and what became of it is published beside it, dated, in the order it happened
    today = rome_today(utcnow()).isoformat()
    assert ranking["notices"] == [
        {"date": today, "proposal_id": s.ids["A2"], "event": "codesign_failed", "reason": "L'ente ha rinunciato"},
        {"date": today, "proposal_id": s.ids["A3"], "event": "admitted_by_scrolling"}]
    # the public page, its CSV and PDF tell each proposal's outcome today beside the row
    page = client.get(f"/avvisi/{s.pid}/graduatoria").get_data(as_text=True)
    rows = {pid: re.search(rf'data-proposal="{pid}".*?</tr>', page, re.S).group(0)
            for pid in (s.ids["A1"], s.ids["A2"], s.ids["A3"])}
    assert "Esito attuale: co-progettazione non conclusa" in rows[s.ids["A2"]]
    assert "L&#39;ente ha rinunciato" in rows[s.ids["A2"]]
    assert "Esito attuale: ammessa alla co-progettazione per scorrimento" in rows[s.ids["A3"]]
    assert "Esito attuale" not in rows[s.ids["A1"]], rows[s.ids["A1"]]
    assert "Avvisi successivi" in page
    csv_rows = {r["titolo"]: r for r in csv.DictReader(io.StringIO(
        client.get(f"/avvisi/{s.pid}/graduatoria.csv").get_data(as_text=True)))}
    a2, a3, a1 = csv_rows["Proposta A2"], csv_rows["Proposta A3"], csv_rows["Proposta A1"]
    assert (a2["esito"], a2["esito_attuale"], a2["aggiornamenti"]) == (
        "ammessa alla co-progettazione", "co-progettazione non conclusa",
        f"{today} co-progettazione non conclusa (L'ente ha rinunciato)")
    assert (a3["esito"], a3["esito_attuale"]) == ("idonea non finanziata", "ammessa alla co-progettazione per scorrimento")
    assert (a1["esito_attuale"], a1["aggiornamenti"]) == ("ammessa alla co-progettazione", "")
    r = client.get(f"/avvisi/{s.pid}/graduatoria.pdf")
    assert r.status_code == 200 and r.get_data().startswith(b"%PDF")
    mails = [m for m in db.session.query(OutboxMessage).all() if "per scorrimento" in m.subject]
    assert len(mails) == 1
    # close_codesign waits for every table
    r = transition(client, "procedures", s.pid, s.admin_h, "close_codesign")
    assert r.status_code == 409 and "ancora ammesse" in r.json["error"]["message"]


def finish_codesign(client, s, refs=("A1", "A3", "A4", "B2", "C1", "C2"), fail=("A2",)):
    amounts = {"A1": ("90000.00", "10000.00"), "A3": ("80000.00", "12000.00"), "A4": ("30000.00", "4000.00"),
               "B2": ("90000.00", "10000.00"), "C1": ("70000.00", "8000.00"), "C2": ("66500.00", "7400.00")}
    for ref in fail:
        fire(s, ref, "start_codesign")
        assert fire(s, ref, "fail_codesign", reason="rinuncia").status_code == 200
    assert transition(client, "procedures", s.pid, s.admin_h, "scroll_ranking", lot="A").status_code == 200
    for ref in refs:
        assert fire(s, ref, "start_codesign").status_code == 200
        r = client.post(f"{API}/proposals/{s.ids[ref]}/versions", headers=s.admin_h, json=version_body(*amounts[ref]))
        assert r.status_code == 201, r.json
        r = fire(s, ref, "finalize")
        assert r.status_code == 200, r.json
    r = transition(client, "procedures", s.pid, s.admin_h, "close_codesign")
    assert r.status_code == 200 and r.json["state"] == "agreements", r.json


def test_agreement_signature_and_start(client, s):
    finish_codesign(client, s)
    a1, h1 = s.ids["A1"], s.org_h["ets1"]
    # bad agreements: 422 per field
    bad = {**AGREEMENT, "tranches": [{"number": 1, "pct": "50", "after": "signature"},
                                     {"number": 2, "pct": "40", "after": "report"}],
           "cup": "abc", "declaration_checks": {**AGREEMENT["declaration_checks"], "durc": "sì"}}
    r = client.put(f"{API}/proposals/{a1}/agreement", headers=s.admin_h, json=bad)
    assert r.status_code == 422
    assert "declaration_checks.durc" in r.json["error"]["fields"]
    bad["declaration_checks"]["durc"] = True
    r = client.put(f"{API}/proposals/{a1}/agreement", headers=s.admin_h, json=bad)
    assert r.status_code == 422
    assert set(r.json["error"]["fields"]) == {"tranches", "tranches.1.report_number", "cup"}, r.json
    # the body may not draft it
    assert client.put(f"{API}/proposals/{a1}/agreement", headers=h1, json=agreement_for(a1)).status_code == 403
    r = client.put(f"{API}/proposals/{a1}/agreement", headers=s.admin_h, json=agreement_for(a1))
    assert r.status_code == 200, r.json
    ag = r.json
    assert ag["cup"] == project_cup(a1) and ag["contribution"] == "90000.00"
    assert [t["amount"] for t in ag["tranches"]] == ["36000.00", "36000.00", "18000.00"]
    assert ag["end_date"] == "2023-08-31"
    # the PDF, for both parties
    r = client.get(f"{API}/proposals/{a1}/agreement.pdf", headers=h1)
    assert r.status_code == 200 and r.mimetype == "application/pdf" and r.get_data().startswith(b"%PDF")
    assert client.get(f"{API}/proposals/{a1}/agreement.pdf", headers=s.org_h["ets2"]).status_code == 404
    # sign_agreement needs the signed copy
    r = fire(s, "A1", "sign_agreement")
    assert r.status_code == 409 and "copia firmata" in r.json["error"]["message"]
    # the admin may upload it (and another kind stays refused to the admin)
    assert upload(client, a1, s.admin_h, kind="budget").status_code == 403
    r = upload(client, a1, s.admin_h)
    assert r.status_code == 201, r.json
    r = fire(s, "A1", "sign_agreement")
    assert r.status_code == 200 and r.json["state"] == "agreement_signed", r.json
    # the agreement is frozen once signed
    assert client.put(f"{API}/proposals/{a1}/agreement", headers=s.admin_h, json=agreement_for(a1)).status_code == 409
    # start needs the implementation phase
    assert fire(s, "A1", "start", start_date="2021-09-01").status_code == 409
    r = transition(client, "procedures", s.pid, s.admin_h, "start_implementation")
    assert r.status_code == 200 and r.json["state"] == "implementation"
    assert fire(s, "A1", "start", start_date="1 settembre").status_code == 422
    r = fire(s, "A1", "start", start_date="2021-09-01")   # the premises are not yet handed over
    assert r.status_code == 409 and "verbale di consegna dei locali" in " ".join(r.json["error"]["reasons"]), r.json
    hand_over(client, s, "A1")
    r = fire(s, "A1", "start", start_date="2021-09-01")
    assert r.status_code == 200 and r.json["state"] == "started", r.json
    r = client.get(f"{API}/proposals/{a1}/reports", headers=h1)
    assert r.status_code == 200 and r.headers["X-Total-Count"] == "4"
    assert [(x["number"], x["period_start"], x["period_end"], x["due_on"], x["state"]) for x in r.json] == [
        (1, "2021-09-01", "2022-02-28", "2022-03-30", "due"),
        (2, "2022-03-01", "2022-08-31", "2022-09-30", "due"),
        (3, "2022-09-01", "2023-02-28", "2023-03-30", "due"),
        (4, "2023-03-01", "2023-08-31", "2023-09-30", "due")]
    assert all(x["late"] for x in r.json)  # long past their due dates
    subjects = [m.subject for m in db.session.query(OutboxMessage).all()]
    assert any("Convenzione pronta per la firma" in x for x in subjects)
    assert any("Progetto avviato" in x for x in subjects)
    # revoke from started, with a reason
    assert fire(s, "A1", "revoke").status_code == 422
    assert fire(s, "A1", "revoke", reason="Gravi inadempimenti").json["state"] == "revoked"
    notices = client.get(f"{API}/procedures/{s.pid}/ranking").json["notices"]
    assert [n["event"] for n in notices] == ["codesign_failed", "admitted_by_scrolling", "revoked"]
    assert notices[-1] | {"date": None} == {"date": None, "proposal_id": a1, "event": "revoked",
                                            "reason": "Gravi inadempimenti"}
    assert audit.verify()[0]


def test_antimafia_due_above_threshold(client, make_user, token_for):
    sc = Scenario(client, make_user, token_for)
    to_codesign(sc)
    # give A1 a large allotment directly (the worked example's grants are all below 150,000)
    p = db.session.get(Proposal, sc.ids["A1"])
    p.allotted_amount = p.requested_amount = 160000
    db.session.commit()
    fire(sc, "A1", "start_codesign")
    r = client.post(f"{API}/proposals/{sc.ids['A1']}/versions", headers=sc.admin_h,
                    json=version_body("160000.00", "20000.00"))
    assert r.status_code == 201
    assert fire(sc, "A1", "finalize").status_code == 200
    a1 = sc.ids["A1"]
    r = client.put(f"{API}/proposals/{a1}/agreement", headers=sc.admin_h, json=agreement_for(a1))
    assert r.status_code == 422 and "declaration_checks.antimafia" in r.json["error"]["fields"]
    # not yet verified: saved, but the signature waits for it
    body = agreement_for(a1, declaration_checks={**AGREEMENT["declaration_checks"], "antimafia": False})
    assert client.put(f"{API}/proposals/{a1}/agreement", headers=sc.admin_h, json=body).status_code == 200
    assert upload(client, a1, sc.admin_h).status_code == 201
    r = fire(sc, "A1", "sign_agreement")
    assert r.status_code == 409 and "controlli non ancora verificati: informazione antimafia" in r.json["error"]["reasons"]
    body = agreement_for(a1, declaration_checks={**AGREEMENT["declaration_checks"], "antimafia": True})
    assert client.put(f"{API}/proposals/{a1}/agreement", headers=sc.admin_h, json=body).status_code == 200
    reasons = fire(sc, "A1", "sign_agreement").json["error"]["reasons"]
    assert not any("controlli" in x for x in reasons), reasons


def test_one_cup_per_project_and_checks_nobody_skipped(client, s):
    """A CUP identifies one project: the agreement needs its own before the signature, never one another
    agreement or an external project holds; every check starts not yet verified, and the audit says who recorded
    it."""
    finish_codesign(client, s)
    a1, b2 = s.ids["A1"], s.ids["B2"]
    # the bare terms: no CUP, no check sent -> saved, every check not yet verified (anti-mafia not due here)
    bare = {k: v for k, v in AGREEMENT.items() if k != "declaration_checks"}
    r = client.put(f"{API}/proposals/{a1}/agreement", headers=s.admin_h, json=bare)
    assert r.status_code == 200 and r.json["cup"] is None, r.json
    assert r.json["declaration_checks"] == {"runts": False, "durc": False, "antimafia": False,
                                            "criminal_records": False}
    assert upload(client, a1, s.admin_h).status_code == 201
    r = fire(s, "A1", "sign_agreement")
    assert r.status_code == 409, r.json
    message = r.json["error"]["message"]
    assert "manca il CUP del progetto" in message
    assert ("controlli non ancora verificati: iscrizione al RUNTS, regolarità contributiva (DURC), "
            "casellario giudiziale") in message and "antimafia" not in message
    # the CUP of another project: another agreement's, or an external project's
    assert client.put(f"{API}/proposals/{b2}/agreement", headers=s.admin_h, json=agreement_for(b2)).status_code == 200
    r = client.put(f"{API}/proposals/{a1}/agreement", headers=s.admin_h, json=agreement_for(a1, cup=project_cup(b2)))
    assert r.status_code == 422 and "«Proposta B2»" in r.json["error"]["fields"]["cup"], r.json
    r = client.post(f"{API}/projects", headers=s.admin_h, json={
        "cup": "J47H18000340009", "title": "Piazze aperte", "programme": "PNRR", "theme": "Inclusione sociale e salute",
        "municipality": "015146", "beneficiary": {"name": "Comune di Milano"}, "public_funding": "1.00",
        "planned_start": "2022-01-01", "planned_end": "2022-12-31", "state": "planned"})
    assert r.status_code == 201, r.json
    r = client.put(f"{API}/proposals/{a1}/agreement", headers=s.admin_h,
                   json=agreement_for(a1, cup="j47h18000340009"))
    assert r.status_code == 422 and "«Piazze aperte»" in r.json["error"]["fields"]["cup"], r.json
    assert client.get(f"{API}/proposals/{a1}/agreement", headers=s.admin_h).json["cup"] is None  # nothing changed
    # its own CUP and the checks recorded: signed; the audit says who recorded which check
    r = client.put(f"{API}/proposals/{a1}/agreement", headers=s.admin_h, json=agreement_for(a1))
    assert r.status_code == 200, r.json
    assert fire(s, "A1", "sign_agreement").status_code == 200
    records = db.session.query(audit.AuditRecord).filter_by(entity_type="proposal", entity_id=a1,
                                                            trigger="put_agreement").order_by(audit.AuditRecord.id).all()
    first, last = (json.loads(r.data) for r in (records[0], records[-1]))
    assert first["checks"] == {"runts": False, "durc": False, "antimafia": False, "criminal_records": False}
    assert last["checks"] == {"runts": True, "durc": True, "antimafia": None, "criminal_records": True}
    assert last["cup"] == project_cup(a1) and records[-1].actor_id == s.admin.id


def test_dates_nobody_means_are_refused_with_the_field_named(client, s):
    """Year 1 or 9999 (a meeting, an agreement's start, the start of a project) is a 422 naming the field, never
    a 500 from the calendar arithmetic, and nothing is stored."""
    a1 = s.ids["A1"]
    fire(s, "A1", "start_codesign")
    for held_at in ("0001-01-01T00:00:00", "9999-12-31T23:59:59+00:00", "1999-12-31T10:00:00+01:00"):
        r = client.post(f"{API}/proposals/{a1}/meetings", headers=s.admin_h,
                        json={"held_at": held_at, "place": "Sala A", "participants": ["Rossi"]})
        assert r.status_code == 422 and "held_at" in r.json["error"]["fields"], (held_at, r.json)
    assert client.get(f"{API}/proposals/{a1}/meetings", headers=s.admin_h).json == []
    r = client.post(f"{API}/proposals/{a1}/versions", headers=s.admin_h, json=version_body("90000.00", "10000.00"))
    assert r.status_code == 201 and fire(s, "A1", "finalize").status_code == 200
    finish_codesign(client, s, refs=("A3", "A4", "B2", "C1", "C2"))
    r = client.put(f"{API}/proposals/{a1}/agreement", headers=s.admin_h,
                   json=agreement_for(a1, start_date="9999-01-01"))
    assert r.status_code == 422 and "2100" in r.json["error"]["fields"]["start_date"], r.json
    assert client.put(f"{API}/proposals/{a1}/agreement", headers=s.admin_h, json=agreement_for(a1)).status_code == 200
    assert upload(client, a1, s.admin_h).status_code == 201
    assert fire(s, "A1", "sign_agreement").status_code == 200
    assert transition(client, "procedures", s.pid, s.admin_h, "start_implementation").status_code == 200
    for day in ("9999-12-31", "0001-01-01"):
        r = fire(s, "A1", "start", start_date=day)
        assert r.status_code == 422 and "start_date" in r.json["error"]["fields"], (day, r.json)
    assert state(a1) == "agreement_signed"
