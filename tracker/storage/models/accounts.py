"""What keeps sign-ins honest: server-side sessions, one-time account links, and throttle counters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.storage.db import HASH_LENGTH, Model, UTCDateTime, utcnow
from tracker.storage.models.people import User

LINK_PURPOSES = ("invitation", "reset")


class _UserSecret:
    """A hashed secret that belongs to one account: when it was made and when it stopped counting."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class UserSession(_UserSecret, Model):
    """One signed-in browser. The cookie holds a random token; only its SHA-256 is stored here.

    Signing out ends the row, so a copy of the cookie replayed later is refused (tracker.services.sessions).
    """

    __tablename__ = "user_sessions"

    token_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), unique=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ip_address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(500), default="")

    user: Mapped[User] = relationship()


class AccountLink(Model):
    """A single-use link e-mailed to someone: an invitation to choose a password, or a password reset.

    Only the SHA-256 of its token is stored. It is live until used, revoked or expired.
    """

    __tablename__ = "account_links"
    __table_args__ = (CheckConstraint(f"purpose IN {LINK_PURPOSES}", name="purpose"),
                      Index(None, "user_id", "purpose"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    purpose: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # shown in the audit trail
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class ThrottleBucket(Model):
    """Failed attempts counted under one key (an e-mail, an address, or both) since ``window_started_at``.

    In the database, not in a worker's memory, so every worker and host counts together; a row is
    locked while it is counted (tracker.services.throttle).
    """

    __tablename__ = "throttle_buckets"

    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class RecoveryCode(_UserSecret, Model):
    """A one-time code for two-step sign-in without the phone; only its SHA-256 is stored."""

    __tablename__ = "recovery_codes"

    code_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
