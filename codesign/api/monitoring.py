"""Endpoints of monitoring (API.md, "Endpoints after the ranking"): the reporting calendar, the reports, the
payments of the tranches and the project's dashboard figures."""
from __future__ import annotations

from flask import jsonify

from codesign.api import bp, json_body, list_response, page_args, paged, require_caller, transition_body, uploaded_file
from codesign.monitoring import operations as monitoring
from codesign.monitoring.workflow import workflow as report_workflow
from codesign.procedures import operations as procs
from codesign.proposals import operations as props


@bp.get("/proposals/<int:proposal_id>/reports")
def list_reports(proposal_id: int):
    user = require_caller()
    limit, offset = page_args()
    rows, total = monitoring.reports(user, props.get_visible(user, proposal_id), limit=limit, offset=offset)
    return list_response([monitoring.to_dict(r, user) for r in rows], total)


@bp.get("/reports/<int:report_id>")
def get_report(report_id: int):
    user = require_caller()
    return jsonify(monitoring.to_dict(monitoring.get_report(user, report_id), user, content=True))


@bp.put("/reports/<int:report_id>")
def put_report(report_id: int):
    user = require_caller()
    report = monitoring.save_report(user, monitoring.get_report(user, report_id), json_body())
    return jsonify(monitoring.to_dict(report, user, content=True))


@bp.post("/reports/<int:report_id>/expenses/<int:n>/receipts")
def add_receipt(report_id: int, n: int):
    user = require_caller()
    report = monitoring.get_report(user, report_id)
    upload = uploaded_file()
    att = monitoring.add_receipt(user, report, n, filename=upload.filename or "", stream=upload.stream)
    return jsonify(monitoring.receipt_to_dict(att)), 201


@bp.delete("/reports/<int:report_id>/expenses/<int:n>/receipts/<int:receipt_id>")
def remove_receipt(report_id: int, n: int, receipt_id: int):
    user = require_caller()
    report = monitoring.get_report(user, report_id)
    monitoring.remove_receipt(user, report, n, receipt_id)
    return jsonify(monitoring.to_dict(report, user, content=True))


@bp.post("/reports/<int:report_id>/transitions")
def report_transition(report_id: int):
    user = require_caller()
    trigger, params = transition_body()
    report = report_workflow.fire(monitoring.get_report(user, report_id), trigger, user, params)
    return jsonify(monitoring.to_dict(report, user, content=True))


@bp.get("/reports/<int:report_id>/submissions")
def list_submissions(report_id: int):
    user = require_caller()
    rows = monitoring.submissions(user, monitoring.get_report(user, report_id))
    return paged(rows)


@bp.get("/proposals/<int:proposal_id>/payments")
def list_payments(proposal_id: int):
    user = require_caller()
    rows = monitoring.payments(user, props.get_visible(user, proposal_id))
    return paged(rows, monitoring.payment_to_dict)


@bp.post("/proposals/<int:proposal_id>/payments")
def create_payment(proposal_id: int):
    user = require_caller()
    payment = monitoring.record_payment(user, props.get_visible(user, proposal_id), json_body())
    return jsonify(monitoring.payment_to_dict(payment)), 201


@bp.post("/payments/<int:payment_id>/reversals")
def create_reversal(payment_id: int):
    user = require_caller()
    payment = monitoring.reverse_payment(user, payment_id, json_body())
    return jsonify(monitoring.payment_to_dict(payment)), 201


@bp.get("/proposals/<int:proposal_id>/monitoring")
def project_monitoring(proposal_id: int):
    user = require_caller()
    return jsonify(monitoring.project_dashboard(user, props.get_visible(user, proposal_id)).to_dict())


@bp.get("/procedures/<int:procedure_id>/monitoring")
def call_monitoring(procedure_id: int):
    user = require_caller()
    rows = monitoring.call_dashboard(user, procs.get_visible(user, procedure_id))
    return paged(rows, lambda r: r.to_dict())
