"""Public endpoints (no token needed): the funded projects (API.md, `GET /api/v1/public/projects`)."""
from __future__ import annotations

from flask import request

from codesign.api import bp, list_response, page_args
from codesign.core.errors import Invalid
from codesign.transparency import operations as transparency

FILTERS = {"administration": 200, "programme": 300, "municipality": 120, "state": 30, "q": 200}


def filters_from_query() -> dict:
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
    rows, total = transparency.list_projects(limit=limit, offset=offset, **filters_from_query())
    return list_response(rows, total)
