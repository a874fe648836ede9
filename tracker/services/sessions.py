"""Server-side sign-in sessions: signing out ends a session wherever its cookie is replayed.

The session cookie carries a random token; the database keeps its SHA-256 in a UserSession row.
A request's session counts only while that row is live: not ended (sign-out, "sign out of all
devices", a password change or reset, a disabled or departed account) and younger than the
absolute lifetime (TRACKER_SESSION_HOURS). The idle time-out (TRACKER_SESSION_IDLE_MINUTES) is
checked against the time of the last request, kept in the signed cookie (tracker.http.auth).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update

from tracker.services import audit, tokens
from tracker.storage.db import db, utcnow
from tracker.storage.models import User, UserSession

SESSION_PREFIX = "ses_"
MAX_TOKEN_LENGTH = 100


def start(user: User, ip_address: str, user_agent: str) -> str:
    """A new session of ``user``; returns the token for the cookie. The caller commits."""
    token = tokens.new_secret(SESSION_PREFIX)
    db.session.add(UserSession(user_id=user.id, token_hash=tokens.token_hash(token), created_at=utcnow(),
                               ip_address=ip_address[:64], user_agent=user_agent[:500]))
    return token


def live(token: object, user_id: int, lifetime: timedelta) -> UserSession | None:
    """The live session of this cookie token for this user, or None."""
    if not isinstance(token, str) or not token.startswith(SESSION_PREFIX) or len(token) > MAX_TOKEN_LENGTH:
        return None
    found = db.session.scalar(select(UserSession).where(UserSession.token_hash == tokens.token_hash(token),
                                                        UserSession.ended_at.is_(None)))
    if found is None or found.user_id != user_id or found.created_at <= utcnow() - lifetime:
        return None
    return found


def end(token: object) -> None:
    """End the session of this cookie token, if it is live; the caller commits."""
    if isinstance(token, str) and len(token) <= MAX_TOKEN_LENGTH:
        db.session.execute(update(UserSession).where(UserSession.token_hash == tokens.token_hash(token),
                                                      UserSession.ended_at.is_(None)).values(ended_at=utcnow()))


def end_all(user: User, actor: str, reason: str, keep: object = None) -> int:
    """End every live session of ``user`` but the one of token ``keep``; returns how many. The caller commits."""
    query = update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if isinstance(keep, str):
        query = query.where(UserSession.token_hash != tokens.token_hash(keep))
    ended = cast(CursorResult[Any], db.session.execute(query.values(ended_at=utcnow()))).rowcount
    if ended:
        audit.record(actor, "sessions.ended", user.audit_name, {"sessions": ended, "reason": reason})
    return ended
