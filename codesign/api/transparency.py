"""Public endpoints (no token needed): the projects of both origins (API.md, `GET /api/v1/public/projects`) and
the figures of every municipality of the territory (`GET /api/v1/public/municipalities`)."""
from __future__ import annotations

from codesign.api import bp, list_response, page_args, query_filters
from codesign.observatory import operations as observatory

FILTERS = {"administration": 200, "programme": 300, "municipality": 120, "municipio": 2, "nil": 120, "theme": 200,
           "state": 30, "origin": 20, "q": 200}


@bp.get("/public/projects")
def public_projects():
    limit, offset = page_args()
    rows, total = observatory.list_projects(limit=limit, offset=offset, **query_filters(FILTERS, rename={"q": "text"}))
    return list_response(rows, total)


@bp.get("/public/municipalities")
def public_municipalities():
    limit, offset = page_args()
    rows = observatory.municipality_figures()
    return list_response(rows[offset:offset + limit], len(rows))
