"""From database rows to the records the compliance rules take (tracker.rules.records).

The rules are pure functions; everything they need from the database is gathered here, in bulk
(one query per kind of record, whatever the number of people) where a page lists many people.
Records dated after the day asked about are dropped by the rules themselves, so the same
gathering serves "as of" views. ``known_on`` goes further for an auditor's past date: it also
drops what was only *entered* after that day (a completion recorded later, a card submitted or
verified later, a correction made later), so a past date shows what the records said then.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar, TypeVarTuple

from sqlalchemy import ColumnElement, Row, Select, select, true
from sqlalchemy.orm import InstrumentedAttribute

from portal.model import Catalogue
from tracker.rules.evaluator import person_statuses
from tracker.rules.records import Ack, CertRecord, Completion, ItemStatus, Person
from tracker.services.compliance_state import ACKNOWLEDGEMENT, CERTIFICATION, COMPLETION
from tracker.services.memory import with_collector_paused
from tracker.storage.db import DriverRows, OfficeDays, db, local_time, office_zone, utc_wall_time
from tracker.storage.models import (
    Acknowledgement,
    CertificationRecord,
    CertificationVerification,
    ComplianceState,
    ModuleVersion,
    PolicyVersion,
    Staff,
    TrainingCompletion,
)

Record = TypeVar("Record")
Columns = TypeVarTuple("Columns")


def local_date(moment: datetime) -> date:
    """The office's calendar day of a UTC time (see tracker.storage.db.today)."""
    return local_time(moment).date()


def recorded_before(day: date | None) -> datetime | None:
    """The first moment after the office day ``day`` (the office's midnight); None for no limit."""
    if day is None:
        return None
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=office_zone()).astimezone(UTC)


def person_from_staff(staff: Staff) -> Person:
    return Person(id=staff.id, name=staff.name, role_ids=frozenset(staff.roles), location_id=staff.location_id,
                  hire_date=staff.hire_date, left_on=staff.left_on)


def acks_for(staff_ids: Iterable[int]) -> dict[int, list[Ack]]:
    """Every acknowledgement of these people, by staff id."""
    ids = list(staff_ids)
    if not ids:
        return defaultdict(list)
    rows = db.session.execute(
        select(Acknowledgement.staff_id, PolicyVersion.policy_id, PolicyVersion.version,
               utc_wall_time(Acknowledgement.signed_at))
        .join(PolicyVersion, Acknowledgement.policy_version_id == PolicyVersion.id)
        .where(Acknowledgement.staff_id.in_(ids)))
    office_day = OfficeDays(office_zone()).of
    return _by_staff((staff_id, Ack(policy_id=policy_id, version=version, signed_on=office_day(signed_at)))
                     for staff_id, policy_id, version, signed_at in rows)


def entered_by(entered_at: InstrumentedAttribute[datetime], known_on: date | None) -> ColumnElement[bool]:
    """Rows entered by the end of the office day ``known_on``; every row when it is None."""
    cutoff = recorded_before(known_on)
    return entered_at < cutoff if cutoff is not None else true()


def _known_rows(query: Select[*Columns], model: type[TrainingCompletion] | type[CertificationRecord],
                entered_at: InstrumentedAttribute[datetime], staff_ids: Iterable[int],
                known_on: date | None) -> Sequence[Row[*Columns]]:
    """The rows of ``query`` about these people's records that were entered by the end of
    ``known_on`` and that no correction entered by then names in ``corrects_id``: a correction
    replaces its original from the time it was entered."""
    ids = list(staff_ids)
    if not ids:
        return []
    known = entered_by(entered_at, known_on)
    corrected = select(model.corrects_id).where(model.corrects_id.is_not(None), known)
    return db.session.execute(query.where(model.staff_id.in_(ids), model.id.not_in(corrected), known)).all()


def completions_for(staff_ids: Iterable[int], known_on: date | None = None) -> dict[int, list[Completion]]:
    """Every training completion of these people that no later completion corrects, by staff id
    (recorded by the end of ``known_on``, if given)."""
    query = (select(TrainingCompletion.staff_id, ModuleVersion.module_id, ModuleVersion.version,
                    TrainingCompletion.completed_on, TrainingCompletion.method)
             .join(ModuleVersion, TrainingCompletion.module_version_id == ModuleVersion.id))
    rows = _known_rows(query, TrainingCompletion, TrainingCompletion.recorded_at, staff_ids, known_on)
    return _by_staff((staff_id, Completion(module_id=module_id, version=version, completed_on=completed_on,
                                           method=method))
                     for staff_id, module_id, version, completed_on, method in rows)


def cert_records_for(staff_ids: Iterable[int], known_on: date | None = None) -> dict[int, list[CertRecord]]:
    """Every certification record of these people that no later record corrects, by staff id.

    ``verified`` follows the latest verification decision on each record. With ``known_on``, only
    records, corrections and decisions entered by the end of that day count.
    """
    query = select(CertificationRecord.id, CertificationRecord.staff_id, CertificationRecord.type_id,
                   CertificationRecord.issued_on, CertificationRecord.expires_on)
    records = _known_rows(query, CertificationRecord, CertificationRecord.submitted_at, staff_ids, known_on)
    decisions = latest_decisions((r.id for r in records), known_on)
    return _by_staff((staff_id, CertRecord(type_id=type_id, issued_on=issued_on, expires_on=expires_on,
                                           verified=decisions.get(record_id) == "verified"))
                     for record_id, staff_id, type_id, issued_on, expires_on in records)


