"""The workforce and its sign-ins: sites and roles, staff records, accounts, and their secrets."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.storage.db import HASH_LENGTH, JSONType, Model, UTCDateTime, today, utcnow

ACCOUNT_ROLES = ("staff", "manager", "admin")
MANAGER_ROLES = frozenset({"manager", "admin"})
FEED_SCOPES = ("personal", "team")


class Location(Model):
    """A clinic site, kept in step with policies/office.yml by the catalogue sync."""

    __tablename__ = "locations"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(400), default="")


class Role(Model):
    """A job or designation from policies/office.yml, kept in step by the catalogue sync."""

    __tablename__ = "roles"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    designation: Mapped[bool] = mapped_column(default=False)


class Staff(Model):
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


class User(Model):
    """A sign-in account, linked to exactly one staff record.

    It answers what Flask-Login asks of a user (is_active, is_authenticated, is_anonymous, get_id),
    as Flask-Login's UserMixin would, written out here so the model stays typed.
    """

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(f"account_role IN {ACCOUNT_ROLES}", name="account_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # None until an invitation is accepted, and again once someone has left (tracker.services.accounts).
    password_hash: Mapped[str | None] = mapped_column(String(200))
    account_role: Mapped[str] = mapped_column(String(20))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Two-step sign-in (tracker.services.two_step): the TOTP key, and the last time step used, so a
    # code cannot be used twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column()

    staff: Mapped[Staff] = relationship(back_populates="user")

    @property
    def is_active(self) -> bool:
        """Flask-Login refuses inactive users: a disabled account, or staff who have left."""
        return self.active and self.staff.active_on(today())

    @property
    def is_authenticated(self) -> bool:
        return self.is_active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def is_manager(self) -> bool:
        return self.account_role in MANAGER_ROLES

    @property
    def audit_name(self) -> str:
        return audit_name(self.id, self.email)


def audit_name(user_id: int, email: str) -> str:
    """How the audit trail names a user as the actor of an event."""
    return f"user:{user_id} {email}"


class ApiToken(Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # shown in lists and the audit trail
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class CalendarFeed(Model):
    """A secret calendar address (``/calendar/<token>.ics``) of one user; only its SHA-256 is stored.

    Calendar apps cannot sign in, so the address is the key. "personal" holds the user's own due
    dates; "team" (managers only) everyone's (tracker.services.calendars). Replacing a link revokes
    the old row rather than deleting it, so the audit trail can still name the link that was used.
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
