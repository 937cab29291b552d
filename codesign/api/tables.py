"""Endpoints of the co-design tables (API.md, "Endpoints after the ranking"): meetings and project versions."""
from __future__ import annotations

from flask import jsonify, request

from codesign.api import bp, json_body, paged, require_caller
from codesign.core.errors import Invalid
from codesign.core.schemas import INT_MAX
from codesign.proposals import operations as props
from codesign.tables import operations as tables


@bp.get("/proposals/<int:proposal_id>/meetings")
def list_meetings(proposal_id: int):
    user = require_caller()
    rows = tables.meetings(user, props.get_visible(user, proposal_id))
    return paged(rows, tables.meeting_to_dict)


@bp.post("/proposals/<int:proposal_id>/meetings")
def create_meeting(proposal_id: int):
    user = require_caller()
    proposal = props.get_visible(user, proposal_id)
    meeting = tables.record_meeting(user, proposal, json_body())
    return jsonify(tables.meeting_to_dict(meeting)), 201


@bp.patch("/proposals/<int:proposal_id>/meetings/<int:meeting_id>")
def patch_meeting(proposal_id: int, meeting_id: int):
    user = require_caller()
    proposal = props.get_visible(user, proposal_id)
    meeting = tables.get_meeting(user, proposal, meeting_id)
    tables.update_meeting(user, proposal, meeting, json_body())
    return jsonify(tables.meeting_to_dict(meeting))


@bp.get("/proposals/<int:proposal_id>/versions")
def list_versions(proposal_id: int):
    user = require_caller()
    rows = tables.versions(user, props.get_visible(user, proposal_id))
    return paged(rows, tables.version_to_dict)


@bp.post("/proposals/<int:proposal_id>/versions")
def create_version(proposal_id: int):
    user = require_caller()
    proposal = props.get_visible(user, proposal_id)
    version = tables.save_version(user, proposal, json_body())
    return jsonify(tables.version_to_dict(version)), 201


@bp.get("/proposals/<int:proposal_id>/versions/<int:number>")
def get_version(proposal_id: int, number: int):
    user = require_caller()
    proposal = props.get_visible(user, proposal_id)
    return jsonify(tables.version_to_dict(tables.get_version(user, proposal, number)))


def _version_arg(name: str) -> int:
    raw = request.args.get(name, "")
    if not raw.isdigit() or not 1 <= int(raw) <= INT_MAX:
        raise Invalid({name: "indicare il numero di una versione (1, 2, …)"})
    return int(raw)


@bp.get("/proposals/<int:proposal_id>/versions/diff")
def diff_versions(proposal_id: int):
    user = require_caller()
    proposal = props.get_visible(user, proposal_id)
    return jsonify(tables.diff(user, proposal, _version_arg("from"), _version_arg("to")))
