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

from tracker.db import JSONType, UTCDateTime, db, today, utcnow

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
    # Stored lower-case (tracker.people.normalise_email), so the unique index is case-insensitive.
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
    """The whole catalogue as of one sync, from which the tracker serves (tracker.catalogue)."""

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
    """One link of the tamper-evident audit chain (tracker.audit)."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(80))
    subject: Mapped[str] = mapped_column(String(300))
    details: Mapped[dict] = mapped_column(JSONType)
    prev_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    hash: Mapped[str] = mapped_column(String(HASH_LENGTH), unique=True)
