"""Administrations and Third Sector bodies: an applicant's bodies pages."""
from __future__ import annotations

from flask import Flask

from codesign.organizations import models  # noqa: F401  (the module's tables)
from codesign.organizations.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
