"""Mail through an outbox: decisions enqueue messages in their own transaction; `codesign tick` drains
the outbox. A mail failure never rolls back a decision, and a message is claimed by one sender only
(SKIP LOCKED on PostgreSQL), marked sent once delivered, retried on the next tick otherwise."""
from __future__ import annotations

import datetime as dt
import logging
import smtplib
from email.message import EmailMessage
from urllib.parse import urlparse

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column

from codesign.db import UTCDateTime, count_rows, db, utcnow

log = logging.getLogger(__name__)
SENDER = "codesign <noreply@codesign.invalid>"
MAX_ATTEMPTS = 10


class OutboxMessage(db.Model):
    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_pending", "sent_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)


def enqueue(to: str, subject: str, body: str) -> OutboxMessage:
    msg = OutboxMessage(to=to, subject=subject, body=body)
    db.session.add(msg)
    return msg


def outbox_page_enabled() -> bool:
    """Whether admins read the outbox on a page: only where no mail leaves (CODESIGN_SMTP_URL unset: the demo,
    `make run`), so that invitation and reset links can be followed; never in production."""
    return not current_app.config.get("SMTP_URL") and not current_app.config.get("PRODUCTION")


def messages(*, to: str | None, limit: int, offset: int) -> tuple[list[OutboxMessage], int]:
    """The outbox, newest first (one page of it, and how many in all), for one address if `to` is given."""
    query = sa.select(OutboxMessage)
    if to:
        query = query.where(sa.func.lower(OutboxMessage.to) == to.strip().lower())
    total = count_rows(query)
    rows = db.session.execute(query.order_by(OutboxMessage.id.desc()).limit(limit).offset(offset)).scalars().all()
    return list(rows), total


def _send(url: str, msg: OutboxMessage) -> None:
    parsed = urlparse(url)
    email = EmailMessage()
    email["From"] = SENDER
    email["To"] = msg.to
    email["Subject"] = msg.subject
    email["Message-ID"] = f"<outbox-{msg.id}@codesign.invalid>"
    email.set_content(msg.body)
    with smtplib.SMTP(parsed.hostname or "localhost", parsed.port or 25, timeout=30) as smtp:
        if parsed.username:
            smtp.login(parsed.username, parsed.password or "")
        smtp.send_message(email)


def drain_outbox(now) -> list[str]:
    url = current_app.config.get("SMTP_URL")
    pending = db.session.execute(sa.select(OutboxMessage.id).where(
        OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS).order_by(OutboxMessage.id)
    ).scalars().all()
    if not url:
        for mid in pending:
            log.info("outbox: message %s kept (CODESIGN_SMTP_URL not set)", mid)
        db.session.rollback()
        return [f"Posta: {len(pending)} messaggi in attesa (CODESIGN_SMTP_URL non impostato)."] if pending else []
    sent = 0
    for mid in pending:
        msg = db.session.execute(sa.select(OutboxMessage).where(OutboxMessage.id == mid, OutboxMessage.sent_at.is_(None))
                                 .with_for_update(skip_locked=True)).scalar_one_or_none()
        if msg is None:  # another sender has it, or sent it
            db.session.rollback()
            continue
        try:
            _send(url, msg)
        except (OSError, smtplib.SMTPException) as exc:
            msg.attempts += 1
            msg.last_error = str(exc)[:500]
            db.session.commit()
            continue
        msg.sent_at = utcnow()
        msg.attempts += 1
        db.session.commit()
        sent += 1
    return [f"Posta: {sent} messaggi inviati."] if sent else []
