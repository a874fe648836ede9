"""The database handle, column types shared by the models, and per-backend connection setup.

The tracker runs on SQLite (one clinic, one server) and on PostgreSQL, and must behave the same on
both; everything that differs between them is set up here.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import time as time_module
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVarTuple
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import (
    JSON,
    ColumnElement,
    Connection,
    CursorResult,
    DateTime,
    Dialect,
    Engine,
    Executable,
    MetaData,
    Row,
    Select,
    String,
    event,
    func,
    select,
    type_coerce,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, InstrumentedAttribute
from sqlalchemy.pool import ConnectionPoolEntry
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
# The largest id an integer column holds on both backends (32-bit on PostgreSQL); a larger one names no row.
MAX_ID = 2**31 - 1


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

if TYPE_CHECKING:
    # Flask-SQLAlchemy builds db.Model at run time (Base plus its query and bind mixins), out of a
    # type checker's sight; to one, the models derive from Base, whose typed columns it checks.
    Model = Base
else:
    Model = db.Model

# JSON on SQLite, JSONB on PostgreSQL (compact, and comparable in SQL).
JSONType = JSON().with_variant(JSONB(), "postgresql")
HASH_LENGTH = 64  # characters of a hex SHA-256 (fingerprints, token hashes, the audit chain)


def utcnow() -> datetime:
    """Timestamps (signatures, audit events) are UTC."""
    return datetime.now(UTC)


def iso_utc(moment: datetime) -> str:
    """A UTC time as ISO 8601 text ending in Z, as the API and receipts show it."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def office_zone() -> tzinfo | None:
    """The office's time zone (policies/office.yml ``timezone``), which the served catalogue puts in
    the app's settings as TRACKER_TIMEZONE when it is loaded (tracker.services.served_catalogue); None, the
    server's own zone, outside an app or before any catalogue."""
    name = current_app.config.get("TRACKER_TIMEZONE") if has_app_context() else None
    return _zone(name) if name else None


@functools.lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_time(moment: datetime) -> datetime:
    """A time as the office's clock shows it."""
    return moment.astimezone(office_zone())


class OfficeDays:
    """The office's calendar day of many UTC times (naive, as :func:`utc_wall_time` reads them), for
    bulk reads: the zone's offset is looked up once per UTC day instead of converting every time.

    A day whose offset is the same at its first and last instant has no transition inside it (a
    zone's transitions are months apart), so one offset serves all of it; on a day holding a
    transition each time is converted exactly.
    """

    def __init__(self, zone: tzinfo | None) -> None:
        self._zone = zone
        self._offsets: dict[date, timedelta | None] = {}

    def of(self, moment: datetime) -> date:
        day = moment.date()
        try:
            offset = self._offsets[day]
        except KeyError:
            offset = self._offsets[day] = self._offset_through(day)
        if offset is None:
            return moment.replace(tzinfo=UTC).astimezone(self._zone).date()
        return (moment + offset).date()

    def _offset_through(self, day: date) -> timedelta | None:
        start = datetime.combine(day, time(), UTC)
        first, last = (moment.astimezone(self._zone).utcoffset() for moment in (start, start + _LAST_INSTANT))
        return first if first == last else None


_LAST_INSTANT = timedelta(days=1, microseconds=-1)


def utc_wall_time(column: ColumnElement[Any] | InstrumentedAttribute[Any]) -> ColumnElement[datetime]:
    """A UTCDateTime column read as naive UTC on both backends: about half the cost of the
    timezone-aware value in bulk (PostgreSQL converts it; SQLite stores it so)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return type_coerce(func.timezone("UTC", column), DateTime())
    return type_coerce(column, DateTime())


class DriverRows:
    """The rows of a bulk read as the database driver returns them, without SQLAlchemy's per-row
    result processing, which costs more than the query when rows number in the hundreds of thousands
    (everyone's stored state at 2,000 staff: 0.55 s to 0.45 s on SQLite, the driver's fetch 0.18 s).

    Columns come as the driver sends them: read dates and times through ``date``, ``optional_date``
    and ``datetime``, which take PostgreSQL's typed values as they are and parse SQLite's ISO text.
    Only for columns of plain types (read UTCDateTime columns through :func:`utc_wall_time`).
    """

    def __init__(self, statement: Select[Any]) -> None:
        connection = db.session.connection()
        typed = connection.dialect.name == "postgresql"
        self.date: Callable[[Any], date] = _same if typed else date.fromisoformat
        self.optional_date: Callable[[Any], date | None] = _same if typed else _iso_date
        self.datetime: Callable[[Any], datetime] = _same if typed else datetime.fromisoformat
        result = connection.execute(statement)
        try:
            self.rows: Sequence[Any] = result.cursor.fetchall() if result.cursor is not None else []
        finally:
            result.close()

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self.rows)


def _same(value: Any) -> Any:
    return value


def _iso_date(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


Columns = TypeVarTuple("Columns")


def plain(statement: Executable, parameters: dict[str, Any] | None = None) -> CursorResult[Any]:
    """Run ``statement`` in the session's transaction as the ORM would (after flushing what is
    pending), but on its connection: plain rows back, without the ORM's per-statement work (entity
    compilation, events, loading objects), which costs more than a small statement itself."""
    session = db.session()
    session.flush()
    return session.connection().execute(statement, parameters)


def first_row_now(statement: Select[*Columns], parameters: dict[str, Any]) -> Row[*Columns] | None:
    """The first row of a read-only ``statement``, read as the database stands now, outside the
    session's transaction: on PostgreSQL through an autocommit connection, one round trip instead of
    BEGIN, the query and the ROLLBACK that a transaction opened only for it would cost (read committed
    gives each statement its own snapshot either way). SQLite's BEGIN costs no round trip: there the
    session's connection serves."""
    if db.session.get_bind().dialect.name != "postgresql":
        return db.session.connection().execute(statement, parameters).first()
    with _autocommit(db.engine).connect() as connection:
        return connection.execute(statement, parameters).first()


