"""Login throttling, per account and per client address, kept in the database.

Why the database and not Flask-Limiter's memory store: gunicorn runs several worker processes (and a
deployment may run several hosts), and a counter kept in one worker's memory lets a guesser spread
attempts over the others; the database is the one store every worker already shares, on SQLite and
PostgreSQL alike, with no extra service to run.

Each attempt is counted *before* the password is checked, with one atomic upsert that returns the new
count (`INSERT … ON CONFLICT DO UPDATE … RETURNING`), in its own short transaction, so that neither a
refused login (whose request rolls back) nor concurrent guesses in several workers escape the count.
An attempt beyond the limit is refused with 429 without looking at the password, so even the right
password does not open the account until the window has passed. A successful login (or password
change) clears its account's counter and gives its address back the attempt it used. The password
change form counts its attempts at the current password the same way.

Windows are fixed: the first attempt opens a window of `LOGIN_WINDOW_SECONDS`; when it has passed, the
next attempt starts a new one. Rows of expired windows are removed as attempts come.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import math

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from codesign.auth.models import LoginThrottle
from codesign.db import UTCDateTime, db, utcnow


def _key(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value}".encode("utf-8", "surrogatepass")).hexdigest()


def account_key(email: str | None) -> str:
    return _key("account", (email or "").strip().lower()[:254])


def address_key(address: str | None) -> str:
    return _key("address", address or "unknown")


def _settings() -> tuple[int, int, dt.timedelta]:
    cfg = current_app.config
    return (cfg["LOGIN_ATTEMPTS_PER_ACCOUNT"], cfg["LOGIN_ATTEMPTS_PER_ADDRESS"],
            dt.timedelta(seconds=cfg["LOGIN_WINDOW_SECONDS"]))


def _count(conn, key: str, now: dt.datetime, window: dt.timedelta) -> tuple[int, dt.datetime]:
    table = LoginThrottle.__table__
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    expired = table.c.window_start <= now - window
    stmt = insert(table).values(key=key, window_start=now, attempts=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={"attempts": sa.case((expired, 1), else_=table.c.attempts + 1),
              "window_start": sa.case((expired, sa.literal(now, UTCDateTime())), else_=table.c.window_start)},
    ).returning(table.c.attempts, table.c.window_start)
    attempts, start = conn.execute(stmt).one()
    if start.tzinfo is None:  # the raw column type gives naive UTC back
        start = start.replace(tzinfo=dt.timezone.utc)
    return attempts, start


def attempt(email: str | None, address: str | None, now: dt.datetime | None = None) -> int | None:
    """Count one login attempt. None if it may go on; else the seconds to wait (the attempt is refused)."""
    per_account, per_address, window = _settings()
    now = now or utcnow()
    waits = []
    with db.engine.begin() as conn:
        conn.execute(sa.delete(LoginThrottle).where(LoginThrottle.window_start <= now - window))
        for key, limit in ((account_key(email), per_account), (address_key(address), per_address)):
            attempts, start = _count(conn, key, now, window)
            if attempts > limit:
                waits.append((start + window - now).total_seconds())
    return max(1, math.ceil(max(waits))) if waits else None


def succeeded(email: str | None, address: str | None) -> None:
    """A successful login: its account starts afresh, its address gets back the attempt it used.

    In the request's transaction (it commits with the successful request), so that on SQLite it does not
    wait for the lock that the request's own writes hold.
    """
    db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == account_key(email)))
    db.session.execute(sa.update(LoginThrottle).where(LoginThrottle.key == address_key(address),
                                                      LoginThrottle.attempts > 0)
                       .values(attempts=LoginThrottle.attempts - 1))


def unlock(email: str) -> bool:
    """Clear an account's count (`codesign users unlock`). Flushes; the caller commits. True if it was counted."""
    result = db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == account_key(email)))
    return result.rowcount > 0
