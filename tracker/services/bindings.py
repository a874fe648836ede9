"""What binds each record to the audit trail: the one definition of a record's canonical content.

Every write of a bound record appends an audit event (tracker.services.audit.record) whose
``bindings`` carry each written record's table, id, SHA-256 of its canonical content and a
short digest per field. The event's keyed hash covers them, so a record changed, added or removed
behind the tracker's back no longer matches the trail: ``audit-verify`` checks every bound table
both ways and names the first record that does not fit, by table, id and field.

Canonical content: the fields below, as JSON with sorted keys; dates as YYYY-MM-DD, times as UTC ISO
with microseconds, file contents as their SHA-256 (so a card's bytes are bound, not just the hash
stored beside them). A record may be bound again by a later event (a staff change): the latest counts.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, Table, select

from tracker.storage.db import Model
from tracker.storage.models import (
    Acknowledgement,
    CertificationCard,
    CertificationRecord,
    CertificationVerification,
    DutyCompletion,
    LateReason,
    ModuleVersion,
    PolicyVersion,
    QuizAttempt,
    SessionAttendee,
    Staff,
    TrainingCompletion,
    TrainingSession,
)

FIELD_DIGEST_LENGTH = 16  # hex characters: enough to name the changed field; the record digest is whole
_ARCHIVED = ("version", "fingerprint", "title", "markdown", "html", "effective_date", "material_change",
             "affected_roles", "synced_at", "fingerprint_source")


@dataclass(frozen=True)
class Bound:
    model: type[Model]
    fields: tuple[str, ...]
    actions: tuple[str, ...]  # the events that write it

    @property
    def table(self) -> Table:
        table: Table = self.model.__table__  # type: ignore[assignment]  # a declarative model's table
        return table


REGISTRY: dict[str, Bound] = {bound.table.name: bound for bound in (
    Bound(Acknowledgement, ("staff_id", "policy_version_id", "statement", "signature_name", "signed_at",
                            "ip_address", "user_agent", "method", "recorded_by_id"), ("acknowledgement.recorded",)),
    Bound(QuizAttempt, ("staff_id", "module_version_id", "answers", "correct", "questions", "score", "passed",
                        "attempted_at", "ip_address", "user_agent"), ("quiz_attempt.recorded",)),
    Bound(TrainingCompletion, ("staff_id", "module_version_id", "completed_on", "method", "attempt_id", "session_id",
                               "corrects_id", "note", "recorded_by_id", "recorded_at"),
          ("training_completion.recorded",)),
    Bound(TrainingSession, ("module_version_id", "held_on", "content_summary", "trainer_name",
                            "trainer_qualifications", "location_id", "recorded_by_id", "recorded_at"),
          ("training_session.recorded",)),
    Bound(SessionAttendee, ("session_id", "staff_id", "name", "job_title"), ("training_session.recorded",)),
    Bound(LateReason, ("staff_id", "module_id", "completion_id", "reason", "expected_on", "recorded_by_id",
                       "recorded_at"), ("late_reason.recorded",)),
    Bound(CertificationRecord, ("staff_id", "type_id", "number", "issuer", "issued_on", "expires_on", "note",
                                "corrects_id", "submitted_by_id", "submitted_at"), ("certification.recorded",)),
    Bound(CertificationVerification, ("record_id", "decision", "note", "decided_by_id", "decided_at"),
          ("certification.verified", "certification.rejected")),
    Bound(CertificationCard, ("record_id", "sha256", "media_type", "size", "filename", "data", "uploaded_by_id",
                              "uploaded_at"), ("certification_card.uploaded",)),
    Bound(DutyCompletion, ("duty_id", "location_id", "completed_on", "note", "attachment_sha256", "attachment_name",
                           "recorded_by_id", "recorded_at"), ("duty.completed",)),
    Bound(Staff, ("name", "email", "job_title", "roles", "location_id", "hire_date", "left_on", "created_at"),
          ("staff.created", "staff.changed")),
    Bound(PolicyVersion, ("policy_id", "applies_to", *_ARCHIVED), ("catalogue.synced", "demo.version_archived")),
    Bound(ModuleVersion, ("module_id", "audience", *_ARCHIVED), ("catalogue.synced", "demo.version_archived")),
)}
SEAL_ACTION = "audit.sealed"  # binds records written before their table was bound (migrations 0004, 0010)


def _plain(value: object) -> object:
    if isinstance(value, bytes):
        return hashlib.sha256(value).hexdigest()
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _json(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def binding(table: str, row: Mapping[Any, Any]) -> dict[str, Any]:
    """What an event records of a row: table, id, digest of the canonical content, digest per field."""
    content = {name: _plain(row[name]) for name in REGISTRY[table].fields}
    return {"table": table, "id": row["id"], "sha256": hashlib.sha256(_json(content)).hexdigest(),
            "fields": {name: hashlib.sha256(_json(value)).hexdigest()[:FIELD_DIGEST_LENGTH]
                       for name, value in content.items()}}


def of_records(records: Iterable[object]) -> list[dict[str, Any]]:
    """The bindings of ORM records of the bound tables just written (flushed, so they have ids)."""
    bindings = []
    for record in records:
        table: str = getattr(record, "__tablename__")  # noqa: B009 - any bound model, typed or mixed in
        row = {name: getattr(record, name) for name in ("id", *REGISTRY[table].fields)}
        bindings.append(binding(table, row))
    return bindings


def rows(connection: Connection, table: str) -> Iterator[RowMapping]:
    """Every row of a bound table as stored, id first, in id order."""
    bound = REGISTRY[table]
    columns = [bound.table.c[name] for name in ("id", *bound.fields)]
    for row in connection.execute(select(*columns).order_by(bound.table.c.id)):
        yield row._mapping


@dataclass(frozen=True)
class Mismatch:
    table: str
    record_id: int
    problem: str

    def describe(self) -> str:
        return f"{self.table} id {self.record_id}: {self.problem}"


def _changed_field(expected: Mapping[str, Any], actual: Mapping[str, Any]) -> str:
    changed = [name for name, digest in actual["fields"].items() if expected.get("fields", {}).get(name) != digest]
    return ", ".join(changed) if changed else "its content"


def compare(connection: Connection, bound: Mapping[tuple[str, int], tuple[int, Mapping[str, Any]]]) -> Mismatch | None:
    """The first record that does not match the latest event binding it, or is bound by no event;
    then the first event binding a record that is not there."""
    seen: set[tuple[str, int]] = set()
    for table in REGISTRY:
        for row in rows(connection, table):
            key = (table, row["id"])
            seen.add(key)
            if key not in bound:
                return Mismatch(table, row["id"], "no audit event records it: it was added behind the tracker's back")
            seq, expected = bound[key]
            actual = binding(table, row)
            if actual["sha256"] != expected["sha256"]:
                return Mismatch(table, row["id"], f"field {_changed_field(expected, actual)} differs from what audit "
                                                  f"event {seq} recorded: it was changed after it was written")
    for (table, record_id), (seq, _expected) in sorted(bound.items(), key=lambda item: item[1][0]):
        if (table, record_id) not in seen:
            return Mismatch(table, record_id, f"audit event {seq} recorded it, but it is not in the database: it "
                                              "was deleted")
    return None
