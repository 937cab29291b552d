"""Monitoring through the fixed API: the worked example's project A1 from its start to `complete` (four reports
written, one returned and resubmitted, all approved, the tranches paid as their conditions are met), the refusals
(409/422 per API.md), who sees what, and the late-report tick once."""
import datetime as dt
import io
from decimal import Decimal

from codesign.core import audit
from codesign.core.mail import OutboxMessage
from codesign.core.tick import run_tick
from codesign.db import db
from codesign.monitoring import operations as monitoring
from codesign.monitoring.models import Payment, Report
from codesign.proposals.models import Proposal
from tests.helpers import PDF, transition
from tests.monitoring.conftest import API, content, fire, prove, report_ids, state


def put(client, rid, h, body):
    return client.put(f"{API}/reports/{rid}", headers=h, json=body)


def receipt(client, rid, n, h, data=PDF, name="fattura.pdf"):
    return client.post(f"{API}/reports/{rid}/expenses/{n}/receipts", headers=h or {},
                       content_type="multipart/form-data", data={"file": (io.BytesIO(data), name)})


def act(client, rid, h, trigger, **params):
    return transition(client, "reports", rid, h, trigger, **params)


def pay(client, s, tranche, **extra):
    return client.post(f"{API}/proposals/{s.ids['A1']}/payments", headers=s.admin_h,
                       json={"tranche_number": tranche, "paid_on": "2022-01-10", **extra})


def subjects():
    return [m.subject for m in db.session.query(OutboxMessage).order_by(OutboxMessage.id)]


