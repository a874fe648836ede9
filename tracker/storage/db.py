"""The database handle, column types shared by the models, and per-backend connection setup.

The tracker runs on SQLite (one clinic, one server) and on PostgreSQL, and must behave the same on
both; everything that differs between them is set up here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import JSON, DateTime, Engine, MetaData, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so Alembic can find them again to alter or drop them.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 10_000


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

# JSON on SQLite, JSONB on PostgreSQL (compact, and comparable in SQL).
JSONType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    """Timestamps (signatures, audit events) are UTC."""
    return datetime.now(UTC)


def iso_utc(moment: datetime) -> str:
    """A UTC time as ISO 8601 text ending in Z, as the API and receipts show it."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def today() -> date:
    """Dates (hire, leave, deadlines) are calendar days of the office: the server's local date."""
    return date.today()


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on both backends.

    PostgreSQL stores ``timestamptz``; SQLite has no time zones, so the UTC wall time is stored and
    the zone put back on reading. Values read back are equal to the ones written, which the audit
    chain relies on when it hashes them again.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass a timezone-aware UTC time (tracker.storage.db.utcnow())")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def configure_engine(engine: Engine) -> None:
    """Connection settings the tracker relies on; a no-op for PostgreSQL, whose defaults fit."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)


def _sqlite_connect(dbapi_connection, connection_record) -> None:
    # Let SQLAlchemy's "begin" event, not the sqlite3 module, open transactions (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    # WAL lets pages be read while a writer works; a no-op for in-memory databases.
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()


def _sqlite_begin(connection) -> None:
    """Every transaction takes SQLite's write lock up front (BEGIN IMMEDIATE).

    With the default deferred BEGIN, two transactions can both read the audit chain's last hash
    and then collide when upgrading to a write lock: one gets "database is locked" immediately,
    since waiting could deadlock. Taking the lock at BEGIN makes writers queue (up to the busy
    timeout) and serialises them, so each one reads the chain head the previous one committed.
    Read-only requests queue too; for one clinic's traffic that costs little, and it keeps every
    write path correct without each having to announce itself as a writer.
    """
    connection.exec_driver_sql("BEGIN IMMEDIATE")
