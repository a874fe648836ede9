"""Database tables.

Append-only by design: acknowledgements, staff records, archived content versions, content
snapshots and audit events are never deleted, and nothing but the staff form and CSV import
changes a staff record (each change leaving an audit event). Corrections are new records.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.storage.db import JSONType, UTCDateTime, db, today, utcnow

ACCOUNT_ROLES = ("staff", "manager", "admin")
MANAGER_ROLES = frozenset({"manager", "admin"})
METHODS = ("web", "api")
HASH_LENGTH = 64  # hex SHA-256


class Location(db.Model):
    """A clinic site, kept in step with policies/office.yml by the catalogue sync."""

    __tablename__ = "locations"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(400), default="")


class Role(db.Model):
    """A job or designation from policies/office.yml, kept in step by the catalogue sync."""

    __tablename__ = "roles"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    designation: Mapped[bool] = mapped_column(default=False)


class Staff(db.Model):
    """A member of the workforce. Never deleted: someone who leaves gets ``left_on``."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Stored lower-case (tracker.services.people.normalise_email), so the unique index is case-insensitive.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    job_title: Mapped[str] = mapped_column(String(200), default="")
    roles: Mapped[list[str]] = mapped_column(JSONType, default=list)  # role ids from the catalogue
    location_id: Mapped[str | None] = mapped_column(ForeignKey("locations.id"))
    hire_date: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    location: Mapped[Location | None] = relationship()
    user: Mapped[User | None] = relationship(back_populates="staff")

    def active_on(self, day: date) -> bool:
        return self.left_on is None or self.left_on > day


class User(UserMixin, db.Model):
    """A sign-in account, linked to exactly one staff record."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(f"account_role IN {ACCOUNT_ROLES}", name="account_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    account_role: Mapped[str] = mapped_column(String(20))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    staff: Mapped[Staff] = relationship(back_populates="user")

    @property
    def is_active(self) -> bool:
        """Flask-Login refuses inactive users: a disabled account, or staff who have left."""
        return self.active and self.staff.active_on(today())

    @property
    def is_manager(self) -> bool:
        return self.account_role in MANAGER_ROLES

    @property
    def audit_name(self) -> str:
        return f"user:{self.id} {self.email}"


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # shown in lists and the audit trail
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class SignInFailure(db.Model):
    """Recent failed sign-ins, counted per e-mail and address to slow down password guessing.

    Kept in the database rather than in memory so every worker process sees the same count.
    """

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index(None, "email", "ip_address", "failed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    ip_address: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class _ArchivedVersion:
    """What every archived content version holds: the exact text shown and signed, as synced."""

    version: Mapped[int]
    fingerprint: Mapped[str] = mapped_column(String(HASH_LENGTH))
    title: Mapped[str] = mapped_column(String(200))
    markdown: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    effective_date: Mapped[date] = mapped_column(Date)
    material_change: Mapped[bool]
    affected_roles: Mapped[list[str]] = mapped_column(JSONType)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PolicyVersion(_ArchivedVersion, db.Model):
    """One version of one policy as it was published. Never changed or deleted."""

    __tablename__ = "policy_versions"
    __table_args__ = (UniqueConstraint("policy_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[str] = mapped_column(String(80))
    applies_to: Mapped[list[str]] = mapped_column(JSONType)


class ModuleVersion(_ArchivedVersion, db.Model):
    """One version of one training module as it was published. Never changed or deleted."""

    __tablename__ = "module_versions"
    __table_args__ = (UniqueConstraint("module_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[str] = mapped_column(String(80))
    audience: Mapped[list[str]] = mapped_column(JSONType)


class ContentSnapshot(db.Model):
    """The whole catalogue as of one sync, from which the tracker serves (tracker.services.catalogue)."""

    __tablename__ = "content_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(HASH_LENGTH))
    catalogue: Mapped[dict] = mapped_column(JSONType)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Acknowledgement(db.Model):
    """A signature: this person read this exact policy version and will follow it."""

    __tablename__ = "acknowledgements"
    __table_args__ = (
        UniqueConstraint("staff_id", "policy_version_id"),
        CheckConstraint(f"method IN {METHODS}", name="method"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    policy_version_id: Mapped[int] = mapped_column(ForeignKey("policy_versions.id"), index=True)
    statement: Mapped[str] = mapped_column(Text)
    signature_name: Mapped[str] = mapped_column(String(200))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ip_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str] = mapped_column(String(500))
    method: Mapped[str] = mapped_column(String(10))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    staff: Mapped[Staff] = relationship()
    policy_version: Mapped[PolicyVersion] = relationship()
    recorded_by: Mapped[User] = relationship()


class AuditEvent(db.Model):
    """One link of the tamper-evident audit chain (tracker.services.audit)."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(80))
    subject: Mapped[str] = mapped_column(String(300))
    details: Mapped[dict] = mapped_column(JSONType)
    prev_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    hash: Mapped[str] = mapped_column(String(HASH_LENGTH), unique=True)


