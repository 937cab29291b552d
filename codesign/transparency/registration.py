"""Transparency: the public pages and open data of the funded projects."""
from __future__ import annotations

from flask import Flask

from codesign.monitoring import operations as monitoring
from codesign.procedures.views import register_call_section
from codesign.transparency import operations as transparency
from codesign.transparency.views import bp, call_outcome_section


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    register_call_section(call_outcome_section)
    # D.Lgs. 33/2013 art. 26: publication is the condition for the grant to take effect
    monitoring.register_payment_condition(transparency.unpublished_reason)
