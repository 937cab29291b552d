"""The agreement of a finalized project: its terms, the recorded checks, its signature and start."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from codesign.db import UTCDateTime, db, utcnow


class Agreement(db.Model):
    __tablename__ = "agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"), unique=True)
    version_number: Mapped[int]                    # the final project version it is drawn from
    start_date: Mapped[dt.date]                    # planned; `start` records the actual one
    cup: Mapped[str | None] = mapped_column(sa.String(15))
    municipality: Mapped[str | None] = mapped_column(sa.String(120))   # where the project runs (transparency, map)
    premises: Mapped[list] = mapped_column(sa.JSON, default=list)            # [{address, description}]
    tranches: Mapped[list] = mapped_column(sa.JSON, default=list)            # [{number, pct, after, report_number}]
    declaration_checks: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # {runts, durc, antimafia, criminal_records}
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    ready_notified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    signed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    signed_attachment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("attachments.id"))
    started_on: Mapped[dt.date | None]
    premises_handed_over_on: Mapped[dt.date | None]

    proposal = relationship("Proposal", lazy="joined", innerjoin=True)
