"""Request plumbing shared by the pages and the JSON API."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Imported here, not at the top, so that importing one module of the package (as_of) loads no other."""
    from tracker.http import as_of, auth, converters, errors, responses

    as_of.init_app(app)
    auth.init_app(app)
    converters.init_app(app)
    errors.init_app(app)
    responses.init_app(app)
