"""Commands for people and their access: accounts, the staff list, API tokens."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app

from tracker.cli.common import command, fail, synced_catalogue
from tracker.services import account_mail, accounts, audit, passwords, people, staff_import, tokens
from tracker.services.validation import Invalid
from tracker.storage.db import db
from tracker.storage.models import ACCOUNT_ROLES, Staff, User


def _user(email: str) -> User:
    user = db.session.scalar(db.select(User).where(User.email == people.normalise_email(email)))
    if user is None:
        fail(f"No user with e-mail {email}: create one with `flask --app tracker create-user`.")
    return user


def _read_password() -> str:
    if sys.stdin.isatty():
        return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))
    return sys.stdin.readline().rstrip("\r\n")  # one line, for scripts: echo "$PW" | flask ... create-user


@command("create-user")
@click.argument("email")
@click.option("--name", help="Full name, as the person will type it to sign (needed for a new staff record).")
@click.option("--role", "account_role", type=click.Choice(ACCOUNT_ROLES), required=True, help="Account role.")
@click.option("--location", default="", help="Location id from policies/office.yml.")
@click.option("--job-title", default="", help="Job title.")
@click.option("--roles", default="", help="Role ids from policies/office.yml, separated by commas.")
@click.option("--hire-date", default="", help="YYYY-MM-DD (default: today).")
def create_user_command(email: str, name: str | None, account_role: str, location: str, job_title: str,
                        roles: str, hire_date: str) -> None:
    """Create a sign-in account, and its staff record if there is none for EMAIL.

    The password is asked for twice on a terminal, or read as one line from standard input.
    """
    found = _staff_for_account(email, {"name": name, "email": email, "job_title": job_title,
                                       "roles": roles.split(","), "location": location, "hire_date": hire_date})
    password = _read_password()
    context = [synced_catalogue().settings.office_name, name or "", email]
    problem = passwords.password_problem(password, current_app.config["TRACKER_PASSWORD_MIN_LENGTH"], context)
    if problem:
        fail(f"Not created. {problem}")
    staff = found if isinstance(found, Staff) else people.create_staff(found, audit.CLI_ACTOR)
    user = people.create_user(staff, account_role, password, audit.CLI_ACTOR)
    db.session.commit()
    click.echo(f"Created {account_role} account {user.email} for {staff.name} (staff id {staff.id}).")


def _staff_for_account(email: str, fields: dict[str, object]) -> Staff | people.StaffData:
    """The staff record of EMAIL if it has no account yet, or the checked fields of a new one."""
    staff = people.find_staff(email)
    if staff is None:
        try:
            return people.check_staff(fields, synced_catalogue(), required=("name", "email"))
        except Invalid as invalid:
            fail("\n".join(invalid.details))
    if staff.user is not None:
        fail(f"{staff.email} already has an account.")
    return staff


@command("import-staff")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--invite", is_flag=True, help="E-mail an invitation to each person in the file who cannot sign in yet.")
def import_staff_command(file: Path, invite: bool) -> None:
    """Import or update staff from a CSV file; nothing is imported if any row has a problem.

    Columns: name,email,job_title,roles,location,hire_date,left_on (roles separated by semicolons,
    dates as YYYY-MM-DD, left_on optional).
    """
    try:
        rows = staff_import.read_staff_csv(file, synced_catalogue())
    except staff_import.ImportRejected as rejected:
        for problem in rejected.reasons:
            click.echo(problem)
        fail(f"{len(rejected.reasons)} problem(s): nothing imported.")
    report = staff_import.import_staff(rows, audit.CLI_ACTOR)
    click.echo(f"Imported {file}: {report.created} created, {report.updated} updated, "
               f"{report.unchanged} unchanged.")
    if invite:
        _invite_all([row.email for row in rows])


def _invite_all(emails: list[str]) -> None:
    """Invite everyone of ``emails`` still employed who has no password and no live invitation."""
    waiting = (accounts.NO_ACCOUNT, accounts.NO_PASSWORD)
    for staff in db.session.scalars(db.select(Staff).where(Staff.email.in_(emails)).order_by(Staff.email)).all():
        if accounts.status(staff) in waiting:
            invited = account_mail.invite(staff, audit.CLI_ACTOR, current_app.config)
            click.echo(f"Invited {staff.email}." if invited.problem is None else
                       f"Invitation to {staff.email} not e-mailed: {invited.problem} Its link: {invited.url}")


@command("issue-token")
@click.argument("email")
def issue_token_command(email: str) -> None:
    """Print a new API token for EMAIL (and nothing else), for Authorization: Bearer <token>."""
    token = tokens.issue_token(_user(email), audit.CLI_ACTOR)
    db.session.commit()
    click.echo(token)


@command("revoke-tokens")
@click.argument("email")
def revoke_tokens_command(email: str) -> None:
    """Revoke every API token of EMAIL."""
    count = tokens.revoke_tokens(_user(email), audit.CLI_ACTOR)
    db.session.commit()
    click.echo(f"Revoked {count} token(s) of {email}.")


COMMANDS = (create_user_command, import_staff_command, issue_token_command, revoke_tokens_command)
