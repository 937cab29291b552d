"""Endpoints of the funding opportunities (API.md, fixed): admins write them; anyone reads the open ones, matched
to a municipality with `?municipality=`; a body's members read those matching it with `?organization=`; a
signed-in person follows one (reminded 15 and 3 days before its deadline) and lists the ones followed; the office
records who applies, with whom, and the funder's answer (a funded application becomes an external project)."""
from __future__ import annotations

from flask import jsonify

from codesign.api import bp, caller, json_body, paged, query_filters, require_caller, transition_body, uploaded_file
from codesign.core.errors import Invalid
from codesign.core.schemas import INT_MAX
from codesign.observatory import operations as observatory
from codesign.opportunities import imports
from codesign.opportunities import operations as opportunities
from codesign.opportunities.workflow import workflow as application_workflow

FILTERS = {"municipality": 120, "theme": 200, "eligible": 20, "funder_level": 20, "organization": 20}


@bp.post("/opportunities")
def create_opportunity():
    user = require_caller()
    return jsonify(opportunities.to_dict(opportunities.create(user, json_body()))), 201


@bp.post("/opportunities/import")
def import_opportunities():
    user = require_caller()
    observatory.require_admin(user)
    upload = uploaded_file("il file CSV")
    return jsonify(imports.import_opportunities(user, upload.read())), 201


@bp.get("/opportunities")
def list_opportunities():
    filters = query_filters(FILTERS)
    if "organization" in filters:
        value = filters["organization"]
        if not (value.isascii() and value.isdigit() and int(value) <= INT_MAX):
            raise Invalid({"organization": "l'identificativo numerico di un ente"})
        filters["organization"] = int(value)
        filters["actor"] = require_caller()
    rows = opportunities.list_open(**filters)
    return paged(rows)


@bp.get("/opportunities/<int:opportunity_id>")
def get_opportunity(opportunity_id: int):
    o = opportunities.get(opportunity_id)
    user = caller()
    following = {} if user is None else {"following": opportunities.following(user, o) is not None}
    return jsonify(opportunities.to_dict(o) | following)


@bp.patch("/opportunities/<int:opportunity_id>")
def patch_opportunity(opportunity_id: int):
    user = require_caller()
    return jsonify(opportunities.to_dict(opportunities.update(user, opportunities.get(opportunity_id), json_body())))


@bp.get("/opportunities/followed")
def followed_opportunities():
    user = require_caller()
    rows = [opportunities.to_dict(o) for o in opportunities.followed_by(user)]
    return paged(rows)


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


@bp.post("/opportunities/<int:opportunity_id>/applications")
def record_application(opportunity_id: int):
    user = require_caller()
    a = opportunities.record_application(user, opportunities.get(opportunity_id), json_body())
    return jsonify(opportunities.application_dict(a)), 201


@bp.get("/opportunities/<int:opportunity_id>/applications")
def list_applications(opportunity_id: int):
    user = require_caller()
    rows = opportunities.applications_of(user, opportunities.get(opportunity_id))
    names = opportunities.body_names(rows)
    return paged(rows, lambda r: opportunities.application_dict(r, names))


@bp.get("/applications/<int:application_id>")
def get_application(application_id: int):
    return jsonify(opportunities.application_dict(opportunities.get_application(require_caller(), application_id)))


@bp.post("/applications/<int:application_id>/transitions")
def application_transition(application_id: int):
    user = require_caller()
    trigger, params = transition_body()
    a = application_workflow.fire(opportunities.get_application(user, application_id), trigger, user, params)
    return jsonify(opportunities.application_dict(a))


@bp.post("/opportunities/<int:opportunity_id>/notices")
def propose_opportunity(opportunity_id: int):
    user = require_caller()
    sent, skipped = opportunities.propose(user, opportunities.get(opportunity_id), json_body())
    names = opportunities.body_names(sent)
    return jsonify({"told": [opportunities.notice_dict(n, names) for n in sent], "already_told": skipped}), 201


@bp.get("/opportunities/<int:opportunity_id>/notices")
def list_notices(opportunity_id: int):
    user = require_caller()
    rows = opportunities.notices_of(user, opportunities.get(opportunity_id))
    names = opportunities.body_names(rows)
    return paged(rows, lambda r: opportunities.notice_dict(r, names))
