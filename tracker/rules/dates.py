"""Dates typed by people: strictly YYYY-MM-DD, so 01/02/2026 is never read the wrong way round."""

from __future__ import annotations

import re
from datetime import date, timedelta

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
EARLIEST = date(2000, 1, 1)
# Looking ahead shows who will have lapsed by then if nothing is done; further than this is a typo.
MAX_DAYS_AHEAD = 3 * 366


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
    """A YYYY-MM-DD day within the range the tracker reports on as of ``today``, or BadDate saying
    what is wrong (``name`` is the parameter or option the text came from)."""
    text = text.strip()
    if not ISO_DATE.fullmatch(text):
        raise BadDate(f"{name} must be a date written YYYY-MM-DD, e.g. {today.isoformat()}; got {text!r}.")
    day = iso_date(text)
    if day is None:
        raise BadDate(f"{name} {text!r} is not a real calendar date.")
    latest = today + timedelta(days=MAX_DAYS_AHEAD)
    if not EARLIEST <= day <= latest:
        raise BadDate(f"{name} must be between {EARLIEST.isoformat()} and {latest.isoformat()}; got {text}.")
    return day
