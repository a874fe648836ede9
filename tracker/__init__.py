"""Clinic Portal tracker: who signed which policy version, with an audit trail.

Run it with ``flask --app tracker run`` (development) or ``gunicorn 'tracker:create_app()'``.
Settings come from ``TRACKER_*`` environment variables (tracker.config).

Importing this package loads nothing else: ``tracker.rules`` must stay importable without Flask or
SQLAlchemy, so the factory is imported only when it is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    from tracker.app import create_app as factory

    return factory(overrides)
