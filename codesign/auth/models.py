"""People and their API tokens."""
from __future__ import annotations

import datetime as dt
import hashlib

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from codesign.core.enums import Role
from codesign.db import UTCDateTime, db, utcnow


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (sa.CheckConstraint("email = lower(email)", name="email_lowercase"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # The system user that `codesign tick` acts as: it cannot log in.
    is_system: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the person proved the address is theirs (a link mailed to it, opened); None: not yet.
    email_verified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The privacy notice's version the person declared to have read at registration, and when.
    privacy_version: Mapped[str | None] = mapped_column(sa.String(20))
    privacy_accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Part of the session cookie's user id: raised at logout and at password change, it ends every
    # session issued before (a copied cookie included).
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # The language the person reads the site and their mail in ("it", "en"); None: not chosen (Italian).
    locale: Mapped[str | None] = mapped_column(sa.String(5))

    memberships: Mapped[list["Membership"]] = relationship(  # noqa: F821
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def activated(self) -> bool:
        """Whether the person has chosen a password (someone invited has not, until they open the link)."""
        return self.password_hash is not None

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active and not self.is_system

    def get_id(self) -> str:  # Flask-Login: what the session cookie keeps
        return f"{self.id}:{self.session_version}"

    def has_role(self, role: Role) -> bool:
        return any(m.role == role for m in self.memberships)

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.admin)

    @property
    def is_evaluator(self) -> bool:
        return self.has_role(Role.evaluator)

    @property
    def is_applicant(self) -> bool:
        return self.has_role(Role.applicant)

    @property
    def administration_ids(self) -> set[int]:
        """The administrations this user works for as an admin."""
        return {m.organization_id for m in self.memberships if m.role == Role.admin}

    @property
    def body_ids(self) -> set[int]:
        """The organisations (Third Sector bodies) this user is a member of."""
        return {m.organization_id for m in self.memberships if m.role == Role.applicant and m.organization_id}

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class ApiToken(db.Model):
    """A bearer token. Only its SHA-256 is stored, indexed, so a lookup is one query."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class LoginThrottle(db.Model):
    """Login attempts in the current window, per account and per client address (auth/throttle.py).

    `key` is the SHA-256 of "account:<e-mail>" or "address:<ip>", so no e-mail or address is kept in clear.
    """

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    window_start: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(default=0)


class OneTimeLink(db.Model):
    """A link sent by e-mail that works once, for a while (password reset; invitations later). Only the
    SHA-256 of its secret is stored, so a copy of the database opens nothing."""

    __tablename__ = "one_time_links"
    __table_args__ = (sa.CheckConstraint("purpose IN ('reset', 'invite', 'verify')", name="purpose_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(20))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
