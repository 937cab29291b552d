"""Proposals, their attachments and the integration requests of the admissibility check."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from codesign.core import files
from codesign.db import Money, UTCDateTime, db, utcnow

PROPOSAL_STATES = ("draft", "submitted", "withdrawn", "integration_requested", "admissible", "excluded", "admitted",
                   "reserve", "below_threshold", "in_codesign", "finalized", "codesign_failed", "agreement_signed",
                   "started", "completed", "revoked")


class Proposal(db.Model):
    __tablename__ = "proposals"
    __table_args__ = (
        sa.CheckConstraint("state IN (" + ", ".join(f"'{s}'" for s in PROPOSAL_STATES) + ")", name="state_valid"),
        sa.UniqueConstraint("procedure_id", "protocol_number"),
        sa.CheckConstraint("requested_amount >= 0 AND cofinancing_amount >= 0", name="amounts_not_negative"),
        sa.CheckConstraint("state IN ('draft', 'withdrawn') OR protocol_number IS NOT NULL", name="submitted_numbered"),
        sa.Index("ix_proposals_procedure_state", "procedure_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(sa.ForeignKey("procedures.id"), index=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lots.id"), index=True)
    state: Mapped[str] = mapped_column(sa.String(30), default="draft")
    version: Mapped[int] = mapped_column(default=1)

    title: Mapped[str] = mapped_column(sa.String(400))
    summary: Mapped[str | None] = mapped_column(sa.Text)
    requested_amount: Mapped[Decimal] = mapped_column(Money)
    cofinancing_amount: Mapped[Decimal] = mapped_column(Money)
    partners: Mapped[list] = mapped_column(sa.JSON, default=list)        # [{name, tax_code, role}]

    protocol_number: Mapped[int | None]
    register_protocol: Mapped[str | None] = mapped_column(sa.String(100))  # the administration's own register
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    content_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    # The receipt as issued at submission, signed with the administration's key (core/receipts.py): the exact
    # file the body downloads and anyone verifies offline; absent for proposals submitted before receipts were signed.
    receipt: Mapped[str | None] = mapped_column(sa.Text)
    declarations: Mapped[dict] = mapped_column(sa.JSON, default=dict)     # {code: true} given at submit
    outcome_reason: Mapped[str | None] = mapped_column(sa.Text)           # exclusion or failure reason
    # set when the ranking is approved: the total shown in it, and the amount allotted to an admitted proposal
    ranking_total: Mapped[Decimal | None] = mapped_column(sa.Numeric(7, 2))
    allotted_amount: Mapped[Decimal | None] = mapped_column(Money)

    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    procedure = relationship("Procedure", lazy="joined", innerjoin=True)
    organization = relationship("Organization", lazy="joined", innerjoin=True)
    lot = relationship("Lot", lazy="joined", innerjoin=True)
    attachments: Mapped[list["Attachment"]] = relationship(back_populates="proposal", order_by="Attachment.id",
                                                           lazy="selectin")
    integrations: Mapped[list["IntegrationRequest"]] = relationship(
        back_populates="proposal", order_by="IntegrationRequest.id", lazy="selectin")

    __mapper_args__ = {"version_id_col": version}

    @property
    def cofinancing_share(self) -> Decimal | None:
        total = (self.requested_amount or 0) + (self.cofinancing_amount or 0)
        if not total:
            return None
        return (Decimal(self.cofinancing_amount) * 100 / Decimal(total)).quantize(Decimal("0.01"))

    @property
    def open_integration(self) -> "IntegrationRequest | None":
        return next((i for i in reversed(self.integrations) if i.answered_at is None), None)


class Attachment(db.Model):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    name: Mapped[str] = mapped_column(sa.String(255))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # added while answering an integration request (soccorso istruttorio): never part of the content hash
    for_integration_id: Mapped[int | None] = mapped_column(sa.ForeignKey("integration_requests.id"))

    proposal: Mapped[Proposal] = relationship(back_populates="attachments")


class ProposalMessage(db.Model):
    """A message between the administration and the body about a proposal: the thread on file, read only by the
    two parties (its PDF, if any, is an attachment of kind `message`)."""
    __tablename__ = "proposal_messages"
    __table_args__ = (sa.CheckConstraint("side IN ('body', 'admin')", name="side_valid"),
                      sa.Index("ix_proposal_messages_thread", "proposal_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    side: Mapped[str] = mapped_column(sa.String(10))  # who wrote for whom: the body or the administration
    text: Mapped[str] = mapped_column(sa.Text)
    attachment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("attachments.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User", lazy="joined", innerjoin=True)
    attachment: Mapped[Attachment | None] = relationship(lazy="joined")


class IntegrationRequest(db.Model):
    __tablename__ = "integration_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    due: Mapped[dt.date]
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # the body reminded before the due day
    answer_note: Mapped[str | None] = mapped_column(sa.Text)
    declarations: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    proposal: Mapped[Proposal] = relationship(back_populates="integrations")


files.holds_files(Attachment.sha256)
