"""Calendar feeds: due dates and expiries as an iCalendar (.ics) subscription.

Calendar apps cannot sign in, so each user gets a secret address, ``/calendar/<token>.ics``: a
random token of which only the SHA-256 is stored (like API tokens, tracker.services.passwords). The
Calendar page creates or replaces it; replacing revokes the old address at once. A personal feed
holds the user's own due dates; a manager may also have a team feed with everyone's, limited to
what is overdue or falls due within six months, so it stays a calendar rather than a register.

Events are all-day, on the item's due date (the last day it is on time, or a card's expiry), with
a UID per person and requirement: when a renewal moves the date, calendar apps move the event
instead of adding a second one.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from icalendar import Calendar, Event
from sqlalchemy import select

from tracker.http.errors import STATUS_LABELS
from tracker.rules.compliance import ItemStatus, Status
from tracker.services import audit, links, matrix
from tracker.services import catalogue as served
from tracker.storage.db import db, today, utcnow
from tracker.storage.models import FEED_SCOPES, CalendarFeed, Staff, User

bp = Blueprint("calendar", __name__)

PERSONAL, TEAM = FEED_SCOPES
TOKEN_PREFIX = "cal_"  # noqa: S105 - not a secret: marks a feed address in logs
DISPLAY_PREFIX_LENGTH = 12
# The team feed: what is overdue, and what falls due within this many days.
TEAM_AHEAD_DAYS = 180
PRODUCT_ID = "-//Clinic Portal//Compliance tracker//EN"
EVENT_WORDS = {Status.OVERDUE: "Overdue", Status.PENDING: "Due", Status.DUE_SOON: "Renew",
               Status.COMPLIANT: "Renew"}


class FeedForm(FlaskForm):
    """Only the CSRF token: the scope comes from the button pressed."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


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
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    feed = CalendarFeed(user_id=user.id, scope=scope, token_hash=token_hash(token),
                        prefix=token[:DISPLAY_PREFIX_LENGTH], created_at=utcnow())
    db.session.add(feed)
    db.session.flush()
    audit.record(user.audit_name, "calendar_feed.created", f"calendar_feed:{feed.id}", {
        "scope": scope, "prefix": feed.prefix, "replaces": old.id if old else None})
    return token


def feed_for_token(token: str) -> CalendarFeed | None:
    """The live feed of this address: not revoked, its user still active (and a manager, for a team feed)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == token_hash(token),
                                                        CalendarFeed.revoked_at.is_(None)))
    if feed is None or not feed.user.is_active or (feed.scope == TEAM and not feed.user.is_manager):
        return None
    return feed


# --------------------------------------------------------------------------------------------
# The iCalendar document
# --------------------------------------------------------------------------------------------


def event_for(staff: Staff, item: ItemStatus, host: str, base: str, with_name: bool) -> Event:
    event = Event()
    what = f"{EVENT_WORDS[item.status]}: {item.title}"
    if item.kind == "certification" and item.satisfied_by is not None:
        what = f"Expires: {item.title}"
    event.add("uid", f"{item.kind}-{item.id}-staff-{staff.id}@{host}")
    event.add("summary", f"{staff.name}: {what}" if with_name else what)
    event.add("dtstart", item.due_date)
    event.add("dtend", item.due_date + timedelta(days=1))
    event.add("dtstamp", utcnow())
    event.add("transp", "TRANSPARENT")  # a deadline, not a meeting: the day stays free
    event.add("description", f"{STATUS_LABELS[item.status]}. {item.detail}")
    event.add("url", links.item_url(item, base))
    return event


def calendar_for(people_items: list[tuple[Staff, ItemStatus]], name: str, with_names: bool) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    base = links.base_url()
    host = base.split("://", 1)[-1].split("/", 1)[0] or "clinic-portal"
    for staff, item in people_items:
        if item.due_date is not None:
            calendar.add_component(event_for(staff, item, host, base, with_names))
    return calendar.to_ical()


def personal_items(staff: Staff, day: date) -> list[tuple[Staff, ItemStatus]]:
    computed = matrix.compute(served.required(), day, people=[staff] if staff.active_on(day) else [])
    return list(computed.cells())


def team_items(day: date) -> list[tuple[Staff, ItemStatus]]:
    """Everything overdue (on its due date, however long ago), and what falls due in the months ahead."""
    last = day + timedelta(days=TEAM_AHEAD_DAYS)
    return [(staff, item) for staff, item in matrix.compute(served.required(), day).cells()
            if item.due_date is not None and (item.status == Status.OVERDUE or day <= item.due_date <= last)]


# --------------------------------------------------------------------------------------------
# Routes
# --------------------------------------------------------------------------------------------


def _feed_url(token: str) -> str:
    """The address to give a calendar app: on TRACKER_BASE_URL when set, else the one in use now."""
    configured = current_app.config.get("TRACKER_BASE_URL")
    if configured:
        return configured + links.path_for("calendar.feed", token=token)
    return url_for("calendar.feed", token=token, _external=True)


@bp.route("/calendar", methods=["GET", "POST"])
@login_required
def page():
    form = FeedForm()
    new_url, status = None, 200
    if request.method == "POST":
        scope = request.form.get("scope", "")
        if not form.validate_on_submit() or scope not in FEED_SCOPES or (scope == TEAM and not current_user.is_manager):
            status = 400
        else:
            token = replace_feed(current_user, scope)
            db.session.commit()
            new_url = (scope, _feed_url(token))
    feeds = {scope: active_feed(current_user, scope) for scope in FEED_SCOPES}
    return render_template("dashboard/calendar.html", form=form, feeds=feeds, new_url=new_url,
                           scopes=FEED_SCOPES if current_user.is_manager else (PERSONAL,)), status


@bp.get("/calendar/<string:token>.ics")
def feed(token: str):
    found = feed_for_token(token)
    if found is None:
        abort(404, "There is no such calendar: the address is wrong or was replaced.")
    office = served.required().settings.office_name
    day = today()
    if found.scope == TEAM:
        body = calendar_for(team_items(day), f"{office}: team due dates", with_names=True)
    else:
        body = calendar_for(personal_items(found.user.staff, day), f"{office}: my due dates", with_names=False)
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Cache-Control"] = "private, max-age=900"
    response.headers.set("Content-Disposition", "inline", filename=f"{found.scope}-due-dates.ics")
    current_app.logger.debug("calendar feed %s served", found.prefix)
    return response
