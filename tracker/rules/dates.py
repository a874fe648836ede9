"""Dates typed by people: strictly YYYY-MM-DD, so 01/02/2026 is never read the wrong way round.

Every date the tracker accepts lies in a sane range, defined here once and used by forms, CSV
imports, the API (its OpenAPI document states the same range as a pattern) and ``as_of``:

- a record's date (hire, issue, expiry, session): 1900-01-01 to 2199-12-31. A year 1 or 9999 is a
  typo, and date arithmetic near the ends of the calendar (an expiry plus a renewal window) fails;
- the day a status is computed for (``as_of``): 2000-01-01 to 2099-12-31.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class DayRange:
    first: date
    last: date
    pattern: str  # the same years as a JSON Schema pattern, for the OpenAPI document

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first <= day <= self.last

    def out_of_range(self, name: str, text: str) -> str:
        return f"{name} {text} is outside the dates the tracker accepts (use a date from " \
               f"{self.first.isoformat()} to {self.last.isoformat()})"


RECORD_DAYS = DayRange(date(1900, 1, 1), date(2199, 12, 31), r"^(19\d\d|2[01]\d\d)-\d\d-\d\d$")
AS_OF_DAYS = DayRange(date(2000, 1, 1), date(2099, 12, 31), r"^20\d\d-\d\d-\d\d$")
EARLIEST = AS_OF_DAYS.first  # the first day the tracker reports on


class BadDate(ValueError):
    """The text is not a date the tracker can report on; the message says why."""


def iso_date(text: str) -> date | None:
    """The day ``text`` names, or None when it is not YYYY-MM-DD or no such day (2026-02-30)."""
    if not ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_day(text: str, today: date, name: str = "as_of") -> date:
    """A YYYY-MM-DD day within the range the tracker reports on (AS_OF_DAYS), or BadDate saying
    what is wrong (``name`` is the parameter or option the text came from)."""
    text = text.strip()
    if not ISO_DATE.fullmatch(text):
        raise BadDate(f"{name} must be a date written YYYY-MM-DD, e.g. {today.isoformat()}; got {text!r}.")
    day = iso_date(text)
    if day is None:
        raise BadDate(f"{name} {text!r} is not a real calendar date.")
    if day not in AS_OF_DAYS:
        raise BadDate(f"{name} must be between {AS_OF_DAYS.first.isoformat()} and "
                      f"{AS_OF_DAYS.last.isoformat()}; got {text}.")
    return day
