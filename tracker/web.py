"""What every response shares: security headers, error pages (JSON under /api), page context."""

from __future__ import annotations

import json
from datetime import UTC

from flask import Flask, current_app, jsonify, render_template, request
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter

from portal.schema import schema_text
from tracker import catalogue as served

API_PREFIX = "/api/"

SECURITY_HEADERS = {
    # Nothing inline and nothing from elsewhere: templates link tracker.css and use no scripts.
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}

FALLBACK_OFFICE_NAME = "Clinic Portal"

STATUS_LABELS = {"compliant": "Done", "due_soon": "Due soon", "pending": "To do", "overdue": "Overdue"}


class SlugConverter(BaseConverter):
    """Content ids as the content schema defines them (portal's defs.schema.json slug): any other
    id in a URL is a 404 from routing, before it can reach a query."""

    regex = (json.loads(schema_text("defs"))["$defs"]["slug"]["pattern"]
             .removeprefix("^").removesuffix("$").replace("(", "(?:"))


def client_address() -> str:
    """The client's IP address: the proxy's own unless TRACKER_PROXY_FIX trusts X-Forwarded-For."""
    return (request.remote_addr or "")[:64]


def client_agent() -> str:
    return request.user_agent.string[:500]


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


class ApiError(Exception):
    """An API error with details (and any extra fields) for the JSON body."""

    def __init__(self, status: int, error: str, details: list[str] | None = None, **extra):
        super().__init__(error)
        self.status, self.error, self.details, self.extra = status, error, details or [], extra


def api_error(status: int, error: str, details: list[str] | None = None, **extra):
    return jsonify({"error": error, "details": details or [], **extra}), status


def _api_error(error: ApiError):
    return api_error(error.status, error.error, error.details, **error.extra)


def _security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _http_error(error: HTTPException):
    # Unexpected exceptions arrive as InternalServerError (500), already logged by Flask, outside
    # debug and testing (where they propagate to show the traceback).
    if is_api_request():
        response, status = api_error(error.code or 500, error.description or error.name)
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="tracker"'
        if getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response, status
    return render_template("error.html", error=error), error.code


def _page_context() -> dict:
    """Office name and the static site's address for the header of every page."""
    catalogue = served.current()
    settings = catalogue.settings if catalogue else None
    return {
        "office_name": settings.office_name if settings else FALLBACK_OFFICE_NAME,
        "site_url": current_app.config["TRACKER_SITE_URL"] or (settings.site_url if settings else None),
        "is_manager": current_user.is_authenticated and current_user.is_manager,
    }


def field_attrs(field, hint: str = "", **attrs) -> dict:
    """Input attributes pointing screen readers at the field's hint and errors (templates/_forms.html)."""
    described_by = ([f"{field.id}-hint"] if hint else []) + [
        f"{field.id}-error-{n}" for n in range(1, len(field.errors) + 1)]
    if described_by:
        attrs["aria_describedby"] = " ".join(described_by)
    if field.errors:
        attrs["aria_invalid"] = "true"
    return attrs


def utc_text(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def init_app(app: Flask) -> None:
    app.url_map.converters["slug"] = SlugConverter
    app.jinja_env.globals.update(field_attrs=field_attrs, status_labels=STATUS_LABELS)
    app.jinja_env.filters["utc"] = utc_text
    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(ApiError, _api_error)
    app.context_processor(_page_context)
