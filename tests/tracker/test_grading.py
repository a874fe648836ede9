"""Grading at its boundaries: exactly the pass mark, one short, partial multiple choice, bad ids."""

from dataclasses import replace
from datetime import date

import pytest

from portal.model import Choice, Module, Question
from tracker.rules.grading import InvalidAnswers, grade


def question(qid: str, answers=("a",), kind: str = "single", choices=("a", "b", "c")) -> Question:
    return Question(id=qid, type=kind, prompt=f"Prompt {qid}?", choices=tuple(Choice(c, c.upper()) for c in choices),
                    answers=frozenset(answers), explanation=f"Because {qid}.")


def module(questions, pass_mark: int = 80) -> Module:
    return Module(id="m", title="M", version=1, effective_date=date(2026, 1, 1), summary="s", audience=("all",),
                  deadline_days_after_hire=None, deadline_counts="calendar_days", recurrence_months=None,
                  pass_mark=pass_mark, objectives=("o",), content="c", questions=tuple(questions),
                  fingerprint="0" * 64, source="m.yml")


FIVE = module([question(f"q{n}") for n in range(1, 6)], pass_mark=80)


def right(count: int) -> dict[str, list[str]]:
    """The first ``count`` of FIVE answered right, the rest wrong."""
    return {f"q{n}": ["a"] if n <= count else ["b"] for n in range(1, 6)}


def test_exactly_the_pass_mark_passes():
    result = grade(FIVE, right(4))
    assert (result.correct, result.questions, result.score, result.passed) == (4, 5, 80, True)


def test_one_question_below_the_pass_mark_fails():
    result = grade(FIVE, right(3))
    assert (result.correct, result.score, result.passed) == (3, 60, False)


def test_all_right_scores_100_and_per_question_follows_quiz_order():
    result = grade(FIVE, dict(reversed(list(right(5).items()))))
    assert result.score == 100 and result.passed
    assert result.per_question == tuple((f"q{n}", True) for n in range(1, 6))


def test_the_score_rounds_down_without_turning_a_pass_into_a_fail():
    thirds = module([question("x"), question("y"), question("z")], pass_mark=66)
    assert (grade(thirds, {"x": ["a"], "y": ["a"]}).score, grade(thirds, {"x": ["a"], "y": ["a"]}).passed) == (66, True)
    assert grade(replace(thirds, pass_mark=67), {"x": ["a"], "y": ["a"]}).passed is False


def test_multiple_choice_partly_right_is_wrong_and_order_does_not_matter():
    quiz = module([question("multi", answers=("a", "c"), kind="multiple")], pass_mark=100)
    assert grade(quiz, {"multi": ["c", "a"]}).passed
    assert grade(quiz, {"multi": ["a"]}).per_question == (("multi", False),)
    assert grade(quiz, {"multi": ["a", "b", "c"]}).per_question == (("multi", False),)
    assert grade(quiz, {"multi": ["a", "a", "c"]}).passed  # a choice sent twice is still one choice


def test_unanswered_questions_count_as_wrong():
    result = grade(FIVE, {"q1": ["a"], "q2": []})
    assert (result.correct, result.score, result.passed) == (1, 20, False)
    assert grade(FIVE, {}).score == 0


def test_unknown_question_ids_are_rejected():
    with pytest.raises(InvalidAnswers, match="question 'q9' is not in this quiz"):
        grade(FIVE, {**right(5), "q9": ["a"]})


def test_unknown_choice_ids_are_rejected_with_every_problem_listed():
    with pytest.raises(InvalidAnswers) as raised:
        grade(FIVE, {"q1": ["z"], "q2": ["a", "correct"], "nope": []})
    assert raised.value.problems == ["question 'q1' has no choice 'z' (its choices are a, b, c)",
                                     "question 'q2' has no choice 'correct' (its choices are a, b, c)",
                                     "question 'nope' is not in this quiz"]


def test_a_single_answer_question_takes_one_answer():
    with pytest.raises(InvalidAnswers, match="takes one answer, not 2"):
        grade(FIVE, {"q1": ["a", "b"]})
    true_false = module([question("tf", answers=("true",), kind="true_false", choices=("true", "false"))], 100)
    with pytest.raises(InvalidAnswers):
        grade(true_false, {"tf": ["true", "false"]})
    assert grade(true_false, {"tf": ["true"]}).passed
