"""The call (avviso): its pages and the time-driven closing of calls."""
from __future__ import annotations

from flask import Flask

from codesign.core import tick
from codesign.procedures import models  # noqa: F401  (the module's tables)
from codesign.procedures.tick import close_expired_calls
from codesign.procedures.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    tick.register(app, close_expired_calls)
