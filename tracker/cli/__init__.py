"""Flask CLI commands: ``flask --app tracker <command>``. Each exits 1 with a message on failure."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from portal import ContentError
from tracker.services import audit, evidence, people, reminders, staff_import
from tracker.services import catalogue as served
from tracker.services import demo_practice as demo_data
from tracker.services.backup import backup_command
from tracker.services.sync import SyncRefused, sync
from tracker.storage.db import db
from tracker.storage.models import ACCOUNT_ROLES, User
from tracker.web import auth


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


def _served_catalogue():
    found = served.current()
    if found is None:
        _fail("The catalogue has not been synced yet: run `flask --app tracker sync` first.")
    return found


def _user(email: str) -> User:
    user = db.session.scalar(db.select(User).where(User.email == people.normalise_email(email)))
    if user is None:
        _fail(f"No user with e-mail {email}: create one with `flask --app tracker create-user`.")
    return user


@click.command("sync")
@with_appcontext
def sync_command():
    """Archive new policy and module versions from the content folder."""
    try:
        report = sync(current_app.config["TRACKER_CONTENT_DIR"], audit.CLI_ACTOR)
    except ContentError as error:
        for problem in error.problems:
            click.echo(str(problem))
        _fail(f"{len(error.problems)} problem(s) in the content: nothing synced.")
    except SyncRefused as refusal:
        for reason in refusal.reasons:
            click.echo(reason)
        _fail("Sync refused: nothing changed.")
    click.echo(report.describe())


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")  # one line, for scripts: echo "$PW" | flask ... create-user


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--name", help="Full name, as the person will type it to sign (needed for a new staff record).")
@click.option("--role", "account_role", type=click.Choice(ACCOUNT_ROLES), required=True, help="Account role.")
@click.option("--location", default="", help="Location id from policies/office.yml.")
@click.option("--job-title", default="", help="Job title.")
@click.option("--roles", default="", help="Role ids from policies/office.yml, separated by commas.")
@click.option("--hire-date", default="", help="YYYY-MM-DD (default: today).")
def create_user_command(email, name, account_role, location, job_title, roles, hire_date):
    """Create a sign-in account, and its staff record if there is none for EMAIL.

    The password is asked for twice on a terminal, or read as one line from standard input.
    """
    staff = people.find_staff(email)
    if staff is None:
        data, errors = people.check_staff(
            {"name": name, "email": email, "job_title": job_title, "roles": roles.split(","),
             "location": location, "hire_date": hire_date}, _served_catalogue(), required=("name", "email"))
        if errors:
            _fail("\n".join(f"{field}: {message}" for field, message in errors.items()))
    elif staff.user is not None:
        _fail(f"{staff.email} already has an account.")
    password = _read_password()
    problem = people.check_password(password)
    if problem:
        _fail(f"Not created: {problem}.")
    if staff is None:
        staff = people.create_staff(data, audit.CLI_ACTOR)
    user = people.create_user(staff, account_role, password, audit.CLI_ACTOR)
    db.session.commit()
    click.echo(f"Created {account_role} account {user.email} for {staff.name} (staff id {staff.id}).")


@click.command("import-staff")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_staff_command(file: Path):
    """Import or update staff from a CSV file; nothing is imported if any row has a problem.

    Columns: name,email,job_title,roles,location,hire_date,left_on (roles separated by semicolons,
    dates as YYYY-MM-DD, left_on optional).
    """
    try:
        rows = staff_import.read_staff_csv(file, _served_catalogue())
    except staff_import.ImportRejected as rejected:
        for problem in rejected.problems:
            click.echo(problem)
        _fail(f"{len(rejected.problems)} problem(s): nothing imported.")
    report = staff_import.import_staff(rows, audit.CLI_ACTOR)
    click.echo(f"Imported {file}: {report.created} created, {report.updated} updated, "
               f"{report.unchanged} unchanged.")


@click.command("issue-token")
@with_appcontext
@click.argument("email")
def issue_token_command(email: str):
    """Print a new API token for EMAIL (and nothing else), for Authorization: Bearer <token>."""
    token = auth.issue_token(_user(email), audit.CLI_ACTOR)
    db.session.commit()
    click.echo(token)


@click.command("revoke-tokens")
@with_appcontext
@click.argument("email")
def revoke_tokens_command(email: str):
    """Revoke every API token of EMAIL."""
    count = auth.revoke_tokens(_user(email), audit.CLI_ACTOR)
    db.session.commit()
    click.echo(f"Revoked {count} token(s) of {email}.")


@click.command("audit-verify")
@with_appcontext
def audit_verify_command():
    """Check that the audit trail's hash chain is unbroken."""
    result = audit.verify()
    if not result.ok:
        click.echo(f"BROKEN at seq {result.broken_seq}: {result.reason}. "
                   f"{result.count} event(s) before it are intact.")
        sys.exit(1)
    click.echo(f"OK: {result.count} events, chain intact")
    click.echo(f"Last hash: {result.last_hash}")


def init_app(app: Flask) -> None:
    for command in (sync_command, create_user_command, import_staff_command, issue_token_command,
                    revoke_tokens_command, audit_verify_command, backup_command):
        app.cli.add_command(command)
    app.cli.add_command(evidence.evidence_command)
    app.cli.add_command(reminders.remind_command)
    app.cli.add_command(demo_data.seed_demo_command)
