"""Reminders about reports (`codesign tick`): 15 days before the due day, on it and 15 days after, each once,
only while the report is still to submit, through the outbox to the body's members."""
from __future__ import annotations

import datetime as dt

from codesign.core.mail import OutboxMessage
from codesign.core.tick import run_tick
from codesign.db import db
from codesign.monitoring import operations as monitoring
from codesign.monitoring.models import ReportReminder
from tests.monitoring.conftest import API, content, prove, report_ids

ROME = dt.timezone(dt.timedelta(hours=1))   # winter time; every date below is read in Rome


def at(day: str, hour: int = 9) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=ROME)


def mails(since: int = 0) -> list[OutboxMessage]:
    return db.session.query(OutboxMessage).order_by(OutboxMessage.id).all()[since:]


def reminders(report_id: int) -> list[str]:
    db.session.expire_all()
    return [m.kind for m in db.session.query(ReportReminder).filter_by(report_id=report_id)
            .order_by(ReportReminder.id)]


def due_days(client, s) -> dict[int, dt.date]:
    r = client.get(f"{API}/proposals/{s.ids['A1']}/reports", headers=s.admin_h)
    return {x["id"]: dt.date.fromisoformat(x["due_on"]) for x in r.json}


def test_before_on_and_after_the_due_day_once_each(client, s):
    first, *_ = report_ids(client, s)
    due = due_days(client, s)[first]
    day = lambda offset: (due + dt.timedelta(days=offset)).isoformat()   # noqa: E731
    start = len(mails())

    assert monitoring.remind_reports(at(day(-16))) == []
    lines = monitoring.remind_reports(at(day(-15)))
    assert lines == [f"promemoria «before» per la relazione 1 del progetto {s.ids['A1']} (scadenza {due.isoformat()})"]
    assert monitoring.remind_reports(at(day(-15), 18)) == [] and monitoring.remind_reports(at(day(-2))) == []
    sent = mails(start)
    assert {m.to for m in sent} == {s.org_users["ets1"].email}
    assert sent[0].subject == f"Promemoria: relazione da presentare entro il {due.strftime('%d/%m/%Y')}"
    assert "tra 15 giorni" in sent[0].body

    assert len(monitoring.remind_reports(at(day(0)))) == 1
    assert monitoring.remind_reports(at(day(14))) == []
    assert len(monitoring.remind_reports(at(day(15)))) == 1
    last = mails(start)[-1]
    assert last.subject.startswith("Relazione ancora mancante") and "sono passati 15 giorni" in last.body
    assert not any("relazione 1 " in x for x in monitoring.remind_reports(at(day(200))))   # the others may be due
    assert reminders(first) == ["before", "due", "after"]

    r = client.get(f"{API}/reports/{first}", headers=s.org_h["ets1"])
    assert [m["kind"] for m in r.json["reminders"]] == ["before", "due", "after"]


def test_a_missed_tick_sends_what_is_still_due_and_a_submitted_report_gets_none(client, s):
    first, second, third, *_ = report_ids(client, s)
    days = due_days(client, s)
    # report 2 is submitted early: nothing reminds the body of it
    r = client.put(f"{API}/reports/{second}", headers=s.org_h["ets1"], json=content())
    assert r.status_code == 200, r.json
    prove(client, second, s.org_h["ets1"])
    r = client.post(f"{API}/reports/{second}/transitions", headers=s.org_h["ets1"], json={"trigger": "submit"})
    assert r.status_code == 200, r.json
    # the first tick ever runs 3 days after report 1's due day: "due" only (the "before" window has closed)
    monitoring.remind_reports(at((days[first] + dt.timedelta(days=3)).isoformat()))
    assert reminders(first) == ["due"]
    # and then not again until 15 days after it; report 2, submitted, never
    for offset in (-15, 0, 20):
        monitoring.remind_reports(at((days[second] + dt.timedelta(days=offset)).isoformat()))
    assert reminders(second) == []
    assert reminders(first) == ["due", "after"]
    assert reminders(third) == []      # its own windows have not come yet


def test_codesign_tick_sends_them_and_the_report_page_lists_them(client, s, login):
    first, *_ = report_ids(client, s)
    due = due_days(client, s)[first]
    lines = run_tick(at((due - dt.timedelta(days=10)).isoformat()))
    assert any("promemoria «before» per la relazione 1" in x for x in lines)
    login(s.org_users["ets1"])
    html = client.get(f"/relazioni/{first}").get_data(as_text=True)
    assert "Promemoria inviati all'ente" in html and "15 giorni prima della scadenza" in html
