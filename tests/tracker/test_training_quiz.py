"""Taking a module's quiz through the HTML pages: started from the module's page, no answers sent
early, graded on the server once per quiz served, a pass completes (unless in person is required),
every attempt recorded and audited. Guessing defences: tests/security/test_quiz_guessing.py."""

import html

import pytest
from sqlalchemy import select
from tracker_helpers import add_person, copy_content, csrf_token, edit, sign_in
from training_helpers import (
    BBP,
    HIPAA,
    actions_since,
    answer_fields,
    count,
    extend_content,
    last_seq,
    module_of,
    quiz_fields,
    start_quiz,
    take_quiz,
)
from werkzeug.datastructures import MultiDict

from tracker.services.sync import sync
from tracker.storage.db import db, today
from tracker.storage.models import QuizAttempt, TrainingCompletion

RIGHT_BBP = {"first-step": ["wash"], "ppe": ["gloves", "goggles"], "vaccine-free": ["true"]}


@pytest.fixture
def root(app, tmp_path):
    return extend_content(app, tmp_path)


@pytest.fixture
def alex(app, root) -> int:
    """A medical assistant, who must do the in-person bloodborne pathogens training."""
    return add_person(app, "alex@clinic.example", "Alex Kim", roles=("medical-assistant",))


def page_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_my_training_lists_what_applies_with_status_due_date_and_link(client, staff_member):
    sign_in(client, "sam@clinic.example")
    page = page_of(client.get("/training"))
    assert "HIPAA basics" in page and "To do" in page and "Due " in page
    assert f'href="/training/{HIPAA}"' in page
    assert 'href="/training">My training</a>' in client.get("/policies").get_data(as_text=True)


def test_the_in_person_module_is_listed_with_what_completes_it(client, alex):
    sign_in(client, "alex@clinic.example")
    page = page_of(client.get("/training"))
    assert "Bloodborne pathogens" in page and "Completed at an in-person session" in page


def test_the_quiz_page_shows_the_archived_content_and_never_the_answers(client, root, alex):
    sign_in(client, "alex@clinic.example")
    module_page = page_of(client.get(f"/training/{BBP}"))
    assert "<h2>After a needlestick</h2>" in module_page and "Act correctly after a needlestick." in module_page
    assert "Start the quiz" in module_page
    page = page_of(client.get(start_quiz(client, BBP)))
    module = module_of(root, BBP)
    for question in module.questions:
        assert question.prompt in page
        assert question.explanation not in page
    # Every choice is offered alike: nothing marks the right ones, nothing is preselected.
    offered = answer_fields(page)
    assert sorted(offered) == sorted((f"answer-{q.id}", c.id) for q in module.questions for c in q.choices)
    assert "checked" not in page and "correct" not in page.lower().split('id="quiz-heading"')[1]
    assert 'type="checkbox" id="answer-ppe-gloves"' in page and 'type="radio" id="answer-first-step-wash"' in page


def test_passing_completes_the_module_with_evidence_and_audit_events(app, client, staff_member):
    sign_in(client, "sam@clinic.example")
    seq = last_seq(app)
    response = take_quiz(client, HIPAA, {"phi": ["a"]})
    assert response.status_code == 303
    result = page_of(client.get(response.headers["Location"]))
    assert "100% (1 of 1 right)" in result and "Passed" in result
    assert f"recorded as completed on {today().isoformat()}" in result
    assert "An appointment tied to a named person" in result  # explanations once graded
    with app.app_context():
        attempt = db.session.scalars(select(QuizAttempt)).one()
        assert (attempt.staff_id, attempt.answers, attempt.correct, attempt.questions, attempt.score,
                attempt.passed) == (staff_member, {"phi": ["a"]}, 1, 1, 100, True)
        assert attempt.ip_address == "127.0.0.1" and attempt.user_agent.startswith("Werkzeug")
        assert attempt.module_version.module_id == HIPAA
        completion = db.session.scalars(select(TrainingCompletion)).one()
        assert (completion.method, completion.completed_on, completion.attempt_id, completion.staff_id) == (
            "quiz", today(), attempt.id, staff_member)
    assert actions_since(app, seq) == ["quiz.served", "quiz_attempt.recorded", "training_completion.recorded"]
    assert "Done" in client.get("/training").get_data(as_text=True)


