"""The evaluation committee, conflict declarations, reviews and the approved ranking."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from codesign.db import UTCDateTime, db, utcnow


class CommitteeMember(db.Model):
    __tablename__ = "committee_members"
    __table_args__ = (sa.UniqueConstraint("procedure_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(sa.ForeignKey("procedures.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    substitute: Mapped[bool] = mapped_column(default=False)
    appointed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", lazy="joined", innerjoin=True)


class ConflictDeclaration(db.Model):
    __tablename__ = "conflict_declarations"
    __table_args__ = (sa.UniqueConstraint("proposal_id", "user_id"),
                      sa.CheckConstraint("NOT conflict OR note IS NOT NULL", name="conflict_has_note"))

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    conflict: Mapped[bool]
    note: Mapped[str | None] = mapped_column(sa.Text)
    declared_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Review(db.Model):
    __tablename__ = "reviews"
    __table_args__ = (sa.UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    final: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    finalized_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    scores: Mapped[list["ReviewScore"]] = relationship(back_populates="review", cascade="all, delete-orphan",
                                                       lazy="selectin", order_by="ReviewScore.id")

    __mapper_args__ = {"version_id_col": version}


class ReviewScore(db.Model):
    __tablename__ = "review_scores"
    __table_args__ = (sa.UniqueConstraint("review_id", "criterion_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(sa.ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    criterion_code: Mapped[str] = mapped_column(sa.String(20))
    value: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    reason: Mapped[str | None] = mapped_column(sa.Text)

    review: Mapped[Review] = relationship(back_populates="scores")


class ApprovedRanking(db.Model):
    """The ranking as approved: an act, stored once and shown as it was, whatever the code does later."""

    __tablename__ = "approved_rankings"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(sa.ForeignKey("procedures.id"), unique=True)
    approved_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    act_ref: Mapped[str | None] = mapped_column(sa.String(200))
    data: Mapped[dict] = mapped_column(sa.JSON)
    # The anonymised scores the ranking was computed from (evaluation.open_scores), kept as the exact text
    # published, so its SHA-256 never changes; absent for rankings approved before it was kept.
    scores: Mapped[str | None] = mapped_column(sa.Text)
    # What decided each proposal's outcome (operations.explain_outcomes), keyed by its id as text: its rank, its
    # scores before re-scaling, the rule (threshold, a criterion's minimum, the lot's budget when its turn came);
    # absent for rankings approved before it was kept.
    explanations: Mapped[dict | None] = mapped_column(sa.JSON)
