"""The JSON API: thin, it parses, checks who is calling, calls the modules' operations and serialises."""
from __future__ import annotations

import re

from flask import Blueprint, g, jsonify, request

from codesign.auth.operations import user_for_token
from codesign.core.errors import BadRequest, Invalid, Unauthorized
from codesign.core.schemas import INT_MAX, TOO_DEEP, check_json

bp = Blueprint("api", __name__, url_prefix="/api/v1")

MAX_LIMIT = 1000
_DIGITS = re.compile(r"[0-9]{1,10}")


@bp.before_request
def authenticate():
    g.api_user = None
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Intestazione Authorization non valida: usare 'Bearer <token>'")
    user = user_for_token(token.strip())
    if user is None:
        raise Unauthorized("Token non valido o revocato")
    g.api_user = user
    return None


def caller():
    return g.get("api_user")


def require_caller():
    user = caller()
    if user is None:
        raise Unauthorized("Autenticazione richiesta: usare l'intestazione Authorization: Bearer <token>")
    return user


def json_body() -> dict:
    """The request's JSON object, checked before any operation reads it (core.schemas.check_json): a body nested
    beyond the limit (even one the decoder cannot follow), a NUL or a lone surrogate never reaches a handler."""
    try:
        data = request.get_json(silent=True)
    except RecursionError:
        raise BadRequest(TOO_DEEP) from None
    if data is None:
        raise BadRequest("Il corpo della richiesta deve essere JSON valido (Content-Type: application/json)")
    if not isinstance(data, dict):
        raise BadRequest("Il corpo della richiesta deve essere un oggetto JSON")
    check_json(data)
    return data


def uploaded_file(what: str = "il file", with_fields: str = ""):
    """The multipart upload in the field «file» (400 naming what to send, and with which fields, when absent)."""
    upload = request.files.get("file")
    if upload is None:
        raise BadRequest(f"inviare {what} come multipart/form-data nel campo «file»"
                         + (f", con {with_fields}" if with_fields else ""))
    return upload


def transition_body() -> tuple[str, dict]:
    """`{"trigger": "...", …parameters}` → (trigger, parameters)."""
    data = json_body()
    trigger = data.get("trigger")
    if not isinstance(trigger, str) or not trigger:
        raise Invalid({"trigger": "indicare l'operazione (trigger)"})
    return trigger, {k: val for k, val in data.items() if k != "trigger"}


def _page_int(name: str, default: int) -> int:
    text = request.args.get(name)
    if text is None:
        return default
    # ASCII digits only (int() would also take "+1", "1_000" and other scripts' digits), within the database's range.
    if not _DIGITS.fullmatch(text) or int(text) > INT_MAX:
        raise BadRequest(f"{name} deve essere un numero intero tra 0 e {INT_MAX}")
    return int(text)


def page_args() -> tuple[int, int]:
    limit = _page_int("limit", 100)
    offset = _page_int("offset", 0)
    return min(limit, MAX_LIMIT), offset


def query_filters(allowed: dict[str, int], *, rename: dict[str, str] | None = None) -> dict:
    """A list's filters from the query string (name → longest value): a parameter the API does not know is
    refused (422); an unknown value of a known one is the operation's to answer (an empty list)."""
    unknown = sorted(set(request.args) - set(allowed) - {"limit", "offset"})
    if unknown:
        raise Invalid({k: "parametro non previsto" for k in unknown})
    out = {}
    for name, longest in allowed.items():
        value = (request.args.get(name) or "").strip()
        if len(value) > longest or "\x00" in value:
            raise Invalid({name: f"al massimo {longest} caratteri"})
        if value:
            out[(rename or {}).get(name, name)] = value
    return out


def list_response(items: list, total: int):
    resp = jsonify(items)
    resp.headers["X-Total-Count"] = str(total)
    return resp


def paged(rows: list, to_dict=None):
    """A list read whole (a thread, a call's documents), one page of it: only the rows shown turned into their
    JSON, the total in X-Total-Count."""
    limit, offset = page_args()
    page = rows[offset:offset + limit]
    return list_response([to_dict(r) for r in page] if to_dict else page, len(rows))


from codesign.api import (agreements, core_endpoints, evaluation, monitoring, observatory, openapi,  # noqa: E402,F401
                          opportunities, practices, procedures, tables, transparency)  # (registers the routes)
