"""Everyone's statuses for today (or a day ahead), remembered by each worker and brought up to date
from the change log (tracker.storage.models.StateChange) instead of recomputed after every write.

A worker computes everyone once per day and catalogue. On each later read it asks for the newest
change: if it is the one it has seen, nothing changed; if there are newer ones, it recomputes only
the people they name (everyone, for a change naming nobody: a rebuild). A log that no longer holds
the change it saw last (a database restored from a copy) means starting again. Every worker and
host follows the same log, so a signature taken by one worker is in the next page any worker draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, select

from portal.model import Catalogue
from tracker.rules.records import ItemStatus
from tracker.services import compliance_status
from tracker.services.memory import Remembered
from tracker.storage.db import db
from tracker.storage.models import Staff, StateChange

Statuses = dict[int, list[ItemStatus]]
Seen = tuple[int, str] | None  # (id, token) of the newest change folded in; None: the log was empty
DAYS_KEPT = 3  # today, and a day or two ahead someone projects to

_NEWEST = select(StateChange.id, StateChange.token).order_by(StateChange.id.desc()).limit(1)
_TOKEN_OF = select(StateChange.token).where(StateChange.id == bindparam("id"))
_SINCE = select(StateChange.staff_id).where(StateChange.id > bindparam("id")).distinct()


@dataclass(frozen=True)
class _Entry:
    catalogue: Catalogue
    seen: Seen
    statuses: Statuses  # never changed once stored: a newer entry replaces it


_remembered: Remembered[date, _Entry] = Remembered(DAYS_KEPT)


def newest_change() -> Seen:
    """The (id, token) of the newest change in the log; None while it is empty."""
    newest = db.session.execute(_NEWEST).first()
    return (newest.id, newest.token) if newest is not None else None


def changed_since(seen: Seen, newest: Seen) -> set[int] | None:
    """The people named in the log after ``seen`` up to ``newest``; None when that cannot be told (a
    change naming everyone, or a log that no longer holds ``seen``: a database restored from a copy)."""
    if seen == newest:
        return set()
    if seen is not None and (newest is None or db.session.scalar(_TOKEN_OF, {"id": seen[0]}) != seen[1]):
        return None
    changed = set(db.session.scalars(_SINCE, {"id": seen[0] if seen else 0}))
    return None if None in changed else {i for i in changed if i is not None}


def statuses(catalogue: Catalogue, day: date, people: list[Staff]) -> Statuses:
    """compliance_status.current_statuses_by_staff for ``people`` on ``day`` (today or later)."""
    seen = newest_change()
    entry = _remembered.get(day)
    stale = None if entry is None or entry.catalogue is not catalogue else changed_since(entry.seen, seen)
    known = entry.statuses if entry is not None and stale is not None else {}
    todo = [p for p in people if p.id not in known or (stale is not None and p.id in stale)]
    if todo or entry is None or entry.seen != seen:
        known = {**known, **compliance_status.current_statuses_by_staff(todo, catalogue, day)}
        _remembered.put(day, _Entry(catalogue, seen, known))
    return {p.id: known[p.id] for p in people}
