"""Deadline arithmetic: days after hire (calendar or working days) and renewal dates."""

from __future__ import annotations

import functools
from datetime import date, timedelta

import holidays
from dateutil.relativedelta import relativedelta

CALENDAR_DAYS = "calendar_days"
WORKING_DAYS = "working_days"

DAYS_PER_RECURRENCE_YEAR = 365

# Years whose public holidays are looked up (about 0.4 s, once per setting). Working days counted
# from a hire date outside them skip weekends and the office's closed days only: such deadlines
# passed decades ago, or lie past any status the tracker reports (as_of ends in 2099).
HOLIDAY_YEARS = range(1990, 2101)

# A deadline setting resolved once per requirement: (calendar timedelta, or None for working days;
# days; the office's closed days, which working days skip).
DeadlineRule = tuple[timedelta | None, int, frozenset[date]]

NO_CLOSED_DAYS: frozenset[date] = frozenset()


@functools.lru_cache(maxsize=16)
def closed_days(country: str | None, subdivision: str | None = None,
                extra: tuple[date, ...] = ()) -> frozenset[date]:
    """The days the office is closed besides weekends: the public holidays of ``country`` (and its
    ``subdivision``, a state or province) from the ``holidays`` library, and the ``extra`` days the
    office chose (policies/office.yml). Computed once per setting."""
    found = set(extra)
    if country:
        found.update(holidays.country_holidays(country, subdiv=subdivision, years=HOLIDAY_YEARS))
    return frozenset(found)


def add_working_days(start: date, days: int, closed: frozenset[date] = NO_CLOSED_DAYS) -> date:
    """The date ``days`` working days after ``start``; working days are Monday to Friday, except the
    ``closed`` days (public holidays and the office's own closures, see :func:`closed_days`).

    ``start`` itself is day 0, so Friday + 1 is the next Monday, and Saturday + 1 is also Monday.
    ``days == 0`` returns ``start`` unchanged, even on a weekend or a closed day.
    """
    if days < 0:
        raise ValueError(f"days must be zero or more, not {days}")
    if days == 0:
        return start
    if closed:
        day, left = start, days
        while left:
            day += timedelta(days=1)
            if day.weekday() < 5 and day not in closed:
                left -= 1
        return day
    weekday = start.weekday()
    if weekday > 4:  # a weekend start counts like the Friday before it
        start -= timedelta(days=weekday - 4)
        weekday = 4
    weeks, rest = divmod(days, 5)
    extra = rest + 2 if weekday + rest > 4 else rest
    return start + timedelta(days=7 * weeks + extra)


def deadline_rule(days: int, counts: str, closed: frozenset[date] = NO_CLOSED_DAYS) -> DeadlineRule:
    """``days`` counted as ``counts`` (calendar or working days, which skip the ``closed`` days),
    ready for :func:`deadline_on`."""
    if counts not in (CALENDAR_DAYS, WORKING_DAYS):
        raise ValueError(f"deadline counts must be {CALENDAR_DAYS!r} or {WORKING_DAYS!r}, not {counts!r}")
    if counts == CALENDAR_DAYS:
        return (timedelta(days=days), days, NO_CLOSED_DAYS)
    return (None, days, closed)


def deadline_on(start: date, rule: DeadlineRule) -> date:
    """The last day on time for a deadline ``rule`` counted from ``start``."""
    delta, days, closed = rule
    return start + delta if delta is not None else add_working_days(start, days, closed)


def deadline_after_hire(hire_date: date, days: int, counts: str = CALENDAR_DAYS,
                        closed: frozenset[date] = NO_CLOSED_DAYS) -> date:
    """``hire_date`` plus ``days`` calendar days or working days (``counts``); the deadline day itself
    is still on time."""
    return deadline_on(hire_date, deadline_rule(days, counts, closed))


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
