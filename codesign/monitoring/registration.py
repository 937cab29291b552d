"""Monitoring: pages, the tick jobs (reminders around a report's due day, late reports), the reporting calendar
generated when a project starts (an effect contributed to `start`) and the guard of `complete` (every report
approved), contributed, never imported below."""
from __future__ import annotations

from flask import Flask

from codesign.core import tick
from codesign.monitoring import operations as monitoring
from codesign.monitoring.views import bp
from codesign.proposals.workflow import workflow as proposal_workflow


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    tick.register(app, monitoring.remind_reports)
    tick.register(app, monitoring.flag_late_reports)
    proposal_workflow.contribute("start", effect=monitoring.generate_calendar)
    proposal_workflow.contribute("complete", guard=monitoring.every_report_approved)
