"""Office time: the office's time zone decides "today", and working-day deadlines skip its closed days."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from tracker_helpers import ack_form, add_person, copy_content, edit, sign_in

from portal import load_catalogue
from portal.loader import check
from tracker.rules.deadlines import WORKING_DAYS, add_working_days, closed_days, deadline_after_hire
from tracker.rules.records import Rules, Status
from tracker.services import served_catalogue
from tracker.services.compliance_status import statuses_for
from tracker.services.sync import sync
from tracker.storage import db as storage
from tracker.storage.models import Staff

OFFICE = "policies/office.yml"
LOS_ANGELES = "  contact: Ask the office manager.\n  timezone: America/Los_Angeles\n"


def d(text: str) -> date:
    return date.fromisoformat(text)


def frozen_clock(monkeypatch, moment: datetime) -> None:
    monkeypatch.setattr(storage, "utcnow", lambda: moment)


@pytest.fixture
def los_angeles_office(app, tmp_path):
    root = copy_content(tmp_path)
    edit(root, OFFICE, "  contact: Ask the office manager.\n", LOS_ANGELES)
    with app.app_context():
        sync(root, "test")
        served_catalogue.current()  # loads the catalogue, and with it the office's time zone
    return root


def test_working_days_skip_the_offices_holidays_and_closed_days():
    us_california = closed_days("US", "CA", (d("2026-12-24"),))
    # Christmas, the day after Thanksgiving (a California holiday), 4 July observed on Friday 3 July.
    assert {d("2026-12-25"), d("2026-11-27"), d("2026-07-03")} <= us_california
    assert d("2026-12-24") in us_california  # the office's own closed day
    assert d("2026-11-27") not in closed_days("US")  # a state holiday only where the state is set
    # Wednesday 23 December + 1 working day: not Thursday 24 (closed), not Friday 25 (Christmas).
    assert add_working_days(d("2026-12-23"), 1, us_california) == d("2026-12-28")
    assert add_working_days(d("2026-12-23"), 1) == d("2026-12-24")  # no setting: weekends only
    assert add_working_days(d("2026-12-24"), 0, us_california) == d("2026-12-24")  # day 0 is the start
    assert deadline_after_hire(d("2026-12-21"), 5, WORKING_DAYS, us_california) == d("2026-12-30")
    assert closed_days("US", "CA", (d("2026-12-24"),)) is us_california  # computed once per setting


def test_the_rules_take_the_closed_days_from_the_office_settings(tmp_path):
    root = copy_content(tmp_path)
    edit(root, OFFICE, "  contact: Ask the office manager.\n",
         "  contact: Ask the office manager.\n  holidays: {country: US, subdivision: CA}\n"
         "  closed_days: [2026-12-24]\n")
    rules = Rules.from_settings(load_catalogue(root).settings)
    assert {d("2026-12-24"), d("2026-12-25")} <= rules.closed_days
    assert not Rules.from_settings(load_catalogue(copy_content(tmp_path / "plain")).settings).closed_days


def test_an_unknown_time_zone_or_holiday_calendar_is_a_content_problem(tmp_path):
    root = copy_content(tmp_path)
    edit(root, OFFICE, "  contact: Ask the office manager.\n",
         "  contact: Ask the office manager.\n  timezone: America/Los_Angles\n"
         "  holidays: {country: US, subdivision: XX}\n")
    messages = [f"{p.message} ({p.hint})" for p in check(root).problems]
    assert any("unknown time zone 'America/Los_Angles'" in m and "IANA" in m for m in messages), messages
    assert any("'XX' is not a state or province of US" in m for m in messages), messages


def test_today_is_the_offices_date(app, los_angeles_office, monkeypatch):
    moment = datetime(2026, 6, 2, 6, 59, tzinfo=UTC)  # 23:59 on 1 June in Los Angeles
    frozen_clock(monkeypatch, moment)
    with app.app_context():
        assert storage.today() == d("2026-06-01")
        assert storage.local_time(storage.utcnow()).strftime("%H:%M %Z") == "23:59 PDT"
    assert storage.today() == moment.astimezone().date()  # outside an app: the server's own zone


def test_a_status_at_2330_local_on_its_deadline_day_is_not_yet_overdue(app, los_angeles_office, monkeypatch,
                                                                       client):
    """23:30 in Los Angeles is 07:30 UTC the next day: in UTC the deadline would have passed."""
    sam = add_person(app, "sam@clinic.example", "Sam Carter")
    with app.app_context():
        staff = storage.db.session.get(Staff, sam)
        catalogue = served_catalogue.current()
        item = next(s for s in statuses_for(staff, catalogue, staff.hire_date) if s.kind == "policy")
        deadline = item.due_date
        late_evening = datetime.combine(deadline + timedelta(days=1), datetime.min.time(), UTC) + \
            timedelta(hours=7, minutes=30)
        frozen_clock(monkeypatch, late_evening)
        assert storage.today() == deadline
        now = {s.id: s.status for s in statuses_for(staff, catalogue, storage.today())}
        assert now[item.id] != Status.OVERDUE
        utc_day = {s.id: s.status for s in statuses_for(staff, catalogue, late_evening.date())}
        assert utc_day[item.id] == Status.OVERDUE  # what the server's UTC date would have said

    sign_in(client, "sam@clinic.example")
    page = client.get("/policies").get_data(as_text=True)
    assert "badge-overdue" not in page
    frozen_clock(monkeypatch, late_evening + timedelta(hours=1))  # 00:30 the next day in Los Angeles
    assert "badge-overdue" in client.get("/policies").get_data(as_text=True)


def test_the_tracker_shows_times_on_the_offices_clock(app, los_angeles_office, client):
    add_person(app, "sam@clinic.example", "Sam Carter")
    sign_in(client, "sam@clinic.example")
    form = ack_form(client, "minimum-necessary")
    response = client.post("/policies/minimum-necessary", data={**form, "agree": "y", "signature_name": "Sam Carter"})
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your acknowledgement is recorded." in receipt
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d P[DS]T", receipt)  # Pacific time, named
    assert " UTC" not in receipt
