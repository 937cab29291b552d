"""Settings, read from the CODESIGN_* environment variables (API.md, "Configuration")."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from codesign.core import receipts


def _secret_key(instance_path: Path) -> str:
    """The session signing key: CODESIGN_SECRET_KEY, else one generated once and kept in the instance folder."""
    return _instance_key(instance_path, "CODESIGN_SECRET_KEY", "secret_key")


def _audit_key(instance_path: Path) -> str:
    """The audit chain's HMAC key (core/audit.py): CODESIGN_AUDIT_KEY, else one generated once into the
    instance folder. It never enters the database, so whoever can only write there cannot re-seal the chain."""
    return _instance_key(instance_path, "CODESIGN_AUDIT_KEY", "audit_key")


def _receipt_key(instance_path: Path) -> str:
    """The Ed25519 seed that signs receipts (core/receipts.py): CODESIGN_RECEIPT_KEY (64 hex digits), else one
    generated once into the instance folder; like the audit key, never in the database."""
    key = _instance_key(instance_path, "CODESIGN_RECEIPT_KEY", receipts.KEY_FILE)
    receipts.public_of(key)  # a malformed key stops the start, not the first submission
    return key


def _instance_key(instance_path: Path, variable: str, filename: str) -> str:
    key = os.environ.get(variable)
    if key:
        return key
    path = instance_path / filename
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        # Written whole under a temporary name, then linked into place (fails if it exists): two workers
        # starting together agree on one key, and neither can read a half-written file.
        tmp = instance_path / f".{filename}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


def load_config(instance_path: Path) -> dict:
    instance_path = Path(instance_path)
    https = os.environ.get("CODESIGN_HTTPS") == "1"
    db_url = os.environ.get("CODESIGN_DATABASE_URL") or f"sqlite:///{instance_path / 'codesign.sqlite'}"
    return {
        "SQLALCHEMY_DATABASE_URI": db_url,
        "SECRET_KEY": _secret_key(instance_path),
        "AUDIT_KEY": _audit_key(instance_path),
        "RECEIPT_KEY": _receipt_key(instance_path),
        "RECEIPT_RETIRED_KEYS": receipts.retired_keys(instance_path),
        "UPLOAD_DIR": os.environ.get("CODESIGN_UPLOAD_DIR") or str(instance_path / "uploads"),
        "MAX_UPLOAD_MB": int(os.environ.get("CODESIGN_MAX_UPLOAD_MB") or 20),
        "SMTP_URL": os.environ.get("CODESIGN_SMTP_URL") or None,
        # A production instance (CODESIGN_PRODUCTION=1, or served over TLS) never shows its outbox on a page.
        "PRODUCTION": os.environ.get("CODESIGN_PRODUCTION") == "1" or https,
        "ASSETS_DIR": os.environ.get("CODESIGN_ASSETS_DIR") or None,
        # argon2 parameters: the library's defaults (RFC 9106 low-memory profile) unless a test lowers them.
        "ARGON2_PARAMS": None,
        "BABEL_DEFAULT_LOCALE": "it",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Rome",
        "LANGUAGES": {"it": "Italiano", "en": "English"},
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Served over TLS (directly or behind a proxy that terminates it): Secure cookie, HSTS, https URLs.
        "HTTPS": https,
        "SESSION_COOKIE_SECURE": https,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        # How many reverse proxies in front set X-Forwarded-For/-Proto (0: none, the client address is the peer's).
        "TRUSTED_PROXIES": int(os.environ.get("CODESIGN_TRUSTED_PROXIES") or 0),
        # Login throttling (auth/throttle.py): attempts allowed per window, per account and per client address.
        "LOGIN_ATTEMPTS_PER_ACCOUNT": 5,
        "LOGIN_ATTEMPTS_PER_ADDRESS": 20,
        "LOGIN_WINDOW_SECONDS": 900,
    }
