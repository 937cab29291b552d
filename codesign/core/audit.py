"""The audit log: append-only, each record chained to the previous one by a keyed hash (HMAC-SHA256).

`record()` is called by the operations inside the transaction that changes the state, so the change
and its record commit (or roll back) together. Appends are serialised by a row lock on `audit_head`,
which also makes the chain linear under concurrent requests.

The key (`AUDIT_KEY`: `CODESIGN_AUDIT_KEY`, else generated into the instance folder) never enters the
database. So someone who can write to the database but does not hold the key cannot edit a record and
recompute the hashes after it, nor move the head back after deleting the newest records (the head is
sealed with the key too). What the key cannot stop, someone who holds it rewriting history, is caught by
checkpoints: `checkpoint()` gives the head (sequence number and hash) to be kept outside (an append-only
file, another system, paper); `verify(checkpoints)` requires every checkpoint to be still in the chain.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import uuid
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, Session, mapped_column

from codesign.db import UTCDateTime, db, utcnow

GENESIS = "0" * 64
UNKEYED = None  # `key=UNKEYED`: the plain SHA-256 of the chains written before the key (see `rekey`)


def audit_key() -> bytes:
    return current_app.config["AUDIT_KEY"].encode()


def _mac(key: bytes | None, payload: str) -> str:
    if key is None:
        return hashlib.sha256(payload.encode()).hexdigest()
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def head_mac(key: bytes, count: int, last_hash: str) -> str:
    return _mac(key, f"audit-head:{count}:{last_hash}")


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

    def digest(self, key: bytes | None) -> str:
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
        return _mac(key, payload)


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


# The head locked in the current transaction, kept with that transaction (innermost: a savepoint's rollback
# releases what it locked), so that a unit of work writing many records locks and reads it once.
_HEAD = "codesign.audit_head"


@sa.event.listens_for(Session, "after_transaction_end")
def _forget_head(session, transaction) -> None:
    if session.info.get(_HEAD, (None,))[0] is transaction:
        session.info.pop(_HEAD)


def _lock_head() -> AuditHead:
    session = db.session()
    transaction = session.get_nested_transaction() or session.get_transaction()
    held = session.info.get(_HEAD)
    if held is not None and held[0] is transaction:
        return held[1]
    head = _select_head(session)
    session.info[_HEAD] = (transaction, head)
    return head


def _select_head(session) -> AuditHead:
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


def last_at(entity_type: str, entity_id: int, trigger: str) -> dt.datetime | None:
    """When this operation was last recorded on this entity (None: never)."""
    return db.session.execute(sa.select(sa.func.max(AuditRecord.at)).where(
        AuditRecord.entity_type == entity_type, AuditRecord.entity_id == entity_id,
        AuditRecord.trigger == trigger)).scalar_one()


def record(*, actor, entity_type: str, entity_id: int | None, trigger: str, from_state=None, to_state=None,
           reason: str | None = None, data: dict | None = None, at: dt.datetime | None = None,
           flush: bool = True) -> AuditRecord:
    """Append one record in the current transaction (never commits). `flush=False`: the caller writes it with
    what else it changed, in one flush of many records (Workflow.cascade_all); the entity's id must exist."""
    session = db.session
    if flush:
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
    key = audit_key()
    rec.hash = rec.digest(key)
    head.last_hash = rec.hash
    head.count = rec.seq
    head.mac = head_mac(key, head.count, head.last_hash)
    session.add(rec)
    if flush:
        session.flush()
    return rec


def _walk(key: bytes | None, checkpoints: dict[int, str], batch: int):
    """Walk the chain with `key`. Returns (records checked, last hash, problem or None)."""
    prev = GENESIS
    n = 0
    q = sa.select(AuditRecord).order_by(AuditRecord.seq)
    for rec in db.session.execute(q.execution_options(yield_per=batch)).scalars():
        n += 1
        if rec.seq != n:
            return n, prev, f"record {rec.id}: sequence {rec.seq} where {n} was expected (records missing or moved)"
        if rec.prev_hash != prev:
            return n, prev, f"record {rec.id} (seq {rec.seq}): previous hash does not match (records moved or removed)"
        if rec.digest(key) != rec.hash:
            return n, prev, f"record {rec.id} (seq {rec.seq}): content altered (hash mismatch)"
        if rec.seq in checkpoints and checkpoints[rec.seq] != rec.hash:
            return n, prev, f"record {rec.id} (seq {rec.seq}): differs from the checkpoint (the chain was rewritten)"
        prev = rec.hash
    return n, prev, None


