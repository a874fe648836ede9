"""seed-demo on the real content: every status, expiries in each window, and only on an empty tracker."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import empty_tables
from sqlalchemy import func, select
from tracker_helpers import make_app, sign_in

from tracker.config import REPO_ROOT
from tracker.rules.records import Completion, Status
from tracker.services import audit, duties, matrix, served_catalogue
from tracker.services.demo_practice import (
    MANAGER_EMAIL,
    MANAGER_PASSWORD,
    STAFF_EMAIL,
    STAFF_PASSWORD,
)
from tracker.storage.db import db, today
from tracker.storage.models import (
    Acknowledgement,
    CertificationRecord,
    CertificationVerification,
    PolicyVersion,
    Staff,
    TrainingSession,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(database_url):
    """The real content synced, then seeded once for the whole module (it takes a while)."""
    empty_tables(database_url)
    app = make_app(database_url, TRACKER_CONTENT_DIR=REPO_ROOT)
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    yield app, result
    with app.app_context():
        db.engine.dispose()


def test_it_prints_the_demo_sign_ins(demo):
    _app, result = demo
    assert result.exit_code == 0, result.output
    assert "Demo data added: 25 staff at Riverside Family Medicine" in result.output
    assert f"Manager sign-in: {MANAGER_EMAIL} / {MANAGER_PASSWORD}" in result.output
    assert f"Staff sign-in (front desk): {STAFF_EMAIL} / {STAFF_PASSWORD}" in result.output


def test_every_status_and_every_role(demo):
    app, _result = demo
    with app.app_context():
        catalogue = served_catalogue.current()
        computed = matrix.compute(catalogue, today())
        assert len(computed.rows) == 24  # 25 people, one of whom has left
        assert all(computed.summary.counts[status] > 0 for status in Status)
        assert {loc: s.total > 0 for loc, s in computed.by_location.items()} == {"main-street": True,
                                                                                 "northgate": True}
        roles = {role for row in computed.rows for role in row.staff.roles}
        assert roles == set(catalogue.roles)
        manager = db.session.scalar(select(Staff).where(Staff.email == MANAGER_EMAIL))
        assert {"office-manager", "privacy-officer", "security-officer"} <= set(manager.roles)
        new_starters = [row for row in computed.rows if (today() - row.staff.hire_date).days < 30]
        assert len(new_starters) == 2 and all(row.summary.counts[Status.PENDING] for row in new_starters)
        kinds = {(item.kind, item.status) for _staff, item in computed.cells()}
        assert {("policy", Status.OVERDUE), ("module", Status.OVERDUE), ("certification", Status.OVERDUE),
                ("certification", Status.DUE_SOON)} <= kinds


def test_expiries_in_each_window(demo):
    app, _result = demo
    with app.app_context():
        computed = matrix.compute(served_catalogue.current(), today())
        windows = {e.window for e in matrix.expiring(computed) if e.item.kind == "certification"}
    assert windows == set(matrix.EXPIRY_WINDOWS)


def test_a_signature_of_an_older_version_still_counts(demo):
    app, _result = demo
    with app.app_context():
        catalogue = served_catalogue.current()
        computed = matrix.compute(catalogue, today())
        older = [(staff.name, item.id) for staff, item in computed.cells()
                 if item.kind == "policy" and item.status == Status.COMPLIANT
                 and item.satisfied_by.version < catalogue.policies[item.id].version]
        assert older, "nobody holds a still-valid signature of an earlier version"
        stand_in = db.session.scalar(select(PolicyVersion).where(PolicyVersion.version == 1,
                                                                 PolicyVersion.policy_id == older[0][1]))
        assert "stand-in made by the demo seeder" in stand_in.markdown


def test_training_certifications_and_their_verifications(demo):
    app, _result = demo
    with app.app_context():
        sessions = db.session.scalars(select(TrainingSession)).all()
        assert len(sessions) == 1 and sessions[0].module_version.module_id == "osha-bloodborne-pathogens"
        assert len(sessions[0].attendees) >= 8
        decisions = dict(db.session.execute(select(CertificationVerification.decision, func.count())
                                            .group_by(CertificationVerification.decision)).all())
        assert decisions["rejected"] == 1 and decisions["verified"] > 100
        verified_ids = select(CertificationVerification.record_id)
        awaiting = db.session.scalar(select(func.count()).select_from(CertificationRecord)
                                     .where(CertificationRecord.id.not_in(verified_ids)))
        assert awaiting >= 1
        computed = matrix.compute(served_catalogue.current(), today())
        quiz = [i for _s, i in computed.cells() if isinstance(i.satisfied_by, Completion)
                and i.satisfied_by.method == "quiz"]
        assert len(quiz) > 100
        assert audit.verify().ok


def test_the_history_shows_a_past(demo):
    """Records carry the dates they were made, so a past month end has a state of its own."""
    app, _result = demo
    with app.app_context():
        first = db.session.scalar(select(func.min(Acknowledgement.signed_at)))
        assert (today() - first.date()).days > 300
        earlier = matrix.compute(served_catalogue.current(), today() - timedelta(days=200))
        assert earlier.summary.total > 0 and earlier.summary != matrix.compute(served_catalogue.current(), today()).summary


def test_the_demo_accounts_sign_in(demo):
    app, _result = demo
    client = app.test_client()
    assert sign_in(client, MANAGER_EMAIL, MANAGER_PASSWORD).status_code == 303
    assert client.get("/manager/dashboard").status_code == 200
    staff = app.test_client()
    assert sign_in(staff, STAFF_EMAIL, STAFF_PASSWORD).status_code == 303
    assert staff.get("/manager/dashboard").status_code == 403


def test_it_runs_only_on_an_empty_tracker(demo):
    app, _result = demo
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Acknowledgement))
    again = app.test_cli_runner().invoke(args=["seed-demo"])
    assert again.exit_code == 0
    assert "Demo data not added: the tracker already has 25 staff record(s)" in again.output
    assert f"Manager sign-in: {MANAGER_EMAIL}" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Acknowledgement)) == before


def test_office_duties_are_done_on_schedule_with_a_few_overdue(demo):
    app, _result = demo
    with app.app_context():
        rows = duties.compute(served_catalogue.current(), today())
        status = {(r.schedule.duty_id, r.place): r.status.status for r in rows}
        assert status[("quarterly-access-review", "")] == Status.OVERDUE
        assert status[("eyewash-weekly-check", "northgate")] == Status.OVERDUE
        assert status[("eyewash-weekly-check", "main-street")] in (Status.COMPLIANT, Status.DUE_SOON)
        assert len(duties.completions()) > 100
