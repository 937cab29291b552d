"""Funding opportunities (bandi di finanziamento): regional, national, European and foundations' calls that the
territory's municipalities and bodies could answer (DOMAIN.md, "Funding opportunities")."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from codesign.db import Money, UTCDateTime, db, utcnow

FUNDER_LEVELS = ("eu", "national", "regional", "foundation")
APPLICANTS = ("municipality", "ets", "partnership")


class Opportunity(db.Model):
    __tablename__ = "opportunities"
    __table_args__ = (
        sa.CheckConstraint("funder_level IN (" + ", ".join(f"'{v}'" for v in FUNDER_LEVELS) + ")",
                           name="funder_level_valid"),
        sa.CheckConstraint("deadline >= opens_on", name="deadline_after_opening"),
        sa.CheckConstraint("budget >= 0", name="budget_not_negative"),
        sa.CheckConstraint("cofinancing_min_pct IS NULL OR (cofinancing_min_pct >= 0 AND cofinancing_min_pct <= 100)",
                           name="cofinancing_range"),
        sa.Index("ix_opportunities_open", "opens_on", "deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(500))
    funder_level: Mapped[str] = mapped_column(sa.String(20))
    funder: Mapped[str] = mapped_column(sa.String(300))
    programme: Mapped[str] = mapped_column(sa.String(300))
    link: Mapped[str] = mapped_column(sa.String(1000))
    eligible: Mapped[list] = mapped_column(sa.JSON)            # a subset of APPLICANTS
    themes: Mapped[list] = mapped_column(sa.JSON)              # labels (OpenCoesione's synthetic themes offered)
    territory: Mapped[list | None] = mapped_column(sa.JSON)    # ISTAT codes; None: the whole territory
    budget: Mapped[Decimal] = mapped_column(Money)
    max_grant: Mapped[Decimal | None] = mapped_column(Money)
    cofinancing_min_pct: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 2))
    opens_on: Mapped[dt.date]
    deadline: Mapped[dt.date]                                  # the last day applications are taken (Rome)
    administration_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Follow(db.Model):
    """A signed-in person following an opportunity: reminded by mail 15 and 3 days before its deadline, once each
    (`reminded_15_at`, `reminded_3_at`: set by the one tick that sends it), and shown in their calendar feed."""

    __tablename__ = "opportunity_follows"
    __table_args__ = (sa.UniqueConstraint("opportunity_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(sa.ForeignKey("opportunities.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    reminded_15_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reminded_3_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    opportunity: Mapped[Opportunity] = relationship(lazy="joined")


APPLICATION_STATES = ("interested", "submitted", "funded", "not_funded")


class Application(db.Model):
    """Who answers an opportunity, recorded by the office (DOMAIN.md: `interested`, `submitted`, `funded`,
    `not_funded`): a lead — a municipality (ISTAT code) or a registered body — and partners of both kinds (a
    network of projects). A funded application becomes an external project of the observatory (`project_id`),
    which keeps the link to the opportunity."""

    __tablename__ = "opportunity_applications"
    __table_args__ = (
        sa.CheckConstraint("state IN (" + ", ".join(f"'{v}'" for v in APPLICATION_STATES) + ")",
                           name="state_valid"),
        sa.CheckConstraint("(lead_municipality IS NULL) <> (lead_organization_id IS NULL)", name="one_lead"),
        sa.CheckConstraint("requested_amount IS NULL OR requested_amount >= 0", name="requested_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(sa.ForeignKey("opportunities.id"), index=True)
    state: Mapped[str] = mapped_column(sa.String(20), default="interested")
    version: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(sa.String(500))                    # the project proposed
    lead_municipality: Mapped[str | None] = mapped_column(sa.String(6))  # ISTAT code
    lead_organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    partner_municipalities: Mapped[list] = mapped_column(sa.JSON, default=list)    # ISTAT codes
    partner_organization_ids: Mapped[list] = mapped_column(sa.JSON, default=list)  # registered bodies
    requested_amount: Mapped[Decimal | None] = mapped_column(Money)
    note: Mapped[str | None] = mapped_column(sa.Text)
    project_id: Mapped[int | None] = mapped_column(sa.ForeignKey("projects.id"), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    opportunity: Mapped[Opportunity] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}


class Notice(db.Model):
    """The office proposing an opportunity to a municipality (the admins of its administration in codesign) or to
    a body (its members): one message each through the outbox, once per party and opportunity (the unique
    constraints; a NULL column never collides)."""

    __tablename__ = "opportunity_notices"
    __table_args__ = (
        sa.UniqueConstraint("opportunity_id", "municipality"),
        sa.UniqueConstraint("opportunity_id", "organization_id"),
        sa.CheckConstraint("(municipality IS NULL) <> (organization_id IS NULL)", name="one_party"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(sa.ForeignKey("opportunities.id"), index=True)
    municipality: Mapped[str | None] = mapped_column(sa.String(6))            # ISTAT code
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    message: Mapped[str | None] = mapped_column(sa.Text)
    recipients: Mapped[int] = mapped_column(default=0)                       # messages queued
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
