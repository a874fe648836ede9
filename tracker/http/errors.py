"""What every response shares: security headers, error pages (JSON under /api), page context.

A database that cannot take the request (down, read-only, out of space) is the server's state, not a
bug: the transaction is rolled back, so nothing is half-written, and the answer is a 503 (JSON under
/api, a page elsewhere) that says to try again later, instead of a 500.
"""

from __future__ import annotations

import json
from datetime import UTC

from flask import Flask, current_app, jsonify, render_template, request
from flask.json.provider import DefaultJSONProvider
from flask_login import current_user
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter

from portal.schema import schema_text
from tracker.services import catalogue as served
from tracker.storage.db import db

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

# Database states that refuse a request with a 503, and what the person is told.
READ_ONLY, FULL, BUSY, UNAVAILABLE = "read-only", "full", "busy", "unavailable"
DATABASE_PROBLEMS = {
    READ_ONLY: "The tracker's database is read-only at the moment, so nothing can be saved.",
    FULL: "The tracker's database has run out of storage space, so nothing can be saved.",
    BUSY: "The tracker's database is too busy to take this request at the moment.",
    UNAVAILABLE: "The tracker cannot reach its database at the moment.",
}
NOTHING_SAVED = ("Nothing was saved. Try again in a few minutes; if this persists, tell the office manager "
                 "(the server log says what happened).")
RETRY_AFTER_SECONDS = 60
# sqlite3 error names (Python 3.11+), extended codes cut to their primary code: SQLITE_IOERR_WRITE -> SQLITE_IOERR.
# SQLITE_BUSY: the write lock was not free within the busy timeout (tracker.storage.db).
SQLITE_PROBLEMS = {"SQLITE_READONLY": READ_ONLY, "SQLITE_FULL": FULL, "SQLITE_BUSY": BUSY, "SQLITE_LOCKED": BUSY,
                   "SQLITE_CANTOPEN": UNAVAILABLE, "SQLITE_IOERR": UNAVAILABLE}
# PostgreSQL SQLSTATEs: read-only transaction, disk full, lock not available; then classes 08
# (connection), 53 (insufficient resources) and 57P (server shutting down or not accepting connections).
POSTGRES_PROBLEMS = {"25006": READ_ONLY, "53100": FULL, "55P03": BUSY}
POSTGRES_UNAVAILABLE_PREFIXES = ("08", "53", "57P")


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
    try:  # the page's header reads the database (office name, signed-in user), which may be down too
        return render_template("error.html", error=error), error.code
    except (DBAPIError, PoolTimeout) as database_error:
        return _database_error(database_error)


def database_problem(error: Exception) -> str | None:
    """READ_ONLY, FULL, BUSY or UNAVAILABLE when the database's state refused the work; None for anything
    else (a constraint, a bug in a query), which stays an error of its own kind."""
    if isinstance(error, PoolTimeout):
        return UNAVAILABLE
    if not isinstance(error, DBAPIError):
        return None
    if error.connection_invalidated:
        return UNAVAILABLE
    sqlite_name = getattr(error.orig, "sqlite_errorname", None)
    if sqlite_name:
        return SQLITE_PROBLEMS.get("_".join(sqlite_name.split("_")[:2]))
    state = getattr(error.orig, "sqlstate", None)
    if state is None:  # psycopg reports a refused or lost connection without one
        return UNAVAILABLE if isinstance(error, OperationalError) else None
    if state in POSTGRES_PROBLEMS:
        return POSTGRES_PROBLEMS[state]
    return UNAVAILABLE if state.startswith(POSTGRES_UNAVAILABLE_PREFIXES) else None


def _database_error(error: Exception):
    problem = database_problem(error)
    if problem is None:
        raise error  # not the database's state: Flask's own handling (a 500, logged)
    try:
        db.session.rollback()  # an open transaction goes, so nothing of this request is written
    except (DBAPIError, PoolTimeout):
        current_app.logger.warning("Rollback failed after a database error; the connection is discarded")
    current_app.logger.error("%s %s refused with 503: database %s: %s", request.method, request.path, problem,
                             getattr(error, "orig", None) or error)
    message = DATABASE_PROBLEMS[problem]
    if is_api_request():
        response, _ = api_error(503, message, [NOTHING_SAVED])
    else:
        # Straight from the template, past the context processors: they would read the database.
        page = current_app.jinja_env.get_template("unavailable.html")
        response = current_app.make_response(page.render(message=message, advice=NOTHING_SAVED))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response, 503


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, with a body nested too deeply to parse counted as invalid JSON (a 400), not a 500."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError as error:
            raise ValueError("JSON nested too deeply") from error


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
    app.register_error_handler(DBAPIError, _database_error)
    app.register_error_handler(PoolTimeout, _database_error)
    app.json = JSONProvider(app)
    app.context_processor(_page_context)
