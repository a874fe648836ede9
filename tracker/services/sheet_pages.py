"""What the dashboard and the matrix page show, read off a status sheet (tracker.services.status_sheet):
counts, the overdue and expiring cells, and which people and columns a filtered matrix holds.

Each function gives what its namesake in tracker.services.matrix gives from the full matrix (the
summaries, :func:`matrix.overdue`, :func:`matrix.expiring`, :func:`matrix.compute`'s rows and
columns), by counting letters instead of building every status; the tests hold them equal.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from tracker.rules.records import Status
from tracker.rules.summary import Summary, combined, from_counts
from tracker.services import matrix
from tracker.services.status_sheet import CODES, NOT_OWED, Person, Sheet, SheetRow

_OVERDUE = CODES[Status.OVERDUE]


@dataclass(frozen=True)
class Overview:
    """The dashboard's figures: everyone's summary, each location's, and how many people."""

    summary: Summary
    by_location: dict[str | None, Summary]
    people: int


def overview(sheet: Sheet) -> Overview:
    located: dict[str | None, Counter[Status]] = {}
    for row in sheet.rows:
        counts = located.setdefault(row.staff.location_id, Counter())
        counts.update(_counts(row.line.codes))
    by_location = {location: from_counts(counts) for location, counts in located.items()}
    return Overview(combined(by_location.values()), by_location, len(sheet.rows))


def _counts(cells: str, code: str = "") -> dict[Status, int]:
    """How many cells hold each status (only ``code``'s, if given)."""
    return {status: cells.count(letter) for status, letter in CODES.items() if not code or letter == code}


def overdue(sheet: Sheet) -> list[matrix.Overdue[Person]]:
    """Every overdue cell, the longest overdue first."""
    return matrix.longest_overdue_first([
        matrix.Overdue(row.staff, sheet.item(row, column), due, (sheet.as_of - due).days)
        for row in sheet.rows for column, (due, _soon) in row.line.dues.items() if row.line.codes[column] == _OVERDUE])


def expiring(sheet: Sheet, windows: tuple[int, ...] = matrix.EXPIRY_WINDOWS) -> list[matrix.Expiring[Person]]:
    """The cells running out within the longest window (tracker.services.matrix.runs_out_soon), the soonest first."""
    return matrix.soonest_first([matrix.expiring_entry(row.staff, sheet.item(row, column), sheet.as_of, windows)
                                 for row in sheet.rows for column, (_due, soon) in row.line.dues.items() if soon])


@dataclass(frozen=True)
class Matched:
    """The people a filtered matrix holds (in name order), its columns, the summary of its picked
    cells, and which cells of each row the filters pick."""

    rows: list[SheetRow]
    columns: list[matrix.Requirement]
    summary: Summary
    pick: Pick


def matched(sheet: Sheet, filters: matrix.Filters) -> Matched:
    """The rows, columns and summary :func:`matrix.compute` gives for these filters."""
    pick = Pick.of(sheet, filters)
    rows: list[SheetRow] = []
    totals: Counter[Status] = Counter()
    for row in sheet.rows:
        staff = row.staff
        if (filters.location and staff.location_id != filters.location) or (
                filters.role and filters.role not in staff.roles):
            continue
        counts = _counts(row.line.codes if pick.column is None else row.line.codes[pick.column], pick.code)
        if filters.picks_cells() and not any(counts.values()):
            continue
        rows.append(row)
        totals.update(counts)
    shown = {n for row in rows for n in pick.columns(row)} if filters.picks_cells() else _owed_columns(rows)
    return Matched(rows, [sheet.columns[n] for n in sorted(shown)], from_counts(totals), pick)


@dataclass(frozen=True)
class Pick:
    """The cells a status or requirement filter picks: those with ``code`` (any, if empty), in
    ``column`` (any, if None)."""

    code: str
    column: int | None

    @classmethod
    def of(cls, sheet: Sheet, filters: matrix.Filters) -> Pick:
        keys = [requirement.key for requirement in sheet.columns]
        return cls(CODES[Status(filters.status)] if filters.status else "",
                   keys.index(filters.requirement) if filters.requirement else None)

    def columns(self, row: SheetRow) -> list[int]:
        """The picked columns of a row, in order."""
        cells = row.line.codes
        candidates = range(len(cells)) if self.column is None else (self.column,)
        return [n for n in candidates if cells[n] != NOT_OWED and (not self.code or cells[n] == self.code)]


def _owed_columns(rows: Iterable[SheetRow]) -> set[int]:
    """The columns anyone owes: people with the same roles and location owe the same things, so one
    line of each such group says which."""
    groups: dict[tuple[frozenset[str], str | None], str] = {}
    for row in rows:
        groups.setdefault((frozenset(row.staff.roles), row.staff.location_id), row.line.codes)
    return {n for cells in groups.values() for n, letter in enumerate(cells) if letter != NOT_OWED}
