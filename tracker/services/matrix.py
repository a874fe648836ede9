"""The compliance matrix: every active person against everything they owe, as of a day.

One bulk gathering (for today, tracker.services.compliance_status.current_statuses_by_staff: one query of the
stored latest records, shared by every worker and kept current by the writes; for a past day,
statuses_by_staff over every record as it stood then; either way the compliance rules' fast
Evaluator decides), then plain loops here to filter, order and summarise. The evidence pack,
reminders, calendar feeds and the JSON API start from :func:`compute`; the dashboard, the matrix page
and its CSV read the same statuses, from the same rules, off the status sheet
(tracker.services.status_sheet); tests/tracker/test_status_sheet.py holds the two equal.

A past day shows the records as they stood then: records dated after it are ignored by the rules,
and records *entered* after it by ``known_on`` (tracker.services.compliance_status).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, Generic, NamedTuple, TypeVar

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import joinedload

from portal.model import Catalogue
from tracker.rules.records import CertRecord, Completion, ItemStatus, Status
from tracker.rules.summary import Summary, combined, summarise
from tracker.services import compliance_status, current_statuses
from tracker.services.memory import Remembered, with_collector_paused
from tracker.storage.db import db, today
from tracker.storage.models import AuditEvent, ContentSnapshot, Staff

KINDS = ("policy", "module", "certification")
KIND_LABELS = {"policy": "Policy", "module": "Training", "certification": "Certification"}
STATUS_LABELS = {Status.COMPLIANT: "Done", Status.DUE_SOON: "Due soon", Status.PENDING: "To do",
                 Status.OVERDUE: "Overdue"}
# A mark in each matrix cell, so that colour is never the only signal (the legend explains them).
STATUS_MARKS = {Status.COMPLIANT: "✓", Status.DUE_SOON: "!", Status.PENDING: "○", Status.OVERDUE: "✗"}
EXPIRY_WINDOWS = (30, 60, 90)
# Everyone's statuses for this many (data version, day) pairs: today's, and a past day or two an
# auditor looks at. About 0.5 KB per person and requirement.
STATUS_CACHE_SIZE = 3


Someone = TypeVar("Someone")  # a Staff record, or a status sheet's plain person (both have a name)


class BadFilter(ValueError):
    """A filter names a location, role, status or requirement that does not exist."""


@dataclass(frozen=True)
class Requirement:
    """One column: a policy to sign, a module to complete or a certification to hold."""

    kind: str
    id: str
    title: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


def requirement_key(item: ItemStatus) -> str:
    return f"{item.kind}:{item.id}"


def all_requirements(catalogue: Catalogue) -> list[Requirement]:
    """Every requirement of the catalogue in display order: policies, modules, certifications."""
    found = [Requirement("policy", p.id, p.title) for p in catalogue.policies.values() if p.acknowledgement_required]
    found += [Requirement("module", m.id, m.title) for m in catalogue.modules.values()]
    groups: dict[str, list[str]] = {}
    for cert in catalogue.certifications.values():
        groups.setdefault(cert.requirement_id, []).append(cert.name)
    found += [Requirement("certification", group, " or ".join(names)) for group, names in groups.items()]
    return found


@dataclass(frozen=True)
class Filters:
    """What the matrix shows; an empty value means "any"."""

    location: str = ""
    role: str = ""
    status: str = ""
    requirement: str = ""  # a Requirement.key, e.g. "policy:minimum-necessary"

    @classmethod
    def from_args(cls, args: Mapping[str, str], catalogue: Catalogue) -> Filters:
        """Filters from a query string; BadFilter when one names nothing the catalogue has."""
        found = cls(**{name: (args.get(name) or "").strip() for name in ("location", "role", "status",
                                                                         "requirement")})
        found.check(catalogue)
        return found

    def check(self, catalogue: Catalogue) -> None:
        if self.location and self.location not in catalogue.locations:
            raise BadFilter(f"location {self.location!r} is not one of the office's locations "
                            f"({', '.join(catalogue.locations)}).")
        if self.role and self.role not in catalogue.roles:
            raise BadFilter(f"role {self.role!r} is not one of the office's roles ({', '.join(catalogue.roles)}).")
        if self.status and self.status not in {s.value for s in Status}:
            raise BadFilter(f"status {self.status!r} must be one of {', '.join(s.value for s in Status)}.")
        if self.requirement and self.requirement not in {r.key for r in all_requirements(catalogue)}:
            raise BadFilter(f"requirement {self.requirement!r} is not a policy, module or certification of the "
                            "catalogue (write it as kind:id, e.g. policy:minimum-necessary).")

    def as_args(self) -> dict[str, str]:
        return {name: value for name, value in vars(self).items() if value}

    def picks_cells(self) -> bool:
        return bool(self.status or self.requirement)

    def wants(self, item: ItemStatus) -> bool:
        return ((not self.status or item.status == self.status)
                and (not self.requirement or requirement_key(item) == self.requirement))


@dataclass
class Row:
    staff: Staff
    statuses: list[ItemStatus]  # every item the person owes, in column order
    picked: list[ItemStatus]  # those the filters select

    @cached_property
    def items(self) -> dict[str, ItemStatus]:
        """Every item the person owes, by requirement key."""
        return {requirement_key(i): i for i in self.statuses}

    @cached_property
    def summary(self) -> Summary:
        """Over every item the person owes."""
        return summarise(self.statuses)


@dataclass
class Matrix:
    as_of: date
    filters: Filters
    columns: list[Requirement]
    rows: list[Row]
    summary: Summary  # over the picked cells
    by_location: dict[str | None, Summary] = field(default_factory=dict)

    def cells(self) -> Iterator[tuple[Staff, ItemStatus]]:
        """Every picked (person, item) pair, people in name order, items in column order."""
        for row in self.rows:
            for item in row.picked:
                yield row.staff, item


def employed_on(as_of: date) -> ColumnElement[bool]:
    """Staff records of people employed on ``as_of``: hired on or before it, not left by it."""
    return and_(Staff.hire_date <= as_of, Staff.left_on.is_(None) | (Staff.left_on > as_of))


def active_staff(as_of: date) -> list[Staff]:
    """People employed on ``as_of``, by name."""
    return list(db.session.scalars(
        select(Staff).options(joinedload(Staff.location)).where(employed_on(as_of)).order_by(Staff.name, Staff.id)))


def staff_in_order(ids: list[int]) -> list[Staff]:
    """These people's staff records, in the order given."""
    found = {s.id: s for s in db.session.scalars(
        select(Staff).options(joinedload(Staff.location)).where(Staff.id.in_(ids)))}
    return [found[i] for i in ids]


