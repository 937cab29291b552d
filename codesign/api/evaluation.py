"""Endpoints of the evaluation: committee, conflict declarations, reviews, the ranking (API.md)."""
from __future__ import annotations

from flask import Response, jsonify

from codesign.api import bp, caller, json_body, require_caller
from codesign.evaluation import committee, open_scores
from codesign.evaluation import operations as ev
from codesign.procedures import operations as procs
from codesign.proposals import operations as props


@bp.get("/procedures/<int:procedure_id>/committee")
def get_committee(procedure_id: int):
    user = require_caller()
    proc = procs.get_visible(user, procedure_id)
    procs.require_admin(user, proc)
    return jsonify(committee.to_dict(proc.id))


@bp.put("/procedures/<int:procedure_id>/committee")
def put_committee(procedure_id: int):
    user = require_caller()
    proc = procs.get_visible(user, procedure_id)
    committee.appoint(user, proc, json_body())
    return jsonify(committee.to_dict(proc.id))


@bp.post("/procedures/<int:procedure_id>/committee/reminders")
def remind_committee(procedure_id: int):
    user = require_caller()
    return jsonify(ev.remind_evaluators(user, procs.get_visible(user, procedure_id)))


@bp.put("/proposals/<int:proposal_id>/conflict")
def put_conflict(proposal_id: int):
    user = require_caller()
    proposal = props.get_visible(user, proposal_id)
    d = ev.declare_conflict(user, proposal, json_body())
    return jsonify({"proposal_id": proposal.id, "conflict": d.conflict, "note": d.note})


@bp.get("/proposals/<int:proposal_id>/review")
def get_review(proposal_id: int):
    user = require_caller()
    proposal = props.get_visible(user, proposal_id)
    return jsonify(ev.review_to_dict(ev._review(user, proposal), proposal))


@bp.put("/proposals/<int:proposal_id>/review")
def put_review(proposal_id: int):
    user = require_caller()
    proposal = ev.proposal_to_review(user, proposal_id)
    review = ev.save_review(user, proposal, json_body())
    return jsonify(ev.review_to_dict(review, proposal))


@bp.get("/procedures/<int:procedure_id>/ranking")
def get_ranking(procedure_id: int):
    user = caller()
    proc = procs.get_visible(user, procedure_id)
    return jsonify(ev.get_ranking(user, proc))


@bp.get("/procedures/<int:procedure_id>/ranking/scores")
def get_ranking_scores(procedure_id: int):
    """The anonymised scores of the approved ranking, byte for byte as published (its SHA-256 is the ETag)."""
    proc = procs.get_visible(caller(), procedure_id)
    text = ev.published_scores(proc)
    return Response(text, mimetype="application/json", headers={"ETag": f'"{open_scores.sha256(text)}"'})
