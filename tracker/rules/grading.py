"""Grading a quiz: a pure function of the module's answer key and the answers given.

No database and no Flask, so the boundaries (exactly the pass mark, one question short, a partly
right multiple choice) are pinned down by unit tests. The answer key never leaves the server: the
quiz page shows prompts and choices only. A failed attempt learns its score and the topics to
review, never which answers were right; the full review with explanations comes with a pass. After
failed attempts in a row, a pause (the module's or office's cool-down) comes before the next one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from portal.model import Cooldown, Module, Question

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


def asked(module: Module, question_ids: Sequence[str] | None = None) -> tuple[Question, ...]:
    """The module's questions that were asked, in the order asked (all of them, by default)."""
    if question_ids is None:
        return module.questions
    by_id = {q.id: q for q in module.questions}
    return tuple(by_id[question_id] for question_id in question_ids if question_id in by_id)


def check_answers(module: Module, answers: Mapping[str, Iterable[str]],
                  question_ids: Sequence[str] | None = None) -> dict[str, frozenset[str]]:
    """The answers as sets of choice ids per question, or InvalidAnswers listing every problem.

    Unknown question or choice ids are refused rather than ignored: they come from a forged form or
    a client that read another version of the quiz. A single-answer question given two choices is
    refused too, since its form can only send one.
    """
    questions = {q.id: q for q in asked(module, question_ids)}
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


def grade(module: Module, answers: Mapping[str, Iterable[str]], question_ids: Sequence[str] | None = None) -> Grade:
    """Grade ``answers`` (question id -> chosen choice ids) against ``module``'s answer key, for the
    questions asked (``question_ids``; all of the module's by default).

    A question is right only when the set chosen equals the set of correct choices, so a multiple
    choice question half answered is wrong. A question left out is wrong. The score is the percent
    right, rounded down; it passes at ``module.pass_mark`` or above (with a whole-number pass mark,
    rounding down never turns a pass into a fail).
    """
    chosen = check_answers(module, answers, question_ids)
    per_question = tuple((q.id, chosen.get(q.id, frozenset()) == q.answers) for q in asked(module, question_ids))
    correct = sum(right for _, right in per_question)
    total = len(per_question)
    score = correct * 100 // total if total else 0
    return Grade(correct=correct, questions=total, score=score, passed=score >= module.pass_mark,
                 per_question=per_question)


def topics_to_review(module: Module, grade: Grade) -> tuple[str, ...]:
    """What to go over after a failed attempt, without saying which answers were wrong: the topics
    of the questions missed, in module order, or the module's objectives when one has no topic."""
    missed = {question_id for question_id, right in grade.per_question if not right}
    questions = [q for q in module.questions if q.id in missed]
    if any(not q.topic for q in questions):
        return module.objectives
    return tuple(dict.fromkeys(q.topic for q in questions))


def cooldown_ends(results: Sequence[tuple[datetime, bool]], cooldown: Cooldown) -> datetime | None:
    """When the next attempt may start, given earlier attempts (time, passed), newest first: None
    unless the latest ``cooldown.after_failures`` attempts all failed."""
    recent = results[:cooldown.after_failures]
    if len(recent) < cooldown.after_failures or any(passed for _, passed in recent):
        return None
    return recent[0][0] + timedelta(minutes=cooldown.minutes)
