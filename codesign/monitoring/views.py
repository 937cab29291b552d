"""Pages of monitoring (filled in below)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("monitoring", __name__)
