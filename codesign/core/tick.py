"""Time-driven work, run by `codesign tick` (cron or a timer), never inside a web request.

Each job is idempotent and takes row locks, so two runs at once do the work once.
"""
from __future__ import annotations

import datetime as dt

# Each job is a function (now) -> list of report lines; modules register theirs here.
JOBS: list = []


def register(job):
    JOBS.append(job)
    return job


def run_tick(now: dt.datetime) -> list[str]:
    from codesign.db import db
    from codesign.models import load_all

    load_all()
    import codesign.procedures.tick  # noqa: F401  (registers its jobs; mail last, to send what they queued)
    import codesign.core.mail  # noqa: F401

    report = []
    for job in JOBS:
        lines = job(now)
        db.session.commit()
        report.extend(lines)
    if not report:
        report.append("Nessuna operazione da eseguire.")
    return report
