"""Office duties: the schedules the catalogue sync archived, completions, and their attachments.

Append-only: a schedule row is never changed (a new row takes over from the next sync on), a
completion is never changed or deleted, and an attachment is stored once per content hash.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.storage.db import HASH_LENGTH, JSONType, Model, UTCDateTime, utcnow
from tracker.storage.models.people import User

DUTY_ID_LENGTH = 100  # a duty id, or "review:" and a policy id for a policy's periodic review


class DutySchedule(Model):
    """One duty's definition as the catalogue sync found it, in force from ``in_force_from`` until
    the next row of the same duty; ``definition`` None means the duty was retired then."""

    __tablename__ = "duty_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    duty_id: Mapped[str] = mapped_column(String(DUTY_ID_LENGTH), index=True)
    definition: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    in_force_from: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DutyAttachment(Model):
    """A small file kept as proof (a signed log, a vendor's report), stored once by its SHA-256."""

    __tablename__ = "duty_attachments"

    sha256: Mapped[str] = mapped_column(String(HASH_LENGTH), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DutyCompletion(Model):
    """The owner (or a manager) did a duty at a place (a location, or None for the office)."""

    __tablename__ = "duty_completions"

    id: Mapped[int] = mapped_column(primary_key=True)
    duty_id: Mapped[str] = mapped_column(String(DUTY_ID_LENGTH), index=True)
    location_id: Mapped[str | None] = mapped_column(ForeignKey("locations.id"))
    completed_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    attachment_sha256: Mapped[str | None] = mapped_column(ForeignKey("duty_attachments.sha256"))
    attachment_name: Mapped[str] = mapped_column(String(200), default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[User] = relationship()
