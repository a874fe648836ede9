"""Certification records and managers' decisions on them.

Append-only: a renewal is a new record; a correction is a new record naming the old one in
``corrects_id``; a decision is a new verification row, the latest one counting; a card photo or
scan is a new card row, never a replaced one.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.storage.db import HASH_LENGTH, Model, UTCDateTime, utcnow
from tracker.storage.models.people import Staff, User

VERIFICATION_DECISIONS = ("verified", "rejected")


class CertificationRecord(Model):
    """A certification, licence, vaccination, screening or check a person holds (or submitted).

    It counts once a manager's latest verification says ``verified``.
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
    cards: Mapped[list[CertificationCard]] = relationship(
        back_populates="record", order_by="CertificationCard.id")

    @property
    def verification(self) -> CertificationVerification | None:
        """The latest decision on this record, if any."""
        return self.verifications[-1] if self.verifications else None

    @property
    def verified(self) -> bool:
        return self.verification is not None and self.verification.decision == "verified"


class CertificationVerification(Model):
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


class CertificationCard(Model):
    """A photo or scan of the card behind a certification record, as the owner or a manager uploaded it.

    The bytes live in the database, not in a folder: a backup, the evidence pack and the audit
    binding (which digests ``data``) then always hold the card together with the record it proves.
    """

    __tablename__ = "certification_cards"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("certification_records.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(HASH_LENGTH), index=True)
    media_type: Mapped[str] = mapped_column(String(100))  # read from the bytes, never from the name
    size: Mapped[int]
    filename: Mapped[str] = mapped_column(String(200))  # cleaned, for display and download only
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)  # read when served or packed, not listed
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    record: Mapped[CertificationRecord] = relationship(back_populates="cards")
    uploaded_by: Mapped[User] = relationship()
