"""Reminder e-mails: each person's due-soon and overdue items, and a digest for each manager.

``flask --app tracker remind`` (daily, from cron or a systemd timer) computes the matrix for the
day (tracker.services.matrix) and sends, through the SMTP server in the settings (tracker.config):

- to each active person with something overdue or falling due within the office's ``due_soon_days``:
  the list, each with a direct link to the page where it is done (tracker.services.links);
- to each active manager and admin: the counts overall and per location, and every overdue item.

People with nothing to do get no e-mail. ``--dry-run`` prints the messages instead and needs no
mail server. The daily run is not a change to the records, so it leaves no audit event; the command's
output says what was sent.

A manager can also send a reminder now, from the dashboard, to one person or to everyone with
something overdue (remind_now, remind_overdue): the same message, through the same mailer. That is
one person acting on others, so it is audited ("reminder.sent"), with who was reminded.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from sqlalchemy import select

from portal.model import Catalogue
from tracker.rules.records import ItemStatus, Status
from tracker.rules.summary import Summary
from tracker.services import audit, duties, links, matrix
from tracker.services.validation import Refused
from tracker.storage.db import db
from tracker.storage.models import MANAGER_ROLES, Staff, User

SMTP_TIMEOUT_SECONDS = 30
IMPLICIT_TLS_PORT = 465
SECTIONS = ((Status.OVERDUE, "Overdue"), (Status.DUE_SOON, "Due soon"))


class MailNotConfigured(RuntimeError):
    pass


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str

    def as_email(self, sender: str) -> EmailMessage:
        email = EmailMessage()
        email["From"], email["To"], email["Subject"] = sender, self.to, self.subject
        email["Date"] = formatdate(localtime=True)
        email["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].strip("> ") or None)
        email.set_content(self.body)
        return email


def _days(n: int) -> str:
    return f"{n} day{'' if n == 1 else 's'}"


def _when(due: date, day: date) -> str:
    days = (due - day).days
    if days < 0:
        return f"was due {due.isoformat()} ({_days(-days)} ago)"
    return f"due {due.isoformat()} ({'today' if days == 0 else 'in ' + _days(days)})"


def reminder_section(item: ItemStatus, day: date, window: int) -> Status | None:
    """Which list of a person's reminder an item goes in: overdue, due soon, or none.

    A policy to sign or a first training not yet done is "pending" rather than "due soon" in the
    rules; it is reminded too once its deadline is within the same window.
    """
    if item.status == Status.OVERDUE:
        return Status.OVERDUE
    if item.status == Status.DUE_SOON or (
            item.status == Status.PENDING and item.due_date and item.due_date <= day + timedelta(days=window)):
        return Status.DUE_SOON
    return None


def staff_message(staff: Staff, items: list[ItemStatus], day: date, office: str, base: str,
                  window: int) -> Message | None:
    # Each section's items with their due dates (overdue and due-soon items always have one).
    sections: dict[Status, list[tuple[date, ItemStatus]]] = {status: [] for status, _title in SECTIONS}
    for item in items:
        section = reminder_section(item, day, window)
        if section is not None and item.due_date is not None:
            sections[section].append((item.due_date, item))
    if not any(sections.values()):
        return None
    lines = [f"Hello {staff.name},", "",
             f"This is a reminder from {office}'s compliance tracker, as of {day.isoformat()}.", ""]
    for status, title in SECTIONS:
        found = sorted(sections[status], key=lambda dated: dated[0])
        if found:
            lines.append(f"{title} ({len(found)}):")
            for due, item in found:
                lines += [f"- {matrix.KIND_LABELS[item.kind]}: {item.title}, {_when(due, day)}",
                          f"  {links.item_url(item, base)}"]
            lines.append("")
    lines += [f"Sign in to see everything you owe: {base}{links.path_for(links.FALLBACK_PAGE)}", "",
              "Questions? Ask the office manager."]
    counts = ", ".join(f"{len(sections[s])} {t.lower()}" for s, t in SECTIONS if sections[s])
    return Message(staff.email, f"{office}: {counts}", "\n".join(lines) + "\n")


def _summary_line(name: str, summary: Summary) -> str:
    counts = ", ".join(f"{count} {status.value.replace('_', ' ')}" for status, count in summary.counts.items())
    return f"{name}: {summary.rate * 100:.0f}% not overdue ({counts})"


def digest_message(manager: User, computed: matrix.Matrix, catalogue: Catalogue, base: str,
                   due_duties: list[duties.DutyRow] | None = None) -> Message:
    day, office = computed.as_of, catalogue.settings.office_name
    overdue = matrix.overdue(computed)
    lines = [f"Hello {manager.staff.name},", "", f"Compliance at {office} as of {day.isoformat()}:", "",
             _summary_line("All locations", computed.summary)]
    for location_id, summary in computed.by_location.items():
        location = catalogue.locations.get(location_id) if location_id else None
        lines.append(_summary_line(location.name if location else "No location", summary))
    lines += ["", f"Overdue ({len(overdue)}):" if overdue else "Nothing is overdue."]
    for row in overdue:
        lines += [f"- {row.staff.name}: {matrix.KIND_LABELS[row.item.kind]} {row.item.title}, due "
                  f"{row.due_date.isoformat()} ({_days(row.days)} overdue)",
                  f"  {base}{links.path_for('dashboard.person', staff_id=row.staff.id)}#{row.item.kind}-{row.item.id}"]
    late_duties = [r for r in due_duties or () if r.status.status == Status.OVERDUE]
    lines += ["", f"Office duties overdue ({len(late_duties)}):" if late_duties else "No office duty is overdue."]
    lines += [f"- {r.schedule.title}{f' ({r.place})' if r.place else ''}: {r.status.detail.lower()}" for r in late_duties]
    lines += ["", f"Dashboard: {base}{links.path_for('dashboard.dashboard')}"]
    subject = f"{office} compliance digest {day.isoformat()}: {len(overdue)} overdue"
    return Message(manager.email, subject, "\n".join(lines) + "\n")


def managers() -> list[User]:
    users = db.session.scalars(select(User).where(User.account_role.in_(MANAGER_ROLES)).order_by(User.email)).all()
    return [u for u in users if u.is_active]


def duty_message(staff: Staff, rows: list[duties.DutyRow], office: str, base: str) -> Message | None:
    """The office duties a person's roles own that are overdue or fall due soon; None when none."""
    if not rows:
        return None
    lines = [f"Hello {staff.name},", "", f"These office duties of your roles at {office} need doing:", ""]
    lines += [f"- {row.schedule.title}{f' ({row.place})' if row.place else ''}: {row.status.detail.lower()}"
              for row in rows]
    lines += ["", f"Record each one when it is done: {base}{links.path_for('duties.index')}"]
    return Message(staff.email, f"{office}: {len(rows)} office duties to do", "\n".join(lines) + "\n")


