"""Today's statuses remembered by each worker and kept current from the change log: after a write only
the people it touched are recomputed, by whichever worker reads next, and the answers always equal a
computation from scratch."""

from __future__ import annotations

from datetime import timedelta

from dashboard_helpers import TODAY, sign
from sqlalchemy import func, select
from state_helpers import log_restored_from_a_copy
from tracker_helpers import make_app, sign_in

from tracker.services import compliance_state, matrix, people, served_catalogue
from tracker.storage.db import db
from tracker.storage.models import Staff, StateChange


def remembered_equals_fresh(app) -> None:
    with app.app_context():
        catalogue = served_catalogue.current()
        remembered, fresh = matrix.compute(catalogue, TODAY), matrix.compute(catalogue, TODAY, remember=False)
        assert [(r.staff.id, r.statuses) for r in remembered.rows] == [(r.staff.id, r.statuses) for r in fresh.rows]


def compute(app) -> None:
    with app.app_context():
        matrix.compute(served_catalogue.current(), TODAY)


def test_a_signature_recomputes_only_its_signer(app, office, recomputed):
    compute(app)
    assert recomputed[-1] == {office.maria, office.ava, office.ben, office.cleo, office.dev}
    sign(app, office.ben, "minimum-necessary")
    recomputed.clear()
    compute(app)
    assert recomputed == [{office.ben}]
    recomputed.clear()
    compute(app)
    assert recomputed == []  # nothing new: the remembered statuses serve
    remembered_equals_fresh(app)


def test_a_staff_change_recomputes_that_person(app, office, recomputed):
    compute(app)
    with app.app_context():
        staff = db.session.get(Staff, office.cleo)
        data = people.StaffData(name=staff.name, email=staff.email, job_title=staff.job_title,
                                roles=("medical-assistant",), location_id=staff.location_id,
                                hire_date=staff.hire_date, left_on=None)
        people.update_staff(staff, data, "test")
        db.session.commit()
    recomputed.clear()
    compute(app)
    assert recomputed == [{office.cleo}]
    remembered_equals_fresh(app)


def test_a_write_by_another_worker_is_seen_by_this_one(app, database_url, office, recomputed):
    compute(app)
    other = make_app(database_url, TRACKER_CHECKPOINT_FILE=app.config["TRACKER_CHECKPOINT_FILE"],
                     TRACKER_SYNC_ON_START=False)
    sign(other, office.dev, "minimum-necessary")
    recomputed.clear()
    compute(app)
    assert recomputed == [{office.dev}]
    remembered_equals_fresh(app)
    with other.app_context():
        db.engine.dispose()


def test_a_sign_in_changes_nobody(app, client, office, recomputed):
    compute(app)
    sign_in(client, "ava@clinic.example")  # an audit event, and no record that counts
    recomputed.clear()
    compute(app)
    assert recomputed == []


def test_a_rebuild_or_a_restored_log_recomputes_everyone(app, office, recomputed):
    everyone = {office.maria, office.ava, office.ben, office.cleo, office.dev}
    compute(app)
    with app.app_context():
        compliance_state.rebuild(db.session.connection())
        db.session.commit()
    recomputed.clear()
    compute(app)
    assert recomputed == [everyone]
    with app.app_context():
        log_restored_from_a_copy(office.ava)
        db.session.commit()
    recomputed.clear()
    compute(app)
    assert recomputed == [everyone]
    remembered_equals_fresh(app)


def test_a_rolled_back_write_leaves_no_change(app, office):
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(StateChange))
    with app.app_context():
        staff = db.session.get(Staff, office.ben)
        staff.job_title = "Changed, then rolled back"
        db.session.flush()
        db.session.rollback()
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(StateChange)) == before


def test_days_looked_ahead_do_not_push_today_out(app, office, recomputed):
    """Projections to later days are remembered too; today, asked for most recently, is kept."""
    with app.app_context():
        catalogue = served_catalogue.current()
        for ahead in range(1, 6):
            matrix.compute(catalogue, TODAY + timedelta(days=ahead))
    compute(app)
    sign(app, office.ben, "minimum-necessary")
    recomputed.clear()
    compute(app)
    assert recomputed == [{office.ben}]