def test_whole_calendar_to_complete(client, s):
    a1, h1 = s.ids["A1"], s.org_h["ets1"]
    ids = report_ids(client, s)
    assert len(ids) == 4
    # complete is refused while reports are pending
    r = fire(s, "A1", "complete")
    assert r.status_code == 409 and "relazioni n. 1, 2, 3, 4" in r.json["error"]["message"]
    # the signature tranche is due at once; the others not yet
    r = pay(client, s, 2)
    assert r.status_code == 409 and "relazione n. 2 non è ancora approvata" in r.json["error"]["message"]
    r = pay(client, s, 1, reference="Mandato 12/2022")
    assert r.status_code == 201 and r.json["amount"] == "36000.00", r.json
    assert pay(client, s, 1).status_code == 409          # paid twice
    assert monitoring.paid_amount(db.session.get(Proposal, a1)) == Decimal("36000.00")
    # report 1: a draft, then complete, then submitted
    r = client.get(f"{API}/reports/{ids[0]}", headers=h1)
    assert r.status_code == 200 and r.json["state"] == "due" and r.json["allowed_triggers"] == []
    r = put(client, ids[0], h1, content(narrative="", indicators={"P1": "10"}, expenses=[]))
    assert r.status_code == 200 and r.json["narrative"] == "" and r.json["indicators"] == {"P1": "10"}
    r = act(client, ids[0], h1, "submit")
    assert r.status_code == 409
    reasons = r.json["error"]["reasons"]
    assert len(reasons) == 3 and any("P3" in x for x in reasons), reasons
    r = put(client, ids[0], h1, content())
    assert r.status_code == 200, r.json
    assert r.json["expenses"][0] == {"category": "personale", "funding_source": "FSE", "amount": "15000.00",
                                     "description": "educatori", "receipts": []}
    assert r.json["cofinancing_amount"] == "2500.00" and r.json["allowed_triggers"] == []
    r = act(client, ids[0], h1, "submit")   # each expense line needs its receipts
    assert r.status_code == 409 and any("giustificativi" in x and "righe 1, 2" in x
                                        for x in r.json["error"]["reasons"]), r.json
    prove(client, ids[0], h1)
    assert client.get(f"{API}/reports/{ids[0]}", headers=h1).json["allowed_triggers"] == ["submit"]
    r = act(client, ids[0], h1, "submit")
    assert r.status_code == 200 and r.json["state"] == "submitted", r.json
    assert [len(e["receipts"]) for e in r.json["expenses"]] == [1, 1]
    # submitted: no more changes, not submitted twice
    assert put(client, ids[0], h1, content()).status_code == 409
    assert act(client, ids[0], h1, "submit").status_code == 409
    # the body does not approve; the admin returns it with a reason (required)
    assert act(client, ids[0], h1, "approve").status_code == 403
    r = act(client, ids[0], s.admin_h, "return")
    assert r.status_code == 422 and "reason" in r.json["error"]["fields"]
    r = act(client, ids[0], s.admin_h, "return", reason="Mancano le ore di apertura di febbraio")
    assert r.status_code == 200 and r.json["state"] == "returned"
    assert r.json["return_reason"] == "Mancano le ore di apertura di febbraio"
    # corrected and submitted again, then approved
    r = put(client, ids[0], h1, content(indicators={"P1": "80", "P3": "260"}))
    assert r.status_code == 200 and r.json["state"] == "returned"
    assert act(client, ids[0], h1, "submit").json["state"] == "submitted"
    r = act(client, ids[0], s.admin_h, "approve")
    assert r.status_code == 200 and r.json["state"] == "approved" and r.json["approved_at"], r.json
    # every submission is kept, with what changed since the previous one
    r = client.get(f"{API}/reports/{ids[0]}/submissions", headers=s.admin_h)
    assert r.status_code == 200 and r.headers["X-Total-Count"] == "2"
    first, second = r.json
    assert first["changes"] is None and first["content"]["indicators"] == {"P1": "80", "P3": "250"}
    assert second["changes"]["indicators"] == {"P3": {"from": "250", "to": "260"}}
    assert not second["changes"]["narrative"]["changed"] and second["changes"]["expenses"] == {"added": [], "removed": []}
    assert client.get(f"{API}/reports/{ids[0]}/submissions", headers=s.org_h["ets2"]).status_code == 404
    # reports 2 and 3, approved; tranche 2 is released by report 2
    for rid in ids[1:3]:
        assert put(client, rid, h1, content()).status_code == 200
        prove(client, rid, h1)
        assert act(client, rid, h1, "submit").status_code == 200
        assert act(client, rid, s.admin_h, "approve").status_code == 200
    assert pay(client, s, 2, amount="36000.01").status_code == 422
    r = pay(client, s, 2, amount="36000.00")
    assert r.status_code == 201, r.json
    # the final report needs sustainability (409 at submit, not at the PUT)
    assert put(client, ids[3], h1, content()).status_code == 200
    prove(client, ids[3], h1)
    r = act(client, ids[3], h1, "submit")
    assert r.status_code == 409 and "come proseguono le attività" in r.json["error"]["message"]
    assert pay(client, s, 3).status_code == 409
    assert put(client, ids[3], h1, content(final=True)).status_code == 200
    assert act(client, ids[3], h1, "submit").status_code == 200
    assert fire(s, "A1", "complete").status_code == 409
    assert act(client, ids[3], s.admin_h, "approve").status_code == 200
    r = pay(client, s, 3)
    assert r.status_code == 201 and r.json["amount"] == "18000.00"
    r = client.get(f"{API}/proposals/{a1}/payments", headers=h1)
    assert [p["tranche_number"] for p in r.json] == [1, 2, 3] and r.headers["X-Total-Count"] == "3"
    assert monitoring.paid_amount(db.session.get(Proposal, a1)) == Decimal("90000.00")
    # every report approved: complete
    r = fire(s, "A1", "complete")
    assert r.status_code == 200 and r.json["state"] == "completed", r.json
    # a completed project's reports are frozen
    assert put(client, ids[0], h1, content()).status_code == 409
    r = client.get(f"{API}/proposals/{a1}/reports", headers=h1)
    assert [x["state"] for x in r.json] == ["approved"] * 4 and not any(x["late"] for x in r.json)
    # the dashboard's figures come from the approved reports
    r = client.get(f"{API}/proposals/{a1}/monitoring", headers=h1)
    assert r.status_code == 200
    d = r.json
    assert d["paid"] == "90000.00" and d["granted"] == "90000.00" and d["budget"] == "100000.00"
    assert d["spent"] == "70000.00"     # 4 x (15000 + 2500)
    assert {x["funding_source"]: x["spent"] for x in d["by_source"]} == {"FSE": "60000.00", "cofinancing": "10000.00"}
    assert {x["code"]: x["achieved"] for x in d["indicators"]} == {"P1": "80", "P3": "250"}
    assert d["reports"] == {"total": 4, "approved": 4, "late": [], "to_review": []}
    # notifications: one per event
    sub = subjects()
    assert sum("Relazione da esaminare" in x for x in sub) == 5      # 4 submissions and one resubmission
    assert sum("Relazione restituita" in x for x in sub) == 1
    assert sum("Relazione approvata" in x for x in sub) == 4
    assert sum("Pagamento registrato" in x for x in sub) == 3
    # every move audited
    db.session.expire_all()
    assert audit.verify()[0]
    from codesign.core.audit import AuditRecord
    moves = db.session.query(AuditRecord).filter_by(entity_type="report", entity_id=ids[0]).order_by(AuditRecord.seq).all()
    assert [m.trigger for m in moves if m.to_state] == ["submit", "return", "submit", "approve"]


