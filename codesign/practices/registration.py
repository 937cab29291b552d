"""Good practices: the write-ups of projects of the catalogue, their photos and public pages."""
from __future__ import annotations

from flask import Flask

from codesign.observatory.views import register_municipality_section
from codesign.practices.views import bp, municipality_section


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    register_municipality_section(municipality_section)
