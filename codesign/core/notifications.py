"""What each person was told. Every notification goes out by mail (through the outbox, core/mail.py) and stays on
the person's page "Notifiche", unread until they open it or mark it read. One function, `notify`, for every
event a person must act on or know; the modules say who and what, this module how."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import NamedTuple
from urllib.parse import urljoin

import sqlalchemy as sa
from flask import current_app, has_request_context, request, url_for
from flask_babel import force_locale
from sqlalchemy.orm import Mapped, mapped_column

from codesign.core import mail
from codesign.core.errors import NotFound
from codesign.db import UTCDateTime, count_rows, db, utcnow


class Recipient(NamedTuple):
    """A person to tell: their account (whose page lists the notification), their address, and the language they
    read (None: Italian)."""

    id: int
    email: str
    locale: str | None = None

    @classmethod
    def of(cls, user) -> "Recipient":
        """A person's account as someone to tell."""
        return cls(user.id, user.email, user.locale)


# What a notification says: a text, or a function that writes it (with gettext) in the language in force when it
# is called, so that each person reads it in theirs.
Words = str | Callable[[], str]


def written(words: Words) -> str:
    """The words in the language in force."""
    return words() if callable(words) else str(words)


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (sa.Index("ix_notifications_person", "user_id", "read_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    link: Mapped[str | None] = mapped_column(sa.String(500))  # a page of this site (a path), where to act
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    @property
    def unread(self) -> bool:
        return self.read_at is None


def path(endpoint: str, *, anchor: str | None = None, **values) -> str:
    """A page's address within the site (a part of it, with `anchor`), with or without a request (`codesign tick`
    runs without one)."""
    if has_request_context() or current_app.config.get("SERVER_NAME"):
        address = url_for(endpoint, **values)
    else:
        address = current_app.url_map.bind("localhost").build(endpoint, values)
    return f"{address}#{anchor}" if anchor else address


def absolute(link: str) -> str:
    """The address to put in a mail: absolute where a request or the server name says the host."""
    if has_request_context():
        return urljoin(request.host_url, link)
    if current_app.config.get("SERVER_NAME"):
        return f"{current_app.config['PREFERRED_URL_SCHEME']}://{current_app.config['SERVER_NAME']}{link}"
    return link


def _language(locale: str | None) -> str:
    return locale if locale in current_app.config["LANGUAGES"] else current_app.config["BABEL_DEFAULT_LOCALE"]


def _write(locale: str, subject: Words, body: Words) -> tuple[str, str]:
    with force_locale(locale):
        return written(subject)[:300], written(body)


def notify(recipients: Iterable[Recipient], subject: Words, body: Words, *, link: str | None = None,
           now: dt.datetime | None = None) -> int:
    """Tell each person once (a person named twice is told once), in their language: a mail in the outbox, with
    the link, and a notification on their page, both in the caller's transaction. Returns how many people were
    told."""
    now = now or utcnow()
    written: dict[str, tuple[str, str]] = {}
    told: set[int] = set()
    for person in recipients:
        if person.id in told:
            continue
        told.add(person.id)
        locale = _language(person.locale)
        if locale not in written:
            written[locale] = _write(locale, subject, body)
        title, text = written[locale]
        mail.enqueue(person.email, title, text.rstrip("\n") + (f"\n\n{absolute(link)}\n" if link else "\n"))
        db.session.add(Notification(user_id=person.id, subject=title, body=text, link=link, created_at=now))
    return len(told)


def mail_only(person: Recipient, subject: Words, body: Words) -> None:
    """A mail in the person's language and nothing on their page: for what they read before they can sign in (a
    link to confirm the address, to reset the password, to accept an invitation)."""
    title, text = _write(_language(person.locale), subject, body)
    mail.enqueue(person.email, title, text)


def to_dict(n: Notification) -> dict:
    return {"id": n.id, "subject": n.subject, "body": n.body, "link": n.link, "created_at": n.created_at.isoformat(),
            "read_at": n.read_at.isoformat() if n.read_at else None}


def of_person(user_id: int, *, limit: int, offset: int) -> tuple[list[Notification], int]:
    """A person's notifications, unread first, then newest first (one page of them), and how many in all."""
    query = sa.select(Notification).where(Notification.user_id == user_id)
    total = count_rows(query)
    rows = db.session.execute(query.order_by(sa.case((Notification.read_at.is_(None), 0), else_=1),
                                             Notification.id.desc()).limit(limit).offset(offset)).scalars().all()
    return list(rows), total


def unread_count(user_id: int) -> int:
    return db.session.execute(sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))).scalar_one()


def mark_read(user_id: int, notification_id: int, *, now: dt.datetime | None = None) -> Notification:
    """The person has read one of their notifications (reading it again changes nothing); another person's is
    not found."""
    n = db.session.execute(sa.select(Notification).where(Notification.id == notification_id,
                                                         Notification.user_id == user_id)).scalar_one_or_none()
    if n is None:
        raise NotFound("notifica non trovata")
    if n.read_at is None:
        n.read_at = now or utcnow()
    return n


def mark_all_read(user_id: int, *, now: dt.datetime | None = None) -> int:
    return db.session.execute(sa.update(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)).values(read_at=now or utcnow())).rowcount
