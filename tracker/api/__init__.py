"""The JSON API, /api/v1, described by the OpenAPI document in tracker/api/openapi/.

One blueprint (tracker.api.base) that each area's module adds its routes to.
"""

from __future__ import annotations

from flask import Flask

from tracker.api.base import bp, openapi_document

__all__ = ["bp", "init_app", "openapi_document"]


def init_app(app: Flask) -> None:
    """Import every area, each adding its routes to ``bp``, then register the blueprint."""
    from tracker.api import acknowledgements, catalogue, compliance, duties, staff, training  # noqa: F401

    app.register_blueprint(bp)
