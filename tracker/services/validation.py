"""Checking fields typed by people or sent by programs, in one style for every use case.

A use case's ``check_*`` function turns raw fields (form text, JSON values, CSV cells) into checked
input, or raises :class:`Invalid` with one message per field saying what is wrong and what to do;
nothing is written then. The messages fields share are made here, so they read the same everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any, TypeVar

from tracker.rules.dates import RECORD_DAYS, iso_date
from tracker.storage.db import MAX_ID, Base, db

# Control characters have no place in these fields (and PostgreSQL cannot store NUL); line breaks
# and tabs are allowed in the longer, multi-line ones.
ONE_LINE_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f]")
CONTROL_CHARACTERS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"  # as a character class's body, for patterns
MULTI_LINE_FORBIDDEN = re.compile(f"[{CONTROL_CHARACTERS}]")
# What str.strip() and str.split() take for spaces, less the control characters above: a required
# field holding only these is missing.
SPACES = r"\t\n\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
LONG_TEXT_LIMIT = 5000

Record = TypeVar("Record", bound=Base)


class Refused(Exception):
    """Work refused as a whole, nothing written; one message per reason, as people read them."""

    def __init__(self, reasons: list[str]):
        self.reasons = reasons
        super().__init__("\n".join(reasons))


class Invalid(ValueError):
    """Input that breaks a rule: {field: "what is wrong (what to do)"}; nothing was written."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))

    @property
    def details(self) -> list[str]:
        return [f"{field}: {message}" for field, message in self.errors.items()]


def raise_if(errors: dict[str, str]) -> None:
    if errors:
        raise Invalid(errors)


def missing(name: str) -> str:
    return f"{name} is missing (fill it in)"


def control_character(name: str) -> str:
    return f"{name} holds a control character (type it again without pasting)"


def too_long(name: str, limit: int) -> str:
    return f"{name} is longer than {limit} characters (shorten it)"


def text_field(fields: Mapping[str, Any], name: str, errors: dict[str, str], limit: int = LONG_TEXT_LIMIT,
               required: bool = True, multiline: bool = False) -> str:
    """A text field, trimmed; an error when missing (if required), too long, or holding control characters."""
    raw = fields.get(name)
    text = "" if raw is None else str(raw)
    value = text.strip()
    if not multiline:
        value = " ".join(value.split())
    if required and not value:
        errors[name] = missing(name)
    elif MULTI_LINE_FORBIDDEN.search(text) or (not multiline and ONE_LINE_FORBIDDEN.search(value)):
        # checked as sent, before spaces are tidied, so the rule is the one the OpenAPI document states
        errors[name] = control_character(name)
    elif len(value) > limit:
        errors[name] = too_long(name, limit)
    return value


def date_value(text: str, name: str, errors: dict[str, str]) -> date | None:
    """The day ``text`` names (YYYY-MM-DD, within RECORD_DAYS); None, with an error, when it names none."""
    day = iso_date(text)
    if day is None:
        errors[name] = f"{name} '{text[:20]}' is not a date (write it as YYYY-MM-DD, e.g. 2026-01-15)"
    elif day not in RECORD_DAYS:
        errors[name] = RECORD_DAYS.out_of_range(name, text)
        return None
    return day


def date_field(fields: Mapping[str, Any], name: str, errors: dict[str, str], required: bool = True) -> date | None:
    """A YYYY-MM-DD date; None when left empty and not required."""
    raw = fields.get(name)
    value = "" if raw is None else str(raw).strip()
    if not value:
        if required:
            errors[name] = f"{name} is missing (write it as YYYY-MM-DD)"
        return None
    return date_value(value, name, errors)


def whole_number(text: str) -> int | None:
    """The number ``text`` writes in ASCII digits, up to MAX_ID; None for anything else.

    str.isdigit() alone lets through digits int() refuses ('²') and numbers too long to convert, so
    a typed or altered value would end in a 500 instead of a clear answer.
    """
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if number <= MAX_ID else None


def id_value(value: object) -> int | None:
    """A row id from a form (text) or JSON (integer); None when it cannot name a row."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number: int | None = value
    elif isinstance(value, str):
        number = whole_number(value)
    else:
        return None
    return number if number is not None and 1 <= number <= MAX_ID else None


def get_row(model: type[Record], row_id: object) -> Record | None:
    """``db.session.get`` for an id from a URL or a body, out-of-range ids finding nothing."""
    number = id_value(row_id)
    return db.session.get(model, number) if number is not None else None
