"""Fixtures in the Flask tutorial's style (app, client, runner), on a migrated database.

Every test runs on SQLite, and also on PostgreSQL when TRACKER_TEST_DATABASE_URL names a server
(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test): a fresh database is created there for the
session and dropped at the end. Each backend is migrated once per session (alembic upgrade head);
each test starts from empty tables and a catalogue synced from tests/fixtures/tracker/content.
"""

from __future__ import annotations

import os

import flask_migrate
import pytest
from mail_helpers import local_smtp
from sqlalchemy import text
from tracker_helpers import POSTGRES_ENV, add_person, fresh_database, make_app

from tracker.storage.db import db


def _backends():
    backends = [pytest.param("sqlite", id="sqlite")]
    if os.environ.get(POSTGRES_ENV):
        backends.append(pytest.param("postgresql", id="postgresql"))
    return backends


@pytest.fixture(scope="session", params=_backends())
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def database_url(backend, tmp_path_factory):
    with fresh_database(backend, tmp_path_factory.mktemp(backend)) as url:
        app = make_app(url, TRACKER_SYNC_ON_START=False)
        with app.app_context():
            flask_migrate.upgrade()
            db.engine.dispose()
        yield url


def empty_tables(database_url: str) -> None:
    app = make_app(database_url, TRACKER_SYNC_ON_START=False)
    with app.app_context():
        tables = list(reversed(db.metadata.sorted_tables))
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                names = ", ".join(table.name for table in tables)
                connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    connection.execute(table.delete())
        db.engine.dispose()


@pytest.fixture
def app(database_url, tmp_path_factory):
    empty_tables(database_url)
    # Each test's own checkpoint file (the audit and evidence keys come from the instance folder).
    app = make_app(database_url, TRACKER_CHECKPOINT_FILE=tmp_path_factory.mktemp("instance") / "checkpoints.jsonl")
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def staff_member(app) -> int:
    """Sam, front desk at Main Street, hired three days ago, with a staff account."""
    return add_person(app, "sam@clinic.example", "Sam Carter")


@pytest.fixture
def manager(app) -> int:
    """Maria, office manager, with a manager account."""
    return add_person(app, "maria@clinic.example", "Maria Lopez", account_role="manager", roles=("office-manager",))


MAIL_BASE_URL = "https://tracker.clinic.example"


@pytest.fixture
def inbox(app):
    """A local SMTP server the app sends through; links in the mail start with MAIL_BASE_URL."""
    with local_smtp(app, MAIL_BASE_URL) as handler:
        yield handler
