"""Staff records and sign-in accounts: the one place that checks and writes them.

The staff form, the JSON API, the CSV import and ``create-user`` all go through `check_staff`, so a
record is held to the same rules whichever way it arrives, and every write leaves an audit event.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from portal.model import Catalogue
from tracker.services import accounts, audit, passwords
from tracker.services.validation import (
    ONE_LINE_FORBIDDEN,
    control_character,
    date_value,
    missing,
    raise_if,
    too_long,
)
from tracker.storage.db import column_length, db, today
from tracker.storage.models import ACCOUNT_ROLES, Staff, User

# Deliberately loose: one @, no spaces or control characters, a dot in the domain. Catching typos
# is the goal; the only real test of an address is mail arriving.
EMAIL_PATTERN = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$")
TEXT_FIELDS = ("name", "email", "job_title", "location", "hire_date", "left_on")
REQUIRED_FIELDS = ("name", "email", "roles", "location", "hire_date")


def normalise_email(value: str) -> str:
    return value.strip().lower()


@dataclass(frozen=True)
class StaffData:
    """A checked staff record, ready to write."""

    name: str
    email: str
    job_title: str
    roles: tuple[str, ...]
    location_id: str | None
    hire_date: date
    left_on: date | None = None


def check_staff(fields: Mapping[str, Any], catalogue: Catalogue, required: Iterable[str] = REQUIRED_FIELDS,
                unique_email: bool = False, record: Staff | None = None) -> StaffData:
    """Check raw staff fields (text, and a list of role ids) against the catalogue.

    Returns the record, or raises Invalid with {field: "what is wrong (what to do)"}. Fields: name,
    email, job_title, roles, location, hire_date, left_on (dates as YYYY-MM-DD). A missing hire
    date defaults to today, for accounts created before anyone records one. With ``unique_email``,
    an e-mail already on a staff record other than ``record`` is an error too (the staff form's
    rule; the API answers 409 instead, and the CSV import updates the record that has it).
    """
    errors: dict[str, str] = {}
    text = {key: " ".join(str(fields.get(key) or "").split()) for key in TEXT_FIELDS}
    roles = [str(r).strip() for r in (fields.get("roles") or []) if str(r).strip()]
    for key in required:
        if not (roles if key == "roles" else text[key]):
            errors[key] = missing(key)
    for key, value in [*text.items(), *(("roles", r) for r in roles)]:
        if ONE_LINE_FORBIDDEN.search(value):  # PostgreSQL cannot store NUL; none belongs in a name
            errors[key] = control_character(key)
    for key in ("name", "email", "job_title"):
        limit = column_length(Staff, key)
        if len(text[key]) > limit:
            errors[key] = too_long(key, limit)
    email = normalise_email(text["email"])
    if email and not EMAIL_PATTERN.match(email):
        errors["email"] = f"email '{text['email']}' is not an e-mail address (write it like name@example.org)"
    _check_places(roles, text["location"], catalogue, errors)
    hire_date = date_value(text["hire_date"], "hire_date", errors) if text["hire_date"] else today()
    left_on = date_value(text["left_on"], "left_on", errors) if text["left_on"] else None
    if hire_date and left_on and left_on < hire_date:
        errors["left_on"] = "left_on is before hire_date (check both dates)"
    taken = find_staff(email) if unique_email and "email" not in errors else None
    if taken is not None and taken is not record:
        errors["email"] = f"{taken.name} already has this e-mail (each person needs their own)"
    raise_if(errors)
    assert hire_date is not None  # a wrong date is among the errors
    return StaffData(name=text["name"], email=email, job_title=text["job_title"], roles=tuple(roles),
                     location_id=text["location"] or None, hire_date=hire_date, left_on=left_on)


def _check_places(roles: list[str], location: str, catalogue: Catalogue, errors: dict[str, str]) -> None:
    """Role and location ids must be the catalogue's (policies/office.yml)."""
    unknown = [r for r in roles if r not in catalogue.roles]
    if unknown:
        errors["roles"] = (f"unknown role {', '.join(repr(r) for r in unknown)} "
                           f"(use role ids from policies/office.yml: {', '.join(catalogue.roles)})")
    elif len(set(roles)) != len(roles):
        errors["roles"] = "a role is listed twice (list each role once)"
    if location and location not in catalogue.locations:
        errors["location"] = f"unknown location '{location}' (use one of: {', '.join(catalogue.locations)})"


def find_staff(email: str) -> Staff | None:
    return db.session.scalar(select(Staff).where(Staff.email == normalise_email(email)))


def _values(data: StaffData) -> dict[str, object]:
    values = asdict(data)
    values["roles"] = list(data.roles)
    return values


def staff_json(staff: Staff) -> dict[str, object]:
    """A staff record as the API returns it and the audit trail stores it."""
    return {
        "id": staff.id, "name": staff.name, "email": staff.email, "job_title": staff.job_title,
        "roles": list(staff.roles), "location": staff.location_id, "hire_date": staff.hire_date.isoformat(),
        "left_on": staff.left_on.isoformat() if staff.left_on else None,
    }


def create_staff(data: StaffData, actor: str) -> Staff:
    """Add a staff record and its audit event; the caller commits."""
    staff = Staff(**_values(data))
    db.session.add(staff)
    db.session.flush()
    audit.record(actor, "staff.created", f"staff:{staff.id}", staff_json(staff), records=[staff])
    return staff


def update_staff(staff: Staff, data: StaffData, actor: str) -> dict[str, list[object]]:
    """Apply changed fields with an audit event listing them as [old, new]; the caller commits.

    The sign-in e-mail follows the staff e-mail. A leaving date that is reached, or one cleared
    after it was reached, revokes the account's credentials (tracker.services.accounts): coming
    back takes a new invitation.
    """
    before = staff_json(staff)
    was_active = staff.active_on(today())
    for key, value in _values(data).items():
        setattr(staff, key, value)
    after = staff_json(staff)
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if changes:
        audit.record(actor, "staff.changed", f"staff:{staff.id}", changes, records=[staff])
    if staff.user is not None:
        if staff.user.email != staff.email:
            audit.record(actor, "user.email_changed", staff.user.audit_name, {"email": [staff.user.email, staff.email]})
            staff.user.email = staff.email
        if not (was_active and staff.active_on(today())):
            accounts.offboard_if_left(staff.user, actor, left=True)
    return changes


def create_user(staff: Staff, account_role: str, password: str | None, actor: str) -> User:
    """Add a sign-in account for a staff record, with its audit event; the caller commits.

    Without a password the account waits for an invitation (tracker.services.accounts.invite).
    """
    if account_role not in ACCOUNT_ROLES:
        raise ValueError(f"account role must be one of {', '.join(ACCOUNT_ROLES)}")
    user = User(email=staff.email, password_hash=passwords.hash_password(password) if password else None,
                account_role=account_role, staff=staff)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.created", user.audit_name,
                 {"staff_id": staff.id, "account_role": account_role})
    return user
