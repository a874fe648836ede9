"""Single-use links e-mailed to people: invitations to choose a password, and password resets.

A link's token is shown once, in the e-mail; only its SHA-256 is stored. A link is live until it is
used, revoked (a newer link of the same kind revokes the older, and so does leaving) or expired:
invitations after TRACKER_INVITATION_DAYS, resets after an hour.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Select, select, update

from tracker.services import audit, tokens
from tracker.storage.db import db, utcnow
from tracker.storage.models import AccountLink, User

INVITATION, RESET = "invitation", "reset"
LINK_PREFIXES = {INVITATION: "inv_", RESET: "rst_"}
RESET_LIFETIME = timedelta(hours=1)
MAX_TOKEN_LENGTH = 100
TOKEN_SHAPE = re.compile(rf"[A-Za-z0-9_-]{{1,{MAX_TOKEN_LENGTH}}}")


def issue(user: User, purpose: str, lifetime: timedelta, actor: str) -> str:
    """A new link for ``user``, revoking their earlier live ones of the same kind; returns its token.

    The caller commits.
    """
    revoke(user, actor, purpose, quietly=True)
    token = tokens.new_secret(LINK_PREFIXES[purpose])
    now = utcnow()
    link = AccountLink(user_id=user.id, purpose=purpose, token_hash=tokens.token_hash(token),
                       prefix=tokens.display_prefix(token), created_at=now, expires_at=now + lifetime)
    db.session.add(link)
    db.session.flush()
    audit.record(actor, f"{purpose}.issued", user.audit_name,
                 {"link": link.id, "prefix": link.prefix, "expires_at": link.expires_at.isoformat()})
    return token


def _live_query(purpose: str) -> Select[AccountLink]:
    return select(AccountLink).where(AccountLink.purpose == purpose, AccountLink.used_at.is_(None),
                                     AccountLink.revoked_at.is_(None), AccountLink.expires_at > utcnow())


def looks_like_a_token(text: str) -> bool:
    """Made of the characters a link token has (anything else is a mistyped or hostile address)."""
    return bool(TOKEN_SHAPE.fullmatch(text))


def find(token: str, purpose: str) -> AccountLink | None:
    """The live link of this token whose account may still be used (not disabled, not left)."""
    if not token.startswith(LINK_PREFIXES[purpose]) or len(token) > MAX_TOKEN_LENGTH:
        return None
    link: AccountLink | None = db.session.scalar(
        _live_query(purpose).where(AccountLink.token_hash == tokens.token_hash(token)).with_for_update())
    return link if link is not None and link.user.is_active else None


def pending(user: User, purpose: str = INVITATION) -> AccountLink | None:
    found: AccountLink | None = db.session.scalar(
        _live_query(purpose).where(AccountLink.user_id == user.id).order_by(AccountLink.id.desc()).limit(1))
    return found


def revoke(user: User, actor: str, purpose: str | None = None, quietly: bool = False) -> int:
    """Revoke the user's live links (of one kind, or all); returns how many. The caller commits."""
    query = update(AccountLink).where(AccountLink.user_id == user.id, AccountLink.used_at.is_(None),
                                      AccountLink.revoked_at.is_(None))
    if purpose is not None:
        query = query.where(AccountLink.purpose == purpose)
    revoked = cast(CursorResult[Any], db.session.execute(query.values(revoked_at=utcnow()))).rowcount
    if revoked and not quietly:
        audit.record(actor, "account_links.revoked", user.audit_name, {"links": revoked, "purpose": purpose})
    return revoked


def mark_used(link: AccountLink) -> None:
    link.used_at = utcnow()
