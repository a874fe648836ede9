"""The JSON API for quizzes (served, then answered once) and in-person sessions: documented shapes,
400/403/404/409."""

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
START = "/modules/{module_id}/quiz"
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


def attempt_body(client, module_id: str, answers: dict[str, list[str]], headers: dict) -> dict:
    """Start the module's quiz (it must answer 201) and the body answering it."""
    started = post(client, f"/modules/{module_id}/quiz", None, headers)
    assert started.status_code == 201, started.get_data(as_text=True)
    return {"quiz_id": started.get_json()["quiz_id"],
            "answers": [{"question_id": q, "choice_ids": c} for q, c in answers.items()]}


def session_body(attendees, **changes) -> dict:
    return {"module_id": BBP, "held_on": (today() - timedelta(days=1)).isoformat(),
            "content_summary": "Elements (A)-(N).", "trainer_name": "Dr Ana Ruiz",
            "trainer_qualifications": "Physician.", "location_id": "northgate", "attendee_ids": list(attendees),
            **changes}


def post(client, path: str, body, headers):
    return client.post(f"/api/v1{path}", json=body, headers=headers)


def test_a_quiz_is_served_without_its_answers_in_a_new_order(app, client, root):
    add_person(app, "alex@clinic.example", "Alex Kim", roles=("medical-assistant",))
    alex = bearer(api_token(app, "alex@clinic.example"))
    response = post(client, f"/modules/{BBP}/quiz", None, alex)
    assert response.status_code == 201
    assert_documented(response, START, "POST")
    body = response.get_json()
    module = module_of(root, BBP)
    assert (body["module_id"], body["version"], body["fingerprint"]) == (BBP, 1, module.fingerprint)
    assert sorted(q["id"] for q in body["questions"]) == sorted(q.id for q in module.questions)
    assert "answers" not in response.get_data(as_text=True) and "explanation" not in response.get_data(as_text=True)
    orders = {tuple(q["id"] for q in post(client, f"/modules/{BBP}/quiz", None, alex).get_json()["questions"])
              for _ in range(30)}
    assert len(orders) > 1  # shuffled per serving


def test_a_passing_attempt_completes_the_module(app, client, root, sam, staff_member):
    body = attempt_body(client, HIPAA, {"phi": ["a"]}, sam)
    seq = last_seq(app)
    response = post(client, f"/modules/{HIPAA}/attempts", body, sam)
    assert response.status_code == 201
    assert_documented(response, ATTEMPTS, "POST")
    result = response.get_json()
    assert (result["score"], result["passed"], result["correct"], result["questions"]) == (100, True, 1, 1)
    assert result["completion_id"] is not None and result["in_person_required"] is False
    assert result["quiz_id"] == body["quiz_id"] and result["review_topics"] == []
    assert result["results"] == [{"question_id": "phi", "correct": True,
                                  "explanation": module_of(root, HIPAA).questions[0].explanation}]
    assert response.headers["Location"].endswith(f"/training/attempts/{result['attempt_id']}")
    with app.app_context():
        attempt = db.session.get(QuizAttempt, result["attempt_id"])
        assert (attempt.staff_id, attempt.answers, attempt.serving_id) == (staff_member, {"phi": ["a"]}, body["quiz_id"])
        completion = db.session.get(TrainingCompletion, result["completion_id"])
        assert (completion.method, completion.completed_on, completion.attempt_id) == ("quiz", today(), attempt.id)
    assert actions_since(app, seq) == ["quiz_attempt.recorded", "training_completion.recorded"]
    requirements = client.get("/api/v1/me/requirements", headers=sam).get_json()["items"]
    assert next(i for i in requirements if i["id"] == HIPAA)["status"] == "compliant"


def test_a_failed_attempt_gets_topics_to_review_not_the_answers(app, client, root, sam):
    response = post(client, f"/modules/{HIPAA}/attempts", attempt_body(client, HIPAA, {}, sam), sam)
    assert response.status_code == 201
    body = response.get_json()
    assert (body["score"], body["passed"], body["completion_id"], body["results"]) == (0, False, None, [])
    assert body["review_topics"] == list(module_of(root, HIPAA).objectives)  # the question has no topic
    assert count(app, QuizAttempt) == 1 and count(app, TrainingCompletion) == 0


def test_an_in_person_module_is_not_completed_by_its_quiz(app, client, root):
    add_person(app, "alex@clinic.example", "Alex Kim", roles=("medical-assistant",))
    alex = bearer(api_token(app, "alex@clinic.example"))
    answers = {"first-step": ["wash"], "ppe": ["goggles", "gloves"], "vaccine-free": ["true"]}
    body = post(client, f"/modules/{BBP}/attempts", attempt_body(client, BBP, answers, alex), alex).get_json()
    assert (body["passed"], body["in_person_required"], body["completion_id"]) == (True, True, None)
    assert sorted(r["question_id"] for r in body["results"]) == ["first-step", "ppe", "vaccine-free"]
    assert count(app, TrainingCompletion) == 0