def _walk_upgraded(key: bytes, batch: int = 5000):
    """Walk a chain begun before the key: unkeyed records first, then only keyed ones (as `codesign init`
    after an upgrade leaves it). Returns (records checked, last hash, problem or None)."""
    prev = GENESIS
    n = 0
    keyed = False
    q = sa.select(AuditRecord).order_by(AuditRecord.seq)
    for rec in db.session.execute(q.execution_options(yield_per=batch)).scalars():
        n += 1
        if rec.seq != n or rec.prev_hash != prev:
            return n, prev, f"record {rec.id} (seq {rec.seq}): records missing or moved"
        if not keyed and rec.digest(UNKEYED) != rec.hash:
            keyed = True
        if keyed and rec.digest(key) != rec.hash:
            return n, prev, f"record {rec.id} (seq {rec.seq}): content altered (hash mismatch)"
        prev = rec.hash
    return n, prev, None


def verify(checkpoints: list[dict] | None = None, batch: int = 5000) -> tuple[bool, int, str | None]:
    """Walk the chain with the key, check the sealed head and every checkpoint given.

    Returns (ok, records checked, problem).
    """
    key = audit_key()
    marks = {int(c["seq"]): c["hash"] for c in checkpoints or []}
    n, last, problem = _walk(key, marks, batch)
    if problem is not None:
        if _walk_upgraded(key, batch)[2] is None:
            problem += ("; the chain was written without a key (before HMAC): after checking it, run "
                        "`codesign audit rekey --from-unkeyed` once")
        return False, n, problem
    head = db.session.get(AuditHead, 1)
    if head is None:
        if n:
            return False, n, "the head of the chain is missing"
    else:
        if head.count != n or head.last_hash != last:
            return False, n, "the newest records are missing (head does not match the chain)"
        if not hmac.compare_digest(head.mac or "", head_mac(key, head.count, head.last_hash)):
            return False, n, "the head of the chain is not sealed with the key (moved back or rewritten)"
    beyond = sorted(seq for seq in marks if seq > n)
    if beyond:
        return False, n, (f"the chain ends at {n} but a checkpoint records sequence {beyond[-1]}: "
                          "the newest records were removed")
    return True, n, None


def checkpoint(now: dt.datetime | None = None) -> dict:
    """The head to keep outside the database: {"seq", "hash", "at"}. Refused if the chain does not verify."""
    ok, n, problem = verify()
    if not ok:
        raise ValueError(f"registro non integro, nessun punto di controllo: {problem}")
    head = db.session.get(AuditHead, 1)
    return {"seq": n, "hash": head.last_hash if head else GENESIS,
            "at": (now or utcnow()).astimezone(dt.timezone.utc).isoformat(timespec="seconds")}


def append_checkpoint(path: Path, mark: dict) -> None:
    """Append one checkpoint as a JSON line (the file is only ever appended to)."""
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(mark, sort_keys=True) + "\n")
        f.flush()
        os.fsync(f.fileno())


def read_checkpoints(path: Path) -> list[dict]:
    marks = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            mark = json.loads(line)
            marks.append({"seq": int(mark["seq"]), "hash": str(mark["hash"])})
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}, riga {number}: punto di controllo non leggibile") from exc
    return marks


def rekey(old_key: bytes | None = UNKEYED) -> int:
    """Re-seal the whole chain with the current key, after checking it with `old_key`.

    UNKEYED: a chain begun before the key existed, its unkeyed records possibly followed by keyed ones
    (written since the upgrade). Refused if the chain does not verify that way. Flushes; the caller
    commits. Returns the number of records.
    """
    if old_key is UNKEYED:
        n, last, problem = _walk_upgraded(audit_key())
    else:
        n, last, problem = _walk(old_key, {}, 5000)
    if problem is not None:
        raise ValueError(f"la catena non si verifica con la chiave precedente: {problem}")
    head = _lock_head()
    if head.count != n or head.last_hash != last:
        raise ValueError("la testa della catena non corrisponde ai record")
    key = audit_key()
    prev = GENESIS
    for rec in db.session.execute(sa.select(AuditRecord).order_by(AuditRecord.seq)).scalars():
        rec.prev_hash = prev
        rec.hash = rec.digest(key)
        prev = rec.hash
    head.last_hash = prev
    head.mac = head_mac(key, head.count, prev)
    db.session.flush()
    return n