def plan(catalogue: Catalogue, day: date) -> tuple[list[Message], list[Message]]:
    """The reminders to staff and the digests to managers for ``day``."""
    computed = matrix.compute(catalogue, day)
    base = links.base_url()
    office, window = catalogue.settings.office_name, catalogue.settings.due_soon_days
    to_staff = [m for m in (staff_message(row.staff, row.picked, day, office, base, window) for row in computed.rows)
                if m is not None]
    due_duties = duties.reminder_rows(duties.compute(catalogue, day), day, window)
    to_staff += [m for m in (duty_message(row.staff, duties.owned_by(row.staff.roles, due_duties), office, base)
                             for row in computed.rows) if m is not None]
    digests = [digest_message(user, computed, catalogue, base, due_duties) for user in managers()]
    return to_staff, digests


def sender(config: Mapping[str, Any]) -> str:
    """The From address of reminders; MailNotConfigured when there is no mail server or sender."""
    if not config.get("TRACKER_SMTP_HOST") or not config.get("TRACKER_MAIL_FROM"):
        raise MailNotConfigured(
            "E-mail is not configured: set TRACKER_SMTP_HOST (and TRACKER_SMTP_PORT, TRACKER_SMTP_USER, "
            "TRACKER_SMTP_PASSWORD, TRACKER_SMTP_STARTTLS as your mail server needs) and TRACKER_MAIL_FROM, "
            "or use --dry-run to see what would be sent.")
    return str(config["TRACKER_MAIL_FROM"])


