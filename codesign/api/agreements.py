"""Endpoints of the agreement (API.md): its terms and its PDF."""
from __future__ import annotations

from flask import Response, jsonify, render_template, request

from codesign.agreements import operations as agreements
from codesign.api import bp, json_body, require_caller, uploaded_file
from codesign.core.documents import render_pdf
from codesign.proposals import operations as props


@bp.put("/proposals/<int:proposal_id>/agreement")
def put_agreement(proposal_id: int):
    user = require_caller()
    proposal = props.get_visible(user, proposal_id)
    agreement = agreements.put_agreement(user, proposal, json_body())
    return jsonify(agreements.to_dict(agreement))


@bp.get("/proposals/<int:proposal_id>/agreement")
def get_agreement(proposal_id: int):
    user = require_caller()
    proposal = props.get_visible(user, proposal_id)
    return jsonify(agreements.to_dict(agreements.get_agreement(user, proposal)))


@bp.get("/proposals/<int:proposal_id>/agreement.pdf")
def agreement_pdf(proposal_id: int):
    user = require_caller()
    proposal = props.get_visible(user, proposal_id)
    pdf = render_pdf(render_template("agreements/agreement_pdf.html", **agreements.document(user, proposal)))
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="convenzione-proposta-{proposal.id}.pdf"'})


@bp.post("/proposals/<int:proposal_id>/premises/<int:n>/handover")
def record_handover(proposal_id: int, n: int):
    user = require_caller()
    proposal = props.get_visible(user, proposal_id)
    upload = uploaded_file("il verbale firmato", "«handed_over_on» e «condition»")
    record = agreements.record_handover(user, proposal, n, request.form.to_dict(), filename=upload.filename or "",
                                        stream=upload.stream)
    return jsonify(next(h for h in agreements.handover_to_dict(record.agreement) if h["number"] == n)), 201