def test_failing_completes_nothing_and_a_retry_can_pass(app, client, staff_member):
    sign_in(client, "sam@clinic.example")
    failed = page_of(client.get(take_quiz(client, HIPAA, {"phi": ["b"]}).headers["Location"]))
    assert "0% (0 of 1 right)" in failed and "Not passed" in failed and "What to go over again" in failed
    assert "Wrong" not in failed and "An appointment tied to a named person" not in failed  # no answers yet
    assert count(app, TrainingCompletion) == 0 and count(app, QuizAttempt) == 1
    assert f'href="/training/{HIPAA}">Back to the module' in failed
    assert "To do" in client.get("/training").get_data(as_text=True)

    assert take_quiz(client, HIPAA, {"phi": ["a"]}).status_code == 303
    assert count(app, QuizAttempt) == 2 and count(app, TrainingCompletion) == 1
    with app.app_context():
        scores = [a.score for a in db.session.scalars(select(QuizAttempt).order_by(QuizAttempt.id))]
    assert scores == [0, 100]
    history = page_of(client.get(f"/training/{HIPAA}"))
    assert "Not passed" in history and "Passed" in history and "Completed on" in history


def test_unanswered_questions_count_as_wrong(app, client, staff_member):
    sign_in(client, "sam@clinic.example")
    response = take_quiz(client, HIPAA, {})
    assert response.status_code == 303
    assert "What to go over again" in page_of(client.get(response.headers["Location"]))
    with app.app_context():
        assert db.session.scalars(select(QuizAttempt)).one().score == 0


def test_a_partly_right_multiple_choice_is_wrong(app, client, alex):
    sign_in(client, "alex@clinic.example")
    response = take_quiz(client, BBP, {**RIGHT_BBP, "ppe": ["gloves"]})
    result = page_of(client.get(response.headers["Location"]))
    assert "66% (2 of 3 right)" in result and "Passed" in result  # pass mark 60
    assert result.count("Wrong") == 1


def test_passing_an_in_person_module_quiz_does_not_complete_it(app, client, alex):
    sign_in(client, "alex@clinic.example")
    seq = last_seq(app)
    result = page_of(client.get(take_quiz(client, BBP, RIGHT_BBP).headers["Location"]))
    assert "100%" in result and "Passed" in result
    assert "this training is not complete yet: it is completed only at an in-person" in result
    assert count(app, TrainingCompletion) == 0
    assert actions_since(app, seq) == ["quiz.served", "quiz_attempt.recorded"]
    assert "To do" in client.get("/training").get_data(as_text=True).split("Bloodborne pathogens")[1][:300]


def test_answers_to_a_superseded_version_are_refused_with_409(app, client, staff_member, tmp_path):
    sign_in(client, "sam@clinic.example")
    old_url, old_form = quiz_fields(client, HIPAA)
    root = copy_content(tmp_path)
    edit(root, "training/hipaa-basics.yml", "version: 1", "version: 2")
    edit(root, "training/hipaa-basics.yml", "Any health information", "Any health information at all")
    with app.app_context():
        sync(root, "test")
    events = last_seq(app)
    response = client.post(old_url, data={**old_form, "answer-phi": "a"})
    assert response.status_code == 409
    page = page_of(response)
    assert "the module has changed since this quiz was served" in page and f'href="/training/{HIPAA}"' in page
    assert count(app, QuizAttempt) == 0 and last_seq(app) == events
    assert take_quiz(client, HIPAA, {"phi": ["a"]}).status_code == 303  # the reloaded page works


