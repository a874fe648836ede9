"""Who sent the request: the signed-in user of a session cookie, for pages and API alike.

A cookie counts only while its server-side session is live (tracker.services.sessions) and the
browser has been used within the idle time-out; signing out anywhere ends it for every copy.
"""

from __future__ import annotations

import time
from datetime import timedelta

from flask import Flask, current_app, session
from flask_login import login_user, logout_user
from sqlalchemy.orm import joinedload

from tracker.http.client import client_address, client_agent
from tracker.http.extensions import login_manager
from tracker.services import accounts, audit, sessions
from tracker.storage.db import MAX_ID, db
from tracker.storage.models import User

SESSION_TOKEN, LAST_SEEN = "sid", "seen"
# The last-request time in the cookie is refreshed at most this often, so not every answer sets a cookie.
SEEN_RESOLUTION_SECONDS = 60


def load_user(user_id: str) -> User | None:
    # With the staff record that is_active reads: one query, not two.
    user = (db.session.get(User, int(user_id), options=[joinedload(User.staff)])
            if user_id.isdigit() and int(user_id) <= MAX_ID else None)
    if user is None:
        return None
    if not user.is_active:
        # Someone who left, or whose account was disabled, is signed out on their next request;
        # a departure also revokes whatever credentials are left (tracker.services.accounts).
        if accounts.offboard_if_left(user):
            db.session.commit()
        return None
    config, now = current_app.config, int(time.time())
    seen = session.get(LAST_SEEN)
    lifetime = timedelta(hours=config["TRACKER_SESSION_HOURS"])
    if not isinstance(seen, int) or now - seen > config["TRACKER_SESSION_IDLE_MINUTES"] * 60 or \
            sessions.live(session.get(SESSION_TOKEN), user.id, lifetime) is None:
        return None
    if now - seen >= SEEN_RESOLUTION_SECONDS:
        session[LAST_SEEN] = now
    return user


def begin_session(user: User) -> None:
    """Sign ``user`` in with a fresh session: nothing set before (by anyone who could plant a cookie) survives."""
    token = sessions.start(user, client_address(), client_agent())
    db.session.commit()
    session.clear()
    session[SESSION_TOKEN], session[LAST_SEEN] = token, int(time.time())
    login_user(user)


def complete_sign_in(user: User, details: dict[str, object]) -> None:
    """The last step of signing in (the password, and the code when two-step is on): audited, then a session."""
    audit.record(user.audit_name, "sign_in.succeeded", user.audit_name,
                 {"ip_address": client_address(), "user_agent": client_agent(), **details})
    begin_session(user)


def end_session() -> None:
    """Sign out here: the server-side session ends, so a copy of the cookie no longer counts."""
    sessions.end(session.get(SESSION_TOKEN))
    db.session.commit()
    logout_user()
    session.clear()


def current_session_token() -> object:
    return session.get(SESSION_TOKEN)


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
