"""Endpoints of the funding opportunities (API.md, fixed): admins write them; anyone reads the open ones, matched
to a municipality with `?municipality=`."""
from __future__ import annotations

from flask import jsonify

from codesign.api import bp, json_body, list_response, page_args, query_filters, require_caller
from codesign.opportunities import operations as opportunities

FILTERS = {"municipality": 120, "theme": 200, "eligible": 20, "funder_level": 20}


@bp.post("/opportunities")
def create_opportunity():
    user = require_caller()
    return jsonify(opportunities.to_dict(opportunities.create(user, json_body()))), 201


@bp.get("/opportunities")
def list_opportunities():
    filters = query_filters(FILTERS)
    limit, offset = page_args()
    rows = opportunities.list_open(**filters)
    return list_response(rows[offset:offset + limit], len(rows))


@bp.get("/opportunities/<int:opportunity_id>")
def get_opportunity(opportunity_id: int):
    return jsonify(opportunities.to_dict(opportunities.get(opportunity_id)))
