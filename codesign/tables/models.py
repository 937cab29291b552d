"""The co-design table of an admitted proposal: its meetings and the numbered versions of the project."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from codesign.db import Money, UTCDateTime, db, utcnow


class CodesignTable(db.Model):
    __tablename__ = "codesign_tables"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"), unique=True)
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    deadline: Mapped[dt.date]                      # opening + the call's co-design months (Europe/Rome)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(sa.String(20))            # finalized | failed
    final_version: Mapped[int | None]                                     # the version number finalized
    overdue_flagged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_activity_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    proposal = relationship("Proposal", lazy="joined", innerjoin=True)
    meetings: Mapped[list["Meeting"]] = relationship(back_populates="table", order_by="Meeting.held_at",
                                                     lazy="selectin")


class Meeting(db.Model):
    __tablename__ = "codesign_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    table_id: Mapped[int] = mapped_column(sa.ForeignKey("codesign_tables.id"), index=True)
    held_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(sa.String(300))
    participants: Mapped[list] = mapped_column(sa.JSON, default=list)     # ["name (role)", …]
    minutes: Mapped[str | None] = mapped_column(sa.Text)                  # the verbale, written after
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    table: Mapped[CodesignTable] = relationship(back_populates="meetings")


class ProjectVersion(db.Model):
    """A version of the project, never edited once saved: a change is a new version."""

    __tablename__ = "project_versions"
    __table_args__ = (sa.UniqueConstraint("proposal_id", "number"),
                      sa.CheckConstraint("number >= 1", name="number_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"), index=True)
    number: Mapped[int]
    summary: Mapped[str] = mapped_column(sa.Text)
    activities: Mapped[list] = mapped_column(sa.JSON, default=list)    # [{title, description, start_month, end_month}]
    budget_lines: Mapped[list] = mapped_column(sa.JSON, default=list)  # [{category, funding_source, amount: "…"}]
    requested_amount: Mapped[Decimal] = mapped_column(Money)
    cofinancing_amount: Mapped[Decimal] = mapped_column(Money)
    indicators: Mapped[list] = mapped_column(sa.JSON, default=list)    # [{code, target: "…"}]
    note: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
