"""The stored compliance state (tracker.services.compliance_state) always gives the statuses the rules
give from every record, whatever the writes; the rebuild and the migration make the same rows."""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta

import flask_migrate
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update
from state_helpers import (
    ALL_ROLES,
    VERSIONS,
    Writer,
    archive_versions,
    both_ways,
    card,
    rebuilt_rows,
    sign,
    state_rows,
    version_ids,
    write,
)
from tracker_helpers import ack_form, add_person, fresh_database, migrated_app, sign_in, user_id
from training_helpers import BBP, HIPAA, extend_content

from tracker.services import matrix, served_catalogue, trend
from tracker.services.compliance_status import current_statuses_by_staff, statuses_by_staff
from tracker.storage.db import db, today
from tracker.storage.models import (
    CertificationVerification,
    ComplianceSnapshot,
    ComplianceState,
    ModuleVersion,
    PolicyVersion,
    Staff,
)

PEOPLE = itertools.count()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(writes=st.lists(write, max_size=25), hired=st.integers(0, 900))
def test_statuses_from_the_state_equal_the_rules_over_every_record(property_office, writes, hired):
    app, user = property_office
    staff = add_person(app, f"p{next(PEOPLE)}@clinic.example", "P", account_role=None, roles=ALL_ROLES,
                       hire_date=today() - timedelta(days=hired))
    with app.app_context():
        writer = Writer(staff, user)
        for step in writes:
            writer.apply(step)
        db.session.commit()
        for day in (today(), today() + timedelta(days=1), today() + timedelta(days=400)):
            from_state, from_records = both_ways([staff], day)
            assert from_state == from_records
        assert state_rows() == rebuilt_rows()


def test_a_signature_through_the_web_updates_the_state_in_its_transaction(app, client, staff_member):
    sign_in(client, "sam@clinic.example")
    with app.app_context():
        assert not state_rows()
    response = client.post("/policies/minimum-necessary",
                           data={**ack_form(client, "minimum-necessary"), "agree": "y", "signature_name": "Sam Carter"})
    assert response.status_code in (302, 303)
    with app.app_context():
        rows = state_rows()
        assert {(r[0], r[1], r[2]) for r in rows} == {(staff_member, "acknowledgement", "minimum-necessary")}
        from_state, from_records = both_ways([staff_member], today())
        assert from_state == from_records
        assert next(i for i in from_state[staff_member] if i.id == "minimum-necessary").status == "compliant"


def test_the_rebuild_command_reproduces_the_rows_the_writes_kept(property_office, runner):
    app, user = property_office
    staff = add_person(app, "rebuild@clinic.example", "R", account_role=None, roles=ALL_ROLES)
    with app.app_context():
        writer = Writer(staff, user)
        for step in [("sign", "visitor-log", 1, 30), ("sign", "visitor-log", 2, 3), ("complete", HIPAA, 1, "quiz", 9),
                     ("complete", BBP, 1, "in_person", 4), ("correct-completion", 1, 2), ("card", "bls", 10, 700),
                     ("decide", 0, "verified"), ("card", "hep-b", 50, None), ("decide", 1, "rejected")]:
            writer.apply(step)
        db.session.commit()
        kept = state_rows()
        db.session.execute(delete(ComplianceState))
        db.session.commit()
        assert not state_rows()
    result = runner.invoke(args=["compliance", "rebuild-state", "--months", "2"])
    assert result.exit_code == 0, result.output
    assert "Rebuilt 4 latest-record rows" in result.output and "2 month end(s)" in result.output
    with app.app_context():
        assert state_rows() == kept
        kinds = {(kind, item) for _, kind, item, *_ in kept}
        assert ("certification", "hep-b") not in kinds  # rejected: no card counts
        assert ("completion", BBP) in kinds and ("certification", "bls") in kinds


def test_the_migration_fills_the_state_from_the_records_already_there(backend, tmp_path):
    with fresh_database(backend, tmp_path) as url:
        app = migrated_app(url)
        extend_content(app, tmp_path)
        archive_versions(app)
        add_person(app, "maria@clinic.example", "Maria Lopez", account_role="manager", roles=("office-manager",))
        staff = add_person(app, "m@clinic.example", "M", account_role=None, roles=ALL_ROLES)
        with app.app_context():
            writer = Writer(staff, user_id(app, "maria@clinic.example"))
            for step in [("sign", "minimum-necessary", 2, 40), ("sign", "minimum-necessary", 3, 5),
                         ("complete", HIPAA, 1, "quiz", 20), ("correct-completion", 0, 18), ("card", "bls", 3, 300),
                         ("decide", 0, "verified"), ("correct-card", 0, 2, 400), ("decide", 1, "verified")]:
                writer.apply(step)
            db.session.commit()
            kept = state_rows()
            db.session.remove()
            flask_migrate.downgrade(revision="0008_certification_cards")
            flask_migrate.upgrade()
            assert len(kept) == 3
            assert state_rows() == kept
            db.engine.dispose()


