"""Fixtures in the Flask tutorial's style (app, client, runner), on a migrated database.

Every test runs on SQLite, and also on PostgreSQL when TRACKER_TEST_DATABASE_URL names a server
(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test): a fresh database is created there for the
session and dropped at the end. Each backend is migrated once per session (alembic upgrade head) and
the catalogue in tests/fixtures/tracker/content synced once; each test starts from those synced rows
alone, put back by plain SQL (cheaper than syncing again), so its app's start-up sync finds nothing new.
"""

from __future__ import annotations

import os

import flask_migrate
import pytest
import tracker_helpers
from dashboard_helpers import known_office
from mail_helpers import local_smtp
from state_helpers import archive_versions
from tracker_helpers import (
    POSTGRES_ENV,
    add_person,
    fresh_database,
    make_app,
    restore_rows,
    saved_rows,
    user_id,
)
from training_helpers import extend_content

from tracker.services import audit, compliance_status, served_catalogue
from tracker.storage.db import db

empty_tables = tracker_helpers.empty_tables  # imported from here by test_seed_demo.py and tests/security


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
    """The backend's database, migrated, holding the fixture catalogue as one start-up sync leaves it."""
    with fresh_database(backend, tmp_path_factory.mktemp(backend)) as url:
        app = make_app(url, TRACKER_SYNC_ON_START=False)
        with app.app_context():
            flask_migrate.upgrade()
            db.engine.dispose()
        synced = make_app(url, TRACKER_CHECKPOINT_FILE=tmp_path_factory.mktemp("sync") / "checkpoints.jsonl")
        with synced.app_context():
            saved_rows(url)
            restore_rows(url)  # once here, so a restore that broke the audit chain fails loudly
            assert audit.verify().ok, "the synced rows, put back, no longer verify"
            db.engine.dispose()
        yield url


@pytest.fixture
def app(database_url, tmp_path_factory):
    restore_rows(database_url)
    # Each test's own checkpoint file (the audit and evidence keys come from the instance folder).
    # The rows are synced already, so the start-up sync would find nothing to do; its last step,
    # loading the served catalogue (and with it the office's time zone), is all that is left.
    app = make_app(database_url, TRACKER_CHECKPOINT_FILE=tmp_path_factory.mktemp("instance") / "checkpoints.jsonl",
                   TRACKER_SYNC_ON_START=False)
    with app.app_context():
        served_catalogue.current()
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


@pytest.fixture
def property_office(app, tmp_path):
    """The fixture content plus an in-person module and more card types, versions 1 to 4 of every
    policy and module, and a manager who records things; (app, the manager's user id)."""
    extend_content(app, tmp_path)
    archive_versions(app)
    add_person(app, "maria@clinic.example", "Maria Lopez", account_role="manager", roles=("office-manager",))
    return app, user_id(app, "maria@clinic.example")


@pytest.fixture
def office(app, manager):
    """The dashboard tests' known office (dashboard_helpers.known_office)."""
    return known_office(app, manager)


@pytest.fixture
def recomputed(monkeypatch) -> list[set[int]]:
    """The staff ids of each computation of today's statuses, as they happen."""
    calls: list[set[int]] = []
    real = compliance_status.current_statuses_by_staff

    def spy(people, catalogue, today):
        people = list(people)
        calls.append({p.id for p in people})
        return real(people, catalogue, today)

    monkeypatch.setattr(compliance_status, "current_statuses_by_staff", spy)
    return calls
