"""Twelve months of compliance: the matrix recomputed at each month end, overall and per location.

Each point is the as-of computation of that day (tracker.services.matrix.compute), so the history needs
no stored snapshots and agrees with what the matrix shows for the same date. The last point is
the day asked about itself (the month so far).

Points are remembered per process under tracker.services.matrix.data_version: a past month end changes
only when the catalogue does or when the staff records of people employed that day are edited
(what is entered today does not count for it), so a signature, a new card or a new hire
recomputes only the current point.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, timedelta

from portal.model import Catalogue
from tracker.rules.summary import Summary
from tracker.services import matrix

MONTHS = 12
CACHE_SIZE = 256  # points; a year of history for a couple of dozen data versions


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


class _PointCache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.points: OrderedDict[tuple[str, date], Point] = OrderedDict()

    def get(self, key: tuple[str, date]) -> Point | None:
        with self.lock:
            point = self.points.get(key)
            if point is not None:
                self.points.move_to_end(key)
            return point

    def put(self, key: tuple[str, date], point: Point) -> None:
        with self.lock:
            self.points[key] = point
            while len(self.points) > CACHE_SIZE:
                self.points.popitem(last=False)


_cache = _PointCache()


def point(catalogue: Catalogue, day: date, version: str | None = None) -> Point:
    key = (version or matrix.data_version(day), day)
    found = _cache.get(key)
    if found is None:
        computed = matrix.compute(catalogue, day, remember=False)  # summaries only: no need to keep the rows
        found = Point(day, computed.summary, computed.by_location)
        _cache.put(key, found)
    return found


def history(catalogue: Catalogue, as_of: date, months: int = MONTHS,
            current: matrix.Matrix | None = None) -> list[Point]:
    """The points up to ``as_of``; ``current``, the unfiltered matrix of ``as_of`` if the caller has it."""
    days = month_ends(as_of, months)
    versions = matrix.data_versions(days)
    points = [point(catalogue, day, versions[day]) for day in days[:-1]]
    last = (Point(as_of, current.summary, current.by_location)
            if current is not None and current.as_of == as_of and not current.filters.as_args()
            else point(catalogue, as_of, versions[as_of]))
    return [*points, last]
