"""Finding 7: the training quiz could be passed by guessing. Each attempt said which questions were
right and attempts were unlimited, so a script passed in four attempts within 50 ms.

Now a quiz is served before it is answered, answered once, in a new order with the choices shuffled
(and drawn from a pool when the module says so); a failed attempt tells the score and the topics to
review, not which answers were right; failures in a row bring a cool-down; the full review with
explanations comes with a pass. The API follows the same rules as the pages.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from security_helpers import holdings
from tracker_helpers import add_person, api_token, bearer, copy_content, csrf_token, sign_in
from training_helpers import answer_fields, start_quiz

from portal.model import Cooldown
from tracker.services import quizzes, served_catalogue
from tracker.services.sync import sync
from tracker.storage.db import utcnow

DRILL = "guessing-drill"
# Four questions of four choices, three drawn per attempt; a pass needs all three right.
QUESTIONS = "".join(f"""
    - id: q{n}
      type: single
      topic: Fact {n}
      prompt: Which is fact {n}?
      choices:
        - {{id: a, text: Fact {n} is A}}
        - {{id: b, text: Fact {n} is B}}
        - {{id: c, text: Fact {n} is C}}
        - {{id: d, text: Fact {n} is D}}
      answers: [a]
      explanation: Fact {n} is A, as the module says.""" for n in range(1, 5))
DRILL_MODULE = f"""\
id: {DRILL}
title: Guessing drill
version: 1
effective_date: 2026-01-15
summary: Four facts, three asked at a time.
audience: [all]
recurrence_months: 12
recurrence_basis: Office setting.
pass_mark: 100
objectives:
  - Know the four facts.
content: |
  ## The facts
  Each fact is A.
quiz:
  draw: 3
  cooldown: {{after_failures: 2, minutes: 30}}
  questions:{QUESTIONS}
