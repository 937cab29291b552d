"""Funding opportunities: the public pages and the admins' form."""
from __future__ import annotations

from flask import Flask

from codesign.opportunities.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
