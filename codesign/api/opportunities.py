"""Endpoints of the funding opportunities (API.md, fixed): admins write them; anyone reads the open ones, matched
to a municipality with `?municipality=`; a body's members read those matching it with `?organization=`; a
signed-in person follows one (reminded 15 and 3 days before its deadline) and lists the ones followed."""
from __future__ import annotations

from flask import jsonify

from codesign.api import bp, caller, json_body, list_response, page_args, query_filters, require_caller
from codesign.core.errors import Invalid
from codesign.core.schemas import INT_MAX
from codesign.opportunities import operations as opportunities

FILTERS = {"municipality": 120, "theme": 200, "eligible": 20, "funder_level": 20, "organization": 20}


@bp.post("/opportunities")
def create_opportunity():
    user = require_caller()
    return jsonify(opportunities.to_dict(opportunities.create(user, json_body()))), 201


@bp.get("/opportunities")
def list_opportunities():
    filters = query_filters(FILTERS)
    limit, offset = page_args()
    if "organization" in filters:
        value = filters["organization"]
        if not (value.isascii() and value.isdigit() and int(value) <= INT_MAX):
            raise Invalid({"organization": "l'identificativo numerico di un ente"})
        filters["organization"] = int(value)
        filters["actor"] = require_caller()
    rows = opportunities.list_open(**filters)
    return list_response(rows[offset:offset + limit], len(rows))


@bp.get("/opportunities/<int:opportunity_id>")
def get_opportunity(opportunity_id: int):
    o = opportunities.get(opportunity_id)
    user = caller()
    following = {} if user is None else {"following": opportunities.following(user, o) is not None}
    return jsonify(opportunities.to_dict(o) | following)


@bp.get("/opportunities/followed")
def followed_opportunities():
    user = require_caller()
    limit, offset = page_args()
    rows = [opportunities.to_dict(o) for o in opportunities.followed_by(user)]
    return list_response(rows[offset:offset + limit], len(rows))


@bp.put("/opportunities/<int:opportunity_id>/follow")
def follow_opportunity(opportunity_id: int):
    user = require_caller()
    follow, new = opportunities.follow(user, opportunities.get(opportunity_id))
    return jsonify(opportunities.follow_dict(follow)), 201 if new else 200


@bp.delete("/opportunities/<int:opportunity_id>/follow")
def unfollow_opportunity(opportunity_id: int):
    user = require_caller()
    opportunities.unfollow(user, opportunities.get(opportunity_id))
    return "", 204
