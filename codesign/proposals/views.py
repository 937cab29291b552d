"""Pages for proposals: the applicant's dashboard, draft form, receipt; the admin's admissibility pages."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("proposals", __name__)