def _kept(people: list[Staff], filters: Filters) -> list[Staff]:
    return [s for s in people if (not filters.location or s.location_id == filters.location)
            and (not filters.role or filters.role in (s.roles or ()))]


# --------------------------------------------------------------------------------------------
# Remembered computations
# --------------------------------------------------------------------------------------------


def data_version(day: date) -> str:
    """A text that changes whenever the statuses of ``day`` may have changed.

    Every write appends an audit event, so for today (or a later day) the newest event's hash
    serves. A past day depends only on the catalogue and on the staff records of the people
    employed that day (their roles, location and hire date): anything entered from now on was
    entered after that day and does not count for it (``known_on``), and someone hired or leaving
    now changes nothing before. The first event's hash tells one database from another.
    """
    return data_versions([day])[day]


def data_versions(days: list[date]) -> dict[date, str]:
    """:func:`data_version` of several days, with one query each for what they share."""
    first = db.session.scalar(select(AuditEvent.hash).order_by(AuditEvent.seq).limit(1)) or "empty"
    found, past = {}, [d for d in days if d < today()]
    if len(past) < len(days):
        last = db.session.scalar(select(AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1))
        found.update({d: f"{first}:{last}" for d in days if d >= today()})
    if past:
        snapshot = db.session.scalar(select(func.max(ContentSnapshot.id)))
        staff = db.session.execute(select(Staff.id, Staff.roles, Staff.location_id, Staff.hire_date, Staff.left_on)
                                   .order_by(Staff.id)).all()
        for day in past:
            employed = [(s.id, sorted(s.roles or ()), s.location_id, s.hire_date) for s in staff
                        if s.hire_date <= day and (s.left_on is None or s.left_on > day)]
            found[day] = f"{first}:{snapshot}:{hashlib.sha256(repr(employed).encode()).hexdigest()}"
    return found


