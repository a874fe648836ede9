"""Commands for what the tracker serves: archiving the content folder, filling a demo practice."""

from __future__ import annotations

import click
from flask import current_app

from portal import ContentError
from tracker.cli.common import command, fail
from tracker.services import audit, served_catalogue
from tracker.services.demo_seed import seed_demo
from tracker.services.sync import SyncRefused, sync


@command("sync")
def sync_command() -> None:
    """Archive new policy and module versions from the content folder."""
    try:
        report = sync(current_app.config["TRACKER_CONTENT_DIR"], audit.CLI_ACTOR)
    except ContentError as error:
        for problem in error.problems:
            click.echo(str(problem))
        fail(f"{len(error.problems)} problem(s) in the content: nothing synced.")
    except SyncRefused as refusal:
        for reason in refusal.reasons:
            click.echo(reason)
        fail("Sync refused: nothing changed.")
    click.echo(report.describe())


@command("seed-demo")
def seed_demo_command() -> None:
    """Fill an empty tracker with demo staff and records (prints the demo sign-ins)."""
    try:
        lines = seed_demo()
    except served_catalogue.NotSynced as error:
        fail(str(error))
    for line in lines:
        click.echo(line)


COMMANDS = (sync_command, seed_demo_command)
