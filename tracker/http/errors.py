"""Errors as answers: an error page, or ``{"error", "details"}`` JSON under /api.

A database that cannot take the request (down, read-only, out of space) is the server's state, not a
bug: the transaction is rolled back, so nothing is half-written, and the answer is a 503 (JSON under
/api, a page elsewhere) that says to try again later, instead of a 500.
"""

from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from tracker.storage.db import db

API_PREFIX = "/api/"

# Database states that refuse a request with a 503, and what the person is told.
READ_ONLY, FULL, BUSY, UNAVAILABLE, DENIED = "read-only", "full", "busy", "unavailable", "denied"
DATABASE_PROBLEMS = {
    READ_ONLY: "The tracker's database is read-only at the moment, so nothing can be saved.",
    DENIED: "The tracker's database account is not allowed to do this at the moment, so nothing can be saved.",
    FULL: "The tracker's database has run out of storage space, so nothing can be saved.",
    BUSY: "The tracker's database is too busy to take this request at the moment.",
    UNAVAILABLE: "The tracker cannot reach its database at the moment.",
}
NOTHING_SAVED = ("Nothing was saved. Try again in a few minutes; if this persists, tell the office manager "
                 "(the server log says what happened).")
RETRY_AFTER_SECONDS = 60
# sqlite3 error names (Python 3.11+), extended codes cut to their primary code: SQLITE_IOERR_WRITE -> SQLITE_IOERR.
# SQLITE_BUSY: the write lock was not free within the busy timeout (tracker.storage.db).
SQLITE_PROBLEMS = {"SQLITE_READONLY": READ_ONLY, "SQLITE_PERM": DENIED, "SQLITE_AUTH": DENIED,
                   "SQLITE_FULL": FULL, "SQLITE_BUSY": BUSY, "SQLITE_LOCKED": BUSY,
                   "SQLITE_CANTOPEN": UNAVAILABLE, "SQLITE_IOERR": UNAVAILABLE}
# PostgreSQL SQLSTATEs: read-only transaction, insufficient privilege (a role limited to reading, or
# a revoked grant: the server's setup, not a bug), disk full, lock not available; then classes 08
# (connection), 53 (insufficient resources) and 57P (server shutting down or not accepting connections).
POSTGRES_PROBLEMS = {"25006": READ_ONLY, "42501": DENIED, "53100": FULL, "55P03": BUSY}
POSTGRES_UNAVAILABLE_PREFIXES = ("08", "53", "57P")


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


def _http_error(error: HTTPException):
    # Unexpected exceptions arrive as InternalServerError (500), already logged by Flask, outside
    # debug and testing (where they propagate to show the traceback).
    if is_api_request():
        response, status = api_error(error.code or 500, error.description or error.name)
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="tracker"'
        valid_methods = getattr(error, "valid_methods", None)  # set on 405 Method Not Allowed
        if valid_methods:
            response.headers["Allow"] = ", ".join(valid_methods)
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


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(DBAPIError, _database_error)
    app.register_error_handler(PoolTimeout, _database_error)
