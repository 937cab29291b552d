"""Administrations and Third Sector bodies, and who belongs to them."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from codesign.core.enums import LegalForm, OrgKind, Position, Role
from codesign.db import UTCDateTime, db, utcnow


def _enum(cls, length: int) -> sa.Enum:
    return sa.Enum(cls, native_enum=False, length=length, validate_strings=True,
                   values_callable=lambda e: [m.value for m in e])


class Organization(db.Model):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    kind: Mapped[OrgKind] = mapped_column(_enum(OrgKind, 10))
    tax_code: Mapped[str | None] = mapped_column(sa.String(16), unique=True)
    runts_id: Mapped[str | None] = mapped_column(sa.String(50))
    pec: Mapped[str | None] = mapped_column(sa.String(254))
    municipality: Mapped[str | None] = mapped_column(sa.String(120))
    legal_form: Mapped[LegalForm | None] = mapped_column(_enum(LegalForm, 30))
    address: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list["Membership"]] = relationship(back_populates="organization")

    def __repr__(self) -> str:
        return f"<Organization {self.name}>"


class Membership(db.Model):
    """A capability of a user. `admin` always names its administration; `applicant` names the body the
    user belongs to, or none (the capability to register bodies); `evaluator` optionally names one."""

    __tablename__ = "memberships"
    __table_args__ = (
        sa.CheckConstraint("role <> 'admin' OR organization_id IS NOT NULL", name="admin_has_organization"),
        sa.UniqueConstraint("user_id", "organization_id", "role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role, 20))
    # In a body (role applicant): who represents it legally; the registrant is, until they name another.
    position: Mapped[Position] = mapped_column(_enum(Position, 30), default=Position.member,
                                               server_default=Position.member.value)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped["User"] = relationship(back_populates="memberships")  # noqa: F821
    organization: Mapped[Organization | None] = relationship(back_populates="memberships", lazy="joined")


class JoinRequest(db.Model):
    """A registered person asks to join a body ("Chiedi di unirti"); one of its members approves or refuses.
    One row per person and body: asking again after a refusal opens the same row again (the audit keeps each step)."""

    __tablename__ = "join_requests"
    __table_args__ = (sa.UniqueConstraint("organization_id", "user_id"),
                      sa.CheckConstraint("state IN ('pending', 'approved', 'refused')", name="state_valid"))

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(sa.String(10), default="pending")
    message: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    organization: Mapped[Organization] = relationship(lazy="joined")
    user: Mapped["User"] = relationship(foreign_keys=[user_id], lazy="joined")  # noqa: F821
