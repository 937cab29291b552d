"""Errors the domain raises. Each carries the API's error code and HTTP status, and a message for people.

Views and the API translate them; the domain never imports Flask's request machinery.
"""
from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}

    def to_dict(self) -> dict:
        body = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return {"error": body}


class BadRequest(DomainError):
    status, code = 400, "bad_request"


class Unauthorized(DomainError):
    status, code = 401, "unauthorized"


class Forbidden(DomainError):
    status, code = 403, "forbidden"


class NotFound(DomainError):
    status, code = 404, "not_found"


class Conflict(DomainError):
    status, code = 409, "conflict"


class IllegalTransition(DomainError):
    status, code = 409, "illegal_transition"


class GuardFailed(DomainError):
    """A guard did not hold. `reasons` lists every unmet guard, in words a person understands."""

    status, code = 409, "guard_failed"

    def __init__(self, reasons: list[str] | str, fields: dict | None = None):
        if isinstance(reasons, str):
            reasons = [reasons]
        self.reasons = list(reasons)
        super().__init__("; ".join(self.reasons), fields)

    def to_dict(self) -> dict:
        body = super().to_dict()
        body["error"]["reasons"] = self.reasons
        return body


class TooLarge(DomainError):
    status, code = 413, "too_large"


class Invalid(DomainError):
    """Malformed or inconsistent input: one message per field."""

    status, code = 422, "invalid"

    def __init__(self, fields: dict[str, str], message: str | None = None):
        self.explained = message is not None  # the message names what is wrong in words, not by field names
        super().__init__(message or "Dati non validi: " + "; ".join(f"{k}: {v}" for k, v in fields.items()), fields)
