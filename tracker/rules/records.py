"""What the compliance rules read and what they answer: a person, their records, the office
settings, and one status per requirement.

The tracker reads a person's acknowledgements, completions and certification records from its
database and hands them in as these plain values; the rules only decide (tracker.rules.item_status
for one requirement, tracker.rules.evaluator for everything a person owes).

Statuses, in one line each:

- ``compliant``: done and not close to renewal;
- ``due_soon``: done, but a renewal or expiry falls within the warning window;
- ``pending``: not done yet, still inside its deadline;
- ``overdue``: not done (or lapsed) and the deadline has passed.

Every :class:`ItemStatus` keeps one invariant: it is overdue exactly when ``due_date`` is set
and ``today > due_date``. ``due_date`` is therefore always the last day on which the item is
*not* late: the acknowledgement or training deadline, the renewal date, or a card's expiry date.
``satisfied_by`` names the record that currently meets the requirement, and is set exactly when
the status is compliant or due soon; a lapsed record is described in ``detail`` instead.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from portal.model import Settings
from tracker.rules.deadlines import NO_CLOSED_DAYS, closed_days

IN_PERSON = "in_person"  # Completion.method of a session with a live trainer


class Status(enum.StrEnum):
    COMPLIANT = "compliant"
    DUE_SOON = "due_soon"
    PENDING = "pending"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    role_ids: frozenset[str]
    location_id: str | None
    hire_date: date
    left_on: date | None = None


@dataclass(frozen=True)
class Ack:
    policy_id: str
    version: int
    signed_on: date


@dataclass(frozen=True)
class Completion:
    module_id: str
    version: int
    completed_on: date
    method: str  # "quiz" or "in_person"


@dataclass(frozen=True)
class CertRecord:
    type_id: str
    issued_on: date
    expires_on: date | None
    verified: bool = True


Record = Ack | Completion | CertRecord


@dataclass(frozen=True)
class Rules:
    """The office settings the rules need (policies/office.yml, ``defaults:``)."""

    grace_days: int
    due_soon_days: int
    training_deadline_days: int
    closed_days: frozenset[date] = NO_CLOSED_DAYS  # skipped by working-day deadlines

    @classmethod
    def from_settings(cls, settings: Settings) -> Rules:
        return cls(
            grace_days=settings.acknowledgement_grace_days,
            due_soon_days=settings.due_soon_days,
            training_deadline_days=settings.training_deadline_days,
            closed_days=closed_days(settings.office_time.holiday_country, settings.office_time.holiday_subdivision,
                                    settings.office_time.closed_days),
        )


@dataclass(frozen=True)
class ItemStatus:
    kind: str  # "policy" | "module" | "certification"
    id: str  # policy id, module id, or certification requirement_id
    title: str
    status: Status
    due_date: date | None
    satisfied_by: Record | None
    detail: str


def is_active(person: Person, today: date) -> bool:
    """Employed on ``today``: hired on or before it, and not left on or before it."""
    return person.hire_date <= today and (person.left_on is None or person.left_on > today)
