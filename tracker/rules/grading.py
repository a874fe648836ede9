"""Grading a quiz: a pure function of the module's answer key and the answers given.

No database and no Flask, so the boundaries (exactly the pass mark, one question short, a partly
right multiple choice) are pinned down by unit tests. The answer key never leaves the server: the
quiz page shows prompts and choices only, and explanations come back with the grade.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from portal.model import Module

ONE_ANSWER_TYPES = frozenset({"single", "true_false"})


class InvalidAnswers(ValueError):
    """The answers name questions or choices the module does not have; one message per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class Grade:
    correct: int
    questions: int
    score: int  # percent correct, rounded down
    passed: bool
    per_question: tuple[tuple[str, bool], ...]  # (question id, answered correctly), in quiz order


def check_answers(module: Module, answers: Mapping[str, Iterable[str]]) -> dict[str, frozenset[str]]:
    """The answers as sets of choice ids per question, or InvalidAnswers listing every problem.

    Unknown question or choice ids are refused rather than ignored: they come from a forged form or
    a client that read another version of the quiz. A single-answer question given two choices is
    refused too, since its form can only send one.
    """
    questions = {q.id: q for q in module.questions}
    problems, checked = [], {}
    for question_id, chosen in answers.items():
        question = questions.get(question_id)
        if question is None:
            problems.append(f"question '{question_id}' is not in this quiz")
            continue
        picked = frozenset(chosen)
        known = {c.id for c in question.choices}
        unknown = sorted(picked - known)
        if unknown:
            problems.append(f"question '{question_id}' has no choice {', '.join(repr(c) for c in unknown)} "
                            f"(its choices are {', '.join(sorted(known))})")
        elif question.type in ONE_ANSWER_TYPES and len(picked) > 1:
            problems.append(f"question '{question_id}' takes one answer, not {len(picked)}")
        else:
            checked[question_id] = picked
    if problems:
        raise InvalidAnswers(problems)
    return checked


def grade(module: Module, answers: Mapping[str, Iterable[str]]) -> Grade:
    """Grade ``answers`` (question id -> chosen choice ids) against ``module``'s answer key.

    A question is right only when the set chosen equals the set of correct choices, so a multiple
    choice question half answered is wrong. A question left out is wrong. The score is the percent
    right, rounded down; it passes at ``module.pass_mark`` or above (with a whole-number pass mark,
    rounding down never turns a pass into a fail).
    """
    chosen = check_answers(module, answers)
    per_question = tuple((q.id, chosen.get(q.id, frozenset()) == q.answers) for q in module.questions)
    correct = sum(right for _, right in per_question)
    total = len(per_question)
    score = correct * 100 // total if total else 0
    return Grade(correct=correct, questions=total, score=score, passed=score >= module.pass_mark,
                 per_question=per_question)
