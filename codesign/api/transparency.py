"""Public endpoints (no token needed): the projects of both origins (API.md, `GET /api/v1/public/projects`) and
the figures of every municipality of the territory (`GET /api/v1/public/municipalities`)."""
from __future__ import annotations

from flask import jsonify, request

from codesign.api import bp, list_response, page_args
from codesign.core.errors import Invalid
from codesign.observatory import operations as observatory

FILTERS = {"administration": 200, "programme": 300, "municipality": 120, "theme": 200, "state": 30, "origin": 20,
           "q": 200}


def filters_from_query() -> dict:
    """The filters asked for; a parameter the API does not know is refused (422), an unknown value of a known
    one finds nothing (an empty list)."""
    unknown = sorted(set(request.args) - set(FILTERS) - {"limit", "offset"})
    if unknown:
        raise Invalid({k: "parametro non previsto" for k in unknown})
    out = {}
    for name, longest in FILTERS.items():
        value = (request.args.get(name) or "").strip()
        if len(value) > longest or "\x00" in value:
            raise Invalid({name: f"al massimo {longest} caratteri"})
        if value:
            out["text" if name == "q" else name] = value
    return out


@bp.get("/public/projects")
def public_projects():
    limit, offset = page_args()
    rows, total = observatory.list_projects(limit=limit, offset=offset, **filters_from_query())
    return list_response(rows, total)


@bp.get("/public/municipalities")
def public_municipalities():
    limit, offset = page_args()
    rows = observatory.municipality_figures()
    return list_response(rows[offset:offset + limit], len(rows))
