"""`codesign tick` flags a co-design table past its deadline to the admins, once (mail and board)."""
import datetime as dt

from codesign.core.calendar import add_months, rome_today
from codesign.core.mail import OutboxMessage
from codesign.core.tick import run_tick
from codesign.db import db
from codesign.tables.models import CodesignTable
from tests.helpers import Scenario, to_codesign, transition


def test_overdue_table_is_flagged_once(client, make_user, token_for, login, monkeypatch):
    s = Scenario(client, make_user, token_for)
    to_codesign(s)
    a1 = s.ids["A1"]
    transition(client, "proposals", a1, s.admin_h, "start_codesign")
    table = db.session.query(CodesignTable).filter_by(proposal_id=a1).one()
    assert table.deadline == add_months(rome_today(table.opened_at), 3)  # the call's co-design months
    monkeypatch.setattr("codesign.core.mail.drain_outbox", lambda now: [])
    before = dt.datetime.combine(table.deadline, dt.time(12), tzinfo=dt.timezone.utc)
    assert not any("tavolo della proposta" in line for line in run_tick(before))
    after = before + dt.timedelta(days=1)
    lines = run_tick(after)
    assert any(f"tavolo della proposta {a1} scaduto" in line for line in lines), lines
    assert not any("tavolo della proposta" in line for line in run_tick(after + dt.timedelta(days=3)))
    mails = db.session.query(OutboxMessage).filter(OutboxMessage.subject.like("Tavolo di co-progettazione scaduto%")).all()
    assert len(mails) == 1 and mails[0].to == s.admin.email
    login(s.admin)
    page = client.get(f"/gestione/avvisi/{s.pid}/coprogettazione").get_data(as_text=True)
    assert "scaduto" in page