def test_concurrent_writers_for_one_person_lose_no_row(property_office, backend):
    if backend != "postgresql":
        pytest.skip("SQLite takes its write lock at BEGIN: its writers never overlap")
    app, user = property_office
    staff = add_person(app, "busy@clinic.example", "B", account_role=None, roles=ALL_ROLES)
    with app.app_context():
        policies, modules = version_ids(PolicyVersion), version_ids(ModuleVersion)
    rounds = [[("sign", "visitor-log", v, 10 - v) for v in VERSIONS],
              [("complete", HIPAA, v, "quiz", 30 - v) for v in VERSIONS],
              [("card", "bls", 100 + n, 600) for n in range(4)]]
    for steps in rounds:
        barrier = threading.Barrier(len(steps))
        errors = []

        def write_one(step, barrier, errors):
            try:
                with app.app_context():
                    writer = Writer(staff, user)
                    writer.policies, writer.modules = policies, modules
                    barrier.wait(timeout=20)  # then all flush at once: the hook's locks make them queue
                    if step[0] == "card":  # a card and its verification in one flush
                        record = card(staff, "bls", user, today() - timedelta(days=step[2]),
                                      today() + timedelta(days=step[3]))
                        db.session.add(CertificationVerification(record=record, decision="verified", decided_by_id=user))
                    else:
                        writer.apply(step)
                    db.session.commit()
            except Exception as error:  # reported below, on the test's thread
                errors.append(error)

        threads = [threading.Thread(target=write_one, args=(step, barrier, errors)) for step in steps]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors
    with app.app_context():
        rows = state_rows()
        assert {(r[1], r[2], r[4]) for r in rows if r[1] == "acknowledgement"} == {("acknowledgement", "visitor-log", 4)}
        assert len([r for r in rows if r[1] == "completion"]) == len(VERSIONS)
        best_card = next(r for r in rows if r[1] == "certification")
        assert best_card[6] == today() - timedelta(days=100)  # the latest of the four cards, whoever committed last
        assert rows == rebuilt_rows()
        from_state, from_records = both_ways([staff], today())
        assert from_state == from_records


def test_the_matrix_reads_the_state_not_every_record(property_office):
    app, user = property_office
    staff = add_person(app, "state@clinic.example", "S", account_role=None, roles=ALL_ROLES)
    with app.app_context():
        Writer(staff, user).apply(("sign", "minimum-necessary", 4, 1))
        db.session.commit()
        # Remove the row behind the state's back: the matrix for today follows the state, a past day the records.
        db.session.execute(delete(ComplianceState))
        db.session.commit()
        catalogue = served_catalogue.current()
        person = db.session.get(Staff, staff)
        now = current_statuses_by_staff([person], catalogue, today())[staff]
        before = statuses_by_staff([person], catalogue, today())[staff]
        assert next(i for i in now if i.id == "minimum-necessary").status != "compliant"
        assert next(i for i in before if i.id == "minimum-necessary").status == "compliant"
        assert db.session.scalar(select(ComplianceState.id)) is None


def snapshot_rows() -> dict:
    return {(r.month_end, r.scope): (r.id, r.computed_at, r.compliant, r.due_soon, r.pending, r.overdue)
            for r in db.session.scalars(select(ComplianceSnapshot))}


def test_a_closed_month_is_counted_once_stored_and_recomputed_by_the_rebuild(property_office, runner):
    app, user = property_office
    staff = add_person(app, "months@clinic.example", "Mo", account_role=None, roles=ALL_ROLES,
                       hire_date=today() - timedelta(days=500))
    with app.app_context():
        writer = Writer(staff, user)
        for step in [("sign", "minimum-necessary", 3, 200), ("complete", HIPAA, 1, "quiz", 300),
                     ("card", "bls", 400, 500), ("decide", 0, "verified")]:
            writer.apply(step)
        db.session.commit()
        catalogue = served_catalogue.current()
        points = trend.history(catalogue, today())
        first = snapshot_rows()
        closed = trend.month_ends(today())[:-1]
        assert {day for day, scope in first if scope == "*"} == set(closed)
        for point in points[:-1]:  # each stored month end is the as-of matrix of that day
            computed = matrix.compute(catalogue, point.day, remember=False)
            assert point.overall == computed.summary and point.by_location == computed.by_location
        # Written once: a later read, even after a new record dated in a closed month, changes no row.
        writer.apply(("complete", BBP, 1, "in_person", 200))
        db.session.commit()
        assert trend.history(catalogue, today())[:-1] == points[:-1]
        assert snapshot_rows() == first
        # Recomputable: the rebuild replaces a wrong stored figure with the computed one.
        month = closed[-1]
        db.session.execute(update(ComplianceSnapshot).where(ComplianceSnapshot.month_end == month)
                           .values(compliant=999))
        db.session.commit()
    result = runner.invoke(args=["compliance", "rebuild-state", "--months", "1"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        again = snapshot_rows()
        assert set(again) == set(first)
        assert all(again[key][2:] == first[key][2:] for key in first)
        assert trend.history(served_catalogue.current(), today())[:-1] == points[:-1]


def test_a_new_policy_version_changes_the_statuses_not_the_stored_rows(app, tmp_path, staff_member):
    from tracker_helpers import bump_minimum_necessary, copy_content

    from tracker.services.sync import sync

    add_person(app, "maria@clinic.example", "Maria Lopez", account_role="manager", roles=("office-manager",))
    maria = user_id(app, "maria@clinic.example")
    with app.app_context():
        sign(staff_member, version_ids(PolicyVersion)["minimum-necessary", 3], maria, 1)
        db.session.commit()
        kept = state_rows()
        before, _ = both_ways([staff_member], today())
    root = copy_content(tmp_path)
    bump_minimum_necessary(root)
    with app.app_context():
        sync(root, "test")
    with app.app_context():
        after, from_records = both_ways([staff_member], today())
        assert state_rows() == kept
        assert after == from_records
        status = {i.id: i.status for i in after[staff_member]}["minimum-necessary"]
        assert {i.id: i.status for i in before[staff_member]}["minimum-necessary"] == "compliant" != status
