"""The audit log: append-only, each record chained to the previous one by its SHA-256.

`record()` is called by the operations inside the transaction that changes the state, so the change
and its record commit (or roll back) together. Appends are serialised by a row lock on `audit_head`,
which also makes the chain linear under concurrent requests.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from codesign.db import UTCDateTime, db, utcnow

GENESIS = "0" * 64


class AuditHead(db.Model):
    """One row: the hash of the newest audit record (the lock that serialises appends)."""

    __tablename__ = "audit_head"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_hash: Mapped[str] = mapped_column(sa.String(64))
    count: Mapped[int] = mapped_column(default=0)
    # HMAC of (count, last_hash) with the audit key: moving the head back (truncation) needs the key.
    mac: Mapped[str | None] = mapped_column(sa.String(64))


class AuditRecord(db.Model):
    __tablename__ = "audit_records"
    __table_args__ = (sa.Index("ix_audit_records_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    entity_type: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[int | None]
    trigger: Mapped[str] = mapped_column(sa.String(60))
    from_state: Mapped[str | None] = mapped_column(sa.String(40))
    to_state: Mapped[str | None] = mapped_column(sa.String(40))
    reason: Mapped[str | None] = mapped_column(sa.Text)
    request_id: Mapped[str | None] = mapped_column(sa.String(64))
    data: Mapped[str | None] = mapped_column(sa.Text)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))

    def digest(self) -> str:
        payload = json.dumps(
            {
                "seq": self.seq,
                "at": self.at.astimezone(dt.timezone.utc).isoformat(timespec="microseconds"),
                "actor_id": self.actor_id,
                "entity_type": self.entity_type,
                "entity_id": self.entity_id,
                "trigger": self.trigger,
                "from": self.from_state,
                "to": self.to_state,
                "reason": self.reason,
                "request_id": self.request_id,
                "data": self.data,
                "prev": self.prev_hash,
            },
            sort_keys=True,
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode()).hexdigest()


def current_request_id() -> str | None:
    try:
        from flask import g, has_request_context

        if has_request_context():
            if "request_id" not in g:
                g.request_id = uuid.uuid4().hex
            return g.request_id
    except ImportError:  # pragma: no cover
        pass
    return None


def _lock_head() -> AuditHead:
    session = db.session
    head = session.execute(sa.select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one_or_none()
    if head is None:
        # First record ever: create the head; a concurrent creator loses on the primary key and retries.
        try:
            with session.begin_nested():
                session.add(AuditHead(id=1, last_hash=GENESIS, count=0))
        except sa.exc.IntegrityError:
            pass
        head = session.execute(sa.select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one()
    return head


def record(*, actor, entity_type: str, entity_id: int | None, trigger: str, from_state=None, to_state=None,
           reason: str | None = None, data: dict | None = None, at: dt.datetime | None = None) -> AuditRecord:
    """Append one record in the current transaction (never commits)."""
    session = db.session
    session.flush()  # so that entity ids exist
    head = _lock_head()
    rec = AuditRecord(
        seq=head.count + 1,
        at=at or utcnow(),
        actor_id=getattr(actor, "id", actor),
        entity_type=entity_type,
        entity_id=entity_id if not hasattr(entity_id, "id") else entity_id.id,
        trigger=trigger,
        from_state=getattr(from_state, "value", from_state),
        to_state=getattr(to_state, "value", to_state),
        reason=reason,
        request_id=current_request_id(),
        data=json.dumps(data, sort_keys=True, ensure_ascii=False, default=str) if data else None,
        prev_hash=head.last_hash,
    )
    rec.hash = rec.digest()
    head.last_hash = rec.hash
    head.count = rec.seq
    session.add(rec)
    session.flush()
    return rec


def verify(batch: int = 5000) -> tuple[bool, int, str | None]:
    """Walk the chain. Returns (ok, records checked, problem)."""
    prev = GENESIS
    n = 0
    last_seq = 0
    q = sa.select(AuditRecord).order_by(AuditRecord.seq)
    for rec in db.session.execute(q.execution_options(yield_per=batch)).scalars():
        n += 1
        if rec.seq != last_seq + 1:
            return False, n, f"record {rec.id}: sequence {rec.seq} follows {last_seq} (missing records)"
        if rec.prev_hash != prev:
            return False, n, f"record {rec.id} (seq {rec.seq}): previous hash does not match"
        if rec.digest() != rec.hash:
            return False, n, f"record {rec.id} (seq {rec.seq}): content altered (hash mismatch)"
        prev = rec.hash
        last_seq = rec.seq
    head = db.session.get(AuditHead, 1)
    if head is not None and (head.last_hash != prev or head.count != n):
        return False, n, "the newest records are missing (head does not match the chain)"
    return True, n, None
