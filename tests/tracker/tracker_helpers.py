"""Helpers for the tracker tests: databases, people, signing in."""

from __future__ import annotations

import os
import re
import secrets
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from jsonschema import Draft202012Validator
from sqlalchemy import (
    Engine,
    Integer,
    Table,
    create_engine,
    event,
    func,
    insert,
    make_url,
    select,
    text,
)
from sqlalchemy.pool import NullPool

from tracker import create_app
from tracker.api import openapi_document
from tracker.services.people import StaffData, create_staff, create_user
from tracker.services.tokens import issue_token
from tracker.storage.db import db
from tracker.storage.models import User

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tracker"
CONTENT = FIXTURES / "content"
PASSWORD = "correct horse battery staple"
POSTGRES_ENV = "TRACKER_TEST_DATABASE_URL"
CSRF_INPUT = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


@contextmanager
def scratch_postgres_database(server_url: str):
    """A new, uniquely named database on the server of ``server_url``; dropped afterwards."""
    url = make_url(server_url)
    name = f"tracker_test_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        # A scratch database need not survive a crash: commits do not wait for the disk.
        connection.exec_driver_sql(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@contextmanager
def fresh_database(backend: str, tmp_path: Path):
    """An empty database of the backend: a file under tmp_path, or a scratch PostgreSQL database."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.db'}"
    else:
        with scratch_postgres_database(os.environ[POSTGRES_ENV]) as url:
            yield url


@dataclass
class _Saved:
    rows: list[tuple[Table, list[dict]]]  # (table, its rows), parents first
    sequences: dict[str, int]  # PostgreSQL: each id sequence, and the last id it handed out (0: none)


_ENGINES: dict[str, Engine] = {}
_SAVED: dict[str, _Saved] = {}


def _engine(database_url: str) -> Engine:
    """A plain engine for resetting tables (no app to build); no pooled connection outlives a reset."""
    if database_url not in _ENGINES:
        engine = _ENGINES[database_url] = create_engine(database_url, poolclass=NullPool)
        if engine.dialect.name == "sqlite":  # this connection's own writes need not wait for the disk
            event.listen(engine, "connect", lambda dbapi, _: dbapi.execute("PRAGMA synchronous = OFF"))
    return _ENGINES[database_url]


def _empty(connection) -> None:
    """DELETE, not TRUNCATE: PostgreSQL's TRUNCATE makes new files for every table, costing far more
    than deleting the few rows a test leaves (id sequences are reset by the callers)."""
    tables = list(reversed(db.metadata.sorted_tables))
    if connection.dialect.name == "postgresql":  # one round trip
        connection.exec_driver_sql("; ".join(str(table.delete().compile(connection)) for table in tables))
    else:
        for table in tables:
            connection.execute(table.delete())


def _id_sequences(connection) -> dict[str, int]:
    """PostgreSQL's id sequences, each with the largest id its table holds now (0 for none)."""
    found = {}
    for table in db.metadata.sorted_tables:
        for column in (c for c in table.primary_key.columns if isinstance(c.type, Integer)):
            name = connection.scalar(select(func.pg_get_serial_sequence(table.name, column.name)))
            if name:
                found[name] = connection.scalar(select(func.coalesce(func.max(column), 0)))
    return found


def _set_sequences(connection, sequences: dict[str, int]) -> None:
    """Each sequence hands out the id after its value next (1 after 0), in one round trip."""
    calls = [func.setval(name, max(last, 1), last > 0) for name, last in sequences.items()]
    if calls:
        connection.execute(select(*calls))


def empty_tables(database_url: str) -> None:
    """Every table of the models emptied, and ids counting from 1 again."""
    with _engine(database_url).begin() as connection:
        _empty(connection)
        if connection.dialect.name == "postgresql":
            _set_sequences(connection, dict.fromkeys(_id_sequences(connection), 0))


def saved_rows(database_url: str) -> None:
    """Remember every row the database holds now, for restore_rows to put back."""
    with _engine(database_url).connect() as connection:
        saved = [(table, [dict(row._mapping) for row in connection.execute(select(table))])
                 for table in db.metadata.sorted_tables]
        sequences = _id_sequences(connection) if connection.dialect.name == "postgresql" else {}
    _SAVED[database_url] = _Saved([(table, rows) for table, rows in saved if rows], sequences)


def restore_rows(database_url: str) -> None:
    """The database as saved_rows found it, in one transaction: emptied, the saved rows inserted with
    their ids, and PostgreSQL's id sequences where they were, as if the same writes had just run."""
    saved = _SAVED[database_url]
    with _engine(database_url).begin() as connection:
        if connection.dialect.name == "postgresql":  # the test database holds nothing worth an fsync
            connection.execute(text("SET LOCAL synchronous_commit = off"))
        _empty(connection)
        for table, rows in saved.rows:
            connection.execute(insert(table), rows)
        _set_sequences(connection, saved.sequences)


def make_app(database_url: str, **overrides):
    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "TRACKER_CONTENT_DIR": CONTENT,
              "SECRET_KEY": "test-secret"}
    return create_app({**config, **overrides})


