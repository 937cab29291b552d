"""Pages for calls: the admin's list, create/edit, actions; the public list and call page."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("procedures", __name__)
