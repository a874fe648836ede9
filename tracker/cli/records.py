"""Commands that report on the records: the auditor's evidence pack, reminder e-mails."""

from __future__ import annotations

import smtplib
from datetime import date
from pathlib import Path

import click
from flask import current_app

from tracker.cli.common import as_of_option, command, fail, served_catalogue
from tracker.services import evidence, reminders


@command("evidence")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The zip file to write, e.g. evidence.zip (its folder must exist).")
@as_of_option
@click.option("--overwrite", is_flag=True, help="Replace the file if it exists.")
def evidence_command(out: Path, day: date, overwrite: bool) -> None:
    """Write the evidence pack for auditors: CSV registers, signed policy texts, audit check, manifest."""
    try:
        out = evidence.check_out(out, overwrite)
    except evidence.PackRefused as error:
        fail(str(error))
    catalogue = served_catalogue()
    try:
        files = evidence.write_pack(catalogue, day, out)
    except OSError as error:
        fail(f"Could not write {out}: {error.strerror or error}. Nothing was written.")
    current_app.logger.info("Evidence pack written to %s", out)
    click.echo(f"Wrote {out}: evidence as of {day.isoformat()}, {len(files)} files "
               f"(check them with `sha256sum -c {evidence.CHECKSUMS}` after unzipping).")


@command("remind")
@click.option("--dry-run", is_flag=True, help="Print the e-mails instead of sending them.")
@as_of_option
def remind_command(dry_run: bool, day: date) -> None:
    """E-mail each person their overdue and due-soon items, and each manager a digest."""
    config = current_app.config
    if not dry_run:
        try:
            reminders.sender(config)
        except reminders.MailNotConfigured as error:
            fail(str(error))
    to_staff, digests = reminders.plan(served_catalogue(), day)
    if dry_run:
        for message in to_staff + digests:
            click.echo(f"To: {message.to}\nSubject: {message.subject}\n\n{message.body}\n{'-' * 72}")
        click.echo(f"Dry run: would send {len(to_staff)} reminder(s) to staff and {len(digests)} digest(s) to "
                   "managers. Nothing was sent.")
        return
    try:
        failures = reminders.send(to_staff + digests, config)
    except (OSError, smtplib.SMTPException) as error:
        fail(f"Could not send through {config['TRACKER_SMTP_HOST']}:{config['TRACKER_SMTP_PORT']}: {error}. "
             "Nothing more was sent.")
    for message, reason in failures:
        click.echo(f"Not sent to {message.to}: {reason}", err=True)
    refused = {m.to for m, _reason in failures}
    summary = (f"Sent {sum(m.to not in refused for m in to_staff)} reminder(s) to staff and "
               f"{sum(m.to not in refused for m in digests)} digest(s) to managers"
               f"{f'; {len(failures)} refused by the server' if failures else ''}.")
    if failures:
        fail(summary)
    click.echo(summary)


COMMANDS = (evidence_command, remind_command)
