"""Office duties in the tracker: the archive of schedules, recording, as-of views, and where duties show."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select, update
from tracker_helpers import (
    add_person,
    api_token,
    assert_documented,
    bearer,
    copy_content,
    edit,
    sign_in,
)

from tracker.services import calendars, duties, duty_schedules, reminders, served_catalogue
from tracker.storage.db import db
from tracker.storage.models import AuditEvent, DutyCompletion, DutySchedule, User

ACCESS_REVIEW, EYEWASH = "quarterly-access-review", "eyewash-weekly-check"
PDF = b"%PDF-1.4 signed review"


@pytest.fixture
def officer(app) -> str:
    add_person(app, "pat@clinic.example", "Pat Privacy", roles=("front-desk", "privacy-officer"))
    return api_token(app, "pat@clinic.example")


def listed(client, token, as_of=None) -> dict[tuple[str, str | None], dict]:
    response = client.get("/api/v1/duties" + (f"?as_of={as_of.isoformat()}" if as_of else ""), headers=bearer(token))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert_documented(response, "/duties")
    return {(d["id"], d["location"]): d for d in response.get_json()["duties"]}


def record(client, token, duty_id=ACCESS_REVIEW, **body):
    body.setdefault("completed_on", date.today().isoformat())
    return client.post(f"/api/v1/duties/{duty_id}/completions", json=body, headers=bearer(token))


def backdate(app, duty_id: str, days: int) -> None:
    """Make the archived schedules of a duty older, as if the tracker had followed it that long."""
    with app.app_context():
        moment = datetime.combine(date.today() - timedelta(days=days), time(12)).astimezone()
        db.session.execute(update(DutySchedule).where(DutySchedule.duty_id == duty_id).values(in_force_from=moment))
        db.session.commit()


def backdate_completions(app, days: int) -> None:
    with app.app_context():
        moment = datetime.combine(date.today() - timedelta(days=days), time(12)).astimezone()
        db.session.execute(update(DutyCompletion).values(recorded_at=moment))
        db.session.commit()


def resync(app, runner, root) -> None:
    app.config["TRACKER_CONTENT_DIR"] = root
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 0, result.output


def test_sync_archives_each_duty_and_each_policy_review(app):
    with app.app_context():
        found = {s.duty_id: since for s, since in duty_schedules.in_force(date.today())}
    assert found[ACCESS_REVIEW] == {"": date.today()}
    assert found[EYEWASH] == {"main-street": date.today()}  # the policy applies at Main Street only
    assert "review:minimum-necessary" in found


def test_the_owner_records_a_duty_and_it_turns_compliant(app, client, officer):
    before = listed(client, officer)[(ACCESS_REVIEW, None)]
    assert (before["status"], before["last_done"]) == ("pending", None)
    response = record(client, officer, note="All accounts match the roster.")
    assert response.status_code == 201, response.get_data(as_text=True)
    assert_documented(response, "/duties/{duty_id}/completions", "POST")
    after = listed(client, officer)[(ACCESS_REVIEW, None)]
    assert (after["status"], after["last_done"]) == ("compliant", date.today().isoformat())
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert (event.action, event.details["duty_id"]) == ("duty.completed", ACCESS_REVIEW)


def test_staff_see_only_their_roles_duties_and_may_not_record_others(app, client, officer, staff_member):
    sam = api_token(app, "sam@clinic.example")
    assert listed(client, sam) == {}
    assert record(client, sam).status_code == 403
    assert record(client, officer, EYEWASH, location="main-street").status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DutyCompletion)) == 0


def test_a_manager_records_any_duty_and_sees_all(app, client, manager):
    token = api_token(app, "maria@clinic.example")
    assert {ACCESS_REVIEW, EYEWASH} <= {duty_id for duty_id, _ in listed(client, token)}
    assert record(client, token, EYEWASH, location="main-street").status_code == 201


@pytest.mark.parametrize(("duty_id", "body", "status"), [
    (ACCESS_REVIEW, {"completed_on": (date.today() + timedelta(days=1)).isoformat()}, 400),
    (ACCESS_REVIEW, {"completed_on": "2026-02-30"}, 400),
    (ACCESS_REVIEW, {"location": "main-street"}, 400),  # done once for the office
    (EYEWASH, {}, 400),  # which location?
    (EYEWASH, {"location": "northgate"}, 400),  # the policy does not apply there
    ("no-such-duty", {}, 404),
    ("review:minimum-necessary", {}, 404),  # a review is done in the content
])
def test_bad_completions_are_refused_and_write_nothing(app, client, manager, duty_id, body, status):
    token = api_token(app, "maria@clinic.example")
    response = record(client, token, duty_id, **body)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.get_json()["error"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DutyCompletion)) == 0


def test_a_changed_frequency_applies_from_the_sync_and_a_past_day_keeps_the_old_one(app, client, runner, officer,
                                                                                   tmp_path):
    backdate(app, ACCESS_REVIEW, 200)
    done = date.today() - timedelta(days=80)
    assert record(client, officer, completed_on=done.isoformat()).status_code == 201
    backdate_completions(app, 80)
    yesterday = date.today() - timedelta(days=1)
    assert listed(client, officer)[(ACCESS_REVIEW, None)]["status"] in ("compliant", "due_soon")
    root = copy_content(tmp_path)
    edit(root, "policies/hipaa-privacy/minimum-necessary.yml", "every: {months: 3}", "every: {months: 1}")
    resync(app, runner, root)
    assert listed(client, officer)[(ACCESS_REVIEW, None)]["status"] == "overdue"
    assert listed(client, officer, yesterday)[(ACCESS_REVIEW, None)]["status"] in ("compliant", "due_soon")
    long_ago = listed(client, officer, date.today() - timedelta(days=100))[(ACCESS_REVIEW, None)]
    # tracked from 200 days ago, not done by then: overdue, the later completion unknown
    assert (long_ago["status"], long_ago["last_done"]) == ("overdue", None)


def test_a_new_location_gets_a_full_period_while_the_old_one_keeps_its_start(app, client, runner, manager, tmp_path):
    token = api_token(app, "maria@clinic.example")
    backdate(app, EYEWASH, 30)
    root = copy_content(tmp_path)
    edit(root, "policies/osha-safety/sharps-disposal.yml", "locations: [main-street]\n", "")
    resync(app, runner, root)
    now = listed(client, token)
    assert now[(EYEWASH, "main-street")]["status"] == "overdue"
    new = now[(EYEWASH, "northgate")]
    assert (new["status"], new["due_date"]) == ("pending", (date.today() + timedelta(days=7)).isoformat())
    assert (EYEWASH, "northgate") not in listed(client, token, date.today() - timedelta(days=1))


def test_a_retired_duty_keeps_its_history(app, client, runner, officer, tmp_path):
    backdate(app, ACCESS_REVIEW, 10)
    assert record(client, officer, completed_on=(date.today() - timedelta(days=2)).isoformat()).status_code == 201
    backdate_completions(app, 2)
    root = copy_content(tmp_path)
    rel = "policies/hipaa-privacy/minimum-necessary.yml"
    text = (root / rel).read_text("utf-8")
    (root / rel).write_text(text[:text.index("duties:")] + text[text.index("history:"):], "utf-8")
    resync(app, runner, root)
    assert (ACCESS_REVIEW, None) not in listed(client, officer)
    assert record(client, officer).status_code == 404
    past = listed(client, officer, date.today() - timedelta(days=1))[(ACCESS_REVIEW, None)]
    assert past["status"] == "compliant"
    with app.app_context():
        assert [c.duty_id for c in duties.completions()] == [ACCESS_REVIEW]


def _page_form(client, officer_email="pat@clinic.example"):
    assert sign_in(client, officer_email).status_code == 303
    page = client.get("/duties").get_data(as_text=True)
    return page, page.split('name="csrf_token" value="')[1].split('"')[0]


def test_the_page_records_a_completion_with_an_attachment(app, client, officer, manager):
    page, token = _page_form(client)
    assert "Review who can see patient records" in page and "Check the eyewash station" not in page
    response = client.post(f"/duties/{ACCESS_REVIEW}/completions", data={
        "csrf_token": token, "completed_on": date.today().isoformat(), "note": "Signed review", "location": "",
        "attachment": (io.BytesIO(PDF), "Q4 review.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302
    page = client.get("/duties").get_data(as_text=True)
    assert "Recorded." in page, page[page.find("<main"):][:1500]
    assert "Q4 review.pdf" in page
    with app.app_context():
        completion = db.session.scalars(select(DutyCompletion)).one()
    assert client.get(f"/duties/attachments/{completion.attachment_sha256}").data == PDF


@pytest.mark.parametrize(("data", "message"), [
    (b"MZ\x90\x00 not a document", "not a PDF, PNG or JPEG"),
    (b"%PDF-" + b"x" * (512 * 1024), "larger than 512 KB"),
])
def test_a_bad_attachment_is_refused_and_nothing_is_saved(app, client, officer, data, message):
    _page, token = _page_form(client)
    response = client.post(f"/duties/{ACCESS_REVIEW}/completions", data={
        "csrf_token": token, "completed_on": date.today().isoformat(), "location": "", "note": "Kept as typed",
        "attachment": (io.BytesIO(data), "file.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    # Beside the file field, in words, with the note the officer typed still there.
    error = re.search(r'<p class="error" id="file-([^"]+)-error">([^<]*)</p>', page)
    assert error and message in error.group(2) and "(" not in error.group(2)  # sentences, not "x (y)"
    assert f'aria-describedby="file-{error.group(1)}-hint file-{error.group(1)}-error"' in page
    assert ">Kept as typed</textarea>" in page and "attachment is" not in page.split("<main")[0]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DutyCompletion)) == 0


def test_others_cannot_download_an_attachment(app, client, officer, staff_member):
    _page, token = _page_form(client)
    client.post(f"/duties/{ACCESS_REVIEW}/completions", data={
        "csrf_token": token, "completed_on": date.today().isoformat(), "location": "",
        "attachment": (io.BytesIO(PDF), "r.pdf")}, content_type="multipart/form-data")
    with app.app_context():
        sha256 = db.session.scalars(select(DutyCompletion)).one().attachment_sha256
    other = app.test_client()
    assert sign_in(other, "sam@clinic.example").status_code == 303
    assert other.get(f"/duties/attachments/{sha256}").status_code == 404


def test_duties_reach_the_dashboard_evidence_calendar_and_reminders(app, client, officer, manager):
    assert record(client, officer).status_code == 201
    manager_client = app.test_client()
    assert sign_in(manager_client, "maria@clinic.example").status_code == 303
    dashboard = manager_client.get("/manager/dashboard").get_data(as_text=True)
    assert "Office duties" in dashboard and "Check the eyewash station" in dashboard
    pack = zipfile.ZipFile(io.BytesIO(manager_client.get("/manager/evidence.zip").data))
    register = pack.read("office-duties/completions.csv").decode("utf-8-sig")
    assert ACCESS_REVIEW in register and "pat@clinic.example" in register
    assert "eyewash-weekly-check,duty" in pack.read("office-duties/status.csv").decode("utf-8-sig")
    with app.app_context(), app.test_request_context():
        pat = db.session.scalar(select(User).where(User.email == "pat@clinic.example"))
        feed = calendars.CalendarFeed(user=pat, scope=calendars.PERSONAL)
        assert b"Review who can see patient records" in calendars.feed_calendar(feed, date.today())
        later = date.today() + timedelta(days=85)  # the quarterly review falls due
        to_staff, digests = reminders.plan(served_catalogue.required(), later)
        assert any(m.to == "pat@clinic.example" and "Review who can see patient records" in m.body for m in to_staff)
        assert all("Office duties overdue" in m.body or "No office duty is overdue" in m.body for m in digests)
