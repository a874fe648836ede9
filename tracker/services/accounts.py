"""Sign-in accounts through their life: invited, active, disabled, left; and who may change whose role.

Leaving revokes rather than suspends: when a person's ``left_on`` is reached (noticed on the staff
form, the CSV import, or the first request that meets the account afterwards), their password,
sessions, API tokens, calendar addresses and pending links are all revoked, each with an audit
event. Clearing ``left_on`` therefore brings none of them back: the person needs a new invitation.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, cast

from flask import current_app
from sqlalchemy import CursorResult, exists, select, update

from tracker.services import account_links, audit, passwords, sessions, tokens, two_step
from tracker.services.validation import Refused
from tracker.storage.db import db, today, utcnow
from tracker.storage.models import ACCOUNT_ROLES, ApiToken, CalendarFeed, Staff, User, UserSession

ACTIVE, INVITED, NO_PASSWORD, DISABLED, LEFT, NO_ACCOUNT = (
    "active", "invited", "no password", "disabled", "left", "no account")
SYSTEM_ACTOR = "system"


def status(staff: Staff) -> str:
    """What the staff list shows about a person's sign-in."""
    if not staff.active_on(today()):
        return LEFT
    user = staff.user
    if user is None:
        return NO_ACCOUNT
    if not user.active:
        return DISABLED
    if user.password_hash is None:
        return INVITED if account_links.pending(user) is not None else NO_PASSWORD
    return ACTIVE


def ensure_account(staff: Staff, actor: str) -> User:
    """The staff record's account, created without a password (a staff account) if there is none."""
    if staff.user is not None:
        return staff.user
    user = User(email=staff.email, password_hash=None, account_role="staff", staff=staff)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.created", user.audit_name, {"staff_id": staff.id, "account_role": "staff"})
    return user


def invite(staff: Staff, lifetime: timedelta, actor: str) -> tuple[User, str]:
    """An invitation link for the person (a new one replaces any earlier one); the caller commits."""
    if not staff.active_on(today()):
        raise Refused([f"{staff.name} has left. Clear the leaving date first, then invite them again."])
    if staff.user is not None and staff.user.password_hash is not None:
        raise Refused([f"{staff.name} already has a password. They can reset it from the sign-in page."])
    if staff.user is not None and not staff.user.active:
        raise Refused([f"{staff.name}'s account is disabled. Enable it first."])
    user = ensure_account(staff, actor)
    return user, account_links.issue(user, account_links.INVITATION, lifetime, actor)


def revoke_credentials(user: User, actor: str, reason: str) -> None:
    """Password, sessions, API tokens, calendar addresses and pending links: all revoked. The caller commits."""
    sessions.end_all(user, actor, reason)
    tokens.revoke_tokens(user, actor)
    feeds = cast(CursorResult[Any], db.session.execute(
        update(CalendarFeed).where(CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None))
        .values(revoked_at=utcnow()))).rowcount
    account_links.revoke(user, actor)
    if two_step.enabled(user):
        two_step.reset(user, actor)
    had_password = user.password_hash is not None
    user.password_hash = None
    audit.record(actor, "user.credentials_revoked", user.audit_name,
                 {"reason": reason, "password": had_password, "calendar_feeds": int(feeds)})


def _holds_credentials(user: User) -> bool:
    if user.password_hash is not None:
        return True
    live = [exists().where(UserSession.user_id == user.id, UserSession.ended_at.is_(None)),
            exists().where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)),
            exists().where(CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None))]
    return any(db.session.scalar(select(condition)) for condition in live) or \
        account_links.pending(user) is not None


def offboard_if_left(user: User, actor: str = SYSTEM_ACTOR, left: bool = False) -> bool:
    """Revoke a departed person's credentials if any are left; True if it did. The caller commits.

    ``left``: they left even if today's date says otherwise (a leaving date reached, then cleared).
    """
    if not (left or not user.staff.active_on(today())) or not _holds_credentials(user):
        return False
    revoke_credentials(user, actor, "left the practice")
    return True


def self_verification_allowed() -> bool:
    """TRACKER_ALLOW_SELF_VERIFICATION: an office with one manager lets them verify their own records."""
    return bool(current_app.config.get("TRACKER_ALLOW_SELF_VERIFICATION"))


@contextmanager
def one_manager_office() -> Iterator[None]:
    """TRACKER_ALLOW_SELF_VERIFICATION for the writes inside only (the demo practice has one manager)."""
    config = current_app.config
    before = config.get("TRACKER_ALLOW_SELF_VERIFICATION", False)
    config["TRACKER_ALLOW_SELF_VERIFICATION"] = True
    try:
        yield
    finally:
        config["TRACKER_ALLOW_SELF_VERIFICATION"] = before


def user_for_bearer(header: str) -> User | None:
    """The active user whose live API token an ``Authorization`` header holds, or None.

    A departed person's token found here is revoked with the rest of their credentials (committed).
    """
    user = tokens.bearer_owner(header)
    if user is None or user.is_active:
        return user
    if offboard_if_left(user):
        db.session.commit()
    return None


def _not_yourself(user: User, by: User, what: str) -> None:
    if user.id == by.id:
        raise Refused([f"You cannot {what} your own account. Ask another manager or an admin."])
    if user.account_role == "admin" and by.account_role != "admin":
        raise Refused([f"Only an admin can {what} an admin's account."])


def disable(user: User, by: User) -> None:
    """Stop the account signing in; its sessions and API tokens end now. The caller commits."""
    _not_yourself(user, by, "disable")
    if not user.active:
        return
    user.active = False
    audit.record(by.audit_name, "user.disabled", user.audit_name)
    sessions.end_all(user, by.audit_name, "account disabled")
    tokens.revoke_tokens(user, by.audit_name)


def enable(user: User, by: User) -> None:
    _not_yourself(user, by, "enable")
    if user.active:
        return
    user.active = True
    audit.record(by.audit_name, "user.enabled", user.audit_name)


def reset_two_step(user: User, by: User) -> None:
    """A lost phone: the person sets two-step sign-in up again at their next sign-in. The caller commits."""
    _not_yourself(user, by, "reset two-step sign-in of")
    if two_step.enabled(user):
        two_step.reset(user, by.audit_name)


def change_role(user: User, role: str, by: User) -> bool:
    """Managers grant and remove the manager role; only an admin grants or removes admin. The caller commits."""
    if role not in ACCOUNT_ROLES:
        raise Refused([f"Choose one of the account roles: {', '.join(ACCOUNT_ROLES)}."])
    _not_yourself(user, by, "change the role of")
    if role == "admin" and by.account_role != "admin":
        raise Refused(["Only an admin can make someone an admin."])
    if role == user.account_role:
        return False
    audit.record(by.audit_name, "user.role_changed", user.audit_name, {"account_role": [user.account_role, role]})
    user.account_role = role
    return True


def password_problem(user: User, password: str, min_length: int, office_name: str) -> str | None:
    """What is wrong with ``password`` as this person's new one (tracker.services.passwords), or None."""
    return passwords.password_problem(password, min_length, [office_name, user.staff.name, user.email])


def set_password(user: User, password: str, actor: str, reason: str, keep_session: object = None) -> None:
    """Store a new (checked) password; every other session ends and API tokens are revoked.

    The caller commits.
    """
    user.password_hash = passwords.hash_password(password)
    audit.record(actor, "user.password_set", user.audit_name, {"reason": reason})
    sessions.end_all(user, actor, reason, keep=keep_session)
    tokens.revoke_tokens(user, actor)
