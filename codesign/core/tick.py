"""Time-driven work, run by `codesign tick` (cron or a timer), never inside a web request.

Each module registers its jobs at `init_app` (`register(app, job)`), in lifecycle order; a job is a
function `(now) -> list of report lines`, idempotent, taking row locks, so two runs at once do the
work once. Then the uploads a killed process left half-stored are settled (core.files.settle_incoming), and the
outbox is drained last, so that the messages the jobs queued leave in the same run.
"""
from __future__ import annotations

import datetime as dt

from flask import Flask, current_app

from codesign.core import files, mail
from codesign.db import db

EXTENSION = "codesign_tick_jobs"


def register(app: Flask, job) -> None:
    jobs = app.extensions.setdefault(EXTENSION, [])
    if job not in jobs:
        jobs.append(job)


def run_tick(now: dt.datetime) -> list[str]:
    report = []
    for job in [*current_app.extensions.get(EXTENSION, []), files.settle_incoming, mail.drain_outbox]:
        lines = job(now)
        db.session.commit()
        report.extend(lines)
    if not report:
        report.append("Nessuna operazione da eseguire.")
    return report