def latest_decisions(record_ids: Iterable[int], known_on: date | None = None) -> dict[int, str]:
    """The latest verification decision ("verified" or "rejected") per certification record
    (among those made by the end of ``known_on``, if given)."""
    ids = list(record_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(CertificationVerification.record_id, CertificationVerification.decision)
        .where(CertificationVerification.record_id.in_(ids), entered_by(CertificationVerification.decided_at, known_on))
        .order_by(CertificationVerification.decided_at, CertificationVerification.id))
    return dict(rows.all())  # later rows overwrite earlier ones: the latest decision wins


def _by_staff(records: Iterable[tuple[int, Record]]) -> dict[int, list[Record]]:
    """Records grouped by staff id; a person with none gets an empty list on lookup."""
    found: dict[int, list[Record]] = defaultdict(list)
    for staff_id, record in records:
        found[staff_id].append(record)
    return found


@with_collector_paused
def statuses_by_staff(people: Iterable[Staff], catalogue: Catalogue, today: date,
                      known_on: date | None = None) -> dict[int, list[ItemStatus]]:
    """Everything each person owes, with its status, as of ``today``; by staff id.

    ``known_on`` (usually ``today`` itself, for a past date): ignore what was entered after it.
    """
    people = list(people)
    ids = [s.id for s in people]
    acks, completions, certs = acks_for(ids), completions_for(ids, known_on), cert_records_for(ids, known_on)
    return {s.id: person_statuses(catalogue, person_from_staff(s), acks[s.id], completions[s.id], certs[s.id],
                                  today=today)
            for s in people}


def statuses_for(staff: Staff, catalogue: Catalogue, today: date, known_on: date | None = None) -> list[ItemStatus]:
    return statuses_by_staff([staff], catalogue, today, known_on)[staff.id]


# State rows asked for by id below this many people; above it, every row is read (one plain scan).
STATE_ID_LIMIT = 500


def _state_rows(ids: set[int], kind: str, *columns: ColumnElement[Any] | InstrumentedAttribute[Any]) -> DriverRows:
    """The stored rows of one kind (not the lock rows), with only the columns that kind fills, read
    in bulk: an office's state is a quarter of a million rows, and every column read costs on each."""
    state = ComplianceState
    query = select(state.staff_id, *columns).where(state.kind == kind, state.variant != "")
    if len(ids) < STATE_ID_LIMIT:
        query = query.where(state.staff_id.in_(ids))
    return DriverRows(query)


Stored = tuple[dict[int, list[Ack]], dict[int, list[Completion]], dict[int, list[CertRecord]], set[int]]


def _stored_records(ids: set[int], today: date) -> Stored:
    """The records the state holds, by staff id, and the people holding one dated after ``today``."""
    state = ComplianceState
    acks: dict[int, list[Ack]] = defaultdict(list)
    completions: dict[int, list[Completion]] = defaultdict(list)
    certs: dict[int, list[CertRecord]] = defaultdict(list)
    later: set[int] = set()
    office_day = OfficeDays(office_zone()).of
    rows = _state_rows(ids, ACKNOWLEDGEMENT, state.item_id, state.version, utc_wall_time(state.signed_at))
    for staff_id, policy_id, version, signed_at in rows:
        signed_on = office_day(rows.datetime(signed_at))
        acks[staff_id].append(Ack(policy_id, version, signed_on))
        if signed_on > today:
            later.add(staff_id)
    rows = _state_rows(ids, COMPLETION, state.item_id, state.version, state.method, state.done_on)
    for staff_id, module_id, version, method, done_on in rows:
        done_on = rows.date(done_on)
        completions[staff_id].append(Completion(module_id, version, done_on, method))
        if done_on > today:
            later.add(staff_id)
    rows = _state_rows(ids, CERTIFICATION, state.item_id, state.done_on, state.expires_on)
    for staff_id, type_id, issued_on, expires_on in rows:
        issued_on = rows.date(issued_on)
        certs[staff_id].append(CertRecord(type_id, issued_on, rows.optional_date(expires_on)))
        if issued_on > today:
            later.add(staff_id)
    return acks, completions, certs, later


@with_collector_paused
def current_statuses_by_staff(people: Iterable[Staff], catalogue: Catalogue, today: date) -> dict[int, list[ItemStatus]]:
    """:func:`statuses_by_staff` for today or a later day, from the stored latest records
    (tracker.services.compliance_state) instead of every record: the same answers, from a few
    rows per person. Someone with a record dated after ``today`` (which the rules skip until its
    day, so the state cannot say what it hides) is computed from all their records instead.
    """
    people = list(people)
    ids = {s.id for s in people}
    acks, completions, certs, later = _stored_records(ids, today)
    found = {s.id: person_statuses(catalogue, person_from_staff(s), acks[s.id], completions[s.id], certs[s.id],
                                   today=today)
             for s in people if s.id not in later}
    if later & ids:
        found.update(statuses_by_staff([s for s in people if s.id in later], catalogue, today, known_on=today))
    return found
