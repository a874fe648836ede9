"""Everyone's statuses on one day as a sheet of letters, stored in the database for today.

The dashboard, the matrix page, the matrix CSV and the trend's last point need counts, the few cells
they list (overdue, running out soon), each cell's due date and detail (the CSV) and, for the matrix
page, the full statuses of one page of people. Computing everyone's statuses to get them costs a
fresh worker a second or more at a group practice's size, on every worker and every host. So today's
statuses are kept as a sheet (tracker.storage.models.StatusSheetRow): one letter per person and
requirement (:data:`CODES`), the due dates of the listed cells, and every cell's due date and detail.
The first reader of a day (or of a new catalogue) computes everyone and stores the sheet; after that
each reader brings it up to date from the change log (tracker.storage.models.StateChange) by
recomputing only the people named since, so a signature taken by one worker is on the next page any
worker draws. A database that cannot be written (a read-only file system or account) is served as
before the sheet: each worker computes everyone (tracker.services.matrix).

The letters come from the rules (tracker.rules.evaluator) like every other status, so the pages read
the same answers as the evidence pack and the API (tests/tracker/test_status_sheet.py compares them,
the CSV byte for byte). Another day than today is computed as before and put in the same shape.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import delete, literal, select
from sqlalchemy.exc import DBAPIError

from portal.model import Catalogue
from tracker.rules.records import ItemStatus, Status
from tracker.services import compliance_status, current_statuses, matrix, served_catalogue
from tracker.services.current_statuses import Seen
from tracker.storage.db import backend_insert, db, hold_advisory_lock, today
from tracker.storage.models import Staff, StatusSheetHead, StatusSheetRow

CODES = {Status.COMPLIANT: "C", Status.DUE_SOON: "S", Status.PENDING: "P", Status.OVERDUE: "O"}
STATUS_OF = {code: status for status, code in CODES.items()}
NOT_OWED = "-"
HEAD_ID = 1
SHEET_LOCK_KEY = 0x5354_4154  # PostgreSQL advisory lock of the sheet's writers ("STAT")

_HEAD = select(StatusSheetHead.day, StatusSheetHead.snapshot_id, StatusSheetHead.change_id,
               StatusSheetHead.change_token).where(StatusSheetHead.id == HEAD_ID)


Cell = tuple[date | None, str]  # an owed cell's due date and detail


@dataclass(frozen=True)
class Line:
    """One person's statuses: ``codes[n]`` is the letter of the sheet's column n; ``dues`` holds the
    due date of each cell the pages list (overdue, or running out soon) and whether it runs out soon;
    ``cells``, when asked for (the matrix CSV), every owed cell's due date and detail, in column order."""

    codes: str
    dues: dict[int, tuple[date, bool]]
    cells: tuple[Cell, ...] | None = None


class Person(NamedTuple):
    """What the pages need of someone on the sheet: plain values, read without the ORM, since the
    dashboard sorts tens of thousands of cells by name."""

    id: int
    name: str
    location_id: str | None
    roles: tuple[str, ...]


@dataclass(frozen=True)
class SheetRow:
    staff: Person
    line: Line


@dataclass(frozen=True)
class Sheet:
    as_of: date
    columns: list[matrix.Requirement]  # matrix.all_requirements, the order of every line's codes
    rows: list[SheetRow]  # everyone employed on the day, by name
    _items: dict[tuple[int, str, date], ItemStatus] = field(default_factory=dict, compare=False, repr=False)

    def item(self, row: SheetRow, column: int) -> ItemStatus:
        """A listed cell's status, without its detail and records (the pages that list it show neither);
        cells alike share one object, since a dashboard lists tens of thousands."""
        key = (column, row.line.codes[column], row.line.dues[column][0])
        found = self._items.get(key)
        if found is None:
            requirement = self.columns[column]
            found = self._items[key] = ItemStatus(requirement.kind, requirement.id, requirement.title,
                                                  STATUS_OF[key[1]], key[2], None, "")
        return found


def line_of(items: Iterable[ItemStatus], index: dict[str, int], as_of: date, details: bool = False) -> Line:
    """The line of one person's statuses; ``index`` gives each requirement key its column."""
    codes = [NOT_OWED] * len(index)
    dues: dict[int, tuple[date, bool]] = {}
    cells: dict[int, Cell] = {}
    for item in items:
        column = index[matrix.requirement_key(item)]
        codes[column] = CODES[item.status]
        if details:
            cells[column] = (item.due_date, item.detail)
        if item.due_date is not None:
            soon = matrix.runs_out_soon(item, as_of)
            if soon or item.status == Status.OVERDUE:
                dues[column] = (item.due_date, soon)
    return Line("".join(codes), dues, tuple(cells[n] for n in sorted(cells)) if details else None)


def sheet(catalogue: Catalogue, as_of: date, details: bool = False) -> Sheet:
    """Everyone's statuses on ``as_of``: today's from the stored sheet, another day's computed; with
    ``details``, each line's cells too."""
    columns = matrix.all_requirements(catalogue)
    index = {requirement.key: n for n, requirement in enumerate(columns)}
    people = _people(as_of)
    ids = [p.id for p in people]
    lines = _stored(catalogue, as_of, index, ids, details) if as_of == today() else None
    if lines is None:  # another day, or a database that cannot store today's
        employed = matrix.staff_in_order(ids)
        statuses = matrix.everyones_statuses(catalogue, as_of, employed)
        lines = {p.id: line_of(statuses.get(p.id, []), index, as_of, details) for p in employed}
    return Sheet(as_of, columns, [SheetRow(p, lines[p.id]) for p in people])


