"""Endpoints of monitoring (API.md): the reporting calendar."""
from __future__ import annotations

from codesign.api import bp, list_response, page_args, require_caller
from codesign.monitoring import operations as monitoring
from codesign.proposals import operations as props


@bp.get("/proposals/<int:proposal_id>/reports")
def list_reports(proposal_id: int):
    user = require_caller()
    limit, offset = page_args()
    rows, total = monitoring.reports(user, props.get_visible(user, proposal_id), limit=limit, offset=offset)
    return list_response([monitoring.to_dict(r) for r in rows], total)
