"""Endpoints for calls and proposals, up to admissibility (API.md)."""
from __future__ import annotations

from flask import Response, jsonify, request

from codesign.api import (bp, caller, json_body, list_response, page_args, require_caller, transition_body,
                          uploaded_file)
from codesign.core import receipts
from codesign.procedures import operations as procs
from codesign.proposals import messages
from codesign.proposals import operations as props


# --- procedures -------------------------------------------------------------------------------------
@bp.post("/procedures")
def create_procedure():
    user = require_caller()
    proc = procs.create_procedure(user, json_body())
    return jsonify(procs.to_dict(proc, user)), 201


@bp.get("/procedures")
def list_procedures():
    user = caller()
    limit, offset = page_args()
    rows, total = procs.list_visible(user, limit=limit, offset=offset)
    return list_response([procs.to_dict(p, user) for p in rows], total)


@bp.get("/procedures/<int:procedure_id>")
def get_procedure(procedure_id: int):
    user = caller()
    return jsonify(procs.to_dict(procs.get_visible(user, procedure_id), user))


@bp.patch("/procedures/<int:procedure_id>")
def patch_procedure(procedure_id: int):
    user = require_caller()
    proc = procs.get_visible(user, procedure_id)
    procs.update_procedure(user, proc, json_body())
    return jsonify(procs.to_dict(proc, user))


@bp.post("/procedures/<int:procedure_id>/transitions")
def procedure_transition(procedure_id: int):
    user = require_caller()
    trigger, params = transition_body()
    proc = procs.get_visible(user, procedure_id)
    procs.fire(user, proc, trigger, **params)
    return jsonify(procs.to_dict(proc, user))


# --- proposals ----------------------------------------------------------------------------------------
@bp.post("/procedures/<int:procedure_id>/proposals")
def create_proposal(procedure_id: int):
    user = require_caller()
    proc = procs.get_visible(user, procedure_id)
    proposal = props.create_proposal(user, proc, json_body())
    return jsonify(props.to_dict(proposal, user)), 201


@bp.get("/procedures/<int:procedure_id>/proposals")
def list_proposals(procedure_id: int):
    user = require_caller()
    proc = procs.get_visible(user, procedure_id)
    limit, offset = page_args()
    rows, total = props.list_visible(user, proc, limit=limit, offset=offset)
    return list_response([props.as_seen_by(user, p) for p in rows], total)


@bp.get("/proposals/<int:proposal_id>")
def get_proposal(proposal_id: int):
    user = require_caller()
    return jsonify(props.as_seen_by(user, props.get_visible(user, proposal_id)))


@bp.get("/proposals/<int:proposal_id>/receipt")
def get_receipt(proposal_id: int):
    """The submission receipt as issued, signed with the administration's Ed25519 key (docs/transparency.md)."""
    user = require_caller()
    _proposal, text = props.signed_receipt(user, proposal_id)
    return Response(text, mimetype="application/json")


@bp.get("/receipt-keys")
def get_receipt_keys():
    """The administration's public keys that sign receipts: the current one and the retired ones."""
    return jsonify(receipts.published_keys())


@bp.patch("/proposals/<int:proposal_id>")
def patch_proposal(proposal_id: int):
    user = require_caller()
    proposal = props.get_visible(user, proposal_id)
    props.update_proposal(user, proposal, json_body())
    return jsonify(props.to_dict(proposal, user))


@bp.post("/proposals/<int:proposal_id>/transitions")
def proposal_transition(proposal_id: int):
    user = require_caller()
    trigger, params = transition_body()
    proposal = props.get_visible(user, proposal_id)
    props.fire(user, proposal, trigger, params=params)
    return jsonify(props.to_dict(proposal, user))


@bp.get("/proposals/<int:proposal_id>/messages")
def list_messages(proposal_id: int):
    user = require_caller()
    entries = messages.thread(user, props.get_visible(user, proposal_id))
    limit, offset = page_args()
    return list_response([messages.entry_dict(e) for e in entries[offset:offset + limit]], len(entries))


@bp.post("/proposals/<int:proposal_id>/messages")
def post_message(proposal_id: int):
    user = require_caller()
    proposal = props.get_visible(user, proposal_id)
    upload = request.files.get("file")
    msg = messages.post(user, proposal, request.form.get("text"), filename=upload.filename if upload else None,
                        stream=upload.stream if upload else None)
    return jsonify(messages.message_dict(msg)), 201


@bp.post("/proposals/<int:proposal_id>/attachments")
def add_attachment(proposal_id: int):
    user = require_caller()
    proposal = props.get_visible(user, proposal_id)
    upload = uploaded_file()
    att = props.add_attachment(user, proposal, kind=request.form.get("kind", ""), filename=upload.filename or "",
                               stream=upload.stream)
    return jsonify({**props.document_summary(att), "kind": att.kind}), 201
