"""The archive of office duty schedules: what each duty asked for, from which day.

A duty is not part of a policy's signed text, so changing one needs no new policy version; but an
auditor's past date must be judged by the schedule then in force. Each catalogue sync therefore
appends a row for every duty whose definition changed (its frequency, owner, locations), and one
saying it was retired when its policy or the duty is gone. A policy's periodic review is archived
the same way, as the duty ``review:<policy id>`` of the policy's owner, due on ``next_review``.

Rows are read back in order: a duty's schedule on a day is its latest row in force by the end of
that day, and a place (a location, or the office) counts from the first row of the unbroken run of
rows that include it, which is where a new duty or a new location starts being tracked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from portal.model import Catalogue, Duty, Every, Policy
from tracker.services.compliance_status import local_date, recorded_before
from tracker.storage.db import db, utcnow
from tracker.storage.models import DutySchedule

REVIEW_PREFIX = "review:"
DUTY, REVIEW = "duty", "review"
OFFICE = ""  # the place of a duty done once for the whole office


@dataclass(frozen=True)
class Schedule:
    """One duty as archived: a declared duty, or a policy's periodic review."""

    duty_id: str
    kind: str  # DUTY or REVIEW
    policy_id: str
    policy_title: str
    title: str
    owner: str
    every: Every | None  # None for a review
    next_review: date | None  # set for a review
    per_location: bool
    locations: tuple[str, ...]
    evidence: str
    frequency_basis: str
    citations: tuple[str, ...]

    @property
    def places(self) -> tuple[str, ...]:
        """Where it is done: each location, or OFFICE once."""
        return self.locations if self.per_location else (OFFICE,)

    @property
    def recordable(self) -> bool:
        """Reviews are done in the content (a new version or a new next_review), not recorded here."""
        return self.kind == DUTY


def _duty_definition(catalogue: Catalogue, policy: Policy, duty: Duty) -> dict[str, Any]:
    every = {k: v for k, v in vars(duty.every).items() if v is not None}
    places = [loc for loc in catalogue.locations if policy.applies_at(loc)] if duty.per_location else []
    return {"kind": DUTY, "policy_id": policy.id, "policy_title": policy.title, "title": duty.title,
            "owner": duty.owner, "every": every, "per_location": duty.per_location, "locations": places,
            "evidence": duty.evidence, "frequency_basis": duty.frequency_basis,
            "citations": [c.rule for c in duty.citations]}


def _review_definition(policy: Policy) -> dict[str, Any]:
    return {"kind": REVIEW, "policy_id": policy.id, "policy_title": policy.title, "title": f"Review: {policy.title}",
            "owner": policy.owner, "next_review": policy.next_review.isoformat(), "per_location": False,
            "locations": [], "evidence": "A new version of the policy, or its next review date moved on.",
            "frequency_basis": f"Every {policy.review_cycle_months} months (the policy's review cycle).",
            "citations": []}


def definitions(catalogue: Catalogue) -> dict[str, dict[str, Any]]:
    """Every duty of the catalogue, and every policy's review, as the JSON the archive stores."""
    found = {duty.id: _duty_definition(catalogue, policy, duty) for policy, duty in catalogue.duties()}
    found.update({REVIEW_PREFIX + p.id: _review_definition(p) for p in catalogue.policies.values()})
    return found


def archive(catalogue: Catalogue) -> list[str]:
    """Append a row for each duty that is new, changed or retired; the caller commits. Returns their ids."""
    latest: dict[str, dict[str, Any] | None] = {}
    for row in db.session.scalars(select(DutySchedule).order_by(DutySchedule.id)):
        latest[row.duty_id] = row.definition
    wanted: dict[str, dict[str, Any] | None] = dict(definitions(catalogue))
    wanted.update({duty_id: None for duty_id, held in latest.items() if held is not None and duty_id not in wanted})
    changed = sorted(duty_id for duty_id, definition in wanted.items() if latest.get(duty_id) != definition
                     and not (definition is None and duty_id not in latest))
    now = utcnow()
    db.session.add_all(DutySchedule(duty_id=duty_id, definition=wanted[duty_id], in_force_from=now) for duty_id in changed)
    return changed


def _schedule(duty_id: str, data: dict[str, Any]) -> Schedule:
    review = data.get("next_review")
    return Schedule(
        duty_id=duty_id, kind=data["kind"], policy_id=data["policy_id"], policy_title=data["policy_title"],
        title=data["title"], owner=data["owner"], every=Every(**data["every"]) if "every" in data else None,
        next_review=date.fromisoformat(review) if review else None, per_location=data["per_location"],
        locations=tuple(data["locations"]), evidence=data["evidence"], frequency_basis=data["frequency_basis"],
        citations=tuple(data["citations"]))


def in_force(day: date) -> list[tuple[Schedule, dict[str, date]]]:
    """Each duty in force at the end of ``day``, with each of its places and the day it counts from."""
    rows = db.session.scalars(select(DutySchedule).where(DutySchedule.in_force_from < recorded_before(day))
                              .order_by(DutySchedule.in_force_from, DutySchedule.id))
    current: dict[str, tuple[Schedule | None, dict[str, date]]] = {}
    for row in rows:
        earlier = current.get(row.duty_id)
        since = earlier[1] if earlier else {}
        schedule = _schedule(row.duty_id, row.definition) if row.definition is not None else None
        places = schedule.places if schedule is not None else ()
        current[row.duty_id] = (schedule, {place: since.get(place, local_date(row.in_force_from)) for place in places})
    return sorted(((s, since) for s, since in current.values() if s is not None),
                  key=lambda pair: (pair[0].kind != DUTY, pair[0].title))


def schedule_on(duty_id: str, day: date) -> tuple[Schedule, dict[str, date]] | None:
    """One duty as in force at the end of ``day``; None when it was not (yet, or any more)."""
    return next(((s, since) for s, since in in_force(day) if s.duty_id == duty_id), None)
