"""Monitoring: the reporting calendar generated when a project starts (an effect contributed to `start`)."""
from __future__ import annotations

from flask import Flask

from codesign.monitoring import operations as monitoring
from codesign.proposals.workflow import workflow as proposal_workflow


def init_app(app: Flask) -> None:
    proposal_workflow.contribute("start", effect=monitoring.generate_calendar)
