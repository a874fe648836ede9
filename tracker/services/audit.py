"""The audit trail: an append-only, keyed hash chain of every write.

Each event is written in the same transaction as the change it records, so there is never a change
without its event or an event without its change. Its ``hash`` is HMAC-SHA256, under the audit key
(tracker.services.keys) named by its ``key_id``, over the previous event's hash followed by the
canonical JSON (sorted keys, no spaces) of its own fields: seq, occurred_at, actor, action, subject,
details, key_id, bindings. Changing, removing or reordering any event breaks every hash after it,
and without the key nobody can compute a hash that fits, so re-hashing the chain or appending to it
is detected too (``flask --app tracker audit-verify``). Events written before migration 0004 are
plain SHA-256 (no key_id); that migration appended one keyed "audit.sealed" event after them, which
fixes them.

An event that writes records carries their digests in ``bindings``
(tracker.services.bindings), and verify() checks every bound record against the latest event binding
it, both ways. Cutting events off the end still leaves a shorter intact chain: signed checkpoints of
the chain head kept outside the database (tracker.services.checkpoints) detect that.

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
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, inspect, select
from sqlalchemy import event as orm_event
from sqlalchemy.orm import Session, SessionTransaction

from tracker.services import bindings, keys
from tracker.storage.db import db, hold_advisory_lock, utcnow
from tracker.storage.models import AuditEvent

GENESIS_HASH = "0" * 64
CHAIN_LOCK_KEY = 0x747261636B6572  # "tracker" in ASCII: any constant works if every writer uses it
CLI_ACTOR = "cli"


# Built once: every write runs both, and building a statement costs more than running it.
_CHAIN_HEAD = select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
_APPEND = insert(AuditEvent)


def lock_chain(on: Session | Connection | None = None) -> None:
    """Wait until no other transaction is writing audit events, and keep others waiting until this
    transaction (of ``on``, by default the app's session) ends. Writers that read shared state before
    writing (the catalogue sync) call it first; ``record`` calls it too."""
    target = on if on is not None else db.session()
    if isinstance(target, Connection):
        hold_advisory_lock(target, CHAIN_LOCK_KEY)
    elif not target.info.get(_HOLDS_LOCK):
        hold_advisory_lock(target.connection(), CHAIN_LOCK_KEY)
        target.info[_HOLDS_LOCK] = True  # a second call in the transaction costs no round trip


_HOLDS_LOCK = "tracker.services.audit.holds_chain_lock"  # session.info, until the transaction ends


def _lock_released(session: Session, transaction: SessionTransaction) -> None:
    """The transaction ended (committed, rolled back or closed), and its lock with it. A savepoint's
    end counts too, since one rolled back releases a lock taken inside it: forgetting the lock there
    only takes it again."""
    if transaction.parent is None or transaction.nested:
        session.info.pop(_HOLDS_LOCK, None)


orm_event.listen(Session, "after_transaction_end", _lock_released)


def record(actor: str, action: str, subject: str, details: dict[str, Any] | None = None,
           records: Iterable[object] = ()) -> int:
    """Append an event for a write in the current transaction; the caller commits both together.
    Returns the event's seq.

    ``details`` must be plain JSON (str, int, bool, None, lists, dicts): the hash covers it as
    stored, so dates go in as ISO strings. ``records`` are the bound records the write added or
    changed (tracker.services.bindings.REGISTRY); the event carries their digests.
    """
    session = db.session
    session.flush()  # the audited write goes in first, so a constraint error stops before the chain
    # Whatever does not depend on the chain's head is worked out before taking its lock, which every
    # writer waits for: the key, and the digests of the records this transaction wrote.
    current = keys.current()
    bound = bindings.of_records(records) or None
    lock_chain()
    # The chain's statements go to the session's connection: plain rows in and out, none of the
    # ORM's per-statement work, which is most of a small write's time.
    connection = session.connection()
    head = connection.execute(_CHAIN_HEAD).first()
    event: dict[str, Any] = {
        "seq": head.seq + 1 if head else 1, "occurred_at": utcnow(), "actor": actor, "action": action,
        "subject": subject, "details": details or {}, "prev_hash": head.hash if head else GENESIS_HASH,
        "key_id": current.audit_key_id, "bindings": bound}
    event["hash"] = chain_hash(event, current.audit_key)
    # A plain INSERT, not an object for the session to track: the lock is held until commit, so the
    # less work between here and there, the more writers a second can take.
    connection.execute(_APPEND, event)
    return int(event["seq"])


def event_hash(event: AuditEvent) -> str:
    """The hash ``event`` should have, under the key its key_id names (which this tracker holds)."""
    return chain_hash(_fields(event), keys.current().audit_keys[event.key_id] if event.key_id else None)


def _fields(event: AuditEvent) -> dict[str, Any]:
    return {"seq": event.seq, "occurred_at": event.occurred_at, "actor": event.actor, "action": event.action,
            "subject": event.subject, "details": event.details, "prev_hash": event.prev_hash, "key_id": event.key_id,
            "bindings": event.bindings}


def chain_hash(fields: Mapping[str, Any], key: bytes | None) -> str:
    """The hash of an event from its fields (those of AuditEvent but ``hash``): HMAC-SHA256 under
    ``key``, or plain SHA-256 for an event from before keys (key_id None, key None)."""
    occurred_at: datetime = fields["occurred_at"]
    hashed = {"seq": fields["seq"], "occurred_at": occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
              "actor": fields["actor"], "action": fields["action"], "subject": fields["subject"],
              "details": fields["details"]}
    if fields["key_id"] is not None:
        hashed["key_id"], hashed["bindings"] = fields["key_id"], fields["bindings"]
    payload = (fields["prev_hash"] + json.dumps(hashed, sort_keys=True, separators=(",", ":"),
                                                ensure_ascii=False)).encode("utf-8")
    if key is None:
        return hashlib.sha256(payload).hexdigest()
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


SEAL_NOTE = ("Sealed at upgrade (migration 0004): the events before this one were chained with plain SHA-256 and "
             "the records written until now carried no digest. This event, keyed, fixes both as they stood.")


def seal(connection: Connection, key_id: str, key: bytes, tables: Iterable[str] | None = None,
         note: str = SEAL_NOTE) -> int | None:
    """Append an "audit.sealed" event binding every record of ``tables`` (every bound table when None:
    migration 0004; the tables a later migration binds for the first time: 0010); its seq, or None
    when the trail is empty (a new database: nothing to seal) or, for named tables, they hold nothing."""
    head = connection.execute(_CHAIN_HEAD).first()
    if head is None:
        return None
    # Only the tables there are now: a table a later migration creates holds no record written before the seal.
    present = set(inspect(connection).get_table_names())
    bound = [bindings.binding(name, row) for name in (tables or bindings.REGISTRY) if name in present
             for row in bindings.rows(connection, name)]
    if tables is not None and not bound:
        return None
    values: dict[str, Any] = {
        "seq": head.seq + 1, "occurred_at": utcnow(), "actor": "migration", "action": bindings.SEAL_ACTION,
        "subject": "audit_trail", "details": {"note": note}, "prev_hash": head.hash, "key_id": key_id,
        "bindings": bound}
    values["hash"] = chain_hash(values, key)
    connection.execute(insert(AuditEvent).values(**values))
    return int(values["seq"])


@dataclass(frozen=True)
class Verification:
    count: int
    last_hash: str
    broken_seq: int | None = None
    reason: str = ""
    record_problem: str = ""  # the first record that does not match the trail (tracker.services.bindings)
    last_seq: int = 0

    @property
    def ok(self) -> bool:
        return self.broken_seq is None and not self.record_problem


def _link_problem(event: AuditEvent, expected_seq: int, prev_hash: str, keyed: bool,
                  audit_keys: Mapping[str, bytes]) -> str:
    """Why ``event`` does not fit after the events before it, or ""."""
    if event.seq != expected_seq:
        return f"expected seq {expected_seq} next: events before this one were removed"
    if event.prev_hash != prev_hash:
        return "its prev_hash is not the hash of the event before it: that event was changed or replaced"
    if event.key_id is None and keyed:
        return ("it is not chained with the audit key, though events before it are: it was added or re-hashed "
                "by someone without the key")
    if event.key_id is not None and event.key_id not in audit_keys:
        return (f"it is chained with audit key {event.key_id}, which this tracker does not hold: it was forged, or "
                "an earlier key is missing from TRACKER_AUDIT_KEYRING")
    if event.key_id is not None and not keyed and expected_seq > 1 and event.action != bindings.SEAL_ACTION:
        return "the events before it were not sealed at upgrade: they were rewritten without the audit key"
    if event.hash != chain_hash(_fields(event), audit_keys.get(event.key_id or "")):
        return "its hash does not match its contents: the row was changed after it was written"
    return ""


def verify() -> Verification:
    """Walk the chain from the first event and stop at the first one that does not fit; then check
    every bound record against the event that last bound it."""
    audit_keys = keys.current().audit_keys
    expected_seq, prev_hash, count, keyed = 1, GENESIS_HASH, 0, False
    bound: dict[tuple[str, int], tuple[int, Mapping[str, Any]]] = {}
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=1000))
    for event in events:
        problem = _link_problem(event, expected_seq, prev_hash, keyed, audit_keys)
        if problem:
            return Verification(count, prev_hash, event.seq, problem, last_seq=expected_seq - 1)
        keyed = keyed or event.key_id is not None
        for binding in (event.bindings or ()) if event.key_id else ():
            bound[(binding["table"], binding["id"])] = (event.seq, binding)
        expected_seq, prev_hash, count = event.seq + 1, event.hash, count + 1
    if count and not keyed:
        return Verification(0, GENESIS_HASH, 1, "no event is chained with the audit key: the trail was rewritten "
                            "without it (or the database was never upgraded: run `flask --app tracker db upgrade`)")
    mismatch = bindings.compare(db.session.connection(), bound)
    return Verification(count, prev_hash, record_problem=mismatch.describe() if mismatch else "",
                        last_seq=expected_seq - 1)
