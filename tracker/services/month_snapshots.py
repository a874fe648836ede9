"""Month-end compliance counts, stored in the database once each month has closed.

A closed month's end is an as-of day like any other (tracker.services.matrix.compute with the records
as they stood then), and it no longer changes with what is entered now: its counts are computed once,
by the first worker that asks after the month closed, and every worker on every host reads them
from then on. Two workers that both find a month missing compute the same figures; the unique
(month_end, scope) key keeps the first and the second's insert does nothing.

The rebuild command (``flask --app tracker compliance rebuild-state``) recomputes them, e.g. after
staff records of past months were corrected.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import delete, select

from portal.model import Catalogue
from tracker.rules.records import Status
from tracker.rules.summary import Summary, from_counts
from tracker.services import matrix
from tracker.storage.db import backend_insert, db, today, utcnow
from tracker.storage.models import ComplianceSnapshot

OVERALL = "*"  # the scope of everyone's counts; a location's is its id, and "" is no location
Counts = tuple[Summary, dict[str | None, Summary]]  # overall, and by location


def _scope(location_id: str | None) -> str:
    return "" if location_id is None else location_id


def stored(days: Iterable[date]) -> dict[date, Counts]:
    """The stored counts of these month ends (those that have them)."""
    rows = db.session.execute(select(ComplianceSnapshot).where(ComplianceSnapshot.month_end.in_(list(days)))).scalars()
    overall: dict[date, Summary] = {}
    located: dict[date, dict[str | None, Summary]] = {}
    for row in rows:
        summary = from_counts({Status.COMPLIANT: row.compliant, Status.DUE_SOON: row.due_soon,
                               Status.PENDING: row.pending, Status.OVERDUE: row.overdue})
        if row.scope == OVERALL:
            overall[row.month_end] = summary
        else:
            located.setdefault(row.month_end, {})[row.scope or None] = summary
    return {day: (summary, located.get(day, {})) for day, summary in overall.items()}


def compute(catalogue: Catalogue, day: date) -> Counts:
    computed = matrix.compute(catalogue, day, remember=False)  # summaries only: no need to keep the rows
    return computed.summary, computed.by_location


def _rows(day: date, counts: Counts) -> list[dict[str, Any]]:
    overall, by_location = counts
    scoped = [(OVERALL, overall), *((_scope(location), summary) for location, summary in by_location.items())]
    moment = utcnow()
    return [{"month_end": day, "scope": scope, "compliant": s.counts[Status.COMPLIANT],
             "due_soon": s.counts[Status.DUE_SOON], "pending": s.counts[Status.PENDING],
             "overdue": s.counts[Status.OVERDUE], "computed_at": moment} for scope, s in scoped]


def _store(day: date, counts: Counts) -> None:
    """Insert a month's rows unless another worker stored them first (same figures either way)."""
    db.session.execute(backend_insert(ComplianceSnapshot).values(_rows(day, counts))
                       .on_conflict_do_nothing(index_elements=["month_end", "scope"]))


def month_end_counts(catalogue: Catalogue, days: Iterable[date]) -> dict[date, Counts]:
    """The counts of these days, each the end of a closed month (before today): stored ones read,
    missing ones computed and stored (committing the session, so that every worker sees them)."""
    days = [day for day in days if day < today()]
    found = stored(days)
    missing = [day for day in days if day not in found]
    for day in missing:
        found[day] = compute(catalogue, day)
        _store(day, found[day])
    if missing:
        db.session.commit()
    return found


def rebuild(catalogue: Catalogue, days: Iterable[date]) -> list[date]:
    """Recompute the stored counts of these closed month ends and of every month end already stored,
    in the caller's transaction; the month ends written, in order."""
    wanted = {day for day in days if day < today()}
    wanted |= set(db.session.scalars(select(ComplianceSnapshot.month_end).distinct()))
    db.session.execute(delete(ComplianceSnapshot))
    for day in sorted(wanted):
        _store(day, compute(catalogue, day))
    return sorted(wanted)
