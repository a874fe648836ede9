"""What every response shares: security headers, and JSON parsing that refuses absurd nesting."""

from __future__ import annotations

from flask import Flask, Response
from flask.json.provider import DefaultJSONProvider

SECURITY_HEADERS = {
    # Nothing inline and nothing from elsewhere: templates link tracker.css and use no scripts.
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def _security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, with a body nested too deeply to parse counted as invalid JSON (a 400), not a 500."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError as error:
            raise ValueError("JSON nested too deeply") from error


def init_app(app: Flask) -> None:
    app.after_request(_security_headers)
    app.json = JSONProvider(app)
