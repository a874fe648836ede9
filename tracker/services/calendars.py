"""Calendar feeds: due dates and expiries as an iCalendar (.ics) subscription.

Calendar apps cannot sign in, so each user gets a secret address, ``/calendar/<token>.ics``: a
random token of which only the SHA-256 is stored (like API tokens, tracker.services.tokens). The
Calendar page (tracker.web.calendar) creates or replaces it; replacing revokes the old address at
once. A personal feed holds the user's own due dates; a manager may also have a team feed with
everyone's, limited to what is overdue or falls due within six months, so it stays a calendar
rather than a register.

Events are all-day, on the item's due date (the last day it is on time, or a card's expiry), with
a UID per person and requirement: when a renewal moves the date, calendar apps move the event
instead of adding a second one.
"""

from __future__ import annotations

from datetime import date, timedelta

from icalendar import Calendar, Event
from sqlalchemy import select

from tracker.rules.records import ItemStatus, Status
from tracker.services import accounts, audit, duties, links, matrix, served_catalogue, tokens
from tracker.storage.db import db, utcnow
from tracker.storage.models import FEED_SCOPES, CalendarFeed, Staff, User

PERSONAL, TEAM = FEED_SCOPES
FEED_PREFIX = "cal_"  # marks a feed address in logs
# The longest address token accepted: longer ones are refused before any hashing or query.
MAX_TOKEN_LENGTH = 100
# The team feed: what is overdue, and what falls due within this many days.
TEAM_AHEAD_DAYS = 180
PRODUCT_ID = "-//Clinic Portal//Compliance tracker//EN"
EVENT_WORDS = {Status.OVERDUE: "Overdue", Status.PENDING: "Due", Status.DUE_SOON: "Renew",
               Status.COMPLIANT: "Renew"}


def active_feed(user: User, scope: str) -> CalendarFeed | None:
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id, CalendarFeed.scope == scope,
                                                        CalendarFeed.revoked_at.is_(None)))


def replace_feed(user: User, scope: str) -> str:
    """Revoke the user's current address of this scope and issue a new one; returns the new token.

    The caller commits. Only managers get a team feed.
    """
    if scope == TEAM and not user.is_manager:
        raise PermissionError("only managers and admins have a team calendar")
    old = active_feed(user, scope)
    if old is not None:
        old.revoked_at = utcnow()
    token = tokens.new_secret(FEED_PREFIX)
    feed = CalendarFeed(user_id=user.id, scope=scope, token_hash=tokens.token_hash(token),
                        prefix=tokens.display_prefix(token), created_at=utcnow())
    db.session.add(feed)
    db.session.flush()
    audit.record(user.audit_name, "calendar_feed.created", f"calendar_feed:{feed.id}", {
        "scope": scope, "prefix": feed.prefix, "replaces": old.id if old else None})
    return token


def feed_for_token(token: str) -> CalendarFeed | None:
    """The live feed of this address: not revoked, its user still active (and a manager, for a team feed)."""
    if not token.startswith(FEED_PREFIX) or len(token) > MAX_TOKEN_LENGTH:
        return None
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == tokens.token_hash(token),
                                                        CalendarFeed.revoked_at.is_(None)))
    if feed is not None and not feed.user.is_active and accounts.offboard_if_left(feed.user):
        db.session.commit()  # a departed person's address found here is revoked with the rest
    if feed is None or not feed.user.is_active or (feed.scope == TEAM and not feed.user.is_manager):
        return None
    return feed


# --------------------------------------------------------------------------------------------
# The iCalendar document
# --------------------------------------------------------------------------------------------


def event_for(staff: Staff, item: ItemStatus, due: date, host: str, base: str, with_name: bool) -> Event:
    """The all-day event of one item falling due on ``due`` (its due date)."""
    event = Event()
    what = f"{EVENT_WORDS[item.status]}: {item.title}"
    if item.kind == "certification" and item.satisfied_by is not None:
        what = f"Expires: {item.title}"
    event.add("uid", f"{item.kind}-{item.id}-staff-{staff.id}@{host}")
    event.add("summary", f"{staff.name}: {what}" if with_name else what)
    event.add("dtstart", due)
    if due < date.max:  # a record from before dates had limits may fall on the calendar's last day
        event.add("dtend", due + timedelta(days=1))
    event.add("dtstamp", utcnow())
    event.add("transp", "TRANSPARENT")  # a deadline, not a meeting: the day stays free
    event.add("description", f"{matrix.STATUS_LABELS[item.status]}. {item.detail}")
    event.add("url", links.item_url(item, base))
    return event


def duty_event(row: duties.DutyRow, host: str, base: str) -> Event:
    """The all-day event of an office duty at one place, on its due date."""
    event = Event()
    place = f" ({row.place})" if row.place else ""
    event.add("uid", f"duty-{row.schedule.duty_id}-{row.place or 'office'}@{host}")
    event.add("summary", f"{EVENT_WORDS[row.status.status]}: {row.schedule.title}{place}")
    event.add("dtstart", row.status.due_date)
    event.add("dtend", row.status.due_date + timedelta(days=1))
    event.add("dtstamp", utcnow())
    event.add("transp", "TRANSPARENT")
    event.add("description", f"{matrix.STATUS_LABELS[row.status.status]}. {row.status.detail}.")
    event.add("url", f"{base}{links.path_for('duties.index')}")
    return event


def calendar_for(people_items: list[tuple[Staff, ItemStatus]], name: str, with_names: bool,
                 duty_rows: list[duties.DutyRow] | None = None) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    base = links.base_url()
    host = base.split("://", 1)[-1].split("/", 1)[0] or "clinic-portal"
    for staff, item in people_items:
        if item.due_date is not None:
            calendar.add_component(event_for(staff, item, item.due_date, host, base, with_names))
    for row in duty_rows or ():
        calendar.add_component(duty_event(row, host, base))
    document: bytes = calendar.to_ical()
    return document


def personal_items(staff: Staff, day: date) -> list[tuple[Staff, ItemStatus]]:
    computed = matrix.compute(served_catalogue.required(), day, people=[staff] if staff.active_on(day) else [])
    return list(computed.cells())


def team_items(day: date) -> list[tuple[Staff, ItemStatus]]:
    """Everything overdue (on its due date, however long ago), and what falls due in the months ahead."""
    last = day + timedelta(days=TEAM_AHEAD_DAYS)
    return [(staff, item) for staff, item in matrix.compute(served_catalogue.required(), day).cells()
            if item.due_date is not None and (item.status == Status.OVERDUE or day <= item.due_date <= last)]


def feed_calendar(feed: CalendarFeed, day: date) -> bytes:
    """The iCalendar document a feed serves on ``day``."""
    office = served_catalogue.required().settings.office_name
    duty_rows = duties.compute(served_catalogue.required(), day)
    if feed.scope == TEAM:
        last = day + timedelta(days=TEAM_AHEAD_DAYS)
        ahead = [r for r in duty_rows if r.status.status == Status.OVERDUE or day <= r.status.due_date <= last]
        return calendar_for(team_items(day), f"{office}: team due dates", with_names=True, duty_rows=ahead)
    return calendar_for(personal_items(feed.user.staff, day), f"{office}: my due dates", with_names=False,
                        duty_rows=duties.owned_by(feed.user.staff.roles, duty_rows))
