"""Transparency: the public pages and open data of the funded projects."""
from __future__ import annotations

from flask import Flask

from codesign.transparency.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