def test_report_input_refused(client, s):
    h1 = s.org_h["ets1"]
    rid = report_ids(client, s)[0]
    cases = [
        ({**content(), "extra": 1}, "extra"),
        (content(indicators={"ZZ": "1"}), "indicators.ZZ"),
        (content(indicators={"P1": "-1"}), "indicators.P1"),
        (content(cofinancing_amount="10.001"), "cofinancing_amount"),
        (content(cofinancing_amount=10.5), "cofinancing_amount"),
        (content(expenses=[{"category": "personale", "funding_source": "FSE", "amount": "-5.00"}]), "expenses.0.amount"),
        (content(expenses=[{"category": "viaggi", "funding_source": "FSE", "amount": "5.00"}]), "expenses.0.category"),
        (content(expenses=[{"category": "personale", "funding_source": "PNRR", "amount": "5.00"}]),
         "expenses.0.funding_source"),
        (content(narrative=["x"]), "narrative"),
        ({"narrative": "x"}, "indicators"),
    ]
    for body, field in cases:
        r = put(client, rid, h1, body)
        assert r.status_code == 422, (field, r.json)
        assert field in r.json["error"]["fields"], (field, r.json)
    r = client.put(f"{API}/reports/{rid}", headers=h1, data="non json", content_type="application/json")
    assert r.status_code == 400
    # nothing was stored
    r = client.get(f"{API}/reports/{rid}", headers=h1)
    assert r.json["narrative"] == "" and r.json["expenses"] == [] and r.json["cofinancing_amount"] is None
    # unknown trigger 422, unknown report 404
    assert act(client, rid, h1, "publish").status_code == 422
    assert client.get(f"{API}/reports/999999", headers=h1).status_code == 404
    # payments: unknown tranche, future date, unknown keys
    assert pay(client, s, 9).status_code == 422
    r = client.post(f"{API}/proposals/{s.ids['A1']}/payments", headers=s.admin_h,
                    json={"tranche_number": 1, "paid_on": (dt.date.today() + dt.timedelta(days=3)).isoformat()})
    assert r.status_code == 422 and "paid_on" in r.json["error"]["fields"]
    r = client.post(f"{API}/proposals/{s.ids['A1']}/payments", headers=s.admin_h,
                    json={"tranche_number": "1", "paid_on": "2022-01-10", "x": 1})
    assert r.status_code == 422 and {"tranche_number", "x"} <= set(r.json["error"]["fields"])
    assert db.session.query(Payment).count() == 0


