"""The ``?as_of=YYYY-MM-DD`` parameter every status page, export and API answer accepts.

A status is computed for a day (the rules in tracker.rules take ``today`` as an argument), so an
auditor can ask how things stood on any past date. Bad input is a 400 that says what to send:
``{"error", "details"}`` under /api (tracker.http.errors), and on pages a page of its own
(bad_as_of.html) in words, with a link to the same page for today. What counts as a valid day is
decided by tracker.rules.dates.parse_day; this module gives it the office's today.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import Flask, render_template, request, url_for
from werkzeug.exceptions import BadRequest

from tracker.rules import dates
from tracker.rules.dates import AS_OF_DAYS, BadDate
from tracker.storage.db import today

PARAMETER = "as_of"


class BadAsOf(BadRequest):
    """A 400 for an ``as_of`` that is not a day the tracker reports on; the description is for the API."""


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
        raise BadAsOf(str(error)) from None


def is_projection(day: date) -> bool:
    """A day after the office's today: its statuses assume nothing more is done before it."""
    return day > today()


def spoken(day: date) -> str:
    """A day as people write it: 15 March 2027."""
    return f"{day.day} {day:%B %Y}"


def _page_for_today() -> str | None:
    """The page asked for, without the bad date; None when it cannot be named."""
    if request.url_rule is None or request.endpoint is None or request.method != "GET":
        return None
    args: dict[str, Any] = {name: value for name, value in request.args.items() if name != PARAMETER}
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def _bad_as_of(error: BadAsOf):
    from tracker.http import (
        errors,  # errors imports the page plumbing; as_of alone loads none of it
    )

    if errors.is_api_request():
        return errors.api_error(400, error.description or "Bad as_of.")
    return render_template("bad_as_of.html", example=today(), first=spoken(AS_OF_DAYS.first),
                           last=spoken(AS_OF_DAYS.last), back=_page_for_today()), 400


def init_app(app: Flask) -> None:
    app.register_error_handler(BadAsOf, _bad_as_of)
