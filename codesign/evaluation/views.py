"""Pages of the evaluation: the evaluator's queue and scoring form, the admin's committee and progress
board, the ranking (graduatoria) with its CSV and PDF."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("evaluation", __name__)