def test_who_sees_and_does_what(client, s, make_user, token_for):
    h1, h2 = s.org_h["ets1"], s.org_h["ets2"]
    rid = report_ids(client, s)[0]
    stranger = token_for(make_user("applicant"))
    other_admin = token_for(make_user("admin", org="Comune di Torino"))
    # the parties see the report; others 404; an evaluator 403 or 404
    assert client.get(f"{API}/reports/{rid}", headers=h1).status_code == 200
    assert client.get(f"{API}/reports/{rid}", headers=s.admin_h).status_code == 200
    for h in (h2, stranger, other_admin):
        assert client.get(f"{API}/reports/{rid}", headers=h).status_code == 404
        assert put(client, rid, h, content()).status_code == 404
        assert act(client, rid, h, "submit").status_code == 404
    assert client.get(f"{API}/reports/{rid}", headers=s.ev_h["e1"]).status_code in (403, 404)
    assert client.get(f"{API}/reports/{rid}").status_code == 401
    # only the body writes and submits; only the admin approves and pays
    assert put(client, rid, s.admin_h, content()).status_code == 403
    assert put(client, rid, h1, content()).status_code == 200
    for h, code in ((h2, 404), (stranger, 404), (other_admin, 404), (s.admin_h, 403), (None, 401)):
        assert receipt(client, rid, 1, h).status_code == code
    prove(client, rid, h1)
    assert act(client, rid, s.admin_h, "submit").status_code == 403
    assert act(client, rid, h1, "submit").status_code == 200
    assert act(client, rid, h1, "approve").status_code == 403
    assert client.post(f"{API}/proposals/{s.ids['A1']}/payments", headers=h1,
                       json={"tranche_number": 1, "paid_on": "2022-01-10"}).status_code == 403
    assert client.get(f"{API}/proposals/{s.ids['A1']}/payments", headers=h2).status_code == 404
    # the call's dashboard: the call's admins only
    assert client.get(f"{API}/procedures/{s.pid}/monitoring", headers=h1).status_code == 403
    r = client.get(f"{API}/procedures/{s.pid}/monitoring", headers=s.admin_h)
    assert r.status_code == 200 and [x["proposal_id"] for x in r.json] == [s.ids["A1"]]
    assert r.json[0]["reports"]["to_review"] == [1]


def test_late_reports_flagged_once(client, s):
    a1 = s.ids["A1"]
    ids = report_ids(client, s)
    before = len(subjects())
    # on 2022-03-30 (Rome) report 1 is due that very day: not late yet
    lines = run_tick(dt.datetime(2022, 3, 30, 21, 0, tzinfo=dt.timezone.utc))
    assert not any("relazione n." in x for x in lines)
    # the next day (Rome) it is late, once
    now = dt.datetime(2022, 3, 30, 23, 30, tzinfo=dt.timezone.utc)   # 31 March in Rome
    lines = run_tick(now)
    assert [x for x in lines if "relazione n." in x] == [f"relazione n. 1 del progetto {a1} scaduta il 2022-03-30: segnalata"]
    assert not any("relazione n." in x for x in run_tick(now + dt.timedelta(hours=1)))   # once
    db.session.expire_all()
    flagged = [r.number for r in db.session.query(Report).filter(Report.late_flagged_at.isnot(None))]
    assert flagged == [1]
    late_mail = [x for x in subjects()[before:] if "Relazione in ritardo" in x]
    assert len(late_mail) == 1
    # a submitted report is never flagged; the others once each, however many ticks
    assert put(client, ids[1], s.org_h["ets1"], content()).status_code == 200
    prove(client, ids[1], s.org_h["ets1"])
    assert act(client, ids[1], s.org_h["ets1"], "submit").status_code == 200
    run_tick(dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc))
    run_tick(dt.datetime(2030, 1, 2, tzinfo=dt.timezone.utc))
    db.session.expire_all()
    assert sorted(r.number for r in db.session.query(Report).filter(Report.late_flagged_at.isnot(None))) == [1, 3, 4]
    assert sum("Relazione in ritardo" in x for x in subjects()) == 3
    assert state(a1) == "started"


def test_a_registered_payment_condition_blocks_every_tranche(client, s):
    def unpublished(proposal):
        return "il progetto non è ancora pubblicato nella sezione Amministrazione trasparente"

    monitoring.register_payment_condition(unpublished)
    try:
        r = pay(client, s, 1)
        assert r.status_code == 409 and "Amministrazione trasparente" in r.json["error"]["message"]
        assert db.session.query(Payment).count() == 0
    finally:
        monitoring.PAYMENT_CONDITIONS.remove(unpublished)
    assert pay(client, s, 1).status_code == 201
