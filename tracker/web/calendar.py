"""The Calendar page, where a user creates or replaces their secret feed address, and the feed itself.

The feeds' contents and tokens are built by tracker.services.calendars; this module only reads the
request and answers it.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from tracker.services import calendars, links
from tracker.storage.db import db, today
from tracker.storage.models import FEED_SCOPES

bp = Blueprint("calendar", __name__)

# Calendar apps poll every few hours; 15 minutes of caching spares the matrix computation meanwhile.
FEED_MAX_AGE_SECONDS = 900


class FeedForm(FlaskForm):
    """Only the CSRF token: the scope comes from the button pressed."""


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
        if not form.validate_on_submit() or scope not in FEED_SCOPES or (
                scope == calendars.TEAM and not current_user.is_manager):
            status = 400
        else:
            token = calendars.replace_feed(current_user, scope)
            db.session.commit()
            new_url = (scope, _feed_url(token))
    feeds = {scope: calendars.active_feed(current_user, scope) for scope in FEED_SCOPES}
    return render_template("dashboard/calendar.html", form=form, feeds=feeds, new_url=new_url,
                           scopes=FEED_SCOPES if current_user.is_manager else (calendars.PERSONAL,)), status


@bp.get("/calendar/<string:token>.ics")
def feed(token: str):
    found = calendars.feed_for_token(token)
    if found is None:
        abort(404, "There is no such calendar: the address is wrong or was replaced.")
    response = Response(calendars.feed_calendar(found, today()), mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Cache-Control"] = f"private, max-age={FEED_MAX_AGE_SECONDS}"
    response.headers.set("Content-Disposition", "inline", filename=f"{found.scope}-due-dates.ics")
    current_app.logger.debug("calendar feed %s served", found.prefix)
    return response
