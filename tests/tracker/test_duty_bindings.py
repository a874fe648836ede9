"""Office duty completions are bound to the audit trail like every other record: changed, added or
removed behind the tracker's back, audit-verify names them; those from before the binding (migration
0010) are sealed by the upgrade."""

from __future__ import annotations

from datetime import date

import flask_migrate
from sqlalchemy import func, select, text
from test_duties import officer, record  # noqa: F401  (fixture)
from tracker_helpers import add_person, fresh_database, migrated_app, user_id

from tracker.services import audit, bindings
from tracker.storage.db import db, utcnow
from tracker.storage.models import AuditEvent, DutyCompletion


def verified(runner) -> tuple[int, str]:
    result = runner.invoke(args=["audit-verify"])
    return result.exit_code, result.output


def test_a_duty_completion_changed_behind_the_trackers_back_is_named(app, client, runner, officer):  # noqa: F811
    assert record(client, officer, note="All accounts reviewed.").status_code == 201
    assert verified(runner)[0] == 0
    with app.app_context():
        completion = db.session.scalar(select(func.max(DutyCompletion.id)))
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "duty.completed")).one()
        assert [(b["table"], b["id"]) for b in event.bindings] == [("duty_completions", completion)]
        db.session.execute(text("UPDATE duty_completions SET note = 'Nothing reviewed.' WHERE id = :id"),
                           {"id": completion})
        db.session.commit()
    code, output = verified(runner)
    assert code == 1 and f"duty_completions id {completion}" in output and "field note" in output, output


def test_completions_from_before_the_binding_are_sealed_by_the_upgrade(backend, tmp_path):
    with fresh_database(backend, tmp_path) as url:
        app = migrated_app(url)
        add_person(app, "pat@clinic.example", "Pat Privacy", roles=("privacy-officer",))
        recorder = user_id(app, "pat@clinic.example")
        with app.app_context():
            flask_migrate.downgrade(revision="0009_compliance_state")
            # As the tracker wrote a completion before 0010: its event carries no digest of it.
            old = DutyCompletion(duty_id="quarterly-access-review", completed_on=date.today(), note="Done.",
                                 recorded_by_id=recorder, recorded_at=utcnow())
            db.session.add(old)
            db.session.flush()
            audit.record("pat@clinic.example", "duty.completed", f"duty_completion:{old.id}", {"note": "Done."})
            db.session.commit()
            old_id = old.id
            assert "no audit event records it" in audit.verify().record_problem
            db.session.remove()  # SQLite: the session's transaction holds the write lock the upgrade needs
            flask_migrate.upgrade()
            sealed = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
            assert sealed.action == bindings.SEAL_ACTION and "migration 0010" in sealed.details["note"]
            assert [(b["table"], b["id"]) for b in sealed.bindings] == [("duty_completions", old_id)]
            assert audit.verify().ok
            db.session.remove()
            # Upgrading a database with no completions appends nothing.
            flask_migrate.downgrade(revision="0009_compliance_state")
            db.session.execute(text("DELETE FROM duty_completions"))
            db.session.commit()
            before = db.session.scalar(select(func.max(AuditEvent.seq)))
            db.session.remove()
            flask_migrate.upgrade()
            assert db.session.scalar(select(func.max(AuditEvent.seq))) == before
            db.session.remove()
            db.engine.dispose()
