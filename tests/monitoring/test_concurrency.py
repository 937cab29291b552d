"""Concurrency on PostgreSQL: a report submitted twice at once, a tranche paid twice at once, two ticks reminding
at once, a payment reversed twice at once — one winner each."""

import datetime as dt

import sqlalchemy as sa

from codesign.core.audit import AuditRecord
from codesign.db import db
from codesign.monitoring import operations as monitoring
from codesign.monitoring.models import Payment, PaymentReversal, ReportReminder
from tests.monitoring.conftest import API, content, prove, report_ids
from tests.proposals.test_concurrency import _parallel, postgres  # noqa: F401  (the fixture)


def test_report_submitted_twice_at_once(postgres, client, s):  # noqa: F811
    h1 = s.org_h["ets1"]
    rid = report_ids(client, s)[0]
    assert client.put(f"{API}/reports/{rid}", headers=h1, json=content()).status_code == 200
    prove(client, rid, h1)
    jobs = [lambda c: c.post(f"{API}/reports/{rid}/transitions", json={"trigger": "submit"},
                             headers=h1).status_code] * 2
    assert sorted(_parallel(postgres, jobs)) == [200, 409]
    db.session.expire_all()
    n = db.session.execute(sa.select(sa.func.count(AuditRecord.id)).where(
        AuditRecord.entity_type == "report", AuditRecord.entity_id == rid, AuditRecord.trigger == "submit")).scalar_one()
    assert n == 1


def test_tranche_paid_twice_at_once(postgres, client, s):  # noqa: F811
    body = {"tranche_number": 1, "paid_on": "2022-01-10"}
    jobs = [lambda c: c.post(f"{API}/proposals/{s.ids['A1']}/payments", json=body,
                             headers=s.admin_h).status_code] * 2
    assert sorted(_parallel(postgres, jobs)) == [201, 409]
    db.session.expire_all()
    assert db.session.execute(sa.select(sa.func.count(Payment.id))).scalar_one() == 1


def test_two_ticks_at_once_remind_once(postgres, client, s):  # noqa: F811
    now = dt.datetime(2022, 3, 30, 9, tzinfo=dt.timezone.utc)       # report 1's due day: its "due" reminder
    jobs = [lambda c: len(monitoring.remind_reports(now))] * 2
    assert sum(_parallel(postgres, jobs)) >= 1
    db.session.expire_all()
    kinds = db.session.execute(sa.select(ReportReminder.kind, sa.func.count()).group_by(
        ReportReminder.report_id, ReportReminder.kind)).all()
    assert kinds and all(n == 1 for _kind, n in kinds)


def test_a_payment_reversed_twice_at_once(postgres, client, s):  # noqa: F811
    r = client.post(f"{API}/proposals/{s.ids['A1']}/payments", headers=s.admin_h,
                    json={"tranche_number": 1, "paid_on": "2022-01-10"})
    assert r.status_code == 201, r.json
    body = {"reason": "registrato per errore", "reversed_on": "2022-02-01"}
    jobs = [lambda c: c.post(f"{API}/payments/{r.json['id']}/reversals", json=body,
                             headers=s.admin_h).status_code] * 2
    assert sorted(_parallel(postgres, jobs)) == [201, 409]
    db.session.expire_all()
    assert db.session.execute(sa.select(sa.func.count(PaymentReversal.id))).scalar_one() == 1
