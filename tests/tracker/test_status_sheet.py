"""The status sheet (tracker.services.status_sheet): what the dashboard, the matrix page, the matrix CSV
and the trend read off it always equals what the full matrix computation gives; today's sheet is stored once and
shared by every worker, and each write makes the next reader recompute only the people it touched."""

from __future__ import annotations

import dataclasses
import itertools
import threading
from datetime import timedelta

import pytest
from dashboard_helpers import ORIGIN, TODAY, sign
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError
from state_helpers import ALL_ROLES, Writer, log_restored_from_a_copy, write
from tracker_helpers import add_person, make_app, sign_in

from tracker.services import (
    acknowledgements,
    compliance_state,
    exports,
    matrix,
    served_catalogue,
    sheet_pages,
    status_sheet,
)
from tracker.storage.db import db, today
from tracker.storage.models import Staff, StatusSheetHead, StatusSheetRow

PEOPLE = itertools.count()
FILTERS = [matrix.Filters(), matrix.Filters(status="overdue"), matrix.Filters(status="compliant", role="clinician"),
           matrix.Filters(requirement="policy:minimum-necessary"), matrix.Filters(location="northgate"),
           matrix.Filters(requirement="module:hipaa-basics", status="pending")]


def listed(entries) -> list[tuple]:
    """Overdue or expiring entries as comparable values (a sheet's items carry no detail or record)."""
    return [(e.staff.id, e.item.kind, e.item.id, e.item.title, e.item.status, e.item.due_date, *e[2:])
            for e in entries]


def assert_sheet_equals_matrix(catalogue, day) -> None:
    sheet, full = status_sheet.sheet(catalogue, day), matrix.compute(catalogue, day, remember=False)
    figures = sheet_pages.overview(sheet)
    assert (figures.summary, figures.by_location, figures.people) == (full.summary, full.by_location, len(full.rows))
    assert listed(sheet_pages.overdue(sheet)) == listed(matrix.overdue(full))
    assert listed(sheet_pages.expiring(sheet)) == listed(matrix.expiring(full))
    detailed = status_sheet.sheet(catalogue, day, details=True)
    for filters in FILTERS:
        found, computed = sheet_pages.matched(sheet, filters), matrix.compute(catalogue, day, filters, remember=False)
        assert [r.staff.id for r in found.rows] == [r.staff.id for r in computed.rows], filters
        assert (found.columns, found.summary) == (computed.columns, computed.summary), filters
        csv = exports.sheet_csv_chunks(detailed, sheet_pages.matched(detailed, filters), catalogue)
        assert "".join(csv) == exports.matrix_csv(computed, catalogue), filters


person = st.tuples(st.sampled_from([("clinician",), ("front-desk",), ALL_ROLES, ("medical-assistant",)]),
                   st.sampled_from([None, "northgate"]), st.integers(0, 900), st.lists(write, max_size=12))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=st.lists(person, min_size=1, max_size=4))
def test_the_pages_read_off_the_sheet_what_the_matrix_computes(property_office, people):
    app, user = property_office
    for roles, location, hired, writes in people:
        staff = add_person(app, f"s{next(PEOPLE)}@clinic.example", f"Person {next(PEOPLE)}", account_role=None,
                           roles=roles, location=location, hire_date=today() - timedelta(days=hired))
        with app.app_context():
            writer = Writer(staff, user)
            for step in writes:
                writer.apply(step)
            db.session.commit()
    with app.app_context():
        catalogue = served_catalogue.current()
        for day in (today(), today() - timedelta(days=45), today() + timedelta(days=20)):
            assert_sheet_equals_matrix(catalogue, day)


def read(app) -> status_sheet.Sheet:
    with app.app_context():
        catalogue = served_catalogue.current()
        found = status_sheet.sheet(catalogue, TODAY)
        assert_sheet_equals_matrix(catalogue, TODAY)
        return found


def everyone(office) -> set[int]:
    return {office.maria, office.ava, office.ben, office.cleo, office.dev}


def test_the_first_reader_stores_the_sheet_and_a_fresh_worker_reads_it(app, database_url, office, recomputed):
    read(app)
    assert recomputed[0] == everyone(office)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StatusSheetRow)) == 5
        assert db.session.scalar(select(StatusSheetHead.day)) == TODAY
    other = make_app(database_url, TRACKER_CHECKPOINT_FILE=app.config["TRACKER_CHECKPOINT_FILE"],
                     TRACKER_SYNC_ON_START=False)
    recomputed.clear()
    with other.app_context():
        status_sheet.sheet(served_catalogue.current(), TODAY)
        db.engine.dispose()
    assert recomputed == []  # nothing computed: the stored sheet served the new worker


def test_a_signature_recomputes_only_its_signer_for_the_next_reader(app, office, recomputed):
    before = read(app)
    sign(app, office.ben, "minimum-necessary")
    recomputed.clear()
    after = read(app)
    assert recomputed[0] == {office.ben}
    column = [r.key for r in after.columns].index("policy:minimum-necessary")
    line = {row.staff.id: row.line for row in after.rows}
    assert line[office.ben].codes[column] == "C"
    assert {r.staff.id: r.line for r in before.rows if r.staff.id != office.ben} == \
        {k: v for k, v in line.items() if k != office.ben}


