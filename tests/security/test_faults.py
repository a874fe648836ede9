"""A database that is read-only, full or gone: a clean 503 (JSON for /api, a page for pages), nothing
half-written, and the audit chain as it was."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest
from psycopg import errors as psycopg_errors
from security_helpers import SIGNATURE, carry_session, holdings
from sqlalchemy import event, make_url, text
from sqlalchemy.exc import DBAPIError
from tracker_helpers import ack_form, api_token, bearer, csrf_token, make_app, sign_in

from tracker.http.errors import (
    BUSY,
    DATABASE_PROBLEMS,
    FULL,
    READ_ONLY,
    UNAVAILABLE,
    database_problem,
)
from tracker.storage import db as db_settings
from tracker.storage.db import db

READ_ONLY_POSTGRES = {"pool_pre_ping": True, "connect_args": {"options": "-c default_transaction_read_only=on"}}


def read_only_app(app):
    """The same database, opened so that nothing can be written: as for a file mounted read-only
    or made unwritable (SQLITE_READONLY; chmod 444 alone does not stop root, who runs these
    tests), or a PostgreSQL server or role in read-only mode (SQLSTATE 25006)."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        return make_app(f"sqlite:///file:{url.database}?mode=ro&uri=true", TRACKER_SYNC_ON_START=False)
    return make_app(url.render_as_string(hide_password=False), TRACKER_SYNC_ON_START=False,
                    SQLALCHEMY_ENGINE_OPTIONS=READ_ONLY_POSTGRES)


def assert_json_503(response, problem: str) -> None:
    assert response.status_code == 503 and response.is_json, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"] == DATABASE_PROBLEMS[problem] and "Nothing was saved" in body["details"][0]
    assert response.headers["Retry-After"].isdigit()


def assert_page_503(response, problem: str) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and response.mimetype == "text/html", page
    assert "<h1>Service unavailable</h1>" in page and DATABASE_PROBLEMS[problem].replace("'", "&#39;") in page
    assert "Traceback" not in page and "sqlite3" not in page and "psycopg" not in page


@pytest.fixture
def sam_token(app, staff_member) -> dict:
    return bearer(api_token(app, "sam@clinic.example"))


def test_a_read_only_database_refuses_api_writes_with_503_and_keeps_serving_reads(app, sam_token):
    before = holdings(app)
    client = read_only_app(app).test_client()
    assert_json_503(client.post("/api/v1/acknowledgements", json=SIGNATURE, headers=sam_token), READ_ONLY)
    assert client.get("/api/v1/me", headers=sam_token).status_code == 200
    assert holdings(app) == before


def test_a_read_only_database_refuses_form_posts_with_a_friendly_page(app, client, staff_member):
    sign_in(client, "sam@clinic.example")
    before = holdings(app)
    read_only = read_only_app(app).test_client()
    carry_session(client, read_only)
    form = ack_form(read_only, SIGNATURE["policy_id"])  # reading the policy still works
    response = read_only.post(f"/policies/{SIGNATURE['policy_id']}",
                              data={**form, "agree": "y", "signature_name": "Sam Carter"})
    assert_page_503(response, READ_ONLY)
    # Signing in writes an audit event, so it is refused the same way.
    assert_page_503(sign_in(read_only_app(app).test_client(), "sam@clinic.example"), READ_ONLY)
    assert holdings(app) == before


def _limit_growth(dbapi_connection, connection_record) -> None:
    # The file may not grow past its present size: the next write that needs a page gets SQLITE_FULL,
    # as on a full disk.
    pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
    dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")


