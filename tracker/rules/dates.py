"""Dates typed by people: strictly YYYY-MM-DD, so 01/02/2026 is never read the wrong way round."""

from __future__ import annotations

import re
from datetime import date

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def iso_date(text: str) -> date | None:
    """The day ``text`` names, or None when it is not YYYY-MM-DD or no such day (2026-02-30)."""
    if not ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
