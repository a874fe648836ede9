"""Findings 3 and 4: a database role that may only read (PostgreSQL, SQLSTATE 42501), and an SQLite
file on a file system remounted read-only. Reads keep working; a write is a clean 503 that leaves
nothing behind, as for the other faults in test_faults.py.
"""

from __future__ import annotations

import secrets
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import pytest
from psycopg import errors as psycopg_errors
from security_helpers import SIGNATURE, carry_session, holdings
from sqlalchemy import create_engine, make_url
from sqlalchemy.exc import DBAPIError
from test_faults import assert_json_503, assert_page_503
from tracker_helpers import ack_form, api_token, bearer, make_app, sign_in

from tracker.http.errors import DENIED, READ_ONLY, database_problem


def test_insufficient_privilege_is_told_apart_by_its_sqlstate():
    original = psycopg_errors.InsufficientPrivilege("permission denied for table audit_events")
    assert database_problem(DBAPIError.instance("INSERT ...", {}, original, Exception)) == DENIED


@pytest.fixture
def reader_url(app, backend):
    """The scratch database, through a new role that may only SELECT; the role is dropped afterwards."""
    if backend != "postgresql":
        pytest.skip("roles and grants are PostgreSQL's; SQLite has no users")
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    role = f"tracker_reader_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for statement in (f'CREATE ROLE "{role}" LOGIN', f'GRANT CONNECT ON DATABASE "{url.database}" TO "{role}"',
                          f'GRANT USAGE ON SCHEMA public TO "{role}"',
                          f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{role}"'):
            connection.exec_driver_sql(statement)
    try:
        yield url.set(username=role, password=None).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP OWNED BY "{role}"')
            connection.exec_driver_sql(f'DROP ROLE "{role}"')
        admin.dispose()


def test_a_role_that_may_only_read_gets_503_for_writes_and_keeps_reading(app, staff_member, reader_url):
    token = bearer(api_token(app, "sam@clinic.example"))
    reader = make_app(reader_url, TRACKER_SYNC_ON_START=False)
    reader.config["PROPAGATE_EXCEPTIONS"] = False
    client = reader.test_client()
    before = holdings(app)
    assert client.get("/api/v1/me", headers=token).status_code == 200
    assert_json_503(client.post("/api/v1/acknowledgements", json=SIGNATURE, headers=token), DENIED)
    assert client.get("/sign-in").status_code == 200
    assert_page_503(sign_in(reader.test_client(), "sam@clinic.example"), DENIED)  # it records the sign-in
    assert holdings(app) == before
    with reader.app_context():
        from tracker.storage.db import db
        db.engine.dispose()


@pytest.fixture
def mounted(app, backend, tmp_path):
    """A copy of the SQLite database on its own small file system (tmpfs), and a function that
    remounts it read-only; unmounted afterwards. Skipped where this machine cannot mount."""
    if backend != "sqlite":
        pytest.skip("a PostgreSQL server's storage is not this process's to remount")
    folder = tmp_path / "mounted"
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(folder)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or 'not allowed'}): needs root")
    copy = folder / "tracker.db"
    try:
        yield copy, lambda: _remount_read_only(folder)
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


def copy_database(app, copy: Path) -> None:
    """An online copy, in WAL mode like the live one; every connection closed, so nothing holds the
    file open for writing (a remount would be refused as busy)."""
    with closing(sqlite3.connect(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database)) as source, \
            closing(sqlite3.connect(copy)) as target:
        source.backup(target)
        target.execute("PRAGMA journal_mode = WAL")


def _remount_read_only(folder: Path) -> None:
    done = subprocess.run(["mount", "-o", "remount,ro", str(folder)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot remount read-only here: {done.stderr.strip()}")


def test_sqlite_on_a_file_system_remounted_read_only_keeps_reading(app, client, staff_member, mounted):
    token = bearer(api_token(app, "sam@clinic.example"))
    sign_in(client, "sam@clinic.example")
    copy, remount_read_only = mounted
    copy_database(app, copy)  # with the account, token and session just made
    remount_read_only()
    stuck = make_app(f"sqlite:///{copy}", TRACKER_SYNC_ON_START=False)
    stuck.config["PROPAGATE_EXCEPTIONS"] = False
    api = stuck.test_client()
    assert api.get("/api/v1/me", headers=token).status_code == 200
    assert api.get("/api/v1/me/requirements", headers=token).status_code == 200
    assert_json_503(api.post("/api/v1/acknowledgements", json=SIGNATURE, headers=token), READ_ONLY)
    pages = stuck.test_client()
    carry_session(client, pages)
    form = ack_form(pages, SIGNATURE["policy_id"])  # reading the policy works
    response = pages.post(f"/policies/{SIGNATURE['policy_id']}",
                          data={**form, "agree": "y", "signature_name": "Sam Carter"})
    assert_page_503(response, READ_ONLY)
    assert stuck.test_client().get("/sign-in").status_code == 200
    with stuck.app_context():
        from tracker.storage.db import db
        db.engine.dispose()
