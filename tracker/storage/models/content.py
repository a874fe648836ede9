"""Published content as the tracker archived it, and the signatures on it.

A policy or module version is stored once, as it was shown, and never changed: a signature or a
quiz attempt names the row of the exact text the person saw.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from tracker.storage.db import HASH_LENGTH, JSONType, Model, UTCDateTime, utcnow
from tracker.storage.models.people import Staff, User

METHODS = ("web", "api")


class ArchivedVersion:
    """What every archived content version holds: the exact text shown and signed, as synced.

    One row per item and version number; ``item_column`` names the column holding the item's id.
    """

    item_column: ClassVar[str]

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int]
    fingerprint: Mapped[str] = mapped_column(String(HASH_LENGTH))
    title: Mapped[str] = mapped_column(String(200))
    markdown: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    effective_date: Mapped[date] = mapped_column(Date)
    material_change: Mapped[bool]
    affected_roles: Mapped[list[str]] = mapped_column(JSONType)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The fields the fingerprint is the SHA-256 of (portal.fingerprint), so anyone can recompute it;
    # None for versions archived before it was kept.
    fingerprint_source: Mapped[dict[str, Any] | None] = mapped_column(JSONType, default=None)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[UniqueConstraint]:
        return (UniqueConstraint(cls.item_column, "version"),)


class PolicyVersion(ArchivedVersion, Model):
    """One version of one policy as it was published. Never changed or deleted."""

    __tablename__ = "policy_versions"
    item_column = "policy_id"

    policy_id: Mapped[str] = mapped_column(String(80))
    applies_to: Mapped[list[str]] = mapped_column(JSONType)  # role ids


class ModuleVersion(ArchivedVersion, Model):
    """One version of one training module as it was published. Never changed or deleted.

    The quiz's answer key is not kept here: grading uses the served catalogue's, so an attempt is
    graded only against the version it names while that version is current.
    """

    __tablename__ = "module_versions"
    item_column = "module_id"

    module_id: Mapped[str] = mapped_column(String(80))
    audience: Mapped[list[str]] = mapped_column(JSONType)  # role ids


class ContentSnapshot(Model):
    """The whole catalogue as of one sync, from which the tracker serves (tracker.services.served_catalogue)."""

    __tablename__ = "content_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(HASH_LENGTH))
    catalogue: Mapped[dict[str, Any]] = mapped_column(JSONType)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Acknowledgement(Model):
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
