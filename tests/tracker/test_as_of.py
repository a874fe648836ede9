""""As of": a past date gives the past state, and what was recorded after it does not count."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from dashboard_helpers import TODAY, add_card, days_ago, known_office, sign
from tracker_helpers import api_token, bearer, sign_in

from tracker.http import as_of
from tracker.rules.records import Status
from tracker.services import matrix, served_catalogue, trend
from tracker.storage.db import db
from tracker.storage.models import Staff


@pytest.fixture
def office(app, manager):
    return known_office(app, manager)


def status_of(app, staff_id: int, key: str, day: date) -> Status | None:
    with app.app_context():
        computed = matrix.compute(served_catalogue.current(), day)
        row = next((r for r in computed.rows if r.staff.id == staff_id), None)
        return row.items[key].status if row and key in row.items else None


@pytest.mark.parametrize(("text", "reason"), [
    ("2026-02-30", "not a real calendar date"), ("23/11/2026", "YYYY-MM-DD"), ("2026-1-5", "YYYY-MM-DD"),
    ("1999-12-31", "must be between"), ("2999-01-01", "must be between"), ("", "YYYY-MM-DD"),
])
def test_parse_day_says_what_is_wrong(app, text, reason):
    with app.app_context(), pytest.raises(as_of.BadDate, match=reason):
        as_of.parse_day(text)


def test_no_as_of_means_today(app):
    with app.test_request_context("/"):
        assert as_of.requested({}) == TODAY
        assert as_of.requested({"as_of": "  "}) == TODAY
        assert as_of.requested({"as_of": "2026-06-30"}) == date(2026, 6, 30)


def test_a_signature_made_after_the_day_does_not_count(app, office):
    sign(app, office.ben, "minimum-necessary")  # now
    assert status_of(app, office.ben, "policy:minimum-necessary", TODAY) == Status.COMPLIANT
    assert status_of(app, office.ben, "policy:minimum-necessary", days_ago(1)) == Status.OVERDUE


def test_a_past_day_gives_the_past_state(app, office):
    # Ava's card was issued and entered 100 days ago: a day earlier she had none, and was late.
    assert status_of(app, office.ava, "certification:bls", days_ago(100)) == Status.COMPLIANT
    assert status_of(app, office.ava, "certification:bls", days_ago(101)) == Status.OVERDUE
    # Dev was not employed yet 10 days ago; Eve still was 20 days ago.
    with app.app_context():
        earlier = matrix.compute(served_catalogue.current(), days_ago(20))
    assert {r.staff.name for r in earlier.rows} == {"Ava Quinn", "Ben Ortiz", "Cleo Park", "Eve Stone"}


def test_a_card_entered_later_does_not_count_before_it_was_entered(app, office):
    add_card(app, office.ben, "bls", issued=days_ago(200), expires=TODAY + timedelta(days=500), entered=days_ago(50))
    assert status_of(app, office.ben, "certification:bls", days_ago(60)) == Status.OVERDUE
    assert status_of(app, office.ben, "certification:bls", days_ago(50)) == Status.COMPLIANT


def test_a_verification_made_later_does_not_count_before_it_was_made(app, office):
    add_card(app, office.ben, "bls", issued=days_ago(100), expires=TODAY + timedelta(days=600),
             verified_on=days_ago(40))
    assert status_of(app, office.ben, "certification:bls", days_ago(60)) == Status.OVERDUE
    assert status_of(app, office.ben, "certification:bls", days_ago(39)) == Status.COMPLIANT


def test_pages_and_api_take_as_of(app, client, office):
    sign_in(client, "maria@clinic.example")
    day = days_ago(101).isoformat()
    person = client.get(f"/manager/staff/{office.ava}?as_of={day}").get_data(as_text=True)
    assert f"On {day}:" in person and "No acknowledgement on file." in person
    token = bearer(api_token(app, "maria@clinic.example"))
    answer = client.get(f"/api/v1/staff/{office.ava}/requirements?as_of={day}", headers=token).get_json()
    assert answer["as_of"] == day
    assert {i["id"]: i["status"] for i in answer["items"]}["bls"] == "overdue"
    mine = client.get(f"/api/v1/me/requirements?as_of={day}", headers=token)
    assert mine.status_code == 200 and mine.get_json()["items"] == []  # Maria was hired three days ago


def test_the_trend_points_are_the_as_of_matrix_at_each_month_end(app, office):
    with app.app_context():
        catalogue = served_catalogue.current()
        points = trend.history(catalogue, TODAY)
        assert [p.day for p in points] == trend.month_ends(TODAY)
        for point in (points[0], points[6], points[-1]):
            computed = matrix.compute(catalogue, point.day)
            assert point.overall == computed.summary and point.by_location == computed.by_location


def test_month_ends():
    assert trend.month_ends(date(2026, 3, 10), 4) == [date(2025, 12, 31), date(2026, 1, 31), date(2026, 2, 28),
                                                      date(2026, 3, 10)]
    assert len(trend.month_ends(date(2026, 11, 23))) == 12


def test_remembered_results_follow_every_change(app, office):
    """The matrix and the trend are remembered per data version; each kind of change moves it."""
    with app.app_context():
        catalogue = served_catalogue.current()
        past = days_ago(45)
        before = matrix.data_versions([TODAY, past])
    sign(app, office.ben, "minimum-necessary")  # a new record: today changes, the past does not
    with app.app_context():
        after_signature = matrix.data_versions([TODAY, past])
        assert after_signature[TODAY] != before[TODAY] and after_signature[past] == before[past]
        assert matrix.compute(catalogue, TODAY).rows[1].items["policy:minimum-necessary"].status == Status.COMPLIANT
        staff = db.session.get(Staff, office.ben)
        staff.roles = ["front-desk"]  # a staff edit without the audit trail would be a bug; this checks the key
        db.session.commit()
        assert matrix.data_version(past) != before[past]
        computed = matrix.compute(catalogue, past)
        assert "certification:bls" not in next(r for r in computed.rows if r.staff.id == office.ben).items