"""


@pytest.fixture
def drill(app, tmp_path):
    root = copy_content(tmp_path)
    (root / "training" / f"{DRILL}.yml").write_text(DRILL_MODULE, "utf-8")
    with app.app_context():
        sync(root, "test")
    app.config["TRACKER_CONTENT_DIR"] = root
    return root


@pytest.fixture
def sam(app, staff_member) -> dict:
    return bearer(api_token(app, "sam@clinic.example"))


def post(client, path: str, body, headers):
    return client.post(f"/api/v1{path}", json=body, headers=headers)


def answer(quiz: dict, choice: str) -> list[dict]:
    return [{"question_id": q["id"], "choice_ids": [choice]} for q in quiz["questions"]]


def test_a_guessing_script_is_stopped_by_the_cooldown_and_learns_nothing(app, client, drill, sam):
    """The probe's script: try answer sheets as fast as it can. It never sees which answers were
    right, and after two failures it must wait half an hour."""
    statuses, leaked = [], []
    for guess in itertools.islice(itertools.cycle("bcd"), 6):
        started = post(client, f"/modules/{DRILL}/quiz", None, sam)
        statuses.append(started.status_code)
        if started.status_code != 201:
            continue
        quiz = started.get_json()
        result = post(client, f"/modules/{DRILL}/attempts", {"quiz_id": quiz["quiz_id"], "answers": answer(quiz, guess)},
                      sam).get_json()
        assert result["passed"] is False
        leaked += result["results"]
        assert result["review_topics"] and set(result["review_topics"]) <= {f"Fact {n}" for n in range(1, 5)}
    assert statuses == [201, 201, 429, 429, 429, 429]
    assert leaked == []
    refused = post(client, f"/modules/{DRILL}/quiz", None, sam)
    assert 1790 <= int(refused.headers["Retry-After"]) <= 1800
    assert refused.get_json()["next_attempt_at"].endswith("Z") and "go over the module again" in refused.get_json()["error"]


def test_answers_cannot_be_posted_blind(app, client, drill, sam):
    before = holdings(app)
    blind = {"quiz_id": 1, "answers": [{"question_id": f"q{n}", "choice_ids": ["a"]} for n in range(1, 4)]}
    assert post(client, f"/modules/{DRILL}/attempts", blind, sam).status_code == 404
    legacy = {"version": 1, "fingerprint": "0" * 64, "answers": blind["answers"]}  # the old way
    assert post(client, f"/modules/{DRILL}/attempts", legacy, sam).status_code == 400
    assert holdings(app) == before


def test_each_serving_draws_and_orders_afresh(app, client, drill, sam):
    drawn, orders, choice_orders = set(), set(), set()
    for _ in range(25):
        quiz = post(client, f"/modules/{DRILL}/quiz", None, sam).get_json()
        ids = tuple(q["id"] for q in quiz["questions"])
        assert len(ids) == 3 and len(set(ids)) == 3 and "answers" not in str(quiz)
        drawn.add(frozenset(ids))
        orders.add(ids)
        choice_orders.add(tuple(c["id"] for c in quiz["questions"][0]["choices"]))
    assert len(drawn) > 1 and len(orders) > 3 and len(choice_orders) > 3


def test_only_the_questions_served_are_graded(app, client, drill, sam):
    quiz = post(client, f"/modules/{DRILL}/quiz", None, sam).get_json()
    asked = {q["id"] for q in quiz["questions"]}
    unasked = ({"q1", "q2", "q3", "q4"} - asked).pop()
    response = post(client, f"/modules/{DRILL}/attempts", {
        "quiz_id": quiz["quiz_id"], "answers": [{"question_id": unasked, "choice_ids": ["a"]}]}, sam)
    assert response.status_code == 400 and f"question '{unasked}' is not in this quiz" in str(response.get_json())
    result = post(client, f"/modules/{DRILL}/attempts", {"quiz_id": quiz["quiz_id"], "answers": answer(quiz, "a")},
                  sam).get_json()
    assert (result["passed"], result["questions"], result["review_topics"]) == (True, 3, [])
    assert [r["question_id"] for r in result["results"]] == [q["id"] for q in quiz["questions"]]
    assert all(r["explanation"].endswith("as the module says.") for r in result["results"])


def test_the_cooldown_ends_and_a_pass_resets_it(app, client, drill, sam, monkeypatch):
    for _ in range(2):
        quiz = post(client, f"/modules/{DRILL}/quiz", None, sam).get_json()
        post(client, f"/modules/{DRILL}/attempts", {"quiz_id": quiz["quiz_id"], "answers": []}, sam)
    assert post(client, f"/modules/{DRILL}/quiz", None, sam).status_code == 429
    later = utcnow() + timedelta(minutes=31)
    monkeypatch.setattr(quizzes, "utcnow", lambda: later)
    quiz = post(client, f"/modules/{DRILL}/quiz", None, sam).get_json()
    passed = post(client, f"/modules/{DRILL}/attempts", {"quiz_id": quiz["quiz_id"], "answers": answer(quiz, "a")},
                  sam).get_json()
    assert passed["passed"] is True
    assert post(client, f"/modules/{DRILL}/quiz", None, sam).status_code == 201


def test_quizzes_served_before_the_failures_cannot_be_used_to_skip_the_cooldown(app, client, drill, sam):
    served = [post(client, f"/modules/{DRILL}/quiz", None, sam).get_json() for _ in range(4)]
    codes = [post(client, f"/modules/{DRILL}/attempts", {"quiz_id": quiz["quiz_id"], "answers": []}, sam).status_code
             for quiz in served]
    assert codes == [201, 201, 429, 429]


def test_the_pages_follow_the_same_rules(app, client, drill, staff_member):
    sign_in(client, "sam@clinic.example")
    for _ in range(2):
        url = start_quiz(client, DRILL)
        page = client.get(url).get_data(as_text=True)
        first_question = answer_fields(page)[0][0]
        failed = client.post(url, data={"csrf_token": csrf_token(page), first_question: "b"})
        result = client.get(failed.headers["Location"]).get_data(as_text=True)
        assert "Not passed" in result and "What to go over again" in result
        assert "Right" not in result and "Wrong" not in result and "as the module says" not in result
    module_page = client.get(f"/training/{DRILL}").get_data(as_text=True)
    assert "the next attempt can start at" in module_page and "Start the quiz" not in module_page
    refused = client.post(f"/training/{DRILL}/quiz", data={"csrf_token": csrf_token(module_page)})
    assert refused.status_code == 429 and "go over the module again" in refused.get_data(as_text=True)


def test_a_module_without_its_own_cooldown_uses_the_office_setting(app, client, drill, staff_member):
    add_person(app, "kim@clinic.example", "Kim Lee")
    kim = bearer(api_token(app, "kim@clinic.example"))
    codes = []
    for _ in range(4):  # hipaa-basics sets none; the fixture office sets none: 3 failures, 15 minutes
        started = post(client, "/modules/hipaa-basics/quiz", None, kim)
        codes.append(started.status_code)
        if started.status_code == 201:
            post(client, "/modules/hipaa-basics/attempts", {"quiz_id": started.get_json()["quiz_id"],
                                                             "answers": []}, kim)
    assert codes == [201, 201, 201, 429]
    with app.app_context():
        assert served_catalogue.required().settings.quiz_cooldown == Cooldown(after_failures=3, minutes=15)
