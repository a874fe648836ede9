"""Twelve months of compliance: the counts at each month end, overall and per location.

Each point is the as-of computation of that day (tracker.services.matrix.compute), so it agrees with
what the matrix shows for the same date. A closed month's end no longer changes with what is
entered now, so its counts are stored in the database the first time any worker asks for them
(tracker.services.month_snapshots) and read from there by every worker after. The last point is the
day asked about itself (the month so far), read off the status sheet (tracker.services.status_sheet).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from portal.model import Catalogue
from tracker.rules.summary import Summary
from tracker.services import month_snapshots, sheet_pages, status_sheet

MONTHS = 12


@dataclass(frozen=True)
class Point:
    day: date
    overall: Summary
    by_location: dict[str | None, Summary]


def month_ends(as_of: date, months: int = MONTHS) -> list[date]:
    """The last day of each of the ``months - 1`` months before ``as_of``'s month, then ``as_of``."""
    ends = []
    first = as_of.replace(day=1)
    for _ in range(months - 1):
        end = first - timedelta(days=1)
        ends.append(end)
        first = end.replace(day=1)
    return [*reversed(ends), as_of]


def point(catalogue: Catalogue, day: date) -> Point:
    """The point of any day, computed now."""
    return Point(day, *month_snapshots.compute(catalogue, day))


def history(catalogue: Catalogue, as_of: date, months: int = MONTHS,
            current: month_snapshots.Counts | None = None) -> list[Point]:
    """The points up to ``as_of``; ``current``, the counts of ``as_of`` (overall, by location) if the
    caller has them, else read off the status sheet."""
    days = month_ends(as_of, months)
    closed = month_snapshots.month_end_counts(catalogue, days[:-1])
    points = [Point(day, *closed[day]) if day in closed else point(catalogue, day) for day in days[:-1]]
    if current is None:
        figures = sheet_pages.overview(status_sheet.sheet(catalogue, as_of))
        current = figures.summary, figures.by_location
    last = Point(as_of, *current)
    return [*points, last]
