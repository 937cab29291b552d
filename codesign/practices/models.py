"""Good practices (DOMAIN.md, "The metropolitan observatory"): an admin marks a project of the catalogue as a
good practice with a public write-up (what, for whom, results, what others can reuse), photos and a contact.
The project's `good_practice` flag says whether it is listed; the write-up stays when the mark is removed, so
that marking it again restores it."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from codesign.core import files
from codesign.db import UTCDateTime, db, utcnow

MAX_PHOTOS = 8


class GoodPractice(db.Model):
    __tablename__ = "good_practices"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), unique=True)
    what: Mapped[str] = mapped_column(sa.Text)          # what was done
    audience: Mapped[str] = mapped_column(sa.Text)      # for whom
    results: Mapped[str] = mapped_column(sa.Text)
    reuse: Mapped[str] = mapped_column(sa.Text)         # what others can reuse
    contact_name: Mapped[str] = mapped_column(sa.String(200))
    contact_email: Mapped[str] = mapped_column(sa.String(254))
    contact_phone: Mapped[str | None] = mapped_column(sa.String(40))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    photos: Mapped[list[PracticePhoto]] = relationship(order_by="PracticePhoto.id", back_populates="practice")


class PracticePhoto(db.Model):
    """A photo of a good practice, kept re-encoded at two sizes in the file store (core.files), with the text that
    says what it shows (its alternative text)."""

    __tablename__ = "practice_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(sa.ForeignKey("good_practices.id"), index=True)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    thumb_sha256: Mapped[str] = mapped_column(sa.String(64))
    width: Mapped[int]
    height: Mapped[int]
    caption: Mapped[str] = mapped_column(sa.String(300))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    practice: Mapped[GoodPractice] = relationship(back_populates="photos")


files.holds_files(PracticePhoto.sha256, PracticePhoto.thumb_sha256)
