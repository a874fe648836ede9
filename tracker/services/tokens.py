"""Secret tokens: the API's bearer tokens, and the random values behind them and calendar addresses.

A token is shown once, when issued; only its SHA-256 is stored, with a short prefix for lists and
the audit trail. A leaked database therefore holds no usable token.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date
from typing import cast

from sqlalchemy import bindparam, select
from sqlalchemy.orm import contains_eager

from tracker.services import audit
from tracker.storage.db import db, first_row_now, plain, utcnow
from tracker.storage.models import ApiToken, Staff, User
from tracker.storage.models.people import audit_name

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
    token. Whether the user may still act is tracker.services.accounts.user_for_bearer's question.

    The token, its user and the user's staff record (which is_active reads) come in one joined query.
    """
    return db.session.scalar(_OWNER_OF_LIVE_TOKEN, {"token_hash": token_hash(token)})


@dataclass(frozen=True)
class Bearer:
    """Who a live API token speaks for, read in one round trip without loading ORM objects.

    ``staff`` is a transient Staff (never added to a session) holding the record's columns, so its
    own rules (active_on) and tracker.services.people.staff_json apply to it unchanged.
    """

    id: int  # the user's, as User.id
    email: str
    account_role: str
    account_active: bool
    staff: Staff

    def active_on(self, day: date) -> bool:
        """What User.is_active says: an enabled account whose staff record has not left by ``day``."""
        return self.account_active and self.staff.active_on(day)

    @property
    def audit_name(self) -> str:
        return audit_name(self.id, self.email)


_STAFF_SELECTED = tuple(Staff.__table__.columns)
_STAFF_COLUMNS = tuple(column.key for column in _STAFF_SELECTED)  # attribute names, for Staff(**...)
# Built once: a statement object reused with a bound value keeps its SQLAlchemy cache key and compiled form.
_BEARER = (select(User.id, User.email, User.account_role, User.active, *_STAFF_SELECTED)
           .join(ApiToken, ApiToken.user_id == User.id).join(Staff, Staff.id == User.staff_id)
           .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None)))
_OWNER_OF_LIVE_TOKEN = (select(User).join(ApiToken, ApiToken.user_id == User.id).join(User.staff)
                        .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None))
                        .options(contains_eager(User.staff)))


def _bearer_token(header: str) -> str | None:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def bearer(header: str, in_transaction: bool = False) -> Bearer | None:
    """Who the live token of an ``Authorization: Bearer <token>`` header speaks for, active or not.

    Looked up afresh on every request, as the database stands, so a revoked token, a disabled account
    or a reached leaving date counts on the very next request in every worker and host. A read is
    looked up outside any transaction (tracker.storage.db.first_row_now); a write ``in_transaction``,
    as the first statement of the transaction that makes it, whose connection it then reuses.
    """
    token = _bearer_token(header)
    if token is None:
        return None
    values = {"token_hash": token_hash(token)}
    row = plain(_BEARER, values).first() if in_transaction else first_row_now(_BEARER, values)
    if row is None:
        return None
    user_id, email, account_role, active, *staff_values = row
    staff = Staff(**dict(zip(_STAFF_COLUMNS, staff_values, strict=True)))
    return Bearer(cast(int, user_id), cast(str, email), cast(str, account_role), bool(active), staff)


def bearer_owner(header: str) -> User | None:
    """The owner of the live token an ``Authorization: Bearer <token>`` header names."""
    token = _bearer_token(header)
    return owner_of(token) if token is not None else None


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