@pytest.mark.parametrize(("answers", "detail"), [
    ([{"question_id": "phi", "choice_ids": ["z"]}], "answers: question 'phi' has no choice 'z'"),
    ([{"question_id": "nope", "choice_ids": ["a"]}], "answers: question 'nope' is not in this quiz"),
    ([{"question_id": "phi", "choice_ids": ["a", "b"]}], "answers: question 'phi' takes one answer, not 2"),
    ([{"question_id": "phi", "choice_ids": ["a"]}, {"question_id": "phi", "choice_ids": ["b"]}],
     "answers: question 'phi' is answered twice"),
])
def test_invalid_answers_are_400_and_record_nothing(app, client, root, sam, answers, detail):
    body = {**attempt_body(client, HIPAA, {}, sam), "answers": answers}
    response = post(client, f"/modules/{HIPAA}/attempts", body, sam)
    assert response.status_code == 400
    assert_documented(response, ATTEMPTS, "POST")
    assert any(d.startswith(detail) for d in response.get_json()["details"])
    assert count(app, QuizAttempt) == 0


@pytest.mark.parametrize("body", [
    {"answers": []},
    {"quiz_id": 1},
    {"answers": [{"question_id": "phi"}], "quiz_id": 1},
    {"answers": [], "quiz_id": "1"},
    {"answers": [], "quiz_id": 9223372036854775808},
    {"answers": [], "quiz_id": 1, "staff_id": 2},
])
def test_a_body_that_breaks_the_schema_is_400(client, sam, body):
    response = post(client, f"/modules/{HIPAA}/attempts", body, sam)
    assert response.status_code == 400 and response.get_json()["details"]


def test_answers_to_a_quiz_served_before_the_module_changed_are_409(app, client, root, sam, tmp_path):
    body = attempt_body(client, HIPAA, {"phi": ["a"]}, sam)
    newer = copy_content(tmp_path / "v2")
    edit(newer, "training/hipaa-basics.yml", "version: 1", "version: 2")
    edit(newer, "training/hipaa-basics.yml", "Any health information", "Any health information at all")
    with app.app_context():
        sync(newer, "test")
    response = post(client, f"/modules/{HIPAA}/attempts", body, sam)
    assert response.status_code == 409
    assert_documented(response, ATTEMPTS, "POST")
    assert "the module has changed since this quiz was served" in response.get_json()["details"][0]
    assert response.get_json()["current"]["version"] == 2
    assert count(app, QuizAttempt) == 0


def test_a_quiz_is_answered_once_by_the_person_it_was_served_to(app, client, root, sam, staff_member):
    body = attempt_body(client, HIPAA, {"phi": ["b"]}, sam)
    assert post(client, f"/modules/{HIPAA}/attempts", body, sam).status_code == 201
    again = post(client, f"/modules/{HIPAA}/attempts", {**body, "answers": []}, sam)
    assert again.status_code == 409 and again.get_json()["attempt_id"]
    assert_documented(again, ATTEMPTS, "POST")
    add_person(app, "kim@clinic.example", "Kim Lee")
    kim = bearer(api_token(app, "kim@clinic.example"))
    fresh = attempt_body(client, HIPAA, {"phi": ["a"]}, sam)
    assert post(client, f"/modules/{HIPAA}/attempts", fresh, kim).status_code == 404
    assert count(app, QuizAttempt) == 1


def test_an_unknown_module_or_quiz_is_404(client, sam):
    body = {"answers": [], "quiz_id": 1}
    for module_id in ("no-such-module", "Not_A_Slug"):
        response = post(client, f"/modules/{module_id}/attempts", body, sam)
        assert response.status_code == 404
        assert_documented(response, ATTEMPTS, "POST")
        assert post(client, f"/modules/{module_id}/quiz", None, sam).status_code == 404
    assert post(client, f"/modules/{HIPAA}/attempts", {"answers": [], "quiz_id": 2147483647}, sam).status_code == 404


def test_attempts_need_authentication_and_cookie_writes_need_csrf(app, client, root, staff_member):
    assert post(client, f"/modules/{HIPAA}/quiz", None, {}).status_code == 401
    assert post(client, f"/modules/{HIPAA}/attempts", {"answers": [], "quiz_id": 1}, {}).status_code == 401
    sign_in(client, "sam@clinic.example")
    assert post(client, f"/modules/{HIPAA}/quiz", None, {}).status_code == 400  # no X-CSRFToken
    token = {"X-CSRFToken": csrf_token(client.get("/training").get_data(as_text=True))}
    body = attempt_body(client, HIPAA, {"phi": ["a"]}, token)
    assert post(client, f"/modules/{HIPAA}/attempts", body, {}).status_code == 400
    assert post(client, f"/modules/{HIPAA}/attempts", body, token).status_code == 201


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
    assert {(START, "post"), (ATTEMPTS, "post"), ("/staff/{staff_id}/certifications", "post"), ("/me/certifications", "post"),
            (SESSIONS, "post")} <= operations
    for name in ("ServedQuiz", "QuizAttemptInput", "QuizAttemptResult", "CertificationInput", "OwnCertificationInput",
                 "CertificationRecord", "TrainingSessionInput", "TrainingSession"):
        assert name in document["components"]["schemas"]
