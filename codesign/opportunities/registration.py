"""Funding opportunities: the public pages, the admins' form, the section of the bodies' dashboard and the tick's
reminders to the people following a call."""
from __future__ import annotations

from flask import Flask

from codesign.core import tick
from codesign.observatory.views import register_municipality_section, register_project_section
from codesign.opportunities import operations as opportunities
from codesign.opportunities.views import bp, dashboard_section, municipality_section, project_section
from codesign.proposals.views import register_dashboard_section


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    register_municipality_section(municipality_section)
    register_dashboard_section(dashboard_section)
    register_project_section(project_section)
    tick.register(app, opportunities.remind_followers)
