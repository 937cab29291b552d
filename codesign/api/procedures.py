"""Endpoints for calls and proposals, up to admissibility (API.md)."""
from __future__ import annotations

from flask import Response, jsonify, request

from codesign.api import (bp, caller, json_body, list_response, page_args, paged, query_filters, require_caller,
                          transition_body, uploaded_file)
from codesign.core import receipts
from codesign.core.search import MAX_LENGTH
from codesign.procedures import documents as call_documents
from codesign.procedures import notices
from codesign.procedures import operations as procs
from codesign.procedures import questions
from codesign.procedures.workflow import workflow as procedure_workflow
from codesign.proposals import messages
from codesign.proposals import operations as props
from codesign.proposals.workflow import workflow as proposal_workflow

# A call's proposals: filtered by state, lot and a text (core.search), sorted (proposals.operations.SORTS).
LIST_FILTERS = {"state": 40, "lot": 20, "q": MAX_LENGTH, "sort": 20}


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


@bp.delete("/procedures/<int:procedure_id>")
def delete_procedure(procedure_id: int):
    user = require_caller()
    procs.delete_draft(user, procs.get_visible(user, procedure_id))
    return "", 204


@bp.post("/procedures/<int:procedure_id>/transitions")
def procedure_transition(procedure_id: int):
    user = require_caller()
    trigger, params = transition_body()
    proc = procs.get_visible(user, procedure_id)
    procedure_workflow.fire(proc, trigger, user, params)
    return jsonify(procs.to_dict(proc, user))


# --- the call's documents and clarifications -------------------------------------------------------------------
@bp.get("/procedures/<int:procedure_id>/documents")
def list_call_documents(procedure_id: int):
    proc = procs.get_visible(caller(), procedure_id)
    return paged(call_documents.of_call(proc), call_documents.to_dict)


@bp.post("/procedures/<int:procedure_id>/documents")
def add_call_document(procedure_id: int):
    user = require_caller()
    proc = procs.get_visible(user, procedure_id)
    upload = request.files.get("file")
    doc = call_documents.add(user, proc, kind=request.form.get("kind"), title=request.form.get("title"),
                             filename=upload.filename if upload else None, stream=upload.stream if upload else None)
    return jsonify(call_documents.to_dict(doc)), 201


@bp.delete("/procedures/<int:procedure_id>/documents/<int:document_id>")
def remove_call_document(procedure_id: int, document_id: int):
    user = require_caller()
    proc = procs.get_visible(user, procedure_id)
    call_documents.remove(user, proc, call_documents.get(proc, document_id))
    return "", 204


@bp.get("/procedures/<int:procedure_id>/questions")
def list_questions(procedure_id: int):
    """The published clarifications; with `?pending=1`, the questions still waiting (the administration: all of
    them; an applicant: their own)."""
    user = caller()
    proc = procs.get_visible(user, procedure_id)
    admin = procs.is_admin_of(user, proc)
    rows = questions.pending(user, proc) if request.args.get("pending") in ("1", "true") else \
        questions.clarifications(proc)
    return paged(rows, lambda q: questions.to_dict(q, for_admin=admin))


@bp.post("/procedures/<int:procedure_id>/questions")
def ask_question(procedure_id: int):
    """An applicant asks; the call's administration publishes a clarification of its own (`question` and
    `answer`)."""
    user = require_caller()
    proc = procs.get_visible(user, procedure_id)
    admin = procs.is_admin_of(user, proc)
    q = (questions.publish if admin else questions.ask)(user, proc, json_body())
    return jsonify(questions.to_dict(q, for_admin=admin)), 201


@bp.post("/procedures/<int:procedure_id>/questions/<int:question_id>/answer")
def answer_question(procedure_id: int, question_id: int):
    user = require_caller()
    proc = procs.get_visible(user, procedure_id)
    procs.require_admin(user, proc)
    q = questions.answer(user, proc, questions.get(proc, question_id), json_body())
    return jsonify(questions.to_dict(q, for_admin=True))


@bp.get("/procedures/<int:procedure_id>/notices")
def list_call_notices(procedure_id: int):
    proc = procs.get_visible(caller(), procedure_id)
    return paged(notices.of_call(proc), notices.to_dict)


@bp.post("/procedures/<int:procedure_id>/errata")
def publish_erratum(procedure_id: int):
    user = require_caller()
    proc = procs.get_visible(user, procedure_id)
    return jsonify(notices.to_dict(notices.publish_erratum(user, proc, json_body()))), 201


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
    filters = query_filters(LIST_FILTERS, rename={"q": "text"})
    if "state" in filters:
        filters["states"] = (filters.pop("state"),)
    rows, total = props.list_visible(user, proc, limit=limit, offset=offset, **filters)
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


@bp.delete("/proposals/<int:proposal_id>")
def delete_proposal(proposal_id: int):
    user = require_caller()
    props.delete_draft(user, props.get_visible(user, proposal_id))
    return "", 204


@bp.delete("/proposals/<int:proposal_id>/attachments/<int:attachment_id>")
def remove_attachment(proposal_id: int, attachment_id: int):
    user = require_caller()
    props.remove_attachment(user, props.get_visible(user, proposal_id), attachment_id)
    return "", 204


@bp.post("/proposals/<int:proposal_id>/transitions")
def proposal_transition(proposal_id: int):
    user = require_caller()
    trigger, params = transition_body()
    proposal = props.get_visible(user, proposal_id)
    proposal_workflow.fire(proposal, trigger, user, params)
    return jsonify(props.to_dict(proposal, user))


@bp.get("/proposals/<int:proposal_id>/messages")
def list_messages(proposal_id: int):
    user = require_caller()
    entries = messages.thread(user, props.get_visible(user, proposal_id))
    return paged(entries, messages.entry_dict)


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
