"""The call (avviso di istruttoria pubblica): lots, criteria, and the procedure's state."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from codesign.core import files
from codesign.db import Money, UTCDateTime, db, utcnow

ROME = ZoneInfo("Europe/Rome")
QUESTION_DAYS_BEFORE = 5  # questions are taken until five days before the submission deadline, unless the call says
DOCUMENT_KINDS = ("call", "annex", "form", "act")  # the avviso, an annex, a form to fill in, an approving act

PROCEDURE_STATES = ("draft", "published", "closed", "admissibility", "evaluation", "ranked", "codesign",
                    "agreements", "implementation", "concluded", "cancelled")


class Procedure(db.Model):
    __tablename__ = "procedures"
    __table_args__ = (
        sa.CheckConstraint("state IN (" + ", ".join(f"'{s}'" for s in PROCEDURE_STATES) + ")", name="state_valid"),
        sa.CheckConstraint("scoring IS NULL OR scoring IN ('points', 'coefficients')", name="scoring_valid"),
        sa.CheckConstraint("state <> 'cancelled' OR cancel_reason IS NOT NULL", name="cancel_has_reason"),
        sa.CheckConstraint("state IN ('draft', 'cancelled') OR published_at IS NOT NULL", name="published_has_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    administration_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    state: Mapped[str] = mapped_column(sa.String(20), default="draft", index=True)
    version: Mapped[int] = mapped_column(default=1)

    title: Mapped[str] = mapped_column(sa.String(400))
    programme: Mapped[str | None] = mapped_column(sa.String(300))
    cup: Mapped[str | None] = mapped_column(sa.String(15))
    rup: Mapped[str | None] = mapped_column(sa.String(200))
    office: Mapped[str | None] = mapped_column(sa.String(200))
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))   # where to write for information
    contact_phone: Mapped[str | None] = mapped_column(sa.String(40))
    questions_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # None: five days before the deadline
    act_ref: Mapped[str | None] = mapped_column(sa.String(200))
    min_publication_days: Mapped[int | None]
    budget_total: Mapped[Decimal | None] = mapped_column(Money)
    funding_sources: Mapped[list] = mapped_column(sa.JSON, default=list)      # [{code, share_pct}]
    cofinancing_min_pct: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 2))
    submission_deadline: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    codesign_months: Mapped[int | None]
    startup_months: Mapped[int | None]
    monitoring_months: Mapped[int | None]
    reporting_every_months: Mapped[int | None]
    scoring: Mapped[str | None] = mapped_column(sa.String(20))
    rescale: Mapped[bool] = mapped_column(default=False)
    threshold: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 2))
    tie_break_criterion: Mapped[str | None] = mapped_column(sa.String(20))
    declarations: Mapped[list] = mapped_column(sa.JSON, default=list)          # [{code, text}]
    required_attachments: Mapped[list] = mapped_column(sa.JSON, default=list)  # [{kind, title}]
    indicators: Mapped[list] = mapped_column(sa.JSON, default=list)            # [{code, title, unit}]

    last_protocol: Mapped[int] = mapped_column(default=0)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    administration = relationship("Organization", lazy="joined")
    lots: Mapped[list["Lot"]] = relationship(back_populates="procedure", order_by="Lot.position",
                                             cascade="all, delete-orphan", lazy="selectin")
    criteria: Mapped[list["Criterion"]] = relationship(back_populates="procedure", order_by="Criterion.position",
                                                       cascade="all, delete-orphan", lazy="selectin")

    __mapper_args__ = {"version_id_col": version}

    def lot_by_code(self, code: str) -> "Lot | None":
        return next((lot for lot in self.lots if lot.code == code), None)

    def deadline_passed(self, now: dt.datetime) -> bool:
        return self.submission_deadline is not None and now >= self.submission_deadline

    def open_for_proposals(self, now: dt.datetime) -> bool:
        """Published, with a deadline not yet passed: proposals are taken (and the deadline may be extended)."""
        return self.state == "published" and self.submission_deadline is not None and now < self.submission_deadline

    @property
    def question_deadline(self) -> dt.datetime | None:
        """Until when questions are taken: the call's own term, else five days before the submission deadline
        (the same hour, in Rome's calendar)."""
        if self.questions_until is not None or self.submission_deadline is None:
            return self.questions_until
        local = self.submission_deadline.astimezone(ROME) - dt.timedelta(days=QUESTION_DAYS_BEFORE)  # wall time
        return local.astimezone(dt.timezone.utc)


class Lot(db.Model):
    __tablename__ = "lots"
    __table_args__ = (sa.UniqueConstraint("procedure_id", "code"),
                      sa.CheckConstraint("budget >= 0", name="budget_not_negative"))

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(sa.ForeignKey("procedures.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    code: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.String(300))
    budget: Mapped[Decimal] = mapped_column(Money)

    procedure: Mapped[Procedure] = relationship(back_populates="lots")


class Criterion(db.Model):
    __tablename__ = "criteria"
    __table_args__ = (sa.UniqueConstraint("procedure_id", "code"),
                      sa.CheckConstraint("max_points > 0", name="max_positive"),
                      sa.CheckConstraint("min_points IS NULL OR (min_points >= 0 AND min_points <= max_points)",
                                         name="min_within_max"))

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(sa.ForeignKey("procedures.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    code: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.String(400))
    max_points: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2))
    min_points: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))

    procedure: Mapped[Procedure] = relationship(back_populates="criteria")


class CallDocument(db.Model):
    """A document of the call, public with it: the avviso, its annexes, the forms, the acts that approve it. Added
    at any time by the call's administration; removed only while the call is a draft (once published it stays on
    file, dated)."""
    __tablename__ = "call_documents"
    __table_args__ = (sa.CheckConstraint("kind IN (" + ", ".join(f"'{k}'" for k in DOCUMENT_KINDS) + ")",
                                         name="kind_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(sa.ForeignKey("procedures.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    title: Mapped[str] = mapped_column(sa.String(300))
    name: Mapped[str] = mapped_column(sa.String(255))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CallQuestion(db.Model):
    """A question on the call and, once the administration answers, a published clarification (dated, without the
    asker's name). A clarification the administration publishes of its own has no asker."""
    __tablename__ = "call_questions"
    __table_args__ = (sa.CheckConstraint("(answer IS NULL) = (answered_at IS NULL)", name="answer_has_date"),
                      sa.Index("ix_call_questions_procedure", "procedure_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(sa.ForeignKey("procedures.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(sa.Text)
    asked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    asked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    answer: Mapped[str | None] = mapped_column(sa.Text)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # the clarification's date



class CallNotice(db.Model):
    """A dated notice on a published call: an erratum (avviso di rettifica) the administration writes, or the
    extension of the deadline (proroga), with the deadline before and after. Public with the call; never removed."""
    __tablename__ = "call_notices"
    __table_args__ = (sa.CheckConstraint("kind IN ('erratum', 'extension')", name="kind_valid"),
                      sa.CheckConstraint("kind <> 'erratum' OR (title IS NOT NULL AND text IS NOT NULL)",
                                         name="erratum_has_text"),
                      sa.CheckConstraint("kind <> 'extension' OR (previous_deadline IS NOT NULL AND "
                                         "new_deadline IS NOT NULL)", name="extension_has_dates"),
                      sa.Index("ix_call_notices_procedure", "procedure_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(sa.ForeignKey("procedures.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str | None] = mapped_column(sa.Text)
    text: Mapped[str | None] = mapped_column(sa.Text)
    previous_deadline: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    new_deadline: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


files.holds_files(CallDocument.sha256)
