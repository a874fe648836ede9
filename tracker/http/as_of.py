"""The ``?as_of=YYYY-MM-DD`` parameter every status page, export and API answer accepts.

A status is computed for a day (the rules in tracker.rules take ``today`` as an argument), so an
auditor can ask how things stood on any past date. Bad input is a 400 that says what to send: the
HTML error page on pages, ``{"error", "details"}`` under /api (tracker.http.errors). What counts as
a valid day is decided by tracker.rules.dates.parse_day; this module gives it the office's today.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from flask import abort

from tracker.rules import dates
from tracker.rules.dates import BadDate
from tracker.storage.db import today

PARAMETER = "as_of"


def parse_day(text: str, name: str = PARAMETER) -> date:
    """A YYYY-MM-DD day within the range the tracker reports on today, or BadDate saying what is wrong."""
    return dates.parse_day(text, today(), name)


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
