"""Pages of the co-design tables (filled in below)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("tables", __name__)
