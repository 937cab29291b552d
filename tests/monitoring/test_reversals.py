"""Payments corrected by counter-entry (storno): never deleted; totals, dashboards and open data use the net amount;
reversed in full, the tranche can be paid again."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from codesign.core import audit
from codesign.db import db
from codesign.monitoring.models import Payment, PaymentReversal
from tests.monitoring.conftest import API


def pay(client, s, tranche=1, paid_on="2022-01-10"):
    return client.post(f"{API}/proposals/{s.ids['A1']}/payments", headers=s.admin_h,
                       json={"tranche_number": tranche, "paid_on": paid_on, "reference": "mandato 12/2022"})


def reverse(client, s, payment_id, h=None, **body):
    body = {"reason": "importo registrato per errore", "reversed_on": "2022-02-01"} | body
    return client.post(f"{API}/payments/{payment_id}/reversals", headers=h or s.admin_h, json=body)


def public_paid(client, s) -> str:
    rows = client.get(f"{API}/public/projects").json
    return next(r["paid_amount"] for r in rows if r["title"] == "Proposta A1 – portineria di quartiere"
                or r["procedure_id"] == s.pid)


def test_a_payment_reversed_in_part_then_in_full_and_paid_again(client, s):
    r = pay(client, s)
    assert r.status_code == 201, r.json
    payment = r.json
    amount = Decimal(payment["amount"])
    assert payment["net_amount"] == payment["amount"] and payment["active"] is True and payment["reversals"] == []
    assert Decimal(public_paid(client, s)) == amount

    r = reverse(client, s, payment["id"], amount="1000.00", reference="reversale 3/2022")
    assert r.status_code == 201, r.json
    assert r.json["net_amount"] == f"{amount - 1000:.2f}" and r.json["active"] is True
    assert r.json["reversals"][0] | {"id": 0, "recorded_at": ""} == {
        "id": 0, "amount": "1000.00", "reason": "importo registrato per errore", "reference": "reversale 3/2022",
        "reversed_on": "2022-02-01", "recorded_at": ""}
    assert Decimal(public_paid(client, s)) == amount - 1000
    figures = client.get(f"{API}/proposals/{s.ids['A1']}/monitoring", headers=s.admin_h).json
    assert Decimal(figures["paid"]) == amount - 1000
    # the tranche is still paid (in part): it cannot be paid twice
    assert pay(client, s).status_code == 409

    # the rest, by default: the payment no longer counts, the tranche is payable again
    r = reverse(client, s, payment["id"], reason="pagamento non eseguito dalla tesoreria")
    assert r.status_code == 201, r.json
    assert r.json["net_amount"] == "0.00" and r.json["active"] is False
    assert Decimal(public_paid(client, s)) == 0
    r = reverse(client, s, payment["id"], amount="1.00")
    assert r.status_code == 409 and "stornato per intero" in r.json["error"]["message"]
    again = pay(client, s, paid_on="2022-02-15")
    assert again.status_code == 201, again.json
    assert Decimal(public_paid(client, s)) == amount
    listed = client.get(f"{API}/proposals/{s.ids['A1']}/payments", headers=s.org_h["ets1"]).json
    assert [(p["id"], p["active"], p["net_amount"]) for p in listed] == [
        (payment["id"], False, "0.00"), (again.json["id"], True, payment["amount"])]
    # nothing deleted, everything in the audit trail
    assert db.session.execute(sa.select(sa.func.count(Payment.id))).scalar_one() == 2
    trail = db.session.execute(sa.select(audit.AuditRecord.trigger, audit.AuditRecord.reason)
                               .where(audit.AuditRecord.trigger == "reverse_payment")
                               .order_by(audit.AuditRecord.seq)).all()
    assert [reason for _t, reason in trail] == ["importo registrato per errore", "pagamento non eseguito dalla tesoreria"]


def test_bad_reversals_change_nothing(client, s):
    payment = pay(client, s).json
    cases = [
        ({"amount": f"{Decimal(payment['amount']) + 1:.2f}"}, 422, "amount", "supera"),
        ({"amount": "0.00"}, 422, "amount", ""),
        ({"amount": "-5.00"}, 422, "amount", ""),
        ({"reason": ""}, 422, "reason", ""),
        ({"reversed_on": "2099-01-01"}, 422, "reversed_on", "futuro"),
        ({"reversed_on": "2022-01-01"}, 422, "reversed_on", "precedere"),
        ({"amount": "NaN"}, 422, "amount", ""),
    ]
    for body, status, field, words in cases:
        r = reverse(client, s, payment["id"], **body)
        assert r.status_code == status, (body, r.json)
        assert field in r.json["error"]["fields"] and words in r.json["error"]["fields"][field], (body, r.json)
    r = client.post(f"{API}/payments/{payment['id']}/reversals", headers=s.admin_h, json={"reversed_on": "2022-02-01"})
    assert r.status_code == 422 and "reason" in r.json["error"]["fields"]
    assert reverse(client, s, payment["id"], h=s.org_h["ets1"]).status_code == 403      # the body cannot
    assert reverse(client, s, 999999).status_code == 404
    assert client.post(f"{API}/payments/{payment['id']}/reversals", json={}).status_code == 401
    assert db.session.execute(sa.select(sa.func.count(PaymentReversal.id))).scalar_one() == 0


def test_the_project_page_reverses_a_payment(client, s, login, post_form):
    payment = pay(client, s).json
    login(s.admin)
    page = f"/proposte/{s.ids['A1']}/monitoraggio"
    r = post_form(f"/proposte/{s.ids['A1']}/pagamenti/storni", {
        "payment_id": str(payment["id"]), "amount": "500,00", "reason": "doppio mandato",
        "reference": "", "reversed_on": "2022-02-01"}, get_url=page)
    assert r.status_code == 303, r.get_data(as_text=True)[:2000]
    html = client.get(page).get_data(as_text=True)
    assert "Storno di 500,00" in html and "doppio mandato" in html
    db.session.expire_all()
    assert db.session.get(Payment, payment["id"]).net_amount == Decimal(payment["amount"]) - 500
    # a bad amount: the page again, with the message on the field, nothing written
    r = post_form(f"/proposte/{s.ids['A1']}/pagamenti/storni", {
        "payment_id": str(payment["id"]), "amount": "9999999,00", "reason": "x", "reversed_on": "2022-02-01"},
        get_url=page)
    assert r.status_code == 422 and "supera" in r.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count(PaymentReversal.id))).scalar_one() == 1
