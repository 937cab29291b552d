"""JSON errors for /api/ paths, in the shape API.md fixes."""
from __future__ import annotations

from flask import jsonify
from werkzeug.exceptions import HTTPException

CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "invalid",
}
MESSAGES = {
    400: "Richiesta non valida",
    401: "Autenticazione richiesta: usare l'intestazione Authorization: Bearer <token>",
    403: "Operazione non consentita con questo profilo",
    404: "Risorsa non trovata",
    405: "Metodo non consentito",
    413: "File troppo grande",
}


def error_response(status: int, message: str | None = None, code: str | None = None, fields: dict | None = None):
    body = {"code": code or CODES.get(status, "error"), "message": message or MESSAGES.get(status, "Errore")}
    if fields:
        body["fields"] = fields
    return jsonify({"error": body}), status


def http_exception_json(exc: HTTPException):
    return error_response(exc.code or 500)
