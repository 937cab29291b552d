"""The JSON API: one blueprint over every module's operations, authenticated by bearer tokens only."""
from __future__ import annotations

from flask import Flask

from codesign.api import bp
from codesign.core.web import csrf


def init_app(app: Flask) -> None:
    csrf.exempt(bp)  # the API authenticates with bearer tokens only, never with the session cookie
    app.register_blueprint(bp)
