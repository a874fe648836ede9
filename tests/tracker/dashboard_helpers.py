"""Helpers for the dashboard, exports, evidence, reminders and calendar tests: a small known office.

Records are written through the tracker's own write functions (signatures, quiz attempts,
certifications, sessions), with the clock pointed at the moment each should carry
(tracker.services.demo_seed.replayed_clock), so the "as of" tests can place records in the past.

The office, on the fixture content (policies minimum-necessary for all and sharps-disposal for
clinical staff at Main Street; module hipaa-basics for all, yearly; certification bls for clinical
staff), as of today:

- Maria Lopez (manager fixture): office manager, Main Street, hired 3 days ago: 2 pending.
- Ava Quinn: medical assistant, Main Street, hired 400 days ago: signed both policies, passed
  hipaa-basics 100 days ago, BLS card verified: 4 compliant.
- Ben Ortiz: clinician, Northgate, hired 400 days ago, nothing done: 3 overdue.
- Cleo Park: front desk, Northgate, hired 400 days ago: signed; hipaa-basics 350 days ago: 1
  compliant, 1 due soon.
- Dev Shah: medical assistant, Main Street, hired 5 days ago: 4 pending.
- Eve Stone: left 10 days ago: not in today's matrix.

Totals: 5 compliant, 1 due soon, 6 pending, 3 overdue; Main Street 100% not overdue, Northgate 40%.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from tracker_helpers import add_person

from tracker.services import acknowledgements, people, served_catalogue, training_sessions
from tracker.services import certifications as certification_records
from tracker.services import training as training_records
from tracker.services.acknowledgements import Origin
from tracker.services.demo_seed import replayed_clock
from tracker.storage.db import db
from tracker.storage.models import Staff, User

TODAY = date.today()
ORIGIN = Origin(ip_address="192.0.2.7", user_agent="pytest-browser/1.0", method="web")
VERIFIED = "Checked on the issuer's online verification page."


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def moment(day: date, hour: int = 10) -> datetime:
    """A time on an office day, as UTC."""
    return datetime.combine(day, time(hour)).astimezone().astimezone(UTC)


def sign(app, staff_id: int, policy_id: str, on: date | None = None) -> None:
    with app.app_context():
        staff = db.session.get(Staff, staff_id)
        version = acknowledgements.current_version(policy_id)
        with replayed_clock(moment(on) if on else datetime.now(UTC)):
            acknowledgements.acknowledge(staff, version, staff.name, ORIGIN, staff.user)


def pass_quiz(app, staff_id: int, module_id: str, on: date) -> None:
    with app.app_context():
        staff = db.session.get(Staff, staff_id)
        module = served_catalogue.current().modules[module_id]
        version = training_records.version_in_effect(module_id, on)
        answers = {q.id: sorted(q.answers) for q in module.questions}
        with replayed_clock(moment(on)):
            training_records.record_attempt(staff, module, version, answers, ORIGIN, staff.user)


def add_card(app, staff_id: int, type_id: str, issued: date, expires: date | None, entered: date | None = None,
             verified_on: date | None = None, by: str = "maria@clinic.example", number: str = "BLS-123456") -> int:
    """A certification record entered on ``entered`` (default: issued) by a manager; verified at once
    unless ``verified_on`` names a later day (or is ``date.min``: never)."""
    with app.app_context():
        staff = db.session.get(Staff, staff_id)
        manager = db.session.scalar(db.select(User).where(User.email == by))
        at_once = verified_on is None
        fields = {"type_id": type_id, "number": number, "issuer": "American Heart Association",
                  "issued_on": issued.isoformat(), "expires_on": expires.isoformat() if expires else "", "note": "",
                  "verification_note": VERIFIED}
        with replayed_clock(moment(entered or issued)):
            data = certification_records.check_certification(fields, served_catalogue.current(), verified=at_once)
            record = certification_records.record_certification(staff, data, manager)
        if verified_on not in (None, date.min):
            with replayed_clock(moment(verified_on, 15)):
                certification_records.verify_certification(record, "verified", VERIFIED, manager)
        return record.id


def hold_session(app, module_id: str, held_on: date, staff_ids: list[int], by: str = "maria@clinic.example") -> None:
    with app.app_context():
        manager = db.session.scalar(db.select(User).where(User.email == by))
        fields = {"module_id": module_id, "held_on": held_on.isoformat(), "content_summary": "Elements (A)-(N).",
                  "trainer_name": "Dr. Amanda Cole", "trainer_qualifications": "MD, occupational medicine",
                  "location_id": "main-street", "attendee_ids": staff_ids}
        with replayed_clock(moment(held_on + timedelta(days=1))):
            data = training_sessions.check_session(fields, served_catalogue.current())
            training_sessions.record_session(data, served_catalogue.current(), manager)


def leave(app, staff_id: int, left_on: date) -> None:
    with app.app_context():
        staff = db.session.get(Staff, staff_id)
        data = people.StaffData(name=staff.name, email=staff.email, job_title=staff.job_title, roles=tuple(staff.roles),
                                location_id=staff.location_id, hire_date=staff.hire_date, left_on=left_on)
        people.update_staff(staff, data, "test")
        db.session.commit()


@dataclass(frozen=True)
class Office:
    maria: int
    ava: int
    ben: int
    cleo: int
    dev: int
    eve: int


def known_office(app, manager: int) -> Office:
    ava = add_person(app, "ava@clinic.example", "Ava Quinn", roles=("medical-assistant",), hire_date=days_ago(400))
    ben = add_person(app, "ben@clinic.example", "Ben Ortiz", roles=("clinician",), location="northgate",
                     hire_date=days_ago(400))
    cleo = add_person(app, "cleo@clinic.example", "Cleo Park", roles=("front-desk",), location="northgate",
                      hire_date=days_ago(400))
    dev = add_person(app, "dev@clinic.example", "Dev Shah", roles=("medical-assistant",), hire_date=days_ago(5))
    eve = add_person(app, "eve@clinic.example", "Eve Stone", hire_date=days_ago(400))
    leave(app, eve, days_ago(10))
    for policy in ("minimum-necessary", "sharps-disposal"):
        sign(app, ava, policy, days_ago(30))
    pass_quiz(app, ava, "hipaa-basics", days_ago(100))
    add_card(app, ava, "bls", days_ago(100), TODAY + timedelta(days=600))
    sign(app, cleo, "minimum-necessary", days_ago(30))
    pass_quiz(app, cleo, "hipaa-basics", days_ago(350))
    return Office(manager, ava, ben, cleo, dev, eve)