def test_a_new_hire_is_on_the_next_sheet(app, office, recomputed):
    read(app)
    newcomer = add_person(app, "new@clinic.example", "Nia Newman", roles=("front-desk",), hire_date=TODAY)
    recomputed.clear()
    sheet = read(app)
    assert recomputed[0] == {newcomer}
    assert newcomer in {row.staff.id for row in sheet.rows}


@pytest.mark.parametrize("change", ["another day", "another catalogue", "a rebuild", "a restored log"])
def test_what_the_log_cannot_follow_recomputes_everyone(app, office, recomputed, change):
    read(app)
    with app.app_context():
        if change == "another day":
            db.session.execute(update(StatusSheetHead).values(day=TODAY - timedelta(days=1)))
        elif change == "another catalogue":
            db.session.execute(update(StatusSheetHead).values(snapshot_id=StatusSheetHead.snapshot_id - 1))
        elif change == "a rebuild":
            compliance_state.rebuild(db.session.connection())
        else:
            log_restored_from_a_copy(office.ava)
        db.session.commit()
    recomputed.clear()
    read(app)
    assert recomputed[0] == everyone(office)


def test_a_sign_in_leaves_the_sheet_as_it_is(app, client, office, recomputed):
    read(app)
    sign_in(client, "ava@clinic.example")  # an audit event, and no record that counts
    recomputed.clear()
    with app.app_context():
        status_sheet.sheet(served_catalogue.current(), TODAY)
    assert recomputed == []


def test_a_database_that_cannot_be_written_still_gets_todays_statuses(app, office, monkeypatch):
    def refused(*args):
        raise OperationalError("INSERT INTO status_sheet", {}, Exception("attempt to write a readonly database"))

    monkeypatch.setattr(status_sheet, "_refresh", refused)
    sign(app, office.ben, "minimum-necessary")
    read(app)  # equal to the full computation, though nothing could be stored
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StatusSheetRow)) == 0


def test_the_dashboard_and_the_matrix_page_read_the_stored_sheet(app, client, office, recomputed):
    sign_in(client, "maria@clinic.example")
    assert client.get("/manager/dashboard").status_code == 200
    recomputed.clear()
    page = client.get("/manager/matrix?status=overdue")
    assert page.status_code == 200 and "Ben Ortiz" in page.get_data(as_text=True)
    # The sheet picked the people; only they are computed in full (a cell's title shows its detail).
    assert recomputed == [{office.ben}]


def test_the_refresh_command_fills_todays_sheet(app, office, runner):
    result = runner.invoke(args=["compliance", "refresh-sheet"])
    assert result.exit_code == 0, result.output
    assert f"Today's status sheet ({TODAY.isoformat()}) holds 5 people" in result.output
    with app.app_context():
        assert db.session.scalar(select(StatusSheetHead.day)) == TODAY
        assert db.session.scalar(select(func.count()).select_from(StatusSheetRow)) == 5


def test_readers_and_writers_at_once_leave_a_sheet_equal_to_the_records(app, office):
    """Signatures committed while other workers bring the sheet up to date: the next reader's sheet
    holds every one of them (PostgreSQL lets them overlap; SQLite queues them)."""
    read(app)
    signatures = [(office.maria, "minimum-necessary"), (office.ben, "minimum-necessary"), (office.cleo, "sharps-disposal"),
                  (office.dev, "minimum-necessary"), (office.ben, "sharps-disposal"), (office.dev, "sharps-disposal")]
    barrier, errors = threading.Barrier(len(signatures) + 3), []

    def work(job) -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=20)
                if job is None:
                    for _ in range(3):
                        status_sheet.sheet(served_catalogue.current(), TODAY)
                else:
                    staff = db.session.get(Staff, job[0])
                    acknowledgements.acknowledge(staff, acknowledgements.current_version(job[1]), staff.name,
                                                 ORIGIN, staff.user)
        except Exception as error:  # reported below, on the test's thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(job,)) for job in [*signatures, None, None, None]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    sheet = read(app)  # equal to the full computation, as read() checks
    column = {r.key: n for n, r in enumerate(sheet.columns)}
    line = {row.staff.id: row.line.codes for row in sheet.rows}
    for staff_id, policy in signatures:
        assert line[staff_id][column[f"policy:{policy}"]] in ("C", "-")


def test_a_catalogue_other_than_the_served_one_is_computed_not_stored(app, office, recomputed):
    """The stored sheet is labelled with the served catalogue's snapshot: statuses for any other
    catalogue object (one loaded while a sync lands, say) must not be stored under that label."""
    with app.app_context():
        served = served_catalogue.current()
        other = dataclasses.replace(served)
        found = status_sheet.sheet(other, TODAY)
        assert db.session.scalar(select(func.count()).select_from(StatusSheetRow)) == 0
        assert db.session.scalar(select(func.count()).select_from(StatusSheetHead)) == 0
        assert [(r.staff.id, r.line) for r in found.rows] == \
            [(r.staff.id, r.line) for r in status_sheet.sheet(served, TODAY).rows]
