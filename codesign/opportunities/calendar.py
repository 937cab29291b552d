"""The calendar feed (iCalendar, RFC 5545) of the opportunities a person follows: an all-day event on each
deadline, with alarms 15 and 3 days before, at an address that calendar applications subscribe to without a
session — a signed token of the person's id (itsdangerous, the application's secret key), which a wrong or
altered token never matches."""
from __future__ import annotations

import datetime as dt

from flask import current_app
from icalendar import Alarm, Calendar, Event
from itsdangerous import BadSignature, URLSafeSerializer

from codesign.auth.models import User
from codesign.db import db
from codesign.opportunities.models import Opportunity

SALT = "codesign-opportunity-calendar"
PRODID = "-//codesign//Bandi seguiti//IT"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=SALT)


def token_for(user) -> str:
    return _serializer().dumps(user.id)


def user_of(token: str) -> User | None:
    """The active person a feed token names, or None (bad signature, unknown or deactivated person)."""
    try:
        user_id = _serializer().loads(token)
    except BadSignature:
        return None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    return user if user is not None and user.is_active else None


def feed(rows: list[Opportunity], *, name: str, page_url) -> bytes:
    """The iCalendar document of `rows`; `page_url(o)` gives the opportunity's page (or None)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Rome")
    for o in rows:
        event = Event()
        event.add("uid", f"opportunity-{o.id}@codesign")
        event.add("dtstamp", o.updated_at.astimezone(dt.timezone.utc))
        event.add("dtstart", o.deadline)
        event.add("dtend", o.deadline + dt.timedelta(days=1))
        event.add("summary", f"Scadenza del bando: {o.title}")
        url = page_url(o)
        event.add("description", f"{o.funder} · {o.programme}\n{o.link}" + (f"\n{url}" if url else ""))
        event.add("url", url or o.link)
        event.add("transp", "TRANSPARENT")
        for days in (15, 3):
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"Il bando «{o.title}» scade tra {days} giorni")
            alarm.add("trigger", dt.timedelta(days=-days))
            event.add_component(alarm)
        cal.add_component(event)
    return cal.to_ical()
