"""Deadline arithmetic: days after hire (calendar or working days) and renewal dates."""

from __future__ import annotations

import functools
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

CALENDAR_DAYS = "calendar_days"
WORKING_DAYS = "working_days"

DAYS_PER_RECURRENCE_YEAR = 365

# A deadline setting resolved once per requirement: (calendar timedelta, or None for working days; days).
DeadlineRule = tuple[timedelta | None, int]


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start``; working days are Monday to Friday.

    ``start`` itself is day 0, so Friday + 1 is the next Monday, and Saturday + 1 is also Monday.
    ``days == 0`` returns ``start`` unchanged, even on a weekend.

    Public holidays are *not* skipped: which days a clinic closes varies by state and office. A
    setting listing the office's holidays could be added later; until then a deadline may fall on
    a holiday and is still that date.
    """
    if days < 0:
        raise ValueError(f"days must be zero or more, not {days}")
    if days == 0:
        return start
    weekday = start.weekday()
    if weekday > 4:  # a weekend start counts like the Friday before it
        start -= timedelta(days=weekday - 4)
        weekday = 4
    weeks, rest = divmod(days, 5)
    extra = rest + 2 if weekday + rest > 4 else rest
    return start + timedelta(days=7 * weeks + extra)


def deadline_rule(days: int, counts: str) -> DeadlineRule:
    """``days`` counted as ``counts`` (calendar or working days), ready for :func:`deadline_on`."""
    if counts not in (CALENDAR_DAYS, WORKING_DAYS):
        raise ValueError(f"deadline counts must be {CALENDAR_DAYS!r} or {WORKING_DAYS!r}, not {counts!r}")
    return (timedelta(days=days) if counts == CALENDAR_DAYS else None, days)


def deadline_on(start: date, rule: DeadlineRule) -> date:
    """The last day on time for a deadline ``rule`` counted from ``start``."""
    delta, days = rule
    return start + delta if delta is not None else add_working_days(start, days)


def deadline_after_hire(hire_date: date, days: int, counts: str = CALENDAR_DAYS) -> date:
    """``hire_date`` plus ``days`` calendar days or working days (``counts``); the deadline day itself
    is still on time."""
    return deadline_on(hire_date, deadline_rule(days, counts))


def recurrence_due(completed_on: date, months: int) -> date:
    """The last day a recurring training may be repeated on time.

    12 months means 365 days: OSHA reads "at least annually" as within 365 days of the previous
    training (29 CFR 1910.1030(g)(2)(ii) and OSHA's 2007 interpretation), so a calendar year that
    happens to hold 29 February does not give an extra day. Multiples of 12 are 365 days per year
    (24 months = 730 days). Other month counts use calendar months (dateutil ``relativedelta``;
    31 January + 1 month = 28 or 29 February).
    """
    if months < 1:
        raise ValueError(f"months must be 1 or more, not {months}")
    years, rest = divmod(months, 12)
    if rest == 0:
        return completed_on + timedelta(days=DAYS_PER_RECURRENCE_YEAR * years)
    return _months_later(completed_on, months)


@functools.lru_cache(maxsize=65536)
def _months_later(start: date, months: int) -> date:
    """``start`` plus calendar months; cached, since relativedelta is slow and dates repeat."""
    later: date = start + relativedelta(months=months)
    return later
