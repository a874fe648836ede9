"""Office time: the office's time zone decides "today", and working-day deadlines skip its closed days."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tracker_helpers import ack_form, add_person, copy_content, edit, sign_in

from portal import load_catalogue
from portal.loader import check
from tracker.rules.deadlines import WORKING_DAYS, add_working_days, closed_days, deadline_after_hire
from tracker.rules.records import Rules, Status
from tracker.services import acknowledgements, served_catalogue
from tracker.services.compliance_status import (
    current_statuses_by_staff,
    statuses_by_staff,
    statuses_for,
)
from tracker.services.sync import sync
from tracker.storage import db as storage
from tracker.storage.models import Staff, User

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


# Zones whose day starts off the hour (India, Nepal), whose transitions fall on the half hour (Lord
# Howe: 30 minutes at 02:00 local), far from UTC (Chatham), and the server's own zone (None).
ZONES = [None, UTC, *map(ZoneInfo, ("America/Los_Angeles", "Europe/London", "Asia/Kolkata", "Asia/Kathmandu",
                                    "Australia/Lord_Howe", "Pacific/Chatham"))]
TRANSITIONS = [datetime(2026, 3, 8, 10), datetime(2026, 11, 1, 9), datetime(2026, 3, 29, 1),  # LA, London
               datetime(2026, 4, 4, 15), datetime(2026, 10, 3, 15, 30)]  # Lord Howe, UTC wall times


def exact_office_day(moment: datetime, zone) -> date:
    return moment.replace(tzinfo=UTC).astimezone(zone).date()


@given(st.sampled_from(ZONES), st.lists(st.datetimes(datetime(1990, 1, 1), datetime(2060, 1, 1)), max_size=40))
def test_the_office_day_of_many_times_is_each_times_own(zone, moments):
    """OfficeDays reuses one offset per UTC day; it must give what converting each time gives."""
    days = storage.OfficeDays(zone)
    assert [days.of(m) for m in moments] == [exact_office_day(m, zone) for m in moments]


@pytest.mark.parametrize("zone", ZONES, ids=str)
def test_the_office_day_is_exact_on_the_minutes_around_a_clock_change(zone):
    days = storage.OfficeDays(zone)
    for transition in TRANSITIONS:
        for minute in range(-90, 91):
            moment = transition + timedelta(minutes=minute, seconds=59, microseconds=999_999)
            assert days.of(moment) == exact_office_day(moment, zone), (zone, moment)


def test_a_signature_late_in_the_evening_counts_on_that_local_day_from_the_stored_state(app, los_angeles_office,
                                                                                        monkeypatch):
    """The stored state reads signing times in bulk as UTC wall times; the day is still the office's."""
    sam = add_person(app, "sam@clinic.example", "Sam Carter")
    with app.app_context():
        staff = storage.db.session.get(Staff, sam)
        day = staff.hire_date + timedelta(days=5)
        evening = datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC) + timedelta(hours=6, minutes=30)
        assert evening.astimezone(ZoneInfo("America/Los_Angeles")).date() == day  # 22:30 or 23:30 there
        frozen_clock(monkeypatch, evening)
        monkeypatch.setattr(acknowledgements, "utcnow", lambda: evening)
        user = storage.db.session.query(User).filter_by(email="sam@clinic.example").one()
        acknowledgements.acknowledge(staff, acknowledgements.current_version("minimum-necessary"), "Sam Carter",
                                     acknowledgements.Origin(None, "test", "web"), user)
        catalogue = served_catalogue.current()
        stored = current_statuses_by_staff([staff], catalogue, day)[sam]
        assert stored == statuses_by_staff([staff], catalogue, day)[sam]
        signed = next(s for s in stored if s.id == "minimum-necessary").satisfied_by
        assert signed is not None and signed.signed_on == day
