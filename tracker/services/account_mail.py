"""The e-mails of accounts: an invitation to choose a password, and a password reset link.

They go through the SMTP settings reminders use (tracker.services.reminders). Links are built on
TRACKER_BASE_URL (or office.yml's tracker_url), never on the address a request came in on, so a
forged Host header cannot send someone a link to another site.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tracker.services import accounts, links, reminders, served_catalogue
from tracker.storage.db import db, utcnow
from tracker.storage.models import Staff, User

MailNotConfigured = reminders.MailNotConfigured


def _office() -> str:
    catalogue = served_catalogue.current()
    return catalogue.settings.office_name if catalogue else "the practice"


def invitation_url(token: str) -> str:
    return f"{links.base_url()}{links.path_for('account.invitation', token=token)}"


def reset_url(token: str) -> str:
    return f"{links.base_url()}{links.path_for('account.reset', token=token)}"


def invitation(user: User, token: str, expires_at: datetime) -> reminders.Message:
    office = _office()
    body = "\n".join([
        f"Hello {user.staff.name},", "",
        f"You have been invited to {office}'s policy and training tracker, where you sign the office's "
        "policies and record your training.", "",
        "Choose your password here (the link works once, until "
        f"{expires_at.strftime('%Y-%m-%d %H:%M')} UTC):",
        f"  {invitation_url(token)}", "",
        f"Then sign in with this e-mail address, {user.email}.", "",
        "Not expecting this? Ask the office manager, or ignore this e-mail.", ""])
    return reminders.Message(user.email, f"{office}: choose your password", body)


def password_reset(user: User, token: str) -> reminders.Message:
    office = _office()
    body = "\n".join([
        f"Hello {user.staff.name},", "",
        f"Someone asked to reset your password for {office}'s tracker. To choose a new one, open this "
        "link within an hour (it works once):",
        f"  {reset_url(token)}", "",
        "Choosing a new password signs you out everywhere else and revokes your API tokens.", "",
        "If you did not ask for this, ignore this e-mail: your password stays as it is.", ""])
    return reminders.Message(user.email, f"{office}: reset your password", body)


def send(message: reminders.Message, config: Mapping[str, Any]) -> str | None:
    """Send one message; None when the server took it, else why not (as a sentence)."""
    try:
        refused = reminders.send([message], config)
    except reminders.MailNotConfigured:
        return "E-mail is not configured (TRACKER_SMTP_HOST and TRACKER_MAIL_FROM), so nothing was sent."
    except OSError as error:  # smtplib's errors are OSErrors too: the server is down or refused us
        return f"The mail server could not be reached or refused the message ({error})."
    return f"The mail server refused the message ({refused[0][1]})." if refused else None


@dataclass(frozen=True)
class Invited:
    """An invitation issued: its link, and why it was not e-mailed (None when it was)."""

    user: User
    url: str
    problem: str | None


def invite(staff: Staff, actor: str, config: Mapping[str, Any]) -> Invited:
    """Issue an invitation (tracker.services.accounts.invite), commit it, then e-mail it.

    Committed first, so the link works by the time the e-mail arrives; Refused if the person cannot
    be invited (left, disabled, or already has a password).
    """
    lifetime = timedelta(days=config["TRACKER_INVITATION_DAYS"])
    user, token = accounts.invite(staff, lifetime, actor)
    db.session.commit()
    problem = send(invitation(user, token, utcnow() + lifetime), config)
    return Invited(user, invitation_url(token), problem)