def full_disk_app(app):
    """The same SQLite database, unable to grow: its disk is full."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with sqlite3.connect(make_url(url).database) as connection:
        connection.execute("VACUUM")  # no free pages left over from earlier tests to fill first
    full = make_app(url, TRACKER_SYNC_ON_START=False)
    with full.app_context():
        event.listen(db.engine, "connect", _limit_growth)
    return full


def test_a_full_disk_is_a_503_and_the_write_that_hit_it_leaves_nothing(app, backend, manager):
    if backend != "sqlite":
        pytest.skip("simulated with SQLite's max_page_count; PostgreSQL's disk full is SQLSTATE 53100, same path")
    token = bearer(api_token(app, "maria@clinic.example"))
    client = full_disk_app(app).test_client()
    for number in range(2000):
        before = holdings(app)
        response = client.post("/api/v1/staff", headers=token, json={
            "name": f"Filler Person {number}", "email": f"filler{number}@clinic.example", "job_title": "x" * 150,
            "roles": ["front-desk"], "location": "main-street", "hire_date": "2026-01-05"})
        if response.status_code != 201:
            break
    else:
        pytest.fail("the database never filled up")
    assert_json_503(response, FULL)
    assert holdings(app) == before  # neither the staff record nor its audit event


def test_a_full_disk_gives_pages_the_friendly_503(app, backend, client, manager):
    if backend != "sqlite":
        pytest.skip("simulated with SQLite's max_page_count")
    sign_in(client, "maria@clinic.example")
    page_client = full_disk_app(app).test_client()
    carry_session(client, page_client)
    token = csrf_token(page_client.get("/manager/staff/new").get_data(as_text=True))
    before = holdings(app)
    for number in range(2000):
        response = page_client.post("/manager/staff/new", data={
            "csrf_token": token, "name": f"Filler Person {number}", "email": f"filler{number}@clinic.example",
            "job_title": "x" * 150, "roles": "front-desk", "location": "main-street", "hire_date": "2026-01-05"})
        if response.status_code != 303:
            break
        before = holdings(app)
    assert_page_503(response, FULL)
    assert holdings(app) == before


@pytest.fixture
def unreachable_url(backend, tmp_path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'no-such-folder' / 'tracker.db'}"  # SQLITE_CANTOPEN
    return "postgresql+psycopg://postgres@127.0.0.1:9/tracker"  # nothing listens on the discard port


def test_a_database_that_cannot_be_reached_is_a_503_everywhere(unreachable_url):
    client = make_app(unreachable_url, TRACKER_SYNC_ON_START=False).test_client()
    assert_json_503(client.get("/api/v1/me", headers=bearer("some-token")), UNAVAILABLE)
    assert_page_503(client.get("/sign-in"), UNAVAILABLE)
    assert_page_503(client.get("/no-such-page"), UNAVAILABLE)  # even the 404 page needs the database


def test_a_write_lock_held_past_the_busy_timeout_is_a_503_busy(app, backend, sam_token):
    if backend != "sqlite":
        pytest.skip("SQLite's single write lock; PostgreSQL writers wait on row and advisory locks")
    impatient = make_app(app.config["SQLALCHEMY_DATABASE_URI"], TRACKER_SYNC_ON_START=False)
    with impatient.app_context():
        event.listen(db.engine, "connect", lambda connection, record: connection.execute("PRAGMA busy_timeout = 50"))
    holder = sqlite3.connect(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database, isolation_level=None)
    before = holdings(app)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        response = impatient.test_client().post("/api/v1/acknowledgements", json=SIGNATURE, headers=sam_token)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert_json_503(response, BUSY)
    assert holdings(app) == before


def test_errors_that_are_bugs_are_not_disguised_as_503(app):
    with app.app_context(), pytest.raises(DBAPIError) as raised:
        db.session.execute(text("SELECT no_such_column FROM audit_events"))
    assert database_problem(raised.value) is None
    assert database_problem(ValueError("not a database error")) is None


@pytest.mark.parametrize(("original", "problem"), [
    (psycopg_errors.DiskFull("could not extend file: No space left on device"), FULL),
    (psycopg_errors.ReadOnlySqlTransaction("cannot execute INSERT in a read-only transaction"), READ_ONLY),
    (psycopg_errors.AdminShutdown("terminating connection due to administrator command"), UNAVAILABLE),
    (psycopg_errors.CannotConnectNow("the database system is starting up"), UNAVAILABLE),
    (psycopg_errors.LockNotAvailable("could not obtain lock"), BUSY),
    (psycopg_errors.UniqueViolation("duplicate key value"), None),
    (psycopg_errors.UndefinedColumn("column does not exist"), None),
])
def test_postgresql_states_are_told_apart_by_sqlstate(original, problem):
    wrapped = DBAPIError.instance("INSERT ...", {}, original, psycopg.Error)
    assert database_problem(wrapped) == problem


def _drop_the_apps_connections(app) -> int:
    """What a server restart or an idle timeout does to the pool: the server ends every connection
    to the test's database but the one asking. Returns how many it ended."""
    with make_app(app.config["SQLALCHEMY_DATABASE_URI"], TRACKER_SYNC_ON_START=False).app_context():
        ended = db.session.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar_one()
        db.session.commit()
        db.engine.dispose()
    return int(ended)


@pytest.fixture
def pings(app, backend, monkeypatch) -> list[int]:
    """Each check of a pooled connection before use, as it happens (PostgreSQL only)."""
    if backend != "postgresql":
        pytest.skip("a SQLite file has no server to drop the connection")
    seen: list[int] = []
    with app.app_context():
        dialect = db.engine.dialect
    real = dialect.do_ping
    monkeypatch.setattr(dialect, "do_ping", lambda connection: seen.append(1) or real(connection))
    return seen


def test_a_connection_dropped_while_idle_is_replaced_before_a_request_sees_it(app, pings, sam_token, monkeypatch):
    client = app.test_client()
    assert client.get("/api/v1/me", headers=sam_token).status_code == 200
    assert _drop_the_apps_connections(app) >= 1
    monkeypatch.setattr(db_settings, "PING_AFTER_IDLE_SECONDS", 0.0)  # as if a second had passed
    response = client.post("/api/v1/acknowledgements", json=SIGNATURE, headers=sam_token)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert client.get("/api/v1/me", headers=sam_token).status_code == 200
    assert pings  # the dropped connection was found out by the check, not by the request


def test_a_connection_in_steady_use_is_not_checked_on_every_request(app, pings, sam_token):
    client = app.test_client()
    for _ in range(5):
        assert client.get("/api/v1/me", headers=sam_token).status_code == 200
    assert len(pings) <= 1  # at most the first use of a connection made before the requests


def test_a_connection_dropped_mid_burst_costs_one_503_and_the_pool_starts_afresh(app, pings, sam_token):
    client = app.test_client()
    assert client.get("/api/v1/me", headers=sam_token).status_code == 200
    before = holdings(app)
    _drop_the_apps_connections(app)
    assert_json_503(client.post("/api/v1/acknowledgements", json=SIGNATURE, headers=sam_token), UNAVAILABLE)
    assert holdings(app) == before
    response = client.post("/api/v1/acknowledgements", json=SIGNATURE, headers=sam_token)
    assert response.status_code == 201, response.get_data(as_text=True)
