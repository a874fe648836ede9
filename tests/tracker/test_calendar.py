"""Calendar feeds: a secret address per user, iCalendar that parses, stable all-day events."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from dashboard_helpers import TODAY, days_ago, known_office, leave
from icalendar import Calendar
from tracker_helpers import csrf_token, sign_in

from tracker.storage.db import db
from tracker.storage.models import CalendarFeed

FEED_URL = re.compile(r'value="(http[^"]+/calendar/(cal_[^"]+)\.ics)"')


@pytest.fixture
def office(app, manager):
    return known_office(app, manager)


def create_feed(client, scope: str = "personal") -> str:
    """Press the Calendar page's button; returns the new address's path."""
    token = csrf_token(client.get("/calendar").get_data(as_text=True))
    response = client.post("/calendar", data={"csrf_token": token, "scope": scope})
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    match = FEED_URL.search(response.get_data(as_text=True))
    assert match, "no calendar address on the page"
    return f"/calendar/{match.group(2)}.ics"


def events_of(response) -> dict[str, object]:
    """The feed's events by UID, without the UID's @domain (the tracker's address)."""
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.get_data())
    events = {str(event["UID"]): event for event in calendar.walk("VEVENT")}
    assert all(uid.endswith("@tracker.test") for uid in events)  # office.yml's tracker_url
    return {uid.removesuffix("@tracker.test"): event for uid, event in events.items()}


def test_a_personal_feed_holds_my_due_dates_as_all_day_events(app, client, office):
    sign_in(client, "ben@clinic.example")
    path = create_feed(client)
    client.post("/sign-out", data={"csrf_token": csrf_token(client.get("/calendar").get_data(as_text=True))})
    events = events_of(client.get(path))  # no session: the address is the key
    assert {uid.split("-staff-")[0] for uid in events} == {"policy-minimum-necessary", "module-hipaa-basics",
                                                            "certification-bls"}
    bls = events[f"certification-bls-staff-{office.ben}"]
    start = bls.decoded("DTSTART")
    assert type(start) is date and bls.decoded("DTEND") == start + timedelta(days=1)  # all day
    assert start == days_ago(400) + timedelta(days=30)
    assert str(bls["SUMMARY"]) == "Overdue: Basic Life Support (BLS)"
    assert str(bls["URL"]).endswith("/certifications")
    assert "Overdue." in str(bls["DESCRIPTION"])
    again = events_of(client.get(path))
    assert set(again) == set(events)  # stable UIDs: calendar apps update events instead of adding copies


def test_expiries_and_renewals_appear_for_things_done(app, client, office):
    sign_in(client, "ava@clinic.example")
    events = events_of(client.get(create_feed(client)))
    bls = events[f"certification-bls-staff-{office.ava}"]
    assert str(bls["SUMMARY"]) == "Expires: Basic Life Support (BLS)"
    assert bls.decoded("DTSTART") == TODAY + timedelta(days=600)
    quiz = events[f"module-hipaa-basics-staff-{office.ava}"]
    assert str(quiz["SUMMARY"]) == "Renew: HIPAA basics" and quiz.decoded("DTSTART") == days_ago(100) + timedelta(days=365)


def test_a_wrong_or_replaced_address_is_a_404(app, client, office):
    sign_in(client, "cleo@clinic.example")
    first = create_feed(client)
    assert client.get(first).status_code == 200
    second = create_feed(client)
    assert client.get(second).status_code == 200 and client.get(first).status_code == 404
    assert client.get("/calendar/cal_not-a-real-token.ics").status_code == 404
    assert client.get("/calendar/random.ics").status_code == 404
    with app.app_context():
        feeds = db.session.scalars(db.select(CalendarFeed).order_by(CalendarFeed.id)).all()
        assert [f.revoked_at is not None for f in feeds] == [True, False]
        assert all(second.split("/")[-1].removesuffix(".ics") not in f.token_hash for f in feeds)  # only hashes
    page = client.get("/calendar").get_data(as_text=True)
    assert "Replace the address" in page and "cal_" in page and second.split("/")[-1] not in page


def test_the_team_feed_is_for_managers(app, client, office):
    sign_in(client, "cleo@clinic.example")
    token = csrf_token(client.get("/calendar").get_data(as_text=True))
    assert client.post("/calendar", data={"csrf_token": token, "scope": "team"}).status_code == 400
    assert "Everyone&#39;s due dates" not in client.get("/calendar").get_data(as_text=True)
    client.post("/sign-out", data={"csrf_token": token})
    sign_in(client, "maria@clinic.example")
    events = events_of(client.get(create_feed(client, "team")))
    summaries = {str(e["SUMMARY"]) for e in events.values()}
    assert "Ben Ortiz: Overdue: Basic Life Support (BLS)" in summaries
    assert "Cleo Park: Renew: HIPAA basics" in summaries
    assert not any(s.startswith("Ava Quinn: Expires") for s in summaries)  # 600 days away: outside the window


def test_the_page_needs_sign_in_and_a_csrf_token(client, office):
    assert client.get("/calendar").status_code == 302
    sign_in(client, "ben@clinic.example")
    assert client.post("/calendar", data={"scope": "personal"}).status_code == 400


def test_a_feed_stops_when_its_owner_leaves(app, client, office):
    sign_in(client, "ben@clinic.example")
    path = create_feed(client)
    leave(app, office.ben, days_ago(1))
    assert client.get(path).status_code == 404
