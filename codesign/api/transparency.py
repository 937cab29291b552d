"""Public endpoints (no token needed): the projects of both origins (API.md, `GET /api/v1/public/projects`), the
figures of every municipality of the territory (`GET /api/v1/public/municipalities`) and what each call funded, paid
and achieved (`GET /api/v1/procedures/{id}/outcome`)."""
from __future__ import annotations

from flask import jsonify

from codesign.api import bp, caller, list_response, page_args, paged, query_filters
from codesign.observatory import operations as observatory
from codesign.procedures import operations as procs
from codesign.transparency import operations as transparency

FILTERS = {"administration": 200, "programme": 300, "municipality": 120, "municipio": 2, "nil": 120, "theme": 200,
           "state": 30, "origin": 20, "q": 200}


@bp.get("/public/projects")
def public_projects():
    limit, offset = page_args()
    rows, total = observatory.list_projects(limit=limit, offset=offset, **query_filters(FILTERS, rename={"q": "text"}))
    return list_response(rows, total)


@bp.get("/public/municipalities")
def public_municipalities():
    rows = observatory.municipality_figures()
    return paged(rows)


@bp.get("/procedures/<int:procedure_id>/outcome")
def procedure_outcome(procedure_id: int):
    return jsonify(transparency.call_outcome(procs.get_visible(caller(), procedure_id)).to_dict())
