"""In-person sessions: the 29 CFR 1910.1030(h)(2) record, a completion per attendee, managers only."""

import html
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from tracker_helpers import add_person, copy_content, edit, sign_in
from training_helpers import (
    BBP,
    HIPAA,
    actions_since,
    count,
    extend_content,
    last_seq,
    post_page_form,
)

from portal import load_catalogue
from tracker.services import audit
from tracker.services.people import StaffData, update_staff
from tracker.services.sync import sync
from tracker.storage.db import db, today
from tracker.storage.models import SessionAttendee, Staff, TrainingCompletion, TrainingSession

NEW = "/manager/sessions/new"


@pytest.fixture
def root(app, tmp_path):
    return extend_content(app, tmp_path)


@pytest.fixture
def people(app, root, manager) -> dict[str, int]:
    """Two medical assistants with job titles, and Maria the manager, signed in as the client."""
    ids = {"alex": add_person(app, "alex@clinic.example", "Alex Kim", roles=("medical-assistant",)),
           "jo": add_person(app, "jo@clinic.example", "Jo Diaz", roles=("medical-assistant",))}
    set_job_title(app, ids["alex"], "Medical assistant II")
    set_job_title(app, ids["jo"], "Phlebotomist")
    return ids


def set_job_title(app, staff_id: int, title: str) -> None:
    with app.app_context():
        staff = db.session.get(Staff, staff_id)
        update_staff(staff, StaffData(name=staff.name, email=staff.email, job_title=title, roles=tuple(staff.roles),
                                      location_id=staff.location_id, hire_date=staff.hire_date), "test")
        db.session.commit()


def session_fields(attendees, **changes) -> list[tuple[str, str]]:
    fields = {"module_id": BBP, "held_on": (today() - timedelta(days=2)).isoformat(),
              "content_summary": "Elements (A)-(N): exposure control plan, PPE, hepatitis B vaccine.\nQ&A.",
              "trainer_name": "Dr Ana Ruiz", "trainer_qualifications": "Physician; trains staff on our plan yearly.",
              "location_id": "main-street", **changes}
    return [*fields.items(), *(("attendee_ids", str(a)) for a in attendees)]


def page_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_a_session_completes_the_training_of_each_attendee(app, client, people):
    sign_in(client, "maria@clinic.example")
    seq = last_seq(app)
    response = post_page_form(client, NEW, session_fields(people.values()))
    assert response.status_code == 303
    assert "training completed for 2 attendee(s)" in page_of(client.get(response.headers["Location"]))
    held_on = today() - timedelta(days=2)
    with app.app_context():
        session = db.session.scalars(select(TrainingSession)).one()
        assert (session.held_on, session.trainer_name, session.location_id) == (held_on, "Dr Ana Ruiz", "main-street")
        assert session.module_version.module_id == BBP
        completions = db.session.scalars(select(TrainingCompletion).order_by(TrainingCompletion.staff_id)).all()
        assert [(c.staff_id, c.method, c.completed_on, c.session_id) for c in completions] == [
            (people["alex"], "in_person", held_on, session.id), (people["jo"], "in_person", held_on, session.id)]
    assert actions_since(app, seq) == ["training_session.recorded", "training_completion.recorded",
                                       "training_completion.recorded"]
    alex = app.test_client()
    sign_in(alex, "alex@clinic.example")
    assert "Done" in alex.get("/training").get_data(as_text=True).split("Bloodborne pathogens")[1][:400]


def test_the_record_keeps_name_and_job_title_as_of_that_day(app, client, people):
    sign_in(client, "maria@clinic.example")
    url = post_page_form(client, NEW, session_fields([people["alex"]])).headers["Location"]
    set_job_title(app, people["alex"], "Lead medical assistant")
    page = page_of(client.get(url))
    assert "Medical assistant II" in page and "Lead medical assistant" not in page
    with app.app_context():
        assert db.session.scalars(select(SessionAttendee.job_title)).one() == "Medical assistant II"


def test_the_session_record_shows_what_1910_1030_h_2_asks_for(app, client, people):
    sign_in(client, "maria@clinic.example")
    url = post_page_form(client, NEW, session_fields(people.values())).headers["Location"]
    page = page_of(client.get(url))
    held_on = (today() - timedelta(days=2)).isoformat()
    for expected in ("Training session record", "Bloodborne pathogens", f"<dt>Date held</dt><dd>{held_on}</dd>",
                     "Elements (A)-(N): exposure control plan", "<dt>Trainer</dt><dd>Dr Ana Ruiz</dd>",
                     "Physician; trains staff on our plan yearly.", "Main Street clinic",
                     "<td>Medical assistant II</td>", "<td>Phlebotomist</td>", "Alex Kim", "Jo Diaz"):
        assert expected in page, expected
    assert 'class="multiline"' in page  # the summary keeps its line breaks in print
    listing = page_of(client.get("/manager/sessions"))
    assert held_on in listing and "Dr Ana Ruiz" in listing and url.split("localhost")[-1] in listing


def test_an_attendee_without_a_job_title_is_recorded_with_their_role(app, client, manager, root):
    sign_in(client, "maria@clinic.example")
    staff_id = add_person(app, "lee@clinic.example", "Lee Park", roles=("clinician",))
    post_page_form(client, NEW, session_fields([staff_id]))
    with app.app_context():
        assert db.session.scalars(select(SessionAttendee.job_title)).one() == "Clinician"


