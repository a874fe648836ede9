"""Why training is late and when it will happen: recorded by the person (while overdue) or a
manager (also for a late completion), kept alongside earlier reasons, and shown on the module page."""

import html
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from tracker_helpers import add_person, sign_in
from training_helpers import HIPAA, actions_since, count, last_seq, post_page_form, take_quiz

from tracker.storage.db import db, today
from tracker.storage.models import LateReason, TrainingCompletion


@pytest.fixture
def late(app) -> int:
    """Pat, front desk, hired in January: HIPAA basics was due within 30 days and is overdue."""
    return add_person(app, "pat@clinic.example", "Pat Moss", hire_date=date(2026, 1, 2))


def page_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def manager_url(staff_id: int) -> str:
    return f"/manager/staff/{staff_id}/training/{HIPAA}/late-reason"


def test_staff_record_why_their_overdue_training_is_late(app, client, late):
    sign_in(client, "pat@clinic.example")
    page = page_of(client.get(f"/training/{HIPAA}"))
    assert "Overdue" in page and "This training is overdue" in page
    expected = (today() + timedelta(days=7)).isoformat()
    seq = last_seq(app)
    response = post_page_form(client, f"/training/{HIPAA}/late-reason",
                              {"reason": "On leave until last week.", "expected_on": expected},
                              form_url=f"/training/{HIPAA}")
    assert response.status_code == 303
    page = page_of(client.get(response.headers["Location"]))
    assert "Your reason is recorded." in page and "On leave until last week." in page
    assert f"Expected on {expected}" in page
    with app.app_context():
        reason = db.session.scalars(select(LateReason)).one()
        assert (reason.staff_id, reason.module_id, reason.expected_on, reason.completion_id) == (
            late, HIPAA, date.fromisoformat(expected), None)
        assert reason.recorded_by_id is not None
    assert actions_since(app, seq) == ["late_reason.recorded"]


def test_a_reason_is_needed_and_a_bad_date_is_refused(app, client, late):
    sign_in(client, "pat@clinic.example")
    response = post_page_form(client, f"/training/{HIPAA}/late-reason", {"reason": "  ", "expected_on": "soon"},
                              form_url=f"/training/{HIPAA}")
    assert response.status_code == 400
    page = page_of(response)
    assert '<p class="error" id="reason-error-1">This is missing. Fill it in.</p>' in page
    assert "'soon' is not a date. Write it as YYYY-MM-DD" in html.unescape(page)
    assert count(app, LateReason) == 0


def test_staff_whose_training_is_not_overdue_get_no_form(app, client, staff_member):
    sign_in(client, "sam@clinic.example")
    assert "This training is overdue" not in client.get(f"/training/{HIPAA}").get_data(as_text=True)
    response = post_page_form(client, f"/training/{HIPAA}/late-reason", {"reason": "Busy."},
                              form_url=f"/training/{HIPAA}")
    assert response.status_code == 400 and "not overdue" in page_of(response)
    assert count(app, LateReason) == 0


def test_a_manager_records_a_reason_for_a_late_completion_and_the_person_sees_it(app, client, late, manager):
    person = app.test_client()
    sign_in(person, "pat@clinic.example")
    take_quiz(person, HIPAA, {"phi": ["a"]})  # done today, long after the deadline
    with app.app_context():
        completion_id = db.session.scalars(select(TrainingCompletion.id)).one()
    sign_in(client, "maria@clinic.example")
    listing = page_of(client.get(f"/manager/staff/{late}/training"))
    assert "HIPAA basics" in listing and f'href="{manager_url(late)}"' in listing
    form = page_of(client.get(manager_url(late)))
    assert f'<option value="{completion_id}">{today().isoformat()} (quiz)</option>' in form
    response = post_page_form(client, manager_url(late), {"reason": "Started before the module existed.",
                                                          "expected_on": "", "completion_id": str(completion_id)})
    assert response.status_code == 303
    assert "Reason recorded for Pat Moss." in page_of(client.get(response.headers["Location"]))
    with app.app_context():
        reason = db.session.scalars(select(LateReason)).one()
        assert (reason.completion_id, reason.expected_on) == (completion_id, None)
        assert reason.recorded_by_id != reason.staff_id
    assert "Started before the module existed." in page_of(person.get(f"/training/{HIPAA}"))


def test_later_reasons_are_added_not_replacing_earlier_ones(app, client, late, manager):
    sign_in(client, "maria@clinic.example")
    for text in ("First reason.", "Second reason."):
        assert post_page_form(client, manager_url(late), {"reason": text}).status_code == 303
    page = page_of(client.get(manager_url(late)))
    assert page.index("Second reason.") < page.index("First reason.")  # newest first
    assert count(app, LateReason) == 2


def test_a_completion_of_someone_else_is_refused(app, client, late, manager, staff_member):
    other = app.test_client()
    sign_in(other, "sam@clinic.example")
    take_quiz(other, HIPAA, {"phi": ["a"]})
    with app.app_context():
        sams = db.session.scalars(select(TrainingCompletion.id)).one()
    sign_in(client, "maria@clinic.example")
    response = post_page_form(client, manager_url(late), {"reason": "x", "completion_id": str(sams)})
    assert response.status_code == 400 and count(app, LateReason) == 0


def test_unknown_people_and_modules_are_404(client, manager, late):
    sign_in(client, "maria@clinic.example")
    assert client.get(manager_url(999)).status_code == 404
    assert client.get(f"/manager/staff/{late}/training/no-such-module/late-reason").status_code == 404
    assert client.get("/manager/staff/99999999999/training").status_code == 404


def test_staff_cannot_record_reasons_for_others(app, client, late, staff_member):
    sign_in(client, "sam@clinic.example")
    response = post_page_form(client, manager_url(late), {"reason": "Not mine to say."}, form_url="/training")
    assert response.status_code == 403 and count(app, LateReason) == 0
