"""What every command shares: how it is declared, how it fails, the served catalogue, ``--as-of``.

A command that fails raises click.ClickException through :func:`fail`: click prints
``Error: <message>`` on standard error and exits with status 1, whatever the command.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, NoReturn, TypeVar

import click
from flask.cli import with_appcontext

from portal.model import Catalogue
from tracker.rules.dates import BadDate, parse_day
from tracker.services import served_catalogue
from tracker.storage.db import today

F = TypeVar("F", bound=Callable[..., Any])


def command(name: str) -> Callable[[Callable[..., None]], click.Command]:
    """A ``flask`` command named ``name``, run inside the application context (it reads the database)."""
    def declare(function: Callable[..., None]) -> click.Command:
        return click.command(name)(with_appcontext(function))
    return declare


def fail(message: str) -> NoReturn:
    """Stop the command: ``Error: <message>`` on standard error, exit status 1."""
    raise click.ClickException(message)


def synced_catalogue() -> Catalogue:
    """The catalogue the tracker serves; fails before the first successful sync."""
    try:
        return served_catalogue.synced()
    except served_catalogue.NotSynced as error:
        fail(str(error))


def _day(_context: click.Context, _parameter: click.Parameter, value: str) -> date:
    if not value:
        return today()
    try:
        return parse_day(value, today(), "--as-of")
    except BadDate as error:
        fail(str(error))


def as_of_option(function: F) -> F:
    """``--as-of YYYY-MM-DD`` (default: today), passed to the command as ``day``, a date."""
    return click.option("--as-of", "day", default="", callback=_day, help="YYYY-MM-DD (default: today).")(function)
