"""`codesign backup DIR` and `codesign restore DIR`: the database and the uploads, with a manifest of checksums.

A backup folder holds:

- `database.sqlite` (SQLite, copied with the online backup API: consistent while the service runs) or
  `database.dump` (PostgreSQL, `pg_dump --format=custom`: one consistent snapshot);
- `uploads/`, a copy of the upload folder, taken after the database (so every file the copied database
  names was already in place);
- `manifest.json`: the format, when, the database's dialect and Alembic revision, the audit chain's
  head read just before the copy (a checkpoint: restore requires it to be in the restored chain), and
  the SHA-256 of every other file in the folder.

Keys are not in a backup (`secret_key`, `audit_key` or their variables): whoever holds a backup and the
audit key could re-seal an altered chain, so keep them apart. Restoring needs the same audit key.

`restore` checks every checksum first and changes nothing if one differs, a file is missing or one is
not in the manifest; then it replaces the database and the upload folder, upgrades the schema to the
code's revision, and verifies the audit chain against the manifest's checkpoint.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from codesign.core import audit, files
from codesign.core.migrate import upgrade
from codesign.db import db

FORMAT = "codesign-backup/1"
MANIFEST = "manifest.json"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in Italian."""


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []


def _sqlite_path(url: sa.engine.URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("il database SQLite in memoria non si può copiare")
    return Path(url.database)


def _libpq(url: sa.engine.URL) -> tuple[str, dict]:
    """The URL for pg_dump/pg_restore (password in the environment, not on the command line)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _run(args: list[str], env: dict) -> None:
    if shutil.which(args[0]) is None:
        raise BackupError(f"{args[0]} non è installato (serve per i database PostgreSQL)")
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{args[0]} non è riuscito: {result.stderr.strip()[:2000]}")


def _revision() -> str | None:
    with db.engine.connect() as conn:
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one_or_none()


def backup(app: Flask, target: Path, now: dt.datetime | None = None) -> dict:
    """Write a backup into `target` (a new or empty folder). Returns the manifest."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"la cartella {target} non è vuota: indicarne una nuova")
    target.mkdir(parents=True, exist_ok=True)
    with app.app_context():
        url = db.engine.url
        mark = audit.checkpoint(now)  # refused if the chain is already broken: a backup must be sound
        revision = _revision()
        db.session.remove()
        if url.get_backend_name() == "sqlite":
            db_file = "database.sqlite"
            src = sqlite3.connect(_sqlite_path(url))
            dst = sqlite3.connect(target / db_file)
            try:
                with dst:
                    src.backup(dst)
            finally:
                src.close()
                dst.close()
        elif url.get_backend_name() == "postgresql":
            db_file = "database.dump"
            dsn, env = _libpq(url)
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(target / db_file),
                  "--dbname", dsn], env)
        else:
            raise BackupError(f"database non supportato: {url.get_backend_name()}")
        uploads = Path(app.config["UPLOAD_DIR"])
        for path in files.stored_files(uploads):
            dest = target / "uploads" / path.relative_to(uploads)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)
    manifest = {
        "format": FORMAT,
        "created_at": mark["at"],
        "database": {"dialect": url.get_backend_name(), "file": db_file, "alembic_revision": revision},
        "audit": {"seq": mark["seq"], "hash": mark["hash"]},
        "files": {p.relative_to(target).as_posix(): sha256_file(p) for p in _files(target)},
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


def check(source: Path) -> dict:
    """Read the manifest and verify every checksum. Returns the manifest, or raises BackupError."""
    source = Path(source)
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BackupError(f"{source} non contiene {MANIFEST}: non è una copia di codesign") from exc
    except ValueError as exc:
        raise BackupError(f"{MANIFEST} non è leggibile") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"formato della copia sconosciuto (atteso {FORMAT})")
    expected = manifest.get("files") or {}
    present = {p.relative_to(source).as_posix() for p in _files(source)} - {MANIFEST}
    problems = [f"manca {name}" for name in sorted(set(expected) - present)]
    problems += [f"{name} non è nel manifesto" for name in sorted(present - set(expected))]
    problems += [f"{name}: checksum diverso (file alterato o danneggiato)"
                 for name in sorted(set(expected) & present) if sha256_file(source / name) != expected[name]]
    if manifest["database"]["file"] not in expected:
        problems.append("il manifesto non elenca il file del database")
    if problems:
        raise BackupError("copia non integra, nulla è stato ripristinato: " + "; ".join(problems))
    return manifest


def _has_data() -> bool:
    inspector = sa.inspect(db.engine)
    if not inspector.has_table("audit_records"):
        return False
    return db.session.execute(sa.select(sa.func.count()).select_from(audit.AuditRecord)).scalar_one() > 0


def restore(app: Flask, source: Path, *, force: bool = False) -> tuple[dict, int]:
    """Restore `source` over the configured database and upload folder. Returns (manifest, audit records verified)."""
    source = Path(source)
    manifest = check(source)
    with app.app_context():
        url = db.engine.url
        dialect = url.get_backend_name()
        if dialect != manifest["database"]["dialect"]:
            raise BackupError(f"la copia è di un database {manifest['database']['dialect']}, "
                              f"quello configurato è {dialect}")
        uploads = Path(app.config["UPLOAD_DIR"])
        if not force and (_has_data() or files.stored_files(uploads)):
            raise BackupError("il database o la cartella dei documenti non sono vuoti: usare --force per sostituirli")
        db.session.remove()
        db.engine.dispose()
        db_file = source / manifest["database"]["file"]
        if dialect == "sqlite":
            src = sqlite3.connect(db_file)
            dst = sqlite3.connect(_sqlite_path(url))
            try:
                with dst:
                    src.backup(dst)
            finally:
                src.close()
                dst.close()
        else:
            dsn, env = _libpq(url)
            _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
                  "--exit-on-error", "--dbname", dsn, str(db_file)], env)
        # The upload folder becomes the backup's: files copied in, files the backup does not have removed.
        wanted = {name[len("uploads/"):] for name in manifest["files"] if name.startswith("uploads/")}
        for path in files.stored_files(uploads):
            if path.relative_to(uploads).as_posix() not in wanted:
                path.unlink()
        for name in sorted(wanted):
            dest = uploads / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / "uploads" / name, dest)
    upgrade(app)  # the copy may come from an older revision of the code
    with app.app_context():
        ok, n, problem = audit.verify([manifest["audit"]])
        db.session.remove()
    if not ok:
        raise BackupError(f"ripristino eseguito, ma il registro non è integro: {problem} "
                          "(la chiave del registro è la stessa della copia?)")
    return manifest, n
