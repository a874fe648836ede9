"""Office duties in the tracker: each duty's status at each place as of a day, and recording one done.

The schedules come from the archive (tracker.services.duty_schedules), so a past day is judged by
the schedule then in force; the status is the pure rule's (tracker.rules.duties). As with staff
records, a past day counts only the completions entered by its end. Completions are append-only
and audited; the owner role of a duty records it, or a manager.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.model import Catalogue
from tracker.rules.duties import DutyStatus, duty_status, review_status
from tracker.rules.records import Status
from tracker.services import audit, duty_files
from tracker.services.compliance_status import entered_by
from tracker.services.duty_schedules import OFFICE, Schedule, in_force, schedule_on
from tracker.services.validation import Invalid, date_field, raise_if, text_field
from tracker.storage.db import db, today, utcnow
from tracker.storage.models import DutyCompletion, User

ORDER = {Status.OVERDUE: 0, Status.DUE_SOON: 1, Status.PENDING: 2, Status.COMPLIANT: 3}
NOTE_LIMIT = 2000


@dataclass(frozen=True)
class DutyRow:
    """One duty at one place (a location id, or OFFICE) with its status on a day."""

    schedule: Schedule
    place: str
    status: DutyStatus

    @property
    def location_id(self) -> str | None:
        return self.place or None

    @property
    def key(self) -> str:
        return f"{self.schedule.duty_id}@{self.place or 'office'}"


def completion_days(known_on: date | None) -> dict[tuple[str, str], list[date]]:
    """The days each duty was done at each place, from completions entered by the end of ``known_on``."""
    found: dict[tuple[str, str], list[date]] = defaultdict(list)
    rows = db.session.execute(select(DutyCompletion.duty_id, DutyCompletion.location_id, DutyCompletion.completed_on)
                              .where(entered_by(DutyCompletion.recorded_at, known_on)))
    for duty_id, location_id, completed_on in rows:
        found[(duty_id, location_id or OFFICE)].append(completed_on)
    return found


def compute(catalogue: Catalogue, day: date) -> list[DutyRow]:
    """Every duty at every place as of ``day``: overdue first, then due soon, pending, compliant."""
    done = completion_days(day)
    settings = catalogue.settings
    rows = []
    for schedule, since in in_force(day):
        for place, start in since.items():
            if schedule.every is not None:
                status = duty_status(schedule.every, start, done.get((schedule.duty_id, place), ()), day,
                                     settings.due_soon_days)
            elif schedule.next_review is not None:
                status = review_status(schedule.next_review, day, settings.review_warning_days)
            else:
                continue
            rows.append(DutyRow(schedule, place, status))
    return sorted(rows, key=lambda r: (ORDER[r.status.status], r.status.due_date, r.schedule.title, r.place))


def counts(rows: list[DutyRow]) -> dict[Status, int]:
    found = dict.fromkeys(Status, 0)
    for row in rows:
        found[row.status.status] += 1
    return found


def can_record(user: User, schedule: Schedule) -> bool:
    return schedule.recordable and (user.is_manager or schedule.owner in user.staff.roles)


def visible_to(user: User, rows: list[DutyRow]) -> list[DutyRow]:
    """A manager sees every duty; anyone else the duties of the roles they hold."""
    return rows if user.is_manager else [r for r in rows if r.schedule.owner in user.staff.roles]


def owned_by(role_ids: list[str], rows: list[DutyRow]) -> list[DutyRow]:
    return [r for r in rows if r.schedule.owner in role_ids]


def completions(duty_id: str | None = None, known_on: date | None = None) -> list[DutyCompletion]:
    """Completions (of one duty, if given) entered by the end of ``known_on``, newest first."""
    query = (select(DutyCompletion).options(joinedload(DutyCompletion.recorded_by))
             .where(entered_by(DutyCompletion.recorded_at, known_on))
             .order_by(DutyCompletion.completed_on.desc(), DutyCompletion.id.desc()))
    if duty_id is not None:
        query = query.where(DutyCompletion.duty_id == duty_id)
    return list(db.session.scalars(query))


def _checked_place(schedule: Schedule, location: object) -> str | None:
    """The location the completion is for: one of the duty's for a per-location duty, else none."""
    value = "" if location is None else str(location).strip()
    if schedule.per_location:
        if value not in schedule.locations:
            raise Invalid({"location": f"choose the location it was done at: one of {', '.join(schedule.locations)}"})
        return value
    if value:
        raise Invalid({"location": "this duty is done once for the whole office: leave the location out"})
    return None


def recordable(user: User, duty_id: str) -> Schedule:
    """The duty in force today that ``user`` may record; LookupError or PermissionError if none."""
    found = schedule_on(duty_id, today())
    if found is None or not found[0].recordable:
        raise LookupError(f"There is no office duty '{duty_id}' to record.")
    if not can_record(user, found[0]):
        raise PermissionError("Only the duty's owner role or a manager may record it.")
    return found[0]


def record_completion(user: User, duty_id: str, fields: dict[str, Any],
                      upload: duty_files.Upload | None = None) -> DutyCompletion:
    """Record that a duty was done (``completed_on``, ``location``, ``note``); Invalid or PermissionError
    and nothing written when the input or the person may not."""
    schedule = recordable(user, duty_id)
    errors: dict[str, str] = {}
    done_on = date_field(fields, "completed_on", errors)
    note = text_field(fields, "note", errors, limit=NOTE_LIMIT, required=False, multiline=True)
    if done_on is not None and done_on > today():
        errors["completed_on"] = "completed_on must be a day up to today (a duty cannot be done in the future)"
    raise_if(errors)
    place = _checked_place(schedule, fields.get("location"))
    audit.lock_chain()  # one writer at a time from here: two uploads of one file add it once
    attachment, name = duty_files.store(upload) if upload is not None else (None, "")
    completion = DutyCompletion(duty_id=duty_id, location_id=place, completed_on=done_on, note=note,
                                attachment_sha256=attachment.sha256 if attachment else None, attachment_name=name,
                                recorded_by_id=user.id, recorded_at=utcnow())
    db.session.add(completion)
    db.session.flush()
    audit.record(user.audit_name, "duty.completed", f"duty_completion:{completion.id}", {
        "duty_id": duty_id, "location_id": place, "completed_on": completion.completed_on.isoformat(),
        "note": note, "attachment_sha256": completion.attachment_sha256,
        "attachment_name": completion.attachment_name}, records=[completion])
    db.session.commit()
    return completion


def may_download(user: User, sha256: str) -> bool:
    """Managers, and holders of the owner role of a duty whose completion carries the file."""
    if user.is_manager:
        return True
    duty_ids = set(db.session.scalars(select(DutyCompletion.duty_id).where(DutyCompletion.attachment_sha256 == sha256)))
    return any(s.duty_id in duty_ids and s.owner in user.staff.roles for s, _since in in_force(today()))


def reminder_rows(rows: list[DutyRow], day: date, window: int) -> list[DutyRow]:
    """Duties to remind of on ``day``: overdue, due soon, or pending and due within ``window`` days."""
    return [r for r in rows if r.status.status in (Status.OVERDUE, Status.DUE_SOON)
            or (r.status.status == Status.PENDING and r.status.due_date <= day + timedelta(days=window))]
