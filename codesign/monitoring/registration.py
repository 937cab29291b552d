"""Monitoring: pages, the tick jobs (reminders around a report's due day, late reports), the reporting calendar
generated when a project starts (an effect contributed to `start`) and the guard of `complete` (every report
approved), contributed, never imported below; the receipts of the expenses, documents of the proposal that
the body and the administration read and the report's page lists."""
from __future__ import annotations

from flask import Flask

from codesign.core import tick
from codesign.monitoring import operations as monitoring
from codesign.monitoring.views import bp
from codesign.proposals import operations as proposals
from codesign.proposals.workflow import workflow as proposal_workflow


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    proposals.register_attachment_rule(monitoring.receipt_upload_rule)
    proposals.declare_document_kind(monitoring.RECEIPT_KIND, (proposals.BODY, proposals.ADMIN), limit=None,  # per report
                                    listed=False)
    tick.register(app, monitoring.remind_reports)
    tick.register(app, monitoring.flag_late_reports)
    proposal_workflow.contribute("start", effect=monitoring.generate_calendar)
    proposal_workflow.contribute("complete", guard=monitoring.every_report_approved)
