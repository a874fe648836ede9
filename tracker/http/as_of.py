"""The ``?as_of=YYYY-MM-DD`` parameter every status page, export and API answer accepts.

A status is computed for a day (tracker.rules.compliance takes ``today`` as an argument), so an auditor
can ask how things stood on any past date. Bad input is a 400 that says what to send: the HTML
error page on pages, ``{"error", "details"}`` under /api (tracker.http.errors).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from flask import abort

from tracker.rules.dates import ISO_DATE, iso_date
from tracker.storage.db import today

PARAMETER = "as_of"
EARLIEST = date(2000, 1, 1)
# Looking ahead shows who will have lapsed by then if nothing is done; further than this is a typo.
MAX_DAYS_AHEAD = 3 * 366


class BadDate(ValueError):
    """The text is not a date the tracker can report on; the message says why."""


def parse_day(text: str, name: str = PARAMETER) -> date:
    """A YYYY-MM-DD day within the range the tracker reports on, or BadDate saying what is wrong."""
    text = text.strip()
    if not ISO_DATE.fullmatch(text):
        raise BadDate(f"{name} must be a date written YYYY-MM-DD, e.g. {today().isoformat()}; got {text!r}.")
    day = iso_date(text)
    if day is None:
        raise BadDate(f"{name} {text!r} is not a real calendar date.")
    latest = today() + timedelta(days=MAX_DAYS_AHEAD)
    if not EARLIEST <= day <= latest:
        raise BadDate(f"{name} must be between {EARLIEST.isoformat()} and {latest.isoformat()}; got {text}.")
    return day


def requested(args: Mapping[str, str], empty_is_today: bool = True) -> date:
    """The day asked for in the query string (today when absent); a 400 when invalid.

    A form whose date field was cleared sends it empty, which pages take as today; the API, whose
    clients leave the parameter out instead, refuses it.
    """
    text = args.get(PARAMETER)
    if text is None or (empty_is_today and not text.strip()):
        return today()
    try:
        return parse_day(text)
    except BadDate as error:
        abort(400, str(error))
