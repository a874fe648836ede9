"""Helpers for the compliance state tests: archived versions to sign, records written as the services
write them (through the session, so the state hook sees them), and the two ways of judging."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from tracker.services import compliance_state, served_catalogue
from tracker.services.compliance_status import current_statuses_by_staff, statuses_by_staff
from tracker.storage.db import db
from tracker.storage.models import (
    Acknowledgement,
    CertificationRecord,
    CertificationVerification,
    ComplianceState,
    ModuleVersion,
    PolicyVersion,
    Staff,
    TrainingCompletion,
)

ALL_ROLES = ("clinician", "medical-assistant", "front-desk")
VERSIONS = (1, 2, 3, 4)


def archive_versions(app) -> None:
    """Versions 1 to 4 of every policy and module (copies of the synced rows), so that signatures and
    completions of older and newer versions than the required one can be written."""
    with app.app_context():
        for model, item in ((PolicyVersion, "policy_id"), (ModuleVersion, "module_id")):
            rows = list(db.session.scalars(select(model)))
            held = {(getattr(r, item), r.version) for r in rows}
            for row in rows:
                for version in VERSIONS:
                    if (getattr(row, item), version) not in held:
                        held.add((getattr(row, item), version))
                        copy = {c.key: getattr(row, c.key) for c in model.__table__.columns if c.key != "id"}
                        db.session.add(model(**{**copy, "version": version}))
        db.session.commit()


def version_ids(model) -> dict[tuple[str, int], int]:
    item = model.policy_id if model is PolicyVersion else model.module_id
    return {(i, v): n for n, i, v in db.session.execute(select(model.id, item, model.version))}


def sign(staff_id: int, version_id: int, user_id: int, days_ago: int) -> Acknowledgement:
    ack = Acknowledgement(staff_id=staff_id, policy_version_id=version_id, statement="I have read it",
                          signature_name="x", signed_at=datetime.now(UTC) - timedelta(days=days_ago, minutes=days_ago),
                          ip_address=None, user_agent="test", method="web", recorded_by_id=user_id)
    db.session.add(ack)
    return ack


def complete(staff_id: int, version_id: int, user_id: int, day: date, method: str,
             corrects: int | None = None) -> TrainingCompletion:
    completion = TrainingCompletion(staff_id=staff_id, module_version_id=version_id, completed_on=day, method=method,
                                    corrects_id=corrects, recorded_by_id=user_id)
    db.session.add(completion)
    return completion


def card(staff_id: int, type_id: str, user_id: int, issued_on: date, expires_on: date | None,
         corrects: int | None = None) -> CertificationRecord:
    record = CertificationRecord(staff_id=staff_id, type_id=type_id, issued_on=issued_on, expires_on=expires_on,
                                 corrects_id=corrects, submitted_by_id=user_id)
    db.session.add(record)
    return record


def decide(record_id: int, user_id: int, decision: str) -> CertificationVerification:
    verification = CertificationVerification(record_id=record_id, decision=decision, decided_by_id=user_id)
    db.session.add(verification)
    return verification


def both_ways(staff_ids, day: date):
    """(statuses from the stored state, statuses from every record) of these people on ``day``."""
    catalogue = served_catalogue.current()
    people = list(db.session.scalars(select(Staff).where(Staff.id.in_(list(staff_ids)))))
    return (current_statuses_by_staff(people, catalogue, day), statuses_by_staff(people, catalogue, day, known_on=day))


def state_rows() -> set[tuple]:
    """Every stored record row (lock rows left out), without its id."""
    s = ComplianceState
    return set(db.session.execute(select(s.staff_id, s.kind, s.item_id, s.variant, s.version, s.method, s.done_on,
                                         s.expires_on, s.signed_at, s.record_id).where(s.variant != "")).all())


def rebuilt_rows() -> set[tuple]:
    """The rows :func:`compliance_state.rebuild` makes from every record (committed)."""
    compliance_state.rebuild(db.session.connection())
    db.session.commit()
    return state_rows()