def _connect(config: Mapping[str, Any]) -> smtplib.SMTP:
    host, port = config["TRACKER_SMTP_HOST"], config["TRACKER_SMTP_PORT"]
    context = ssl.create_default_context()
    connection: smtplib.SMTP
    if port == IMPLICIT_TLS_PORT:
        connection = smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT_SECONDS, context=context)
    else:
        connection = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT_SECONDS)
        if config["TRACKER_SMTP_STARTTLS"]:
            connection.starttls(context=context)
    if config.get("TRACKER_SMTP_USER"):
        connection.login(config["TRACKER_SMTP_USER"], config.get("TRACKER_SMTP_PASSWORD") or "")
    return connection


def send(messages: list[Message], config: Mapping[str, Any]) -> list[tuple[Message, str]]:
    """Send over one connection; returns the messages refused, with the server's reason.

    Raises OSError or smtplib.SMTPException when the server cannot be reached or refuses the login.
    """
    from_address = sender(config)
    failures: list[tuple[Message, str]] = []
    connection = _connect(config)
    try:
        for message in messages:
            try:
                connection.send_message(message.as_email(from_address))
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
                failures.append((message, str(error)))
    finally:
        try:
            connection.quit()
        except smtplib.SMTPException:
            connection.close()
    return failures


# --------------------------------------------------------------------------------------------
# Sent now, by a manager
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    to: list[str]  # the names of those reminded
    refused: list[str]  # the mail server's refusals, one sentence each


def _reminder_for(person: Staff, computed: matrix.Matrix, catalogue: Catalogue) -> Message | str:
    """The person's reminder for the matrix's day, or a sentence saying why there is none."""
    if not person.email.strip():
        return f"{person.name} has no e-mail address, so no reminder can be sent: add one on their staff record."
    row = next((r for r in computed.rows if r.staff.id == person.id), None)
    settings = catalogue.settings
    message = staff_message(person, row.statuses, computed.as_of, settings.office_name, links.base_url(),
                            settings.due_soon_days) if row else None
    if message is None:
        return f"{person.name} has nothing overdue or due soon, so there is nothing to remind them of."
    return message


def _send_and_record(messages: list[tuple[Staff, Message]], config: Mapping[str, Any], actor: str,
                     subject: str, day: date) -> Sent:
    failures = {id(message): reason for message, reason in send([m for _p, m in messages], config)}
    reminded = [person for person, message in messages if id(message) not in failures]
    refused = [f"The mail server refused the reminder to {person.name} ({failures[id(message)]})."
               for person, message in messages if id(message) in failures]
    if reminded:
        audit.record(actor, "reminder.sent", subject, {
            "as_of": day.isoformat(), "staff_ids": [p.id for p in reminded], "to": [p.email for p in reminded]})
    return Sent([p.name for p in reminded], refused)


def remind_now(person: Staff, catalogue: Catalogue, day: date, config: Mapping[str, Any], actor: str) -> Sent:
    """Send ``person`` their reminder now; Refused when they have nothing due or no e-mail address.

    Raises MailNotConfigured, OSError or smtplib.SMTPException as send() does. The caller commits
    the audit event.
    """
    found = _reminder_for(person, matrix.compute(catalogue, day), catalogue)
    if isinstance(found, str):
        raise Refused([found])
    return _send_and_record([(person, found)], config, actor, f"staff:{person.id}", day)


def remind_overdue(catalogue: Catalogue, day: date, config: Mapping[str, Any], actor: str) -> tuple[Sent, list[str]]:
    """Send a reminder now to everyone with something overdue; also the sentences for those skipped
    (no e-mail address). Refused when nobody is overdue or nobody can be reached."""
    computed = matrix.compute(catalogue, day)
    people = list({row.staff.id: row.staff for row in matrix.overdue(computed)}.values())
    if not people:
        raise Refused(["Nobody has anything overdue, so no reminders were sent."])
    messages, skipped = [], []
    for person in people:
        found = _reminder_for(person, computed, catalogue)
        if isinstance(found, str):
            skipped.append(found)
        else:
            messages.append((person, found))
    if not messages:
        raise Refused(skipped)
    return _send_and_record(messages, config, actor, "reminders:overdue", day), skipped