def test_a_quiz_is_answered_once_and_only_by_the_person_it_was_served_to(app, client, staff_member):
    sign_in(client, "sam@clinic.example")
    url, form = quiz_fields(client, HIPAA)
    first = client.post(url, data={**form, "answer-phi": "b"})
    again = client.post(url, data={**form, "answer-phi": "a"})
    assert first.status_code == again.status_code == 303 and again.headers["Location"] == first.headers["Location"]
    assert count(app, QuizAttempt) == 1
    add_person(app, "kim@clinic.example", "Kim Lee")
    other = app.test_client()
    sign_in(other, "kim@clinic.example")
    assert other.get(url).status_code == 404
    assert other.post(url, data={"csrf_token": csrf_token(other.get("/training").get_data(as_text=True)),
                                 "answer-phi": "a"}).status_code == 404
    assert count(app, QuizAttempt) == 1


@pytest.mark.parametrize(("answers", "message"), [
    ([("answer-phi", "z")], "question 'phi' has no choice 'z'"),
    ([("answer-bogus", "a")], "question 'bogus' is not in this quiz"),
    ([("answer-phi", "a"), ("answer-phi", "b")], "question 'phi' takes one answer, not 2"),
    ([("answer-phi", "")], "question 'phi' has no choice ''"),
])
def test_forged_answers_are_refused_with_400_and_nothing_recorded(app, client, staff_member, answers, message):
    sign_in(client, "sam@clinic.example")
    url, form = quiz_fields(client, HIPAA)
    events = last_seq(app)
    response = client.post(url, data=MultiDict([*form.items(), *answers]))
    assert response.status_code == 400
    assert message in page_of(response) and "Nothing was recorded" in page_of(response)
    assert count(app, QuizAttempt) == 0 and last_seq(app) == events


def test_other_fields_are_ignored(app, client, staff_member):
    sign_in(client, "sam@clinic.example")
    url, form = quiz_fields(client, HIPAA)
    data = {**form, "answer-phi": "a", "score": "100", "staff_id": "99", "passed": "y"}
    assert client.post(url, data=data).status_code == 303
    with app.app_context():
        assert db.session.scalars(select(QuizAttempt)).one().staff_id == staff_member


def test_without_the_csrf_token_nothing_is_recorded(app, client, staff_member):
    sign_in(client, "sam@clinic.example")
    url, _ = quiz_fields(client, HIPAA)
    response = client.post(url, data={"answer-phi": "a"})
    assert response.status_code == 400 and "CSRF token is missing" in response.get_data(as_text=True)
    start = client.post(f"/training/{HIPAA}/quiz", data={})
    assert start.status_code == 400
    assert count(app, QuizAttempt) == 0


def test_unknown_modules_and_attempts_are_404(client, staff_member):
    sign_in(client, "sam@clinic.example")
    assert client.get("/training/no-such-module").status_code == 404
    token = csrf_token(client.get("/training").get_data(as_text=True))
    assert client.post("/training/no-such-module/quiz", data={"csrf_token": token}).status_code == 404
    assert client.get("/training/quiz/1").status_code == 404
    assert client.get("/training/attempts/1").status_code == 404
    assert client.get("/training/attempts/99999999999").status_code == 404


def test_an_attempt_is_seen_by_its_taker_and_managers_only(app, client, staff_member, manager):
    sign_in(client, "sam@clinic.example")
    url = take_quiz(client, HIPAA, {"phi": ["a"]}).headers["Location"]
    add_person(app, "kim@clinic.example", "Kim Lee")
    other = app.test_client()
    sign_in(other, "kim@clinic.example")
    assert other.get(url).status_code == 404
    boss = app.test_client()
    sign_in(boss, "maria@clinic.example")
    page = page_of(boss.get(url))
    assert "Sam Carter" in page and "Open the module" in page


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for url in ("/training", f"/training/{HIPAA}", "/training/attempts/1", "/training/quiz/1"):
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
