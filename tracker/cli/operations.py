"""Commands for running the tracker: backups, and checking the audit trail."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click

from tracker.cli.common import command, fail
from tracker.services import audit, backup
from tracker.storage.db import db


@command("backup")
@click.option("--out", "target", required=True, type=click.Path(path_type=Path),
              help="File to write the backup to (SQLite).")
@click.option("--overwrite", is_flag=True, help="Replace FILE if it exists.")
def backup_command(target: Path, overwrite: bool) -> None:
    """Write a consistent copy of the SQLite database to FILE while the tracker runs.

    For PostgreSQL, prints the pg_dump command to use instead. Check a backup by pointing
    TRACKER_DATABASE_URL at it and running `flask --app tracker audit-verify`.
    """
    url = db.engine.url
    if url.get_backend_name() == "postgresql":
        fail(backup.postgres_advice(url, target))
    try:
        done = backup.back_up(url, target, overwrite)
    except (backup.BackupRefused, sqlite3.Error, OSError) as error:
        fail(f"No backup written: {error}")
    click.echo(f"Backed up {done.database} to {done.written} ({done.size:,} bytes, integrity check ok).")
    click.echo(f"Check it: TRACKER_DATABASE_URL=sqlite:///{done.written} flask --app tracker audit-verify")


@command("audit-verify")
def audit_verify_command() -> None:
    """Check that the audit trail's hash chain is unbroken."""
    result = audit.verify()
    if not result.ok:
        fail(f"BROKEN at seq {result.broken_seq}: {result.reason}. {result.count} event(s) before it are intact.")
    click.echo(f"OK: {result.count} events, chain intact")
    click.echo(f"Last hash: {result.last_hash}")


COMMANDS = (backup_command, audit_verify_command)
