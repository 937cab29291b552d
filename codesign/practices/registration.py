"""Good practices: the write-ups of projects of the catalogue, their photos and public pages."""
from __future__ import annotations

from flask import Flask

from codesign.practices.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
