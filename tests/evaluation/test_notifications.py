"""Outcome mail goes through the outbox and a real local SMTP server, once."""
import socket

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from codesign.core import audit
from codesign.core.mail import OutboxMessage
from codesign.core.notifications import Notification
from codesign.core.tick import run_tick
from codesign.db import db, utcnow
from codesign.proposals.models import Proposal
from tests.helpers import Scenario, transition


class Sink:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"


def _port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def smtp_server():
    sink = Sink()
    port = _port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, f"smtp://127.0.0.1:{port}"
    controller.stop()


def test_outcome_mail_sent_once(client, make_user, token_for, smtp_server, app_ctx):
    sink, url = smtp_server
    s = Scenario(client, make_user, token_for)
    s.all_reviews()
    before = db.session.execute(sa.select(sa.func.max(OutboxMessage.id))).scalar_one()  # the first half's mail
    assert transition(client, "procedures", s.pid, s.admin_h, "approve_ranking").status_code == 200
    queued = db.session.execute(sa.select(OutboxMessage).where(OutboxMessage.id > before)).scalars().all()
    assert len(queued) == 10  # one per admissible proposal: each body has one member
    # without SMTP the mail stays in the outbox
    app_ctx.config["SMTP_URL"] = None
    run_tick(utcnow())
    assert sink.messages == []
    app_ctx.config["SMTP_URL"] = url
    run_tick(utcnow())
    run_tick(utcnow())  # a second run sends nothing again
    app_ctx.config["SMTP_URL"] = None
    outcomes = [body for _, body in sink.messages if "Posizione: " in body]
    assert len(outcomes) == 10 and len(sink.messages) == before + 10
    assert all("http://localhost/proposte/" in body for body in outcomes)
    # and each stays on the person's page, linked to the proposal
    told = db.session.execute(sa.select(Notification).where(
        Notification.subject.startswith("Esito della valutazione"))).scalars().all()
    assert len(told) == 10 and {n.link for n in told} == {f"/proposte/{pid}" for pid in
                                                          db.session.execute(sa.select(Proposal.id)
                                                                             .where(Proposal.ranking_total.is_not(None))
                                                                             ).scalars()}
    db.session.expire_all()
    assert all(m.sent_at is not None for m in db.session.execute(sa.select(OutboxMessage)).scalars())


def test_mail_failure_keeps_the_decision_and_retries(client, make_user, token_for, app_ctx, smtp_server):
    from codesign.core.mail import enqueue

    sink, url = smtp_server
    enqueue("ente@example.org", "Prova", "Testo")
    db.session.commit()
    app_ctx.config["SMTP_URL"] = f"smtp://127.0.0.1:{_port()}"  # nobody listens there
    run_tick(utcnow())
    msg = db.session.execute(sa.select(OutboxMessage)).scalar_one()
    assert msg.sent_at is None and msg.attempts == 1 and msg.last_error
    app_ctx.config["SMTP_URL"] = url
    run_tick(utcnow())
    app_ctx.config["SMTP_URL"] = None
    db.session.expire_all()
    assert db.session.execute(sa.select(OutboxMessage)).scalar_one().sent_at is not None
    assert len(sink.messages) == 1


def test_the_approval_writes_each_proposal_once_and_the_rest_in_batches(client, make_user, token_for, count_queries):
    """Approving the ranking moves every admissible proposal in one flush (Workflow.cascade_all): one UPDATE per
    proposal (its outcome, total and allotment together, version checked), the audit records, notifications and
    mails inserted in batches (on PostgreSQL), the audit head locked and read once; the chain still verifies."""
    s = Scenario(client, make_user, token_for)
    s.all_reviews()
    moved = db.session.execute(sa.select(sa.func.count(Proposal.id)).where(
        Proposal.procedure_id == s.pid, Proposal.state == "admissible")).scalar_one()
    with count_queries() as q:
        assert transition(client, "procedures", s.pid, s.admin_h, "approve_ranking").status_code == 200
    shapes = [" ".join(x.split()[:3]) for x in q.statements]
    assert shapes.count("UPDATE proposals SET") == moved == 10
    # PostgreSQL inserts the new rows of a table in one batch; SQLite one at a time (SQLAlchemy cannot rely on
    # the order RETURNING gives back there), still without the reads and flushes each move used to add
    most = 2 if db.engine.dialect.name == "postgresql" else moved + 1
    for table in ("audit_records", "notifications", "outbox"):
        assert 1 <= shapes.count(f"INSERT INTO {table}") <= most, (table, shapes.count(f"INSERT INTO {table}"))
    assert sum(1 for x in q.statements if "FROM audit_head" in x) == 1   # locked once for the eleven records
    assert shapes.count("UPDATE audit_head SET") == 2   # the proposals' batch, then the call's own record
    states = db.session.execute(sa.select(Proposal.state).where(Proposal.procedure_id == s.pid)).scalars().all()
    assert {"admitted", "reserve", "below_threshold"} <= set(states)
    assert audit.verify()[0]
