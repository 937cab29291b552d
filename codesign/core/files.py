"""The store of uploaded files: each kept once, by the SHA-256 of its content, under UPLOAD_DIR (`ab/abcdef…`),
written through a temporary file so that a reader never sees half a file. Rows that name a file keep its
digest; the backup copies the whole directory."""
from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from codesign.core.errors import Invalid, TooLarge
from codesign.db import db


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


def path_of(digest: str) -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / digest[:2] / digest


def store(data: bytes) -> str:
    """Keep the bytes (once) and answer their SHA-256."""
    digest = hashlib.sha256(data).hexdigest()
    target = path_of(digest)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)
    return digest


# --- removing a file nobody names any more --------------------------------------------------------------------------
# A file is removed only once the transaction that dropped its last row has committed: a rollback keeps both.
_DROP = "codesign.files_to_drop"


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


@sa.event.listens_for(Session, "after_rollback")
def _keep_files(session) -> None:
    session.info.pop(_DROP, None)
