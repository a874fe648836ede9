"""Commands for the stored compliance state: rebuild it from the records, and fill today's status sheet."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from tracker.cli.common import synced_catalogue
from tracker.services import compliance_state, month_snapshots, status_sheet, trend
from tracker.storage.db import db, today

compliance_group = AppGroup("compliance", help="The stored compliance state the dashboard and matrix read.")


@compliance_group.command("rebuild-state")
@click.option("--months", default=trend.MONTHS - 1, show_default=True, type=click.IntRange(0, 240),
              help="Also compute the counts of this many closed month ends before today.")
def rebuild_state_command(months: int) -> None:
    """Recompute each person's latest records and the month-end counts from every record.

    Safe while the tracker runs: writers wait for the rebuild and then update the rebuilt rows.
    """
    catalogue = synced_catalogue()
    rows = compliance_state.rebuild(db.session.connection())
    days = trend.month_ends(today(), months + 1)[:-1] if months else []
    written = month_snapshots.rebuild(catalogue, days)
    db.session.commit()
    click.echo(f"Rebuilt {rows} latest-record rows and the counts of {len(written)} month end(s)"
               + (f", {written[0].isoformat()} to {written[-1].isoformat()}." if written else "."))


@compliance_group.command("refresh-sheet")
def refresh_sheet_command() -> None:
    """Bring today's status sheet up to date, and close last month if it has just ended.

    The first page of a day computes everyone's statuses for the day (seconds at a few thousand
    staff); run this shortly after midnight (cron, a systemd timer) so that no manager waits for it.
    """
    catalogue = synced_catalogue()
    day = today()
    found = status_sheet.sheet(catalogue, day)
    month_snapshots.month_end_counts(catalogue, trend.month_ends(day)[:-1])
    click.echo(f"Today's status sheet ({day.isoformat()}) holds {len(found.rows)} people; "
               "the closed months' counts are stored.")


COMMANDS = (compliance_group,)
