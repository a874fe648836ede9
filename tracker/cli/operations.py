"""Commands for running the tracker: backups, checking the audit trail, its checkpoints and keys."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click

from tracker.cli.common import command, fail
from tracker.services import audit, backup, checkpoints, keys
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
@click.option("--checkpoints", "checkpoint_file", type=click.Path(dir_okay=False, path_type=Path),
              help="A checkpoint file (TRACKER_CHECKPOINT_FILE, or a copy): the trail must hold every event it saw.")
def audit_verify_command(checkpoint_file: Path | None) -> None:
    """Check the audit trail: its keyed hash chain, every record against its event, and checkpoints."""
    result = audit.verify()
    if result.broken_seq is not None:
        fail(f"BROKEN at seq {result.broken_seq}: {result.reason}. {result.count} event(s) before it are intact.")
    if result.record_problem:
        fail(f"BROKEN: {result.record_problem}. The chain of {result.count} events is intact; the record is not.")
    checked = []
    if checkpoint_file is not None:
        try:
            checked = checkpoints.read(checkpoint_file)
        except checkpoints.BadCheckpoints as error:
            fail(f"BROKEN: checkpoint file {checkpoint_file}, {error}.")
        problem = checkpoints.contradiction(checked, checkpoints.stored_hash)
        if problem:
            fail(f"BROKEN: {problem}.")
    click.echo(f"OK: {result.count} events, chain intact")
    click.echo("Every bound record matches the event that recorded it.")
    if checkpoint_file is not None:
        click.echo(f"All {len(checked)} signed checkpoint(s) in {checkpoint_file} match the trail.")
    click.echo(f"Last hash: {result.last_hash}")


@command("checkpoint")
def checkpoint_command() -> None:
    """Append a signed checkpoint of the audit chain's head to the checkpoint file."""
    path = keys.current().checkpoint_file
    try:
        written = checkpoints.write()
    except OSError as error:
        fail(f"Could not write the checkpoint to {path}: {error.strerror or error}. Check "
             "TRACKER_CHECKPOINT_FILE and that the tracker's user may write there.")
    click.echo(f"Checkpoint written to {path}: {written.describe()}.")


@command("evidence-key")
def evidence_key_command() -> None:
    """Print the public half of the evidence signing key, to publish on the operations page."""
    click.echo(keys.current().public_key_hex())


COMMANDS = (backup_command, audit_verify_command, checkpoint_command, evidence_key_command)
