"""The shared frame: extensions, the request lifecycle, error pages, the language switch, static assets."""
from __future__ import annotations

from flask import Flask

from codesign.core import web


def init_app(app: Flask) -> None:
    web.init_app(app)
