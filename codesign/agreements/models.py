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
    premises_handed_over_on: Mapped[dt.date | None]      # the last premises' hand-over (PremisesHandover)

    proposal = relationship("Proposal", lazy="joined", innerjoin=True)
    handovers: Mapped[list["PremisesHandover"]] = relationship(order_by="PremisesHandover.number", lazy="selectin",
                                                               back_populates="agreement")


class PremisesHandover(db.Model):
    """The hand-over of premises n of a signed agreement (consegna dei locali): the day, the state the premises
    were found in, the signed minutes (a PDF document of the proposal). `start` needs one for every premises the
    agreement lists; recorded again (corrected) until the project starts."""

    __tablename__ = "premises_handovers"
    __table_args__ = (sa.UniqueConstraint("agreement_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("agreements.id"), index=True)
    number: Mapped[int]                                  # from 1, in the order of `Agreement.premises`
    handed_over_on: Mapped[dt.date]
    condition: Mapped[str] = mapped_column(sa.Text)     # the state of the premises at the hand-over
    minutes_attachment_id: Mapped[int] = mapped_column(sa.ForeignKey("attachments.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    agreement: Mapped[Agreement] = relationship(back_populates="handovers")
    minutes = relationship("Attachment", lazy="joined", innerjoin=True)
