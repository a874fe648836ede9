"""Slowing down password guessing, in the database so that every worker and host counts together.

Each attempt is counted *before* the password is checked, under every key it falls under (this
e-mail from this address; this e-mail from anywhere; anything from this address), with each counter
row locked while it is read and raised (``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite every
transaction holds the write lock). So a burst of parallel attempts cannot all read "4 failures so
far": the sixth waits for the fifth and sees 5. A correct password gives its count back.

A key that reaches its limit is locked until its window ends (15 minutes from its first failure).
The audit trail records that once per locked window, not every failure, so a stranger cannot grow
the chain without bound; each failure is logged instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from tracker.services import audit
from tracker.storage.db import backend_insert, db, utcnow
from tracker.storage.models import ThrottleBucket

WINDOW = timedelta(minutes=15)
# Five wrong passwords for one e-mail from one address; ten for one e-mail from anywhere (so more
# addresses do not mean more guesses); thirty for any e-mails from one address (a clinic's front
# desk shares one address, so this is generous to colleagues but stops guessing across accounts).
PAIR_LIMIT, ACCOUNT_LIMIT, ADDRESS_LIMIT = 5, 10, 30
# Password reset e-mails: three per e-mail and ten per address in a window.
RESET_ACCOUNT_LIMIT, RESET_ADDRESS_LIMIT = 3, 10
CLEAN_UP_BATCH = 500


@dataclass(frozen=True)
class Limit:
    key: str
    limit: int


def sign_in_limits(email: str, ip_address: str) -> list[Limit]:
    return [Limit(f"sign-in:{email}|{ip_address}", PAIR_LIMIT), Limit(f"sign-in:{email}", ACCOUNT_LIMIT),
            Limit(f"sign-in-from:{ip_address}", ADDRESS_LIMIT)]


def reset_limits(email: str, ip_address: str) -> list[Limit]:
    return [Limit(f"reset:{email}", RESET_ACCOUNT_LIMIT), Limit(f"reset-from:{ip_address}", RESET_ADDRESS_LIMIT)]


def _locked_bucket(key: str, now: datetime) -> ThrottleBucket:
    """The counter row of ``key``, created if missing, locked until the transaction ends."""
    db.session.execute(backend_insert(ThrottleBucket).values(key=key, count=0, window_started_at=now)
                       .on_conflict_do_nothing(index_elements=["key"]))
    bucket = db.session.scalar(select(ThrottleBucket).where(ThrottleBucket.key == key)
                               .with_for_update().execution_options(populate_existing=True))
    assert bucket is not None  # inserted above if it was missing
    if bucket.window_started_at <= now - WINDOW:
        bucket.count, bucket.window_started_at = 0, now
    return bucket


def take(limits: list[Limit], actor: str) -> bool:
    """Count one attempt under every limit, or none if any is used up; True when it may go ahead.

    Commits, so the count holds before the (slow) password check starts.
    """
    now = utcnow()
    if _used_up(limits, now):  # counts only rise within a window: no need to lock and write to refuse
        db.session.rollback()
        return False
    buckets = [(_locked_bucket(limit.key, now), limit) for limit in sorted(limits, key=lambda lim: lim.key)]
    allowed = all(bucket.count < limit.limit for bucket, limit in buckets)
    if allowed:
        for bucket, limit in buckets:
            bucket.count += 1
            if bucket.count == limit.limit:  # the attempt that uses the window up: one event per window
                audit.record(actor, "sign_in.throttled", bucket.key.split("|")[0],
                             {"key": bucket.key, "limit": limit.limit,
                              "minutes": int(WINDOW.total_seconds() // 60)})
    db.session.commit()
    _forget_old(now)
    return allowed


def _used_up(limits: list[Limit], now: datetime) -> bool:
    limit_of = {limit.key: limit.limit for limit in limits}
    current = db.session.scalars(select(ThrottleBucket).where(ThrottleBucket.key.in_(limit_of),
                                                              ThrottleBucket.window_started_at > now - WINDOW))
    return any(bucket.count >= limit_of[bucket.key] for bucket in current)


def _forget_old(now: datetime) -> None:
    """Delete counters whose window has ended, skipping any another request holds, so none waits."""
    old = (select(ThrottleBucket.key).where(ThrottleBucket.window_started_at <= now - WINDOW)
           .limit(CLEAN_UP_BATCH).with_for_update(skip_locked=True))
    db.session.execute(delete(ThrottleBucket).where(ThrottleBucket.key.in_(old.scalar_subquery())))
    db.session.commit()


def give_back(limits: list[Limit]) -> None:
    """A correct password: its attempt does not count, and the e-mail's earlier failures are forgiven.

    The caller commits.
    """
    for limit in limits:
        bucket = db.session.get(ThrottleBucket, limit.key, with_for_update=True)
        if bucket is None:
            continue
        if limit.key.startswith("sign-in-from:"):
            bucket.count = max(0, bucket.count - 1)
        else:
            db.session.delete(bucket)
