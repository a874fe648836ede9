"""The demo practice's office duties: done on schedule through the demo's months, a few left to lapse.

The demo's records start about fourteen months back (tracker.services.demo_practice.WINDOW_DAYS),
so its archived duty schedules are dated from then, as if the tracker had followed the duties all
along. Each completion is an Event replayed at its moment (tracker.services.demo_seed), recorded by
the demo manager through tracker.services.duties like a real one.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from functools import partial

from sqlalchemy import update

from portal.model import Every
from tracker.rules.duties import first_due, next_due, warning_days
from tracker.services import duties, duty_schedules
from tracker.services.demo_history import Event
from tracker.services.demo_practice import WINDOW_DAYS
from tracker.storage.db import db
from tracker.storage.models import DutySchedule, User

SEED = 1006
# Days since each of these was last done, so the demo shows duties overdue: the quarterly access
# review (the security officer's), the monthly exclusion check, and Northgate's eyewash.
LAPSED = {("quarterly-access-review", ""): 130, ("monthly-exclusion-screening", ""): 62,
          ("eyewash-weekly-check", "northgate"): 20}
NOTES = ("Done; nothing to follow up.", "Done; one item fixed the same day.", "")


def _record(manager: User, duty_id: str, place: str, done: date, note: str) -> None:
    duties.record_completion(manager, duty_id, {"completed_on": done.isoformat(), "location": place, "note": note})


def _moment(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(8, 16), rng.randint(0, 59))).astimezone().astimezone(UTC)


def _days_done(every: Every, start: date, stop: date, rng: random.Random) -> list[date]:
    """The days a duty is done between ``start`` and ``stop``: a little before each due date."""
    early = warning_days(every, 30)
    done, found = max(start, first_due(every, start) - timedelta(days=early)), []
    while done < stop:
        found.append(done)
        done = max(done + timedelta(days=1), next_due(every, done) - timedelta(days=rng.randint(0, early)))
    return found


def plan_duties(day: date, manager: User) -> list[Event]:
    """Date the archived schedules from the demo's start, and plan each duty's completions since."""
    start = day - timedelta(days=WINDOW_DAYS)
    db.session.execute(update(DutySchedule).values(in_force_from=datetime.combine(start, time(7)).astimezone()))
    db.session.commit()
    rng, events = random.Random(SEED), list[Event]()
    for schedule, since in duty_schedules.in_force(day):
        if schedule.every is None:
            continue
        for place in since:
            stop = day - timedelta(days=LAPSED.get((schedule.duty_id, place), 0))
            for done in _days_done(schedule.every, start, stop, rng):
                action = partial(_record, manager, schedule.duty_id, place, done, rng.choice(NOTES))
                events.append(Event(_moment(done, rng), len(events), action))
    return events
