"""The JSON API for quiz attempts and in-person sessions: documented shapes, 400/403/404/409."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from tracker_helpers import (
    add_person,
    api_token,
    assert_documented,
    bearer,
    copy_content,
    csrf_token,
    edit,
    sign_in,
)
from training_helpers import BBP, HIPAA, actions_since, count, extend_content, last_seq, module_of

from tracker.services.people import StaffData, update_staff
from tracker.services.sync import sync
from tracker.storage.db import db, today
from tracker.storage.models import (
    QuizAttempt,
    SessionAttendee,
    Staff,
    TrainingCompletion,
    TrainingSession,
)

ATTEMPTS = "/modules/{module_id}/attempts"
SESSIONS = "/training-sessions"


@pytest.fixture
def root(app, tmp_path):
    return extend_content(app, tmp_path)


@pytest.fixture
def sam(app, staff_member) -> dict:
    return bearer(api_token(app, "sam@clinic.example"))


@pytest.fixture
def maria(app, manager) -> dict:
    return bearer(api_token(app, "maria@clinic.example"))


def attempt_body(root, module_id: str, answers: dict[str, list[str]]) -> dict:
    module = module_of(root, module_id)
    return {"version": module.version, "fingerprint": module.fingerprint,
            "answers": [{"question_id": q, "choice_ids": c} for q, c in answers.items()]}


def session_body(attendees, **changes) -> dict:
    return {"module_id": BBP, "held_on": (today() - timedelta(days=1)).isoformat(),
            "content_summary": "Elements (A)-(N).", "trainer_name": "Dr Ana Ruiz",
            "trainer_qualifications": "Physician.", "location_id": "northgate", "attendee_ids": list(attendees),
            **changes}


def post(client, path: str, body, headers):
    return client.post(f"/api/v1{path}", json=body, headers=headers)


def test_a_passing_attempt_completes_the_module(app, client, root, sam, staff_member):
    seq = last_seq(app)
    response = post(client, f"/modules/{HIPAA}/attempts", attempt_body(root, HIPAA, {"phi": ["a"]}), sam)
    assert response.status_code == 201
    assert_documented(response, ATTEMPTS, "POST")
    body = response.get_json()
    assert (body["score"], body["passed"], body["correct"], body["questions"]) == (100, True, 1, 1)
    assert body["completion_id"] is not None and body["in_person_required"] is False
    assert body["results"] == [{"question_id": "phi", "correct": True,
                                "explanation": module_of(root, HIPAA).questions[0].explanation}]
    assert response.headers["Location"].endswith(f"/training/attempts/{body['attempt_id']}")
    with app.app_context():
        attempt = db.session.get(QuizAttempt, body["attempt_id"])
        assert (attempt.staff_id, attempt.answers) == (staff_member, {"phi": ["a"]})
        completion = db.session.get(TrainingCompletion, body["completion_id"])
        assert (completion.method, completion.completed_on, completion.attempt_id) == ("quiz", today(), attempt.id)
    assert actions_since(app, seq) == ["quiz_attempt.recorded", "training_completion.recorded"]
    requirements = client.get("/api/v1/me/requirements", headers=sam).get_json()["items"]
    assert next(i for i in requirements if i["id"] == HIPAA)["status"] == "compliant"


def test_a_failed_attempt_is_recorded_without_a_completion(app, client, root, sam):
    response = post(client, f"/modules/{HIPAA}/attempts", attempt_body(root, HIPAA, {}), sam)
    assert response.status_code == 201
    body = response.get_json()
    assert (body["score"], body["passed"], body["completion_id"]) == (0, False, None)
    assert body["results"][0]["correct"] is False
    assert count(app, QuizAttempt) == 1 and count(app, TrainingCompletion) == 0


def test_an_in_person_module_is_not_completed_by_its_quiz(app, client, root):
    add_person(app, "alex@clinic.example", "Alex Kim", roles=("medical-assistant",))
    alex = bearer(api_token(app, "alex@clinic.example"))
    answers = {"first-step": ["wash"], "ppe": ["goggles", "gloves"], "vaccine-free": ["true"]}
    body = post(client, f"/modules/{BBP}/attempts", attempt_body(root, BBP, answers), alex).get_json()
    assert (body["passed"], body["in_person_required"], body["completion_id"]) == (True, True, None)
    assert [r["question_id"] for r in body["results"]] == ["first-step", "ppe", "vaccine-free"]
    assert count(app, TrainingCompletion) == 0


@pytest.mark.parametrize(("answers", "detail"), [
    ([{"question_id": "phi", "choice_ids": ["z"]}], "answers: question 'phi' has no choice 'z'"),
    ([{"question_id": "nope", "choice_ids": ["a"]}], "answers: question 'nope' is not in this quiz"),
    ([{"question_id": "phi", "choice_ids": ["a", "b"]}], "answers: question 'phi' takes one answer, not 2"),
    ([{"question_id": "phi", "choice_ids": ["a"]}, {"question_id": "phi", "choice_ids": ["b"]}],
     "answers: question 'phi' is answered twice"),
])
def test_invalid_answers_are_400_and_record_nothing(app, client, root, sam, answers, detail):
    body = {**attempt_body(root, HIPAA, {}), "answers": answers}
    response = post(client, f"/modules/{HIPAA}/attempts", body, sam)
    assert response.status_code == 400
    assert_documented(response, ATTEMPTS, "POST")
    assert any(d.startswith(detail) for d in response.get_json()["details"])
    assert count(app, QuizAttempt) == 0


@pytest.mark.parametrize("body", [
    {"answers": []},
    {"answers": [], "version": 1},
    {"answers": [{"question_id": "phi"}], "version": 1, "fingerprint": "0" * 64},
    {"answers": [], "version": "1", "fingerprint": "0" * 64},
    {"answers": [], "version": 1, "fingerprint": "0" * 64, "staff_id": 2},
])
def test_a_body_that_breaks_the_schema_is_400(client, sam, body):
    response = post(client, f"/modules/{HIPAA}/attempts", body, sam)
    assert response.status_code == 400 and response.get_json()["details"]


def test_a_stale_version_or_fingerprint_is_409_with_the_current_one(app, client, root, sam, tmp_path):
    body = attempt_body(root, HIPAA, {"phi": ["a"]})
    response = post(client, f"/modules/{HIPAA}/attempts", {**body, "fingerprint": "f" * 64}, sam)
    assert response.status_code == 409
    assert_documented(response, ATTEMPTS, "POST")
    assert response.get_json()["current"] == {"version": 1, "fingerprint": body["fingerprint"]}
    newer = copy_content(tmp_path / "v2")
    edit(newer, "training/hipaa-basics.yml", "version: 1", "version: 2")
    edit(newer, "training/hipaa-basics.yml", "Any health information", "Any health information at all")
    with app.app_context():
        sync(newer, "test")
    response = post(client, f"/modules/{HIPAA}/attempts", body, sam)
    assert response.status_code == 409
    assert "version 1 of this module has been superseded" in response.get_json()["details"][0]
    assert response.get_json()["current"]["version"] == 2
    assert count(app, QuizAttempt) == 0


def test_an_unknown_module_is_404(client, sam):
    body = {"answers": [], "version": 1, "fingerprint": "0" * 64}
    for module_id in ("no-such-module", "Not_A_Slug"):
        response = post(client, f"/modules/{module_id}/attempts", body, sam)
        assert response.status_code == 404
        assert_documented(response, ATTEMPTS, "POST")


def test_attempts_need_authentication_and_cookie_writes_need_csrf(app, client, root, staff_member):
    body = attempt_body(root, HIPAA, {"phi": ["a"]})
    assert post(client, f"/modules/{HIPAA}/attempts", body, {}).status_code == 401
    sign_in(client, "sam@clinic.example")
    assert post(client, f"/modules/{HIPAA}/attempts", body, {}).status_code == 400  # no X-CSRFToken
    token = csrf_token(client.get("/training").get_data(as_text=True))
    assert post(client, f"/modules/{HIPAA}/attempts", body, {"X-CSRFToken": token}).status_code == 201


def test_a_manager_records_a_session_with_completions(app, client, root, maria):
    alex = add_person(app, "alex@clinic.example", "Alex Kim", roles=("medical-assistant",))
    jo = add_person(app, "jo@clinic.example", "Jo Diaz", account_role=None, roles=("clinician",))
    seq = last_seq(app)
    response = post(client, SESSIONS, session_body([alex, jo, alex]), maria)
    assert response.status_code == 201
    assert_documented(response, SESSIONS, "POST")
    body = response.get_json()
    assert (body["module_id"], body["version"], body["held_on"], body["location_id"]) == (
        BBP, 1, (today() - timedelta(days=1)).isoformat(), "northgate")
    assert [(a["name"], a["job_title"]) for a in body["attendees"]] == [("Alex Kim", "Medical assistant"),
                                                                       ("Jo Diaz", "Clinician")]
    assert response.headers["Location"].endswith(f"/manager/sessions/{body['id']}")
    with app.app_context():
        completions = {c.staff_id: c for c in db.session.scalars(select(TrainingCompletion))}
        assert set(completions) == {alex, jo}
        assert {c.id for c in completions.values()} == {a["completion_id"] for a in body["attendees"]}
    assert actions_since(app, seq) == ["training_session.recorded"] + ["training_completion.recorded"] * 2


@pytest.mark.parametrize(("changes", "detail"), [
    ({"held_on": (today() + timedelta(days=1)).isoformat()}, "held_on"),
    ({"attendee_ids": [999]}, "attendee_ids: there is no staff record '999'"),
    ({"module_id": "no-such-module"}, "module_id: there is no module 'no-such-module'"),
    ({"location_id": "mars"}, "location_id: there is no location 'mars'"),
    ({"held_on": "2026-02-30"}, "held_on: held_on '2026-02-30' is not a date"),
    ({"trainer_name": "Dr\x00Evil"}, "trainer_name: trainer_name holds a control character"),
    ({"content_summary": "   "}, "content_summary: content_summary is missing"),
])
def test_invalid_sessions_are_400_and_record_nothing(app, client, root, maria, changes, detail):
    alex = add_person(app, "alex@clinic.example", "Alex Kim", roles=("medical-assistant",))
    seq = last_seq(app)
    response = post(client, SESSIONS, session_body([alex], **changes), maria)
    assert response.status_code == 400
    assert_documented(response, SESSIONS, "POST")
    assert any(d.startswith(detail) for d in response.get_json()["details"]), response.get_json()
    assert count(app, TrainingSession) == 0 and count(app, SessionAttendee) == 0 and last_seq(app) == seq


def test_an_attendee_who_had_left_is_refused(app, client, root, maria):
    gone = add_person(app, "gone@clinic.example", "Gone Person", account_role=None, hire_date=date(2025, 1, 1))
    with app.app_context():
        staff = db.session.get(Staff, gone)
        update_staff(staff, StaffData(name=staff.name, email=staff.email, job_title="", roles=tuple(staff.roles),
                                      location_id=staff.location_id, hire_date=staff.hire_date,
                                      left_on=today() - timedelta(days=10)), "test")
        db.session.commit()
    response = post(client, SESSIONS, session_body([gone]), maria)
    assert response.status_code == 400 and "had left on" in response.get_json()["details"][0]


def test_staff_cannot_record_sessions(app, client, root, sam, staff_member):
    response = post(client, SESSIONS, session_body([staff_member]), sam)
    assert response.status_code == 403
    assert_documented(response, SESSIONS, "POST")
    assert count(app, TrainingSession) == 0


def test_the_openapi_document_describes_every_training_operation(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operations = {(path, method) for path, item in document["paths"].items() for method in item}
    assert {(ATTEMPTS, "post"), ("/staff/{staff_id}/certifications", "post"), ("/me/certifications", "post"),
            (SESSIONS, "post")} <= operations
    for name in ("QuizAttemptInput", "QuizAttemptResult", "CertificationInput", "OwnCertificationInput",
                 "CertificationRecord", "TrainingSessionInput", "TrainingSession"):
        assert name in document["components"]["schemas"]
