"""Training records: quiz attempts, in-person sessions and who attended, completions, late reasons.

Never changed or deleted; a wrong completion is corrected by a new one naming it in ``corrects_id``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.storage.db import JSONType, Model, UTCDateTime, utcnow
from tracker.storage.models.content import ModuleVersion
from tracker.storage.models.people import Staff

COMPLETION_METHODS = ("quiz", "in_person")


class QuizAttempt(Model):
    """One try at a module's quiz, graded on the server against the catalogue's answer key."""

    __tablename__ = "quiz_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    module_version_id: Mapped[int] = mapped_column(ForeignKey("module_versions.id"))
    answers: Mapped[dict[str, list[str]]] = mapped_column(JSONType)  # question id -> chosen choice ids
    correct: Mapped[int]
    questions: Mapped[int]
    score: Mapped[int]  # percent, rounded down
    passed: Mapped[bool]
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str] = mapped_column(String(500), default="")
    # The quiz served that these answers are for (tracker.storage.models.quiz); none before servings.
    serving_id: Mapped[int | None] = mapped_column(ForeignKey("quiz_servings.id"), unique=True)

    staff: Mapped[Staff] = relationship()
    module_version: Mapped[ModuleVersion] = relationship()


class TrainingSession(Model):
    """An in-person training session: the record 29 CFR 1910.1030(h)(2) asks for."""

    __tablename__ = "training_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_version_id: Mapped[int] = mapped_column(ForeignKey("module_versions.id"))
    held_on: Mapped[date] = mapped_column(Date)
    content_summary: Mapped[str] = mapped_column(Text)
    trainer_name: Mapped[str] = mapped_column(String(200))
    trainer_qualifications: Mapped[str] = mapped_column(Text)
    location_id: Mapped[str | None] = mapped_column(ForeignKey("locations.id"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    module_version: Mapped[ModuleVersion] = relationship()
    attendees: Mapped[list[SessionAttendee]] = relationship(back_populates="session", order_by="SessionAttendee.name")


class SessionAttendee(Model):
    """Who attended a session, with name and job title as they were on the day (1910.1030(h)(2)(i)(D))."""

    __tablename__ = "session_attendees"
    __table_args__ = (UniqueConstraint("session_id", "staff_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    job_title: Mapped[str] = mapped_column(String(200))

    session: Mapped[TrainingSession] = relationship(back_populates="attendees")
    staff: Mapped[Staff] = relationship()


class TrainingCompletion(Model):
    """A person completed a module version: by passing its quiz, or by attending a session.

    Never changed or deleted; a wrong entry is corrected by a new completion naming it in
    ``corrects_id`` (the corrected one then no longer counts).
    """

    __tablename__ = "training_completions"
    __table_args__ = (
        CheckConstraint(f"method IN {COMPLETION_METHODS}", name="method"),
        UniqueConstraint("attempt_id"),
        UniqueConstraint("session_id", "staff_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    module_version_id: Mapped[int] = mapped_column(ForeignKey("module_versions.id"))
    completed_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(20))
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("quiz_attempts.id"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("training_sessions.id"))
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("training_completions.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    staff: Mapped[Staff] = relationship()
    module_version: Mapped[ModuleVersion] = relationship()
    session: Mapped[TrainingSession | None] = relationship()


class LateReason(Model):
    """Why a person's training is (or was) late and when it will happen, as OSHA asks to record.

    Kept per person and module; a later reason adds a row rather than replacing the earlier one.
    """

    __tablename__ = "late_reasons"
    __table_args__ = (Index(None, "staff_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    module_id: Mapped[str] = mapped_column(String(80))
    completion_id: Mapped[int | None] = mapped_column(ForeignKey("training_completions.id"))
    reason: Mapped[str] = mapped_column(Text)
    expected_on: Mapped[date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