def test_a_session_in_the_future_is_refused(app, client, people):
    sign_in(client, "maria@clinic.example")
    tomorrow = (today() + timedelta(days=1)).isoformat()
    response = post_page_form(client, NEW, session_fields(people.values(), held_on=tomorrow))
    assert response.status_code == 400
    assert f"{tomorrow} is in the future." in page_of(response)
    assert count(app, TrainingSession) == 0 and count(app, TrainingCompletion) == 0


def test_missing_fields_are_shown_next_to_them_and_nothing_is_recorded(app, client, people):
    sign_in(client, "maria@clinic.example")
    seq = last_seq(app)
    response = post_page_form(client, NEW, session_fields([], trainer_name=" ", trainer_qualifications="",
                                                          held_on="2026-02-30"))
    assert response.status_code == 400
    page = page_of(response)
    assert '<p class="error" id="trainer_name-error-1">This is missing. Fill it in.</p>' in page
    assert '<p class="error" id="trainer_qualifications-error-1">This is missing. Fill it in.</p>' in page
    assert "'2026-02-30' is not a date. Write it as YYYY-MM-DD" in page
    assert '<p class="error">This is empty. Choose everyone who attended.</p>' in page
    assert count(app, TrainingSession) == 0 and last_seq(app) == seq


def test_forged_choices_are_refused(app, client, people):
    sign_in(client, "maria@clinic.example")
    for forged in (session_fields(["999"]), session_fields(["x"]), session_fields(people.values(), module_id="nope"),
                   session_fields(people.values(), location_id="mars")):
        assert post_page_form(client, NEW, forged).status_code == 400
    assert count(app, TrainingSession) == 0


def test_people_who_left_are_not_offered(app, client, people):
    with app.app_context():
        staff = db.session.get(Staff, people["jo"])
        update_staff(staff, StaffData(name=staff.name, email=staff.email, job_title=staff.job_title,
                                      roles=tuple(staff.roles), location_id=staff.location_id,
                                      hire_date=staff.hire_date, left_on=today() - timedelta(days=1)), "test")
        db.session.commit()
    sign_in(client, "maria@clinic.example")
    page = page_of(client.get(NEW))
    assert "Alex Kim, Medical assistant II" in page and "Jo Diaz" not in page


def test_the_session_counts_for_the_version_in_effect_on_the_day(app, client, manager, tmp_path):
    """A session held before a new version took effect trained people on the old one."""
    root = copy_content(tmp_path)
    new_day = today() - timedelta(days=5)
    edit(root, "training/hipaa-basics.yml", "version: 1\neffective_date: 2026-01-15",
         f"version: 2\neffective_date: {new_day.isoformat()}")
    edit(root, "training/hipaa-basics.yml", "Any health information", "Any health information at all")
    with app.app_context():
        sync(root, "test")
    assert load_catalogue(root).modules[HIPAA].version == 2
    sam = add_person(app, "sam@clinic.example", "Sam Carter")
    sign_in(client, "maria@clinic.example")
    for held_on in (new_day - timedelta(days=1), new_day):
        fields = session_fields([sam], module_id=HIPAA, held_on=held_on.isoformat(), location_id="")
        assert post_page_form(client, NEW, fields).status_code == 303
    with app.app_context():
        versions = db.session.scalars(select(TrainingSession).order_by(TrainingSession.held_on)).all()
        assert [s.module_version.version for s in versions] == [1, 2]
        assert versions[0].location_id is None


def test_staff_cannot_reach_the_session_pages(app, client, people, manager):
    sign_in(client, "maria@clinic.example")
    url = post_page_form(client, NEW, session_fields(people.values())).headers["Location"]
    staff = app.test_client()
    sign_in(staff, "alex@clinic.example")
    for path in ("/manager/sessions", NEW, url, f"/manager/staff/{people['alex']}/training",
                 f"/manager/staff/{people['alex']}/training/{BBP}/late-reason"):
        assert staff.get(path).status_code == 403, path
    assert post_page_form(staff, NEW, session_fields(people.values()), form_url="/training").status_code == 403
    assert count(app, TrainingSession) == 1
    nav = staff.get("/training").get_data(as_text=True).split("<main")[0]
    assert "Sessions" not in nav and "My training" in nav and "My certifications" in nav
    assert 'href="/manager/sessions">Sessions</a>' in client.get("/training").get_data(as_text=True)


def test_unknown_sessions_are_404(client, manager):
    sign_in(client, "maria@clinic.example")
    assert client.get("/manager/sessions/1").status_code == 404
    assert client.get("/manager/sessions/99999999999").status_code == 404


def test_nothing_is_ever_deleted_or_rewritten(app, client, people):
    """Recording sessions only adds rows: the first session's record is unchanged by the second."""
    sign_in(client, "maria@clinic.example")
    post_page_form(client, NEW, session_fields([people["alex"]]))
    with app.app_context():
        before = [(a.id, a.name, a.job_title) for a in db.session.scalars(select(SessionAttendee))]
    set_job_title(app, people["alex"], "Lead medical assistant")
    post_page_form(client, NEW, session_fields([people["alex"]], held_on=date.today().isoformat()))
    with app.app_context():
        after = [(a.id, a.name, a.job_title) for a in db.session.scalars(select(SessionAttendee).order_by(SessionAttendee.id))]
    assert after[0] == before[0] and after[1][2] == "Lead medical assistant"
    assert count(app, TrainingCompletion) == 2
    with app.app_context():
        assert audit.verify().ok
