"""Funding opportunities: the public pages and the admins' form."""
from __future__ import annotations

from flask import Flask

from codesign.observatory.views import register_municipality_section
from codesign.opportunities.views import bp, municipality_section


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    register_municipality_section(municipality_section)
