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
    # List every policy page in the sidebar, under its category. Off by default: each category's
    # index page lists its policies, and a sidebar of a few dozen links keeps a site of thousands of
    # policies fast to build (every page renders the sidebar) and its pages small.
    policies_in_nav = c.Type(bool, default=False)
    # Where dirty builds (`portal serve`, `mkdocs serve --dirty`) keep the generated pages as files,
    # relative to mkdocs.yml (or absolute). Keep it outside docs_dir and the content folders.
    cache_dir = c.Type(str, default=".cache/portal")


def parse_today(value: object) -> date:
    """The `today` setting (checked to be text or a date, or left out) as a date."""
    if value is None:
        return date.today()
    return value if isinstance(value, date) else date.fromisoformat(str(value))