def migrated_app(database_url: str):
    """An app on an empty database, upgraded to the newest schema and synced: for migration tests."""
    import flask_migrate

    from tracker.services.sync import sync

    app = make_app(database_url, TRACKER_SYNC_ON_START=False)
    with app.app_context():
        flask_migrate.upgrade()
        sync(app.config["TRACKER_CONTENT_DIR"], "test")
        db.session.commit()
    return app


def add_person(app, email: str, name: str, account_role: str | None = "staff", roles=("front-desk",),
               location: str | None = "main-street", hire_date: date | None = None) -> int:
    """A staff record, and an account unless account_role is None; returns the staff id."""
    with app.app_context():
        staff = create_staff(StaffData(name=name, email=email, job_title="", roles=tuple(roles), location_id=location,
                                       hire_date=hire_date or date.today() - timedelta(days=3)), "test")
        if account_role:
            create_user(staff, account_role, PASSWORD, "test")
        db.session.commit()
        return staff.id


def csrf_token(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def sign_in(client, email: str, password: str = PASSWORD, next_page: str | None = None, **environ):
    url = "/sign-in" + (f"?next={next_page}" if next_page else "")
    token = csrf_token(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, "email": email, "password": password},
                       environ_overrides=environ)


def user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(db.select(User.id).where(User.email == email))


def copy_content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    return root


def edit(root: Path, rel: str, old: str, new: str) -> None:
    file = root / rel
    text = file.read_text("utf-8")
    assert old in text, f"{old!r} not in {rel}"
    file.write_text(text.replace(old, new, 1), "utf-8")


def bump_minimum_necessary(root: Path) -> None:
    """Version 4 of minimum-necessary: a material change for everyone."""
    rel = "policies/hipaa-privacy/minimum-necessary.yml"
    edit(root, rel, "version: 3\neffective_date: 2026-03-01", "version: 4\neffective_date: 2026-03-20")
    edit(root, rel, "Share with a payer only", "Share with a payer or vendor only")
    (root / rel).write_text((root / rel).read_text("utf-8") + (
        "  - version: 4\n    date: 2026-03-20\n    summary: Vendors too.\n    material_change: true\n"), "utf-8")


def hidden_value(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html)
    assert match, f"no hidden {name} in the page"
    return match.group(1)


def ack_form(client, policy_id: str) -> dict:
    """The signing form's hidden fields, as the page served them."""
    html = client.get(f"/policies/{policy_id}").get_data(as_text=True)
    return {name: hidden_value(html, name) for name in ("csrf_token", "version", "fingerprint")}


def api_token(app, email: str) -> str:
    with app.app_context():
        token = issue_token(db.session.scalar(db.select(User).where(User.email == email)), "test")
        db.session.commit()
        return token


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def documented_schema(path: str, method: str, status: int) -> dict:
    """The JSON schema the OpenAPI document gives for this response."""
    document = openapi_document()
    response = document["paths"][path][method.lower()]["responses"][str(status)]
    if "$ref" in response:
        response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response["content"]["application/json"]["schema"]


def assert_documented(response, path: str, method: str = "GET") -> None:
    """The response's status is documented for the operation, and its body fits the schema."""
    schema = documented_schema(path, method, response.status_code)
    validator = Draft202012Validator({**schema, "components": openapi_document()["components"]})
    errors = [error.message for error in validator.iter_errors(response.get_json())]
    assert not errors, errors
