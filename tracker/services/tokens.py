"""Secret tokens: the API's bearer tokens, and the random values behind them and calendar addresses.

A token is shown once, when issued; only its SHA-256 is stored, with a short prefix for lists and
the audit trail. A leaked database therefore holds no usable token.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from tracker.services import audit
from tracker.storage.db import db, utcnow
from tracker.storage.models import ApiToken, User

API_PREFIX = "trk_"  # makes a leaked token easy to recognise in logs and secret scanners
DISPLAY_PREFIX_LENGTH = 12


def new_secret(prefix: str) -> str:
    """A random token starting with ``prefix`` (256 bits of randomness after it)."""
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def display_prefix(token: str) -> str:
    return token[:DISPLAY_PREFIX_LENGTH]


def owner_of(token: str) -> User | None:
    """The user a live (unrevoked) API token belongs to, active or not; None for an unknown or revoked
    token. Whether the user may still act is tracker.services.accounts.user_for_bearer's question."""
    found = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token),
                                                     ApiToken.revoked_at.is_(None)))
    return found.user if found is not None else None


def bearer_owner(header: str) -> User | None:
    """The owner of the live token an ``Authorization: Bearer <token>`` header names."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return owner_of(token.strip())


def issue_token(user: User, actor: str) -> str:
    """A new API token for ``user``; only its hash is kept. The caller commits."""
    token = new_secret(API_PREFIX)
    db.session.add(ApiToken(user=user, token_hash=token_hash(token), prefix=display_prefix(token)))
    audit.record(actor, "token.issued", user.audit_name, {"prefix": display_prefix(token)})
    return token


def revoke_tokens(user: User, actor: str) -> int:
    """Revoke every live token of ``user``; returns how many. The caller commits."""
    live = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))).all()
    now = utcnow()
    for token in live:
        token.revoked_at = now
    if live:
        audit.record(actor, "token.revoked", user.audit_name, {"prefixes": [t.prefix for t in live]})
    return len(live)