# --- Training and certifications -----------------------------------------------------------------

COMPLETION_METHODS = ("quiz", "in_person")
VERIFICATION_DECISIONS = ("verified", "rejected")



class QuizAttempt(db.Model):
    """One try at a module's quiz, graded on the server against the catalogue's answer key."""

    __tablename__ = "quiz_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    module_version_id: Mapped[int] = mapped_column(ForeignKey("module_versions.id"))
    answers: Mapped[dict] = mapped_column(JSONType)  # question id -> list of chosen choice ids
    correct: Mapped[int]
    questions: Mapped[int]
    score: Mapped[int]  # percent, rounded down
    passed: Mapped[bool]
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str] = mapped_column(String(500), default="")

    staff: Mapped[Staff] = relationship()
    module_version: Mapped[ModuleVersion] = relationship()


class TrainingSession(db.Model):
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


class SessionAttendee(db.Model):
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


class TrainingCompletion(db.Model):
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


class LateReason(db.Model):
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


class CertificationRecord(db.Model):
    """A certification, licence, vaccination, screening or check a person holds (or submitted).

    Append-only: a renewal is a new record; a correction is a new record naming the old one in
    ``corrects_id``. It counts once a manager's verification says ``verified``.
    """

    __tablename__ = "certification_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    type_id: Mapped[str] = mapped_column(String(80))  # certification type id from the catalogue
    number: Mapped[str] = mapped_column(String(100), default="")
    issuer: Mapped[str] = mapped_column(String(200), default="")
    issued_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)  # None: one-time, never expires
    note: Mapped[str] = mapped_column(Text, default="")
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("certification_records.id"))
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    staff: Mapped[Staff] = relationship()
    verifications: Mapped[list[CertificationVerification]] = relationship(
        back_populates="record", order_by="CertificationVerification.decided_at")

    @property
    def verification(self) -> CertificationVerification | None:
        """The latest decision on this record, if any."""
        return self.verifications[-1] if self.verifications else None

    @property
    def verified(self) -> bool:
        return self.verification is not None and self.verification.decision == "verified"


class CertificationVerification(db.Model):
    """A manager's decision on a certification record: who checked it, when, and how."""

    __tablename__ = "certification_verifications"
    __table_args__ = (CheckConstraint(f"decision IN {VERIFICATION_DECISIONS}", name="decision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("certification_records.id"), index=True)
    decision: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")  # e.g. "primary source: state board website"
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    record: Mapped[CertificationRecord] = relationship(back_populates="verifications")
    decided_by: Mapped[User] = relationship()


# --- Dashboard: calendar feeds (tracker.services.calendars) ---------------------------------------------

FEED_SCOPES = ("personal", "team")


class CalendarFeed(db.Model):
    """A secret calendar address (``/calendar/<token>.ics``) of one user; only its SHA-256 is stored.

    Calendar apps cannot sign in, so the address is the key. "personal" holds the user's own due
    dates; "team" (managers only) everyone's. Replacing a link revokes the old row rather than
    deleting it, so the audit trail can still name the link that was used.
    """

    __tablename__ = "calendar_feeds"
    __table_args__ = (
        CheckConstraint(f"scope IN {FEED_SCOPES}", name="scope"),
        Index(None, "user_id", "scope"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    scope: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # shown on the page and in the audit trail
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
