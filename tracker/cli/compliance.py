"""Commands for the stored compliance state: rebuild it from the records."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from tracker.cli.common import synced_catalogue
from tracker.services import compliance_state, month_snapshots, trend
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


COMMANDS = (compliance_group,)
