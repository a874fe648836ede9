"""Office duties: when a recurring check a policy assigns to the office falls due, and its status.

Pure functions of (schedule, completions, today), like the rules for staff (tracker.rules.records
describes the four statuses). A duty is tracked per location where it applies, or once for the
office; the tracker hands in the completions of one place.

- Done before: the newest completion dated on or before ``today`` decides. A rolling schedule
  (weeks, months, years) is next due that long after it: weeks are 7 days, months calendar months
  (done on 31 January, due on 28 or 29 February), years 365 days each (OSHA's reading of "at least
  annually", as for training: tracker.rules.deadlines.recurrence_due). A fixed yearly schedule
  (``on`` a day, or ``days_after_year_end``) is done once per calendar year: a completion in a year
  counts for that year's due day, so the next one is due on the next year's.
- Compliant until the warning window before the due date, due soon through the due date itself,
  overdue from the next day. The window is the office's ``due_soon_days``, but never more than a
  quarter of the period, so a weekly check is not always "due soon".
- Never done: pending until the first due date counted from ``since`` (the day the tracker started
  tracking the duty at that place: a new duty or a new location gets one full period), then overdue.
- A policy's periodic review (``review_status``) is due on its ``next_review`` date and warned of
  ``review_warning_days`` ahead; it is done by publishing a new version or moving the date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from portal.model import Every
from tracker.rules.deadlines import recurrence_due
from tracker.rules.records import Status

DAYS_PER_WEEK, DAYS_PER_MONTH, DAYS_PER_YEAR = 7, 30, 365


@dataclass(frozen=True)
class DutyStatus:
    status: Status
    due_date: date
    last_done: date | None
    detail: str


def _on_day(every: Every, year: int) -> date:
    """The due day of a fixed yearly schedule in ``year`` (02-29 is 28 February in other years)."""
    if every.on is not None:
        month, day = (int(part) for part in every.on.split("-"))
        while True:
            try:
                return date(year, month, day)
            except ValueError:
                day -= 1
    return date(year - 1, 12, 31) + timedelta(days=every.days_after_year_end or 0)


def period_days(every: Every) -> int:
    """The nominal length of the period, for the warning window."""
    if every.fixed_yearly:
        return DAYS_PER_YEAR
    return (every.weeks or 0) * DAYS_PER_WEEK + (every.months or 0) * DAYS_PER_MONTH + (every.years or 0) * DAYS_PER_YEAR


def next_due(every: Every, done_on: date) -> date:
    """The last day on time for the next completion after one on ``done_on``."""
    if every.fixed_yearly:
        return _on_day(every, done_on.year + 1)
    if every.weeks is not None:
        return done_on + timedelta(days=DAYS_PER_WEEK * every.weeks)
    months = every.months if every.months is not None else 12 * (every.years or 1)
    return recurrence_due(done_on, months)


def first_due(every: Every, since: date) -> date:
    """The first due date of a duty tracked from ``since`` and never done."""
    if every.fixed_yearly:
        this_year = _on_day(every, since.year)
        return this_year if this_year >= since else _on_day(every, since.year + 1)
    return next_due(every, since)


def warning_days(every: Every, due_soon_days: int) -> int:
    return min(due_soon_days, period_days(every) // 4)


def duty_status(every: Every, since: date, completions: Iterable[date], today: date,
                due_soon_days: int) -> DutyStatus:
    """The status of one duty at one place on ``today``; completions dated later are ignored."""
    done = [day for day in completions if day <= today]
    if not done:
        due = first_due(every, since)
        if today > due:
            return DutyStatus(Status.OVERDUE, due, None, f"Never recorded; was due {due.isoformat()}")
        return DutyStatus(Status.PENDING, due, None, f"Not recorded yet; due {due.isoformat()}")
    last = max(done)
    due = next_due(every, last)
    if today > due:
        return DutyStatus(Status.OVERDUE, due, last, f"Last done {last.isoformat()}; was due {due.isoformat()}")
    window = timedelta(days=warning_days(every, due_soon_days))
    status = Status.COMPLIANT if today < due - window else Status.DUE_SOON
    return DutyStatus(status, due, last, f"Last done {last.isoformat()}; next due {due.isoformat()}")


def review_status(next_review: date, today: date, warning: int) -> DutyStatus:
    """A policy's periodic review: overdue after ``next_review``, due soon within ``warning`` days."""
    if today > next_review:
        return DutyStatus(Status.OVERDUE, next_review, None, f"Review was due {next_review.isoformat()}")
    status = Status.COMPLIANT if today < next_review - timedelta(days=warning) else Status.DUE_SOON
    return DutyStatus(status, next_review, None, f"Next review {next_review.isoformat()}")
