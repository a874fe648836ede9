"""The application factory: settings, extensions, blueprints, and the catalogue sync at start."""

from __future__ import annotations

import os

import click
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask.cli import FlaskGroup
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import ContentError
from tracker import config
from tracker.http.extensions import csrf, migrate
from tracker.services import keys
from tracker.services.served_catalogue import SYNC_PROBLEM, current
from tracker.services.sync import SyncRefused, sync
from tracker.storage.db import configure_engine, db

START_UP_ACTOR = "startup"


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask("tracker", instance_relative_config=True, template_folder="web/templates",
                static_folder="web/static")
    testing = bool((overrides or {}).get("TESTING"))
    app.config.from_mapping(config.from_environment(os.environ, app.instance_path, testing))
    app.config.update(overrides or {})
    app.config["SECRET_KEY"] = config.require_secret_key(app.config)
    keys.init_app(app)  # the audit and evidence keys, kept outside the database
    if app.config["SQLALCHEMY_DATABASE_URI"] == config.default_database_url(app.instance_path):
        os.makedirs(app.instance_path, exist_ok=True)  # SQLite creates the file, not its folder

    db.init_app(app)
    migrate.init_app(app, db)
    csrf.init_app(app)
    _register_areas(app)
    with app.app_context():
        configure_engine(db.engine)

    if app.config["TRACKER_PROXY_FIX"]:
        proxies = app.config["TRACKER_PROXY_FIX"]
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way to wrap it
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    if app.config["TRACKER_SYNC_ON_START"] and not _loaded_to_run_a_cli_command():
        _sync_at_start(app)
    return app


def _register_areas(app: Flask) -> None:
    """Request plumbing, pages, the JSON API and the ``flask`` commands, imported here so that
    importing ``tracker`` (or its rules) loads none of them."""
    from tracker import api, cli, http, web
    from tracker.services import served_catalogue

    served_catalogue.init_app(app)
    http.init_app(app)
    web.init_app(app)
    api.init_app(app)
    cli.init_app(app)


def _loaded_to_run_a_cli_command() -> bool:
    """True when the ``flask`` command builds the app to find one of its commands (sync, db upgrade).

    Those commands do their own work: syncing first would do ``flask sync``'s job before it (and
    print its problems twice), or run against a schema ``flask db upgrade`` is about to create.
    ``flask run`` builds the app inside the ``run`` command instead, and gunicorn and the tests
    outside any command, so they sync.
    """
    context = click.get_current_context(silent=True)
    return context is not None and isinstance(context.command, FlaskGroup)


def _schema_is_current() -> bool:
    head = ScriptDirectory.from_config(migrate.get_config()).get_current_head()
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head


def _sync_at_start(app: Flask) -> None:
    """Archive new content, or log why not and keep serving the last archived versions."""
    with app.app_context():
        if not _schema_is_current():
            app.logger.warning("Catalogue not synced: the database schema is not up to date. "
                               "Run `flask --app tracker db upgrade`, then `flask --app tracker sync`.")
            return
        try:
            report = sync(app.config["TRACKER_CONTENT_DIR"], START_UP_ACTOR)
        except ContentError as error:
            app.extensions[SYNC_PROBLEM] = (f"The content folder has {len(error.problems)} problem(s), so the "
                                            "tracker serves the last synced versions. Run `flask --app tracker "
                                            "sync` to see them.")
            app.logger.error("Content has problems; serving the last archived versions:\n%s", error)
        except SyncRefused as refusal:
            app.extensions[SYNC_PROBLEM] = f"Catalogue sync refused; serving the last synced versions. {refusal}"
            app.logger.error("Catalogue sync refused; serving the last archived versions:\n%s", refusal)
        else:
            app.logger.info(report.describe())
        current()  # the served catalogue, whose office time zone decides "today" from the start
