"""The schema comes from the migrations, on each backend, and matches the models."""

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from tracker_helpers import fresh_database, make_app

from tracker.storage.db import db

TABLES = {"locations", "roles", "staff", "users", "api_tokens", "policy_versions",
          "module_versions", "content_snapshots", "acknowledgements", "audit_events", "alembic_version",
          "quiz_attempts", "quiz_servings", "training_sessions", "session_attendees", "training_completions", "late_reasons",
          "certification_records", "certification_verifications", "certification_cards",
          "calendar_feeds", "user_sessions", "account_links", "throttle_buckets", "recovery_codes",
          "duty_schedules", "duty_completions", "duty_attachments", "compliance_state", "compliance_snapshots",
          "state_changes", "status_sheet", "status_sheet_head"}


def test_upgrade_from_empty_matches_the_models_and_downgrades(backend, tmp_path):
    with fresh_database(backend, tmp_path) as url:
        app = make_app(url, TRACKER_SYNC_ON_START=False)
        with app.app_context():
            flask_migrate.upgrade()
            assert set(inspect(db.engine).get_table_names()) == TABLES
            with db.engine.connect() as connection:
                assert compare_metadata(MigrationContext.configure(connection), db.metadata) == []
            flask_migrate.downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) == {"alembic_version"}
            flask_migrate.upgrade()
            assert set(inspect(db.engine).get_table_names()) == TABLES
            db.engine.dispose()


def test_the_app_starts_on_an_unmigrated_database_and_says_what_to_do(backend, tmp_path, caplog):
    with fresh_database(backend, tmp_path) as url:
        app = make_app(url)  # syncs at start, but there are no tables yet
        assert "flask --app tracker db upgrade" in caplog.text
        with app.app_context():
            db.engine.dispose()


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(app):
    with app.app_context(), db.engine.connect() as connection:
        if connection.dialect.name != "sqlite":
            pytest.skip("SQLite settings")
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
