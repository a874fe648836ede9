"""The audit trail: an append-only, hash-chained log of every write.

Each event is written in the same transaction as the change it records, so there is never a change
without its event or an event without its change. Its ``hash`` is SHA-256 over the previous event's
hash followed by the canonical JSON (sorted keys, no spaces) of its own fields: seq, occurred_at,
actor, action, subject, details. Changing, removing or reordering any event breaks every hash after
it, which ``flask --app tracker audit-verify`` detects. (Cutting events off the *end* leaves a
shorter but intact chain: keep the last hash it prints somewhere else to detect that too.)

One chain, one writer at a time. Two transactions must never both read the same chain head, or the
chain forks. How each backend serialises them:

- PostgreSQL: ``pg_advisory_xact_lock(CHAIN_LOCK_KEY)`` before reading the head. The lock is held
  until commit or rollback, so the next writer reads the head this one committed. An advisory lock
  needs no row to exist (the first event has no head to lock with ``FOR UPDATE``) and never blocks
  readers of the table.
- SQLite: every transaction already starts with ``BEGIN IMMEDIATE`` (tracker.storage.db), which takes the
  database's single write lock, so nothing more is needed here.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from sqlalchemy import func, select

from tracker.storage.db import db, utcnow
from tracker.storage.models import AuditEvent

GENESIS_HASH = "0" * 64
CHAIN_LOCK_KEY = 0x747261636B6572  # "tracker" in ASCII: any constant works if every writer uses it
CLI_ACTOR = "cli"


def lock_chain() -> None:
    """Wait until no other transaction is writing audit events, and keep others waiting until this
    transaction ends. Writers that read shared state before writing (the catalogue sync) call it
    first; ``record`` calls it too."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(CHAIN_LOCK_KEY)))


def record(actor: str, action: str, subject: str, details: dict[str, Any] | None = None) -> AuditEvent:
    """Append an event for a write in the current transaction; the caller commits both together.

    ``details`` must be plain JSON (str, int, bool, None, lists, dicts): the hash covers it as
    stored, so dates go in as ISO strings.
    """
    session = db.session
    session.flush()  # the audited write goes in first, so a constraint error stops before the chain
    lock_chain()
    head = session.execute(select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).first()
    event = AuditEvent(
        seq=head.seq + 1 if head else 1,
        occurred_at=utcnow(),
        actor=actor,
        action=action,
        subject=subject,
        details=details or {},
        prev_hash=head.hash if head else GENESIS_HASH,
    )
    event.hash = event_hash(event)
    session.add(event)
    session.flush()
    return event


def event_hash(event: AuditEvent) -> str:
    fields = {
        "seq": event.seq,
        "occurred_at": event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": event.actor,
        "action": event.action,
        "subject": event.subject,
        "details": event.details,
    }
    payload = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((event.prev_hash + payload).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Verification:
    count: int
    last_hash: str
    broken_seq: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def verify() -> Verification:
    """Walk the chain from the first event; stop at the first one that does not fit."""
    expected_seq, prev_hash, count = 1, GENESIS_HASH, 0
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=1000))
    for event in events:
        if event.seq != expected_seq:
            return Verification(count, prev_hash, event.seq,
                                f"expected seq {expected_seq} next: events before this one were removed")
        if event.prev_hash != prev_hash:
            return Verification(count, prev_hash, event.seq,
                                "its prev_hash is not the hash of the event before it: "
                                "that event was changed or replaced")
        if event.hash != event_hash(event):
            return Verification(count, prev_hash, event.seq,
                                "its hash does not match its contents: the row was changed after it was written")
        expected_seq, prev_hash, count = event.seq + 1, event.hash, count + 1
    return Verification(count, prev_hash)