def _people(day: date) -> list[Person]:
    """Everyone employed on ``day``, by name (the matrix's order)."""
    rows = db.session.execute(select(Staff.id, Staff.name, Staff.location_id, Staff.roles)
                              .where(matrix.employed_on(day)).order_by(Staff.name, Staff.id))
    return [Person(staff_id, name, location_id, tuple(roles or ())) for staff_id, name, location_id, roles in rows]


# --------------------------------------------------------------------------------------------
# Today's sheet in the database
# --------------------------------------------------------------------------------------------


def _stored(catalogue: Catalogue, day: date, index: dict[str, int], ids: list[int],
            details: bool) -> dict[int, Line] | None:
    """Today's lines of these people, brought up to date first if the log has moved on; None if they
    cannot be stored (a database that cannot be written, or a catalogue other than the one served)."""
    snapshot = served_catalogue.snapshot_id_of(catalogue)
    if snapshot is None:
        return None
    if _stale(day, snapshot, current_statuses.newest_change()) != set() and not _refreshed(
            catalogue, day, snapshot, index):
        return None
    row = StatusSheetRow
    query = select(row.staff_id, row.codes, row.dues, row.details if details else literal(None))
    lines = {staff_id: _decoded(codes, dues, cells) for staff_id, codes, dues, cells in db.session.execute(query)}
    missing = [i for i in ids if i not in lines or len(lines[i].codes) != len(index)]
    if missing:  # hired just now, or the sheet rewritten for another catalogue in between
        statuses = compliance_status.current_statuses_by_staff(matrix.staff_in_order(missing), catalogue, day)
        lines.update({i: line_of(statuses[i], index, day, details) for i in missing})
    return lines


def _stale(day: date, snapshot: int, newest: Seen) -> set[int] | None:
    """The people whose lines are behind the log; None when the whole sheet must be computed again
    (none yet, another day or catalogue, or a log that cannot be followed from the sheet's change)."""
    head = db.session.execute(_HEAD).first()
    if head is None or head.day != day or head.snapshot_id != snapshot:
        return None
    seen: Seen = (head.change_id, head.change_token) if head.change_id else None
    return current_statuses.changed_since(seen, newest)


def _refreshed(catalogue: Catalogue, day: date, snapshot: int, index: dict[str, int]) -> bool:
    """Bring the stored sheet up to date and commit; False where the database cannot be written (a
    read-only file system or account): the reader then computes everyone itself, as before the sheet."""
    try:
        _refresh(catalogue, day, snapshot, index)
        db.session.commit()
    except DBAPIError:
        db.session.rollback()
        return False
    return True


def _refresh(catalogue: Catalogue, day: date, snapshot: int, index: dict[str, int]) -> None:
    """Under the sheet's lock (SQLite's write lock, taken at BEGIN, serves there), recompute the people
    named in the log since the sheet's change, or everyone, and move the head to the newest change.
    The newest change is read before the records, so anything committed after it is named for the next
    reader; a reader that loses a race therefore only ever leaves the head behind, never ahead."""
    hold_advisory_lock(db.session.connection(), SHEET_LOCK_KEY)
    newest = current_statuses.newest_change()
    stale = _stale(day, snapshot, newest)
    if stale is None:
        db.session.execute(delete(StatusSheetRow))
        todo = matrix.active_staff(day)
    else:
        stored = set(db.session.scalars(select(StatusSheetRow.staff_id)))
        employed = db.session.scalars(select(Staff.id).where(matrix.employed_on(day)))
        todo = matrix.staff_in_order([i for i in employed if i in stale or i not in stored])
    statuses = compliance_status.current_statuses_by_staff(todo, catalogue, day)
    rows = [{"staff_id": p.id, **_encoded(line_of(statuses[p.id], index, day, details=True))} for p in todo]
    if rows:
        db.session.execute(_upsert(StatusSheetRow, ["staff_id"], ["codes", "dues", "details"]), rows)
    head = {"id": HEAD_ID, "day": day, "snapshot_id": snapshot, "change_id": newest[0] if newest else 0,
            "change_token": newest[1] if newest else ""}
    db.session.execute(_upsert(StatusSheetHead, ["id"], ["day", "snapshot_id", "change_id", "change_token"]), [head])


def _upsert(model: type[StatusSheetRow] | type[StatusSheetHead], keys: list[str], columns: list[str]) -> Any:
    statement = backend_insert(model)
    return statement.on_conflict_do_update(index_elements=keys,
                                           set_={name: getattr(statement.excluded, name) for name in columns})


def _encoded(line: Line) -> dict[str, str]:
    dues = [[column, due.isoformat(), int(soon)] for column, (due, soon) in sorted(line.dues.items())]
    cells = [[due.isoformat() if due else None, detail] for due, detail in line.cells or ()]
    return {"codes": line.codes, "dues": json.dumps(dues, separators=(",", ":")),
            "details": json.dumps(cells, separators=(",", ":"), ensure_ascii=False)}


def _decoded(codes: str, dues: str, cells: str | None) -> Line:
    return Line(codes, {column: (date.fromisoformat(due), bool(soon)) for column, due, soon in json.loads(dues)},
                None if cells is None else tuple((date.fromisoformat(due) if due else None, detail)
                                                 for due, detail in json.loads(cells)))
