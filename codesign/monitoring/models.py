"""The reports (relazioni / rendicontazioni) of a started project, one per reporting period."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from codesign.db import Money, UTCDateTime, db, utcnow

REPORT_STATES = ("due", "submitted", "approved", "returned")


class Report(db.Model):
    __tablename__ = "reports"
    __table_args__ = (
        sa.UniqueConstraint("proposal_id", "number"),
        sa.CheckConstraint("state IN (" + ", ".join(f"'{s}'" for s in REPORT_STATES) + ")", name="state_valid"),
        sa.CheckConstraint("period_end >= period_start", name="period_ordered"),
        sa.Index("ix_reports_state_due_on", "state", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"), index=True)
    number: Mapped[int]
    period_start: Mapped[dt.date]
    period_end: Mapped[dt.date]
    due_on: Mapped[dt.date]
    final: Mapped[bool] = mapped_column(default=False)   # the last report of the calendar
    state: Mapped[str] = mapped_column(sa.String(20), default="due")
    version: Mapped[int] = mapped_column(default=1)

    narrative: Mapped[str | None] = mapped_column(sa.Text)
    indicators: Mapped[dict] = mapped_column(sa.JSON, default=dict)     # {code: "value"}
    expenses: Mapped[list] = mapped_column(sa.JSON, default=list)  # [{category, funding_source, amount, description, receipts}]
    cofinancing_amount: Mapped[Decimal | None] = mapped_column(Money)
    sustainability: Mapped[str | None] = mapped_column(sa.Text)
    overspending_justification: Mapped[str | None] = mapped_column(sa.Text)   # why spending exceeds the budget
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    return_reason: Mapped[str | None] = mapped_column(sa.Text)
    late_flagged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    proposal = relationship("Proposal", lazy="joined", innerjoin=True)
    submissions: Mapped[list["ReportSubmission"]] = relationship(order_by="ReportSubmission.number", lazy="select")
    reminders: Mapped[list["ReportReminder"]] = relationship(order_by="ReportReminder.sent_at", lazy="selectin",
                                                             back_populates="report")
    receipts: Mapped[list["ExpenseReceipt"]] = relationship(order_by="ExpenseReceipt.id", lazy="select",
                                                            back_populates="report")

    __mapper_args__ = {"version_id_col": version}


class ReportReminder(db.Model):
    """A reminder sent to the body about a report still to submit (monitoring.operations.REMINDERS): at most one
    of each kind per report, which the unique constraint holds even against two ticks at once."""

    __tablename__ = "report_reminders"
    __table_args__ = (
        sa.UniqueConstraint("report_id", "kind"),
        sa.CheckConstraint("kind IN ('before', 'due', 'after')", name="kind_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("reports.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    report: Mapped[Report] = relationship(back_populates="reminders")


class ExpenseReceipt(db.Model):
    """A receipt (giustificativo: invoice, payslip, ticket) uploaded for a report: a document of the proposal
    (`expense_receipt`, read by the body and the administration) that the report's expense lines name by its
    attachment id (`expenses[n].receipts`). Kept once a submission named it, so every submitted version keeps
    its proof; one never submitted goes with the last line that named it."""

    __tablename__ = "expense_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("reports.id"), index=True)
    attachment_id: Mapped[int] = mapped_column(sa.ForeignKey("attachments.id"), unique=True)

    report: Mapped[Report] = relationship(back_populates="receipts")
    attachment = relationship("Attachment", lazy="joined", innerjoin=True)


class Payment(db.Model):
    """A tranche of the agreement paid to the body, recorded by the administration. Never deleted nor changed:
    a mistake is corrected by counter-entries (PaymentReversal); once reversed in full the payment is no longer
    `active` and the tranche can be paid again. A tranche has at most one active payment."""

    __tablename__ = "payments"
    __table_args__ = (
        sa.Index("uq_payments_active_tranche", "proposal_id", "tranche_number", unique=True,
                 sqlite_where=sa.text("active"), postgresql_where=sa.text("active")),
        sa.CheckConstraint("amount >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"), index=True)
    tranche_number: Mapped[int]
    amount: Mapped[Decimal] = mapped_column(Money)
    paid_on: Mapped[dt.date]
    reference: Mapped[str | None] = mapped_column(sa.String(200))   # the payment order (mandato di pagamento)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    reversals: Mapped[list["PaymentReversal"]] = relationship(order_by="PaymentReversal.id", lazy="selectin")

    @property
    def reversed_amount(self) -> Decimal:
        return sum((r.amount for r in self.reversals), Decimal("0.00"))

    @property
    def net_amount(self) -> Decimal:
        """What the payment still counts for: its amount less its counter-entries."""
        return self.amount - self.reversed_amount


class PaymentReversal(db.Model):
    """A counter-entry (storno) on a payment recorded by mistake or in excess: it never deletes the payment;
    totals, dashboards and open data use the net amount."""

    __tablename__ = "payment_reversals"
    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(sa.ForeignKey("payments.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    reason: Mapped[str] = mapped_column(sa.Text)
    reference: Mapped[str | None] = mapped_column(sa.String(200))
    reversed_on: Mapped[dt.date]
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReportSubmission(db.Model):
    """What a report held each time it was submitted (1, 2, … per report): kept, never edited, so that a
    resubmission after a return can be compared with the previous one."""

    __tablename__ = "report_submissions"
    __table_args__ = (sa.UniqueConstraint("report_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("reports.id"), index=True)
    number: Mapped[int]
    content: Mapped[dict] = mapped_column(sa.JSON)   # {narrative, indicators, expenses, cofinancing_amount, sustainability}
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