# Everyone's statuses (by staff id) for a (data version, day) pair.
Statuses = dict[int, list[ItemStatus]]
StatusKey = tuple[str, date]


_statuses: Remembered[StatusKey, tuple[Catalogue, Statuses]] = Remembered(STATUS_CACHE_SIZE)


def everyones_statuses(catalogue: Catalogue, as_of: date, people: list[Staff],
                       remember: bool = True) -> dict[int, list[ItemStatus]]:
    """compliance_status.statuses_by_staff for every active person (``people``): for today or later,
    remembered and kept up to date from the change log (tracker.services.current_statuses); for a past
    day, remembered per data version."""
    if remember and as_of >= today():
        return current_statuses.statuses(catalogue, as_of, people)
    key = (data_version(as_of), as_of)
    entry = _statuses.get(key) if remember else None
    if entry is not None and entry[0] is catalogue:
        return entry[1]
    found = statuses_of(people, catalogue, as_of)
    if remember:
        _statuses.put(key, (catalogue, found))
    return found


def statuses_of(people: list[Staff], catalogue: Catalogue, as_of: date) -> dict[int, list[ItemStatus]]:
    """These people's statuses as of a day: from the stored latest records (shared by every worker
    and kept current by the writes) for today or later, from all records as they stood then for a
    past day."""
    if as_of >= today():
        return compliance_status.current_statuses_by_staff(people, catalogue, as_of)
    return compliance_status.statuses_by_staff(people, catalogue, as_of, known_on=as_of)


@with_collector_paused
def compute(catalogue: Catalogue, as_of: date, filters: Filters | None = None,
            people: list[Staff] | None = None, remember: bool = True) -> Matrix:
    """The matrix as of ``as_of``: rows for the people the filters keep, columns for what they owe.

    Without a status or requirement filter every active person is a row; with one, only people with
    at least one picked item, and only the columns that hold a picked item. ``people`` limits it to
    those people (computed afresh); otherwise everyone's statuses are remembered for the next call.
    """
    filters = filters or Filters()
    if people is None:
        everyone = active_staff(as_of)
        statuses = everyones_statuses(catalogue, as_of, everyone, remember)
        people = _kept(everyone, filters)
    else:
        statuses = statuses_of(people, catalogue, as_of)
    picks = filters.picks_cells()
    rows: list[Row] = []
    groups: dict[tuple[frozenset[str], str | None], Row] = {}
    for person in people:
        items = statuses.get(person.id, [])
        picked = [i for i in items if filters.wants(i)] if picks else items
        if picks and not picked:
            continue
        rows.append(Row(person, items, picked))
        groups.setdefault((frozenset(person.roles or ()), person.location_id), rows[-1])
    # People with the same roles and location owe the same things: one of each kind names the columns.
    keys = ({requirement_key(i) for row in rows for i in row.picked} if picks
            else {requirement_key(i) for row in groups.values() for i in row.statuses})
    order = {r.key: n for n, r in enumerate(all_requirements(catalogue))}
    columns = sorted((_column(key, rows) for key in keys), key=lambda r: order.get(r.key, len(order)))
    by_location: dict[str | None, list[Row]] = {}
    for row in rows:
        by_location.setdefault(row.staff.location_id, []).append(row)
    located = {loc: summarise(i for row in located for i in row.picked) for loc, located in by_location.items()}
    return Matrix(as_of, filters, columns, rows, combined(located.values()), located)


