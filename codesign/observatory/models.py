"""The catalogue of projects (DOMAIN.md, "The metropolitan observatory"): one row per project, of either origin.

A `procedure` project is a proposal of a codesign call from `agreement_signed` on: its row links the proposal and
says where it runs; its title, amounts, dates and state are read from the agreement and monitoring, never copied.
An `external` project (funded elsewhere: PNRR, PON Metro, Bando Periferie, own funds) holds its own data; its
current paid amount, progress and state are those of its latest entry in `project_updates` (by date, then by
entry), kept on the row so that lists read one table.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from codesign.db import Money, UTCDateTime, db, utcnow

ORIGINS = ("procedure", "external")
STATES = ("planned", "in_progress", "completed", "interrupted")
ENTRY_KINDS = ("create", "edit", "import", "update")


def _in(column: str, values) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class Project(db.Model):
    __tablename__ = "projects"
    __table_args__ = (
        sa.CheckConstraint(_in("origin", ORIGINS), name="origin_valid"),
        sa.CheckConstraint("(origin = 'procedure' AND proposal_id IS NOT NULL) OR "
                           "(origin = 'external' AND proposal_id IS NULL)", name="origin_source"),
        sa.CheckConstraint("state IS NULL OR " + _in("state", STATES), name="state_valid"),
        sa.CheckConstraint("progress_pct IS NULL OR (progress_pct >= 0 AND progress_pct <= 100)",
                           name="progress_range"),
        sa.CheckConstraint("municipio IS NULL OR (municipio >= 1 AND municipio <= 9)", name="municipio_range"),
        sa.CheckConstraint("nil IS NULL OR (nil >= 1 AND nil <= 88)", name="nil_range"),
        sa.CheckConstraint("planned_start IS NULL OR planned_end IS NULL OR planned_end >= planned_start",
                           name="planned_ordered"),
        sa.CheckConstraint("actual_start IS NULL OR actual_end IS NULL OR actual_end >= actual_start",
                           name="actual_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    origin: Mapped[str] = mapped_column(sa.String(20))
    proposal_id: Mapped[int | None] = mapped_column(sa.ForeignKey("proposals.id"), unique=True)
    cup: Mapped[str | None] = mapped_column(sa.String(15), unique=True)
    title: Mapped[str | None] = mapped_column(sa.String(500))
    description: Mapped[str | None] = mapped_column(sa.Text)
    programme: Mapped[str | None] = mapped_column(sa.String(300))
    theme: Mapped[str | None] = mapped_column(sa.String(200))
    municipality: Mapped[str | None] = mapped_column(sa.String(6), index=True)   # ISTAT code
    municipio: Mapped[int | None]      # Milan's projects only: its Municipio (1-9)
    nil: Mapped[int | None]            # Milan's projects only: its neighbourhood (NIL, 1-88, core.territory)
    beneficiary_name: Mapped[str | None] = mapped_column(sa.String(300))
    beneficiary_tax_code: Mapped[str | None] = mapped_column(sa.String(16))
    administration_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    public_funding: Mapped[Decimal | None] = mapped_column(Money)
    other_funding: Mapped[Decimal | None] = mapped_column(Money)
    paid_amount: Mapped[Decimal | None] = mapped_column(Money)
    planned_start: Mapped[dt.date | None]
    planned_end: Mapped[dt.date | None]
    actual_start: Mapped[dt.date | None]
    actual_end: Mapped[dt.date | None]
    state: Mapped[str | None] = mapped_column(sa.String(20))
    progress_pct: Mapped[int | None]
    last_entry_on: Mapped[dt.date | None]   # the day of the latest entry (stale after six months without one)
    good_practice: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ProjectUpdate(db.Model):
    """A dated entry of an external project's progress (stato di avanzamento): an update, or the values that its
    registration, an edit or an import set on the day it was made. Kept, never edited."""

    __tablename__ = "project_updates"
    __table_args__ = (
        sa.CheckConstraint(_in("kind", ENTRY_KINDS), name="kind_valid"),
        sa.CheckConstraint("state IS NULL OR " + _in("state", STATES), name="state_valid"),
        sa.CheckConstraint("progress_pct IS NULL OR (progress_pct >= 0 AND progress_pct <= 100)",
                           name="progress_range"),
        sa.CheckConstraint("paid_amount IS NULL OR paid_amount >= 0", name="paid_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    date: Mapped[dt.date]
    paid_amount: Mapped[Decimal | None] = mapped_column(Money)
    progress_pct: Mapped[int | None]
    state: Mapped[str | None] = mapped_column(sa.String(20))
    note: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
