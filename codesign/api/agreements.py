"""Endpoints of the agreement (API.md): its terms and its PDF."""
from __future__ import annotations

from flask import Response, jsonify, render_template

from codesign.agreements import operations as agreements
from codesign.api import bp, json_body, require_caller
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