@functools.lru_cache(maxsize=4)
def _autocommit(engine: Engine) -> Engine:
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def hold_advisory_lock(connection: Connection, key: int) -> None:
    """Wait for PostgreSQL's transaction-scoped advisory lock ``key`` and hold it until the transaction
    ends. On SQLite, nothing to do: every transaction takes the database's one write lock at BEGIN
    (:func:`_sqlite_begin`), which serialises writers already."""
    if connection.dialect.name == "postgresql":
        connection.execute(_advisory_lock(key))


@functools.cache
def _advisory_lock(key: int) -> Select[Any]:
    return select(func.pg_advisory_xact_lock(key))  # built once per key: every write takes one


def backend_insert(model: type[Base], dialect: str | None = None) -> Any:
    """The backend's INSERT into ``model``'s table (PostgreSQL's or SQLite's), which knows ON CONFLICT;
    for the backend named ``dialect``, or else the session's."""
    name = dialect or db.session.get_bind().dialect.name
    return (postgresql.insert if name == "postgresql" else sqlite.insert)(model)


def today() -> date:
    """Dates (hire, leave, deadlines) are calendar days of the office: its local date now."""
    return local_time(utcnow()).date()


def column_length(model: type[Base], name: str) -> int:
    """How many characters a model's text column holds: the limit a field is checked against."""
    column_type = model.__table__.c[name].type
    if not isinstance(column_type, String) or column_type.length is None:
        raise TypeError(f"{model.__name__}.{name} is not a text column of limited length")
    return column_type.length


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on both backends.

    PostgreSQL stores ``timestamptz``; SQLite has no time zones, so the UTC wall time is stored and
    the zone put back on reading. Values read back are equal to the ones written, which the audit
    chain relies on when it hashes them again.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass a timezone-aware UTC time (tracker.storage.db.utcnow())")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def configure_engine(engine: Engine) -> None:
    """Connection settings the tracker relies on: SQLite's, and PostgreSQL's check of idle connections."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "do_connect", _sqlite_open)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        event.listen(engine, "connect", _note_use)
        event.listen(engine, "checkin", _note_use)
        event.listen(engine, "checkout", functools.partial(_ping_if_idle, engine.dialect))


# A pooled server connection is checked (a round trip) before it is handed out only if it sat unused
# this long: one that ended a request a moment ago has just answered. SQLAlchemy's pool_pre_ping
# checks every time, which cost a busy worker a round trip on every request. A connection the server
# dropped while idle (a restart, an idle timeout) is replaced before a request can see it, as with
# pool_pre_ping; one dropped mid-burst fails that request with a 503 and the pool starts afresh.
PING_AFTER_IDLE_SECONDS = 1.0
_LAST_USED = "tracker.last_used"  # the pool entry's info: time.monotonic() when it was last returned


def _note_use(dbapi_connection: Any, connection_record: ConnectionPoolEntry) -> None:
    connection_record.info[_LAST_USED] = time_module.monotonic()


def _ping_if_idle(dialect: Dialect, dbapi_connection: Any, connection_record: ConnectionPoolEntry,
                  connection_proxy: Any) -> None:
    if time_module.monotonic() - connection_record.info.get(_LAST_USED, 0.0) < PING_AFTER_IDLE_SECONDS:
        return
    try:
        dialect.do_ping(dbapi_connection)
    except dialect.loaded_dbapi.Error as error:
        # The pool discards this connection and hands out a new one (SQLAlchemy's PoolEvents.checkout).
        raise DisconnectionError(f"a pooled connection no longer answers: {error}") from error


def _sqlite_open(dialect: Dialect, connection_record: ConnectionPoolEntry, cargs: list[Any],
                 cparams: dict[str, Any]) -> None:
    """Open a database file on a file system mounted read-only as immutable, so it can still be read.

    A WAL database is read through its -shm file, which a read-only file system cannot hold: opened
    normally, even a read fails (SQLITE_CANTOPEN). Nothing can change the file there, which is what
    SQLite's immutable flag promises; writes then fail as SQLITE_READONLY, a 503 (tracker.http.errors).
    """
    name = str(cargs[0]) if cargs else ""
    if not name or name == ":memory:" or name.startswith("file:") or cparams.get("uri"):
        return
    path = Path(name).absolute()
    try:
        read_only = bool(os.statvfs(path.parent).f_flag & os.ST_RDONLY)
    except OSError:
        return  # no such folder: the normal open reports it
    if read_only:
        cargs[0] = f"file:{quote(str(path))}?immutable=1"
        cparams["uri"] = True


def _sqlite_connect(dbapi_connection: sqlite3.Connection, connection_record: ConnectionPoolEntry) -> None:
    # Let SQLAlchemy's "begin" event, not the sqlite3 module, open transactions (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    # WAL lets pages be read while a writer works; a no-op for in-memory databases.
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    """Every transaction takes SQLite's write lock up front (BEGIN IMMEDIATE).

    With the default deferred BEGIN, two transactions can both read the audit chain's last hash
    and then collide when upgrading to a write lock: one gets "database is locked" immediately,
    since waiting could deadlock. Taking the lock at BEGIN makes writers queue (up to the busy
    timeout) and serialises them, so each one reads the chain head the previous one committed.
    Read-only requests queue too; for one clinic's traffic that costs little, and it keeps every
    write path correct without each having to announce itself as a writer.
    """
    connection.exec_driver_sql("BEGIN IMMEDIATE")
