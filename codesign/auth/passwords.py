"""Password hashing with argon2 (argon2-cffi)."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

_default = PasswordHasher()


def _hasher() -> PasswordHasher:
    if has_app_context():
        params = current_app.config.get("ARGON2_PARAMS")
        if params:
            return PasswordHasher(**params)
    return _default


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def check_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


MIN_PASSWORD_LENGTH = 10
