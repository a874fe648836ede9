"""The audit trail's table: a hash chain of events (tracker.services.audit writes and checks it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.storage.db import HASH_LENGTH, JSONType, Model, UTCDateTime

KEY_ID_LENGTH = 16


class AuditEvent(Model):
    """One link of the tamper-evident audit chain (tracker.services.audit)."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(80))
    subject: Mapped[str] = mapped_column(String(300))
    details: Mapped[dict[str, Any]] = mapped_column(JSONType)
    prev_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    hash: Mapped[str] = mapped_column(String(HASH_LENGTH), unique=True)
    # Id of the audit key whose HMAC ``hash`` is (tracker.services.keys); None: plain SHA-256, only
    # for events written before migration 0004 sealed them.
    key_id: Mapped[str | None] = mapped_column(String(KEY_ID_LENGTH), default=None)
    # Digests of the records the event wrote (tracker.services.bindings); covered by ``hash``.
    bindings: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType, default=None)
