"""Commands that report on the records: the auditor's evidence pack, reminder e-mails."""

from __future__ import annotations

import smtplib
from dataclasses import replace
from datetime import date
from pathlib import Path

import click
from flask import current_app

from tracker.cli.common import as_of_option, command, fail, synced_catalogue
from tracker.services import checkpoints, evidence, keys, reminders


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
    catalogue = synced_catalogue()
    try:
        files = evidence.write_pack(catalogue, day, out)
    except OSError as error:
        fail(f"Could not write {out}: {error.strerror or error}. Nothing was written.")
    current_app.logger.info("Evidence pack written to %s", out)
    click.echo(f"Wrote {out}: evidence as of {day.isoformat()}, {len(files)} files, signed with evidence key "
               f"{keys.current().public_key_hex()} (check them with `python3 verify.py` after unzipping).")


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
    to_staff, digests = reminders.plan(synced_catalogue(), day)
    if not dry_run:
        digests = _with_checkpoint(digests)
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


def _with_checkpoint(digests: list[reminders.Message]) -> list[reminders.Message]:
    """Write a signed checkpoint of the audit trail and quote it in each digest: the managers' mail
    then holds, away from the tracker, what a later trail must still contain."""
    try:
        written = checkpoints.write()
    except OSError as error:
        fail(f"Could not write the audit checkpoint to {keys.current().checkpoint_file}: {error.strerror or error}. "
             "Check TRACKER_CHECKPOINT_FILE. Nothing was sent.")
    quoted = (f"\nAudit trail checkpoint: {written.describe()}. A later trail must still hold this event with this "
              "hash; keep this e-mail (flask --app tracker audit-verify --checkpoints checks the signed copy).\n")
    return [replace(message, body=message.body + quoted) for message in digests]


COMMANDS = (evidence_command, remind_command)
