"""Recording in-person training sessions, shared by the manager's pages and the API.

A session keeps what 29 CFR 1910.1030(h)(2) lists: dates, contents or summary, names and
qualifications of trainers, names and job titles of attendees. Recording one completes the module
for each attendee, dated the day it was held.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.model import Catalogue
from tracker.services import accounts, audit
from tracker.services.training import add_completion, version_in_effect
from tracker.services.validation import Invalid, date_field, get_row, raise_if, text_field
from tracker.storage.db import column_length, db, today, utcnow
from tracker.storage.models import SessionAttendee, Staff, TrainingCompletion, TrainingSession, User


@dataclass(frozen=True)
class SessionInput:
    module_id: str
    held_on: date
    content_summary: str
    trainer_name: str
    trainer_qualifications: str
    location_id: str | None
    attendees: tuple[Staff, ...]


def job_title_of(staff: Staff, catalogue: Catalogue) -> str:
    """The job title to record for an attendee: the staff record's, else the titles of their roles."""
    if staff.job_title:
        return staff.job_title
    return ", ".join(catalogue.roles[r].title if r in catalogue.roles else r for r in staff.roles)


def _attendees(raw: object, held_on: date | None, errors: dict[str, str]) -> tuple[Staff, ...]:
    values = raw if isinstance(raw, list | tuple) else []
    if not values:
        errors["attendee_ids"] = "attendee_ids is empty (choose everyone who attended)"
        return ()
    found: dict[int, Staff] = {}
    problems: list[str] = []
    for value in values:
        staff = get_row(Staff, value)
        if staff is None:
            problems.append(f"there is no staff record {str(value)[:20]!r}")
        elif held_on is not None and staff.left_on is not None and not staff.active_on(held_on):
            problems.append(f"{staff.name} had left on {staff.left_on.isoformat()}, before the session")
        else:
            found[staff.id] = staff
    if problems:
        errors["attendee_ids"] = "; ".join(problems) + " (choose people from the staff list)"
    return tuple(found.values())


def check_session(fields: Mapping[str, Any], catalogue: Catalogue) -> SessionInput:
    """Check a session's fields: module_id, held_on, content_summary, trainer_name,
    trainer_qualifications, location_id (optional), attendee_ids (staff ids)."""
    errors: dict[str, str] = {}
    module_id = text_field(fields, "module_id", errors, limit=80)
    if module_id and "module_id" not in errors and module_id not in catalogue.modules:
        errors["module_id"] = f"there is no module '{module_id}' (choose one from the list)"
    held_on = date_field(fields, "held_on", errors)
    if held_on is not None and held_on > today():
        errors["held_on"] = (f"held_on {held_on.isoformat()} is in the future "
                             "(record a session once it has been held)")
    summary = text_field(fields, "content_summary", errors, multiline=True)
    trainer = text_field(fields, "trainer_name", errors, limit=column_length(TrainingSession, "trainer_name"))
    qualifications = text_field(fields, "trainer_qualifications", errors, multiline=True)
    location_id = text_field(fields, "location_id", errors, limit=80, required=False) or None
    if location_id and "location_id" not in errors and location_id not in catalogue.locations:
        errors["location_id"] = f"there is no location '{location_id}' (choose one from the list, or none)"
    attendees = _attendees(fields.get("attendee_ids"), held_on, errors)
    raise_if(errors)
    assert held_on is not None  # a missing or wrong date is among the errors
    return SessionInput(module_id=module_id, held_on=held_on, content_summary=summary, trainer_name=trainer,
                        trainer_qualifications=qualifications, location_id=location_id, attendees=attendees)


def record_session(data: SessionInput, catalogue: Catalogue, user: User) -> TrainingSession:
    """Record a held session, copying each attendee's name and job title as they are today, and
    an in-person completion for each attendee dated the day it was held."""
    if any(s.id == user.staff_id for s in data.attendees) and not accounts.self_verification_allowed():
        raise Invalid({"attendee_ids": "you cannot record your own attendance (ask another manager to record this "
                                       "session; an office with one manager can allow it with "
                                       "TRACKER_ALLOW_SELF_VERIFICATION)"})
    version = version_in_effect(data.module_id, data.held_on)
    session = TrainingSession(
        module_version_id=version.id, held_on=data.held_on, content_summary=data.content_summary,
        trainer_name=data.trainer_name, trainer_qualifications=data.trainer_qualifications,
        location_id=data.location_id, recorded_by_id=user.id, recorded_at=utcnow())
    db.session.add(session)
    db.session.flush()
    attendees = [SessionAttendee(session_id=session.id, staff_id=s.id, name=s.name,
                                 job_title=job_title_of(s, catalogue)) for s in data.attendees]
    db.session.add_all(attendees)
    audit.record(user.audit_name, "training_session.recorded", f"training_session:{session.id}", {
        "module_id": version.module_id, "version": version.version, "held_on": data.held_on.isoformat(),
        "content_summary": data.content_summary, "trainer_name": data.trainer_name,
        "trainer_qualifications": data.trainer_qualifications, "location_id": data.location_id,
        "attendees": [{"staff_id": a.staff_id, "name": a.name, "job_title": a.job_title} for a in attendees],
    }, records=[session, *attendees])
    for staff in data.attendees:
        add_completion(staff.id, version, data.held_on, "in_person", user, session_id=session.id)
    db.session.commit()
    return session


def sessions() -> list[TrainingSession]:
    """Every session, most recently held first."""
    return list(db.session.scalars(
        select(TrainingSession).options(selectinload(TrainingSession.attendees),
                                        selectinload(TrainingSession.module_version))
        .order_by(TrainingSession.held_on.desc(), TrainingSession.id.desc())))


def session_completions(session_id: int) -> dict[int, int]:
    """Completion id per attendee's staff id for a session."""
    rows = db.session.execute(select(TrainingCompletion.staff_id, TrainingCompletion.id)
                              .where(TrainingCompletion.session_id == session_id))
    return dict(rows.all())
