"""Service functions of monitoring: the reporting calendar (effect of the proposal's `start`) and the reports."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from codesign.agreements.operations import agreement_of
from codesign.core.calendar import add_months, rome_today
from codesign.core.workflow import Context
from codesign.db import db, utcnow
from codesign.monitoring.models import Report
from codesign.proposals.models import Proposal
from codesign.tables import permissions

DUE_AFTER_DAYS = 30
OPEN_STATES = ("due", "returned")


def calendar(start: dt.date, monitoring_months: int, every_months: int) -> list[tuple[dt.date, dt.date, dt.date]]:
    """DOMAIN.md: period N runs from start + (N-1) x period to the day before start + N x period (both ends
    inclusive), until the monitoring duration ends; each is due 30 days after its last day."""
    out = []
    n = 1
    end_of_monitoring = add_months(start, monitoring_months) - dt.timedelta(days=1)
    while True:
        first = add_months(start, (n - 1) * every_months)
        if first > end_of_monitoring:
            break
        last = min(add_months(start, n * every_months) - dt.timedelta(days=1), end_of_monitoring)
        out.append((first, last, last + dt.timedelta(days=DUE_AFTER_DAYS)))
        n += 1
    return out


def generate_calendar(ctx: Context) -> None:
    """Effect of `start` (after the agreement's effect recorded the start date)."""
    p = ctx.row
    agreement = agreement_of(p)
    proc = p.procedure
    periods = calendar(agreement.started_on, proc.monitoring_months or 0, proc.reporting_every_months or 0) \
        if proc.monitoring_months and proc.reporting_every_months else []
    for i, (first, last, due) in enumerate(periods, start=1):
        db.session.add(Report(proposal_id=p.id, number=i, period_start=first, period_end=last, due_on=due,
                              final=i == len(periods), state="due", indicators={}, expenses=[]))


def reports(user, proposal: Proposal, *, limit=100, offset=0) -> tuple[list[Report], int]:
    permissions.require_party(user, proposal)
    q = sa.select(Report).where(Report.proposal_id == proposal.id)
    total = db.session.execute(sa.select(sa.func.count()).select_from(q.subquery())).scalar_one()
    rows = db.session.execute(q.order_by(Report.number).limit(limit).offset(offset)).unique().scalars().all()
    return list(rows), total


def is_late(report: Report, now=None) -> bool:
    return report.state in OPEN_STATES and rome_today(now or utcnow()) > report.due_on


def to_dict(r: Report, *, now=None) -> dict:
    return {"id": r.id, "proposal_id": r.proposal_id, "number": r.number,
            "period_start": r.period_start.isoformat(), "period_end": r.period_end.isoformat(),
            "due_on": r.due_on.isoformat(), "state": r.state, "late": is_late(r, now), "final": r.final}
