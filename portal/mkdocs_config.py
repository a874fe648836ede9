"""Settings of the `portal` MkDocs plugin, as written under `plugins:` in mkdocs.yml."""

from __future__ import annotations

from datetime import date

from mkdocs.config import base
from mkdocs.config import config_options as c


class PortalConfig(base.Config):
    # Folder holding policies/ and training/, relative to mkdocs.yml (or absolute).
    content_dir = c.Type(str, default=".")
    # Date the review page counts from; set it for reproducible builds. YAML reads 2026-05-01 as a date.
    today = c.Optional(c.Type((str, date)))


def parse_today(value: str | date | None) -> date:
    if value is None:
        return date.today()
    return value if isinstance(value, date) else date.fromisoformat(value)
