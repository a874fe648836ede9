"""A consistent copy of the database while the tracker runs (``flask --app tracker backup --out FILE``).

SQLite: sqlite3's online backup API copies every page in one step, inside one read transaction, so
the copy is the database at a single moment even while workers keep writing (WAL lets them). The
copy goes to a temporary file beside FILE (readable by its owner only: it holds personal data), is
switched to a self-contained single file, checked with ``PRAGMA integrity_check``, synced to disk
and only then renamed to FILE; so FILE is either the previous backup or a complete new one.

PostgreSQL: pg_dump does this job (a consistent snapshot without stopping anyone); the command says
so, prints the exact pg_dump command for this database (``postgres_advice``), and exits 1 without
writing anything.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import URL

from tracker.storage.db import SQLITE_BUSY_TIMEOUT_MS

# Files SQLite keeps beside a database; a backup must never land on any of them.
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


class BackupRefused(Exception):
    """Why no backup was written, said so the operator knows what to do instead."""


def sqlite_file(url: URL) -> Path:
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file::memory:"):
        raise BackupRefused("The database is in memory: there is no file to back up.")
    if database.startswith("file:"):  # a URI filename (sqlite:///file:path?mode=ro&uri=true)
        database = database.removeprefix("file:").split("?", 1)[0]
    return Path(database).resolve()


def check_target(database: Path, target: Path, overwrite: bool) -> Path:
    """The absolute path to write; refuses the live database's own files and silent overwrites."""
    target = target.expanduser().resolve()
    if target in {Path(f"{database}{suffix}") for suffix in SQLITE_COMPANIONS}:
        raise BackupRefused(f"{target} is the live database (or one of its files): choose another --out.")
    if target.is_dir():
        raise BackupRefused(f"{target} is a folder: give a file name, e.g. {target / 'tracker-backup.db'}.")
    if not target.parent.is_dir():
        raise BackupRefused(f"The folder {target.parent} does not exist: create it first.")
    if target.exists() and not overwrite:
        raise BackupRefused(f"{target} already exists: add --overwrite to replace it.")
    return target


def backup_sqlite(database: Path, target: Path) -> int:
    """Copy ``database`` to ``target`` consistently and atomically; returns the copy's size in bytes."""
    if not database.is_file():
        raise BackupRefused(f"The database file {database} does not exist.")
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(handle)
    try:
        source = sqlite3.connect(database)
        copy = sqlite3.connect(temporary)
        try:
            source.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            source.backup(copy)  # pages=-1: the whole database in one step, one snapshot
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
            result = copy.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            copy.close()
            source.close()
        if result != "ok":
            raise BackupRefused(f"The copy failed its integrity check ({result}); nothing was written.")
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    return target.stat().st_size


def pg_dump_command(url: URL, target: Path) -> str:
    """The pg_dump command for this database; the password stays out (PGPASSWORD or ~/.pgpass)."""
    plain = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return f"pg_dump --format=custom --file={shlex.quote(str(target))} {shlex.quote(plain)}"


def postgres_advice(url: URL, target: Path) -> str:
    """What to run instead of this command on PostgreSQL, and how to restore and check the result."""
    return ("The database is PostgreSQL: back it up with pg_dump, which takes a consistent snapshot "
            "while the tracker runs (set PGPASSWORD or use ~/.pgpass for the password):\n"
            f"  {pg_dump_command(url, target.expanduser().resolve())}\n"
            "Restore into an empty database with pg_restore --no-owner --dbname=<database> FILE, then "
            "check it with TRACKER_DATABASE_URL=<its URL> flask --app tracker audit-verify.")


@dataclass(frozen=True)
class Backup:
    database: Path
    written: Path
    size: int  # bytes


def back_up(url: URL, target: Path, overwrite: bool) -> Backup:
    """Back up the SQLite database at ``url`` to ``target``; BackupRefused, sqlite3.Error or OSError
    say why not."""
    database = sqlite_file(url)
    written = check_target(database, target, overwrite)
    return Backup(database, written, backup_sqlite(database, written))
