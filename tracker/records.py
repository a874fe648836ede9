"""From database rows to the records the compliance rules take (tracker.compliance).

The rules are pure functions; everything they need from the database is gathered here, in bulk
where a page lists many people. Training completions and certification records will join
acknowledgements here when the tracker records them; until then nobody has any, so modules and
certifications show as not done.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import select

from portal.model import Catalogue
from tracker.compliance import Ack, ItemStatus, Person, person_statuses
from tracker.db import db
from tracker.models import Acknowledgement, PolicyVersion, Staff


def local_date(moment: datetime) -> date:
    """The office's calendar day of a UTC time (see tracker.db.today)."""
    return moment.astimezone().date()


def person_from_staff(staff: Staff) -> Person:
    return Person(id=staff.id, name=staff.name, role_ids=frozenset(staff.roles), location_id=staff.location_id,
                  hire_date=staff.hire_date, left_on=staff.left_on)


def acks_for(staff_ids: Iterable[int]) -> dict[int, list[Ack]]:
    """Every acknowledgement of these people, by staff id."""
    ids = list(staff_ids)
    found: dict[int, list[Ack]] = defaultdict(list)
    if not ids:
        return found
    rows = db.session.execute(
        select(Acknowledgement.staff_id, PolicyVersion.policy_id, PolicyVersion.version, Acknowledgement.signed_at)
        .join(PolicyVersion, Acknowledgement.policy_version_id == PolicyVersion.id)
        .where(Acknowledgement.staff_id.in_(ids)))
    for staff_id, policy_id, version, signed_at in rows:
        found[staff_id].append(Ack(policy_id=policy_id, version=version, signed_on=local_date(signed_at)))
    return found


def statuses_by_staff(people: Iterable[Staff], catalogue: Catalogue, today: date) -> dict[int, list[ItemStatus]]:
    """Everything each person owes, with its status, as of ``today``; by staff id."""
    people = list(people)
    acks = acks_for(s.id for s in people)
    return {s.id: person_statuses(catalogue, person_from_staff(s), acks[s.id], completions=(), cert_records=(),
                                  today=today)
            for s in people}


def statuses_for(staff: Staff, catalogue: Catalogue, today: date) -> list[ItemStatus]:
    return statuses_by_staff([staff], catalogue, today)[staff.id]
