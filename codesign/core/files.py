"""The store of uploaded files: each kept once, by the SHA-256 of its content, under UPLOAD_DIR (`ab/abcdef…`).
A file enters the store only when the transaction that names it commits: `store` writes the bytes under
`.incoming/` and the commit moves them into place (a rollback removes them), so a refused or failed request leaves
no file behind and a reader never sees half a file. A file no row names any more leaves the same way, once the
transaction that dropped its last row commits. What a killed process left in `.incoming/` is settled by
`settle_incoming` (run by `codesign tick`). Rows that name a file keep its digest; the backup copies the store."""
from __future__ import annotations

import hashlib
import logging
import os
import re
import time
import unicodedata
import uuid
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from codesign.core import validation as v
from codesign.core.errors import Invalid, TooLarge
from codesign.db import db


log = logging.getLogger(__name__)

NAME_LIMIT = 255
_SLASHES = re.compile(r"[\\/]")


def clean_name(raw: str | None) -> str:
    """A file's name as a person's browser sent it, made safe to store, show and send back: the last part of a
    path (either slash), in NFC, without control, format (bidirectional overrides, zero-width), surrogate or
    unassigned characters, spaces collapsed, no leading or trailing dot, at most 255 characters with its
    extension kept; "" when nothing is left."""
    name = _SLASHES.split(unicodedata.normalize("NFC", raw or ""))[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C" or ch in " \t")
    name = " ".join(name.split()).strip(" .")
    if len(name) > NAME_LIMIT:
        stem, dot, ext = name.rpartition(".")
        keep = dot and 0 < len(ext) <= 10
        name = (stem[:NAME_LIMIT - len(ext) - 1].rstrip(" .") + "." + ext) if keep else name[:NAME_LIMIT].rstrip(" .")
    return name


def limit_bytes() -> int:
    return current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024


def read_upload(stream, *, limit: int | None = None, field: str = "file") -> bytes:
    """The bytes of an upload, refused when empty or over the limit (the configured one unless given)."""
    limit = limit or limit_bytes()
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"il file supera il limite di {limit / 1024 / 1024:g} MB")
    if not data:
        raise Invalid({field: "il file è vuoto"})
    return data


PDF_KINDS_NOTE = "sono accettati solo file PDF"


def looks_like_pdf(data: bytes) -> bool:
    return data[:1024].startswith(b"%PDF-") and b"%%EOF" in data[-2048:]


def read_pdf(stream) -> bytes:
    """The bytes of an uploaded PDF: refused when empty, too large (read_upload) or not a PDF by content."""
    data = read_upload(stream)
    if not looks_like_pdf(data):
        raise Invalid({"file": f"il contenuto non è un documento PDF: {PDF_KINDS_NOTE}"})
    return data


def upload_name(c: v.Collector, filename: str | None) -> str:
    """The upload's file name made safe (clean_name), or an error on `file` when nothing of it is left."""
    name = clean_name(filename)
    if filename and not name:
        c.add("file", "il nome del file non contiene caratteri validi: rinominalo e riprova")
        return name
    return c("file", v.text, name, max_length=NAME_LIMIT)


def checked_upload_name(filename: str | None) -> str:
    """`upload_name` on its own: 422 on `file` at once."""
    c = v.Collector()
    name = upload_name(c, filename)
    c.raise_if_any()
    return name


def path_of(digest: str) -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / digest[:2] / digest


# --- a file enters the store when its transaction commits -----------------------------------------------------------
INCOMING = ".incoming"
_PENDING = "codesign.files_pending"


def incoming_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / INCOMING


def store(data: bytes) -> str:
    """Write the bytes to be kept (once) when the current transaction commits, and answer their SHA-256."""
    digest = hashlib.sha256(data).hexdigest()
    folder = incoming_dir()
    folder.mkdir(parents=True, exist_ok=True)
    pending = folder / f"{digest}.{uuid.uuid4().hex}"
    pending.write_bytes(data)
    session = db.session()
    if not session.in_transaction():   # its end, commit or not, is what settles the file
        session.begin()
    session.info.setdefault(_PENDING, []).append((pending, path_of(digest)))
    return digest


def _place(pending: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(pending, target)   # atomic: the same bytes, whether or not the target was there


@sa.event.listens_for(Session, "after_commit")
def _place_files(session) -> None:
    for pending, target in session.info.pop(_PENDING, ()):
        try:
            _place(pending, target)
        except OSError:   # the commit stands: settle_incoming moves it on the next tick
            log.exception("file %s left in %s after the commit", target.name, INCOMING)


@sa.event.listens_for(Session, "after_transaction_end")
def _forget_files(session, transaction) -> None:
    """A transaction that ended without its commit (rolled back, or closed with its session; after_commit has
    already taken what a commit settles) stores nothing and removes nothing: its new files go, the files it
    released stay."""
    if transaction.parent is None:
        for pending, _target in session.info.pop(_PENDING, ()):
            pending.unlink(missing_ok=True)
        session.info.pop(_DROP, None)


def named(digest: str) -> bool:
    """Whether a row of any declared column (holds_files) names this file."""
    return any(db.session.execute(sa.select(sa.literal(1)).where(column == digest).limit(1)).first()
               for column in _HOLDERS)


SETTLE_AFTER_SECONDS = 3600


def settle_incoming(now=None) -> list[str]:
    """What a process killed between a commit and its files' move left in `.incoming/` (older than an hour, so
    that no running request's files are touched): a file a committed row names is moved into place, any other is
    removed. A tick job; the report says what it did."""
    folder = incoming_dir()
    if not folder.is_dir():
        return []
    limit = time.time() - SETTLE_AFTER_SECONDS
    placed = removed = 0
    for pending in sorted(folder.iterdir()):
        if not pending.is_file() or pending.stat().st_mtime > limit:
            continue
        digest = pending.name.partition(".")[0]
        if named(digest):
            _place(pending, path_of(digest))
            placed += 1
        else:
            pending.unlink(missing_ok=True)
            removed += 1
    if not (placed or removed):
        return []
    return [f"Documenti in sospeso: {placed} messi al loro posto, {removed} rimossi (nessuna riga li nominava)."]


def stored_files(root: Path) -> list[Path]:
    """The files of the store under `root` (an upload folder or a backup's copy of it), without `.incoming/`."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and INCOMING not in p.relative_to(root).parts)


# --- removing a file nobody names any more --------------------------------------------------------------------------
# A file is removed only once the transaction that dropped its last row has committed: a rollback keeps both.
_DROP = "codesign.files_to_drop"


# The columns that name a stored file, declared by each model that keeps one (holds_files): a file stays while
# any of them names it, whichever module's row that is (a call's avviso and a proposal's attachment may be the
# same bytes).
_HOLDERS: list = []


def holds_files(*columns) -> None:
    """Declare columns whose values are digests of stored files."""
    _HOLDERS.extend(c for c in columns if not any(c is h for h in _HOLDERS))


def release(*digests: str) -> None:
    """A row naming these files is gone (flushed): each file is removed once this commits, unless a row of any
    declared column still names it."""
    for digest in set(digests):
        if not named(digest):
            drop_after_commit(digest)


def drop_after_commit(digest: str) -> None:
    """Remove the stored file once the current transaction commits (the caller checked no row names it)."""
    db.session.info.setdefault(_DROP, set()).add(digest)


@sa.event.listens_for(Session, "after_commit")
def _drop_files(session) -> None:
    for digest in session.info.pop(_DROP, ()):
        try:
            path_of(digest).unlink(missing_ok=True)
        except OSError:   # a file left behind is harmless: the next backup carries it, nothing names it
            pass