def _column(key: str, rows: list[Row]) -> Requirement:
    item = next(row.items[key] for row in rows if key in row.items)
    return Requirement(item.kind, item.id, item.title)


# --------------------------------------------------------------------------------------------
# What the dashboard lists
# --------------------------------------------------------------------------------------------


class Overdue(NamedTuple, Generic[Someone]):  # a tuple: a dashboard lists tens of thousands
    staff: Someone  # a Staff record, or a status sheet's plain person
    item: ItemStatus
    due_date: date  # the item's, which an overdue item always has
    days: int  # days past the due date


def overdue(matrix: Matrix) -> list[Overdue[Staff]]:
    """Every overdue item, the longest overdue first."""
    as_of, overdue_ = matrix.as_of, Status.OVERDUE
    return longest_overdue_first([Overdue(row.staff, item, item.due_date, (as_of - item.due_date).days)
                                  for row in matrix.rows for item in row.picked
                                  if item.status == overdue_ and item.due_date])


def longest_overdue_first(found: list[Overdue[Any]]) -> list[Overdue[Any]]:
    """The dashboard's order of overdue items: the longest overdue first, then by name and title."""
    return sorted(found, key=lambda o: (-o.days, o.staff.name, o.item.title))


class Expiring(NamedTuple, Generic[Someone]):
    staff: Someone
    item: ItemStatus
    days: int  # days left until the due date
    window: int  # the first of EXPIRY_WINDOWS that holds it


def _done_on(record: Completion | CertRecord) -> date:
    return record.completed_on if isinstance(record, Completion) else record.issued_on


def expiring(matrix: Matrix, windows: tuple[int, ...] = EXPIRY_WINDOWS) -> list[Expiring[Staff]]:
    """Training renewals and certification expiries falling due within the longest window
    (:func:`runs_out_soon`), the soonest first."""
    longest = max(windows)
    return soonest_first([expiring_entry(row.staff, item, matrix.as_of, windows) for row in matrix.rows
                          for item in row.picked if runs_out_soon(item, matrix.as_of, longest)])


def soonest_first(found: list[Expiring[Any]]) -> list[Expiring[Any]]:
    """The dashboard's order of expiring items: the soonest first, then by name and title."""
    return sorted(found, key=lambda e: (e.days, e.staff.name, e.item.title))


def expiring_entry(staff: Someone, item: ItemStatus, as_of: date,
                   windows: tuple[int, ...] = EXPIRY_WINDOWS) -> Expiring[Someone]:
    """The entry of an item that runs out soon (:func:`runs_out_soon`): days left, and its window."""
    assert item.due_date is not None  # whatever runs out has a date it runs out on
    days = (item.due_date - as_of).days
    return Expiring(staff, item, days, next(w for w in windows if days <= w))


def runs_out_soon(item: ItemStatus, as_of: date, longest: int = max(EXPIRY_WINDOWS)) -> bool:
    """Whether something already done runs out within ``longest`` days of ``as_of`` (a current card, a
    completed course that recurs). What was never done is pending or overdue, listed elsewhere;
    checks that always run out within the window (a monthly exclusion-list screening) are routine,
    not news: left out."""
    due = item.due_date  # None for most cells (signed policies): the cheapest test first
    if due is None or (due - as_of).days > longest:
        return False
    done = item.satisfied_by  # a signature (policies) never runs out: only completions and cards
    return isinstance(done, _RUN_OUT) and (due - _done_on(done)).days > longest


_RUN_OUT = (Completion, CertRecord)


def by_window(expiring: list[Expiring[Someone]],
              windows: tuple[int, ...] = EXPIRY_WINDOWS) -> dict[int, list[Expiring[Someone]]]:
    """The expiring items of each window, in their order (the dashboard lists each window apart)."""
    found: dict[int, list[Expiring[Someone]]] = {window: [] for window in windows}
    for item in expiring:
        found[item.window].append(item)
    return found
