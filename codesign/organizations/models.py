"""Administrations and Third Sector bodies, and who belongs to them."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from codesign.core.enums import OrgKind, Role
from codesign.db import UTCDateTime, db, utcnow


class Organization(db.Model):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    kind: Mapped[OrgKind] = mapped_column(sa.Enum(OrgKind, native_enum=False, length=10, validate_strings=True,
                                                  values_callable=lambda e: [m.value for m in e]))
    tax_code: Mapped[str | None] = mapped_column(sa.String(16), unique=True)
    runts_id: Mapped[str | None] = mapped_column(sa.String(50))
    pec: Mapped[str | None] = mapped_column(sa.String(254))
    municipality: Mapped[str | None] = mapped_column(sa.String(120))
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
    role: Mapped[Role] = mapped_column(sa.Enum(Role, native_enum=False, length=20, validate_strings=True,
                                               values_callable=lambda e: [m.value for m in e]))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped["User"] = relationship(back_populates="memberships")  # noqa: F821
    organization: Mapped[Organization | None] = relationship(back_populates="memberships", lazy="joined")
