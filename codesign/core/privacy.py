"""The privacy notice's version: the day of its text (templates/pages/privacy.html). A person's consent is recorded
with the version they read; changing the notice's text means a new version here."""
from __future__ import annotations

import datetime as dt

NOTICE_VERSION = "2026-12-06"


def notice_date() -> dt.date:
    return dt.date.fromisoformat(NOTICE_VERSION)
