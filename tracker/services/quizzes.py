"""Taking a quiz as a learning system does: served first, answered once, no guessing by repetition.

- A quiz is served to one person (:func:`serve`): the module's questions, or a random draw of them
  (``quiz.draw``), each time in a new order with the choices shuffled; the serving is recorded.
- Answers are graded only against a quiz served to the person sending them, once (:func:`submit`),
  so a script cannot post answer sheets blind.
- A failed attempt tells the score and the topics to review (tracker.rules.grading), not which
  answers were right; after failed attempts in a row a cool-down comes before the next one.

Shared by the web pages (tracker.web.training) and the API (tracker.api.training).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.model import Cooldown, Module
from tracker.rules.grading import cooldown_ends
from tracker.services import audit, served_catalogue, training
from tracker.services.acknowledgements import Origin
from tracker.services.training import AttemptResult
from tracker.services.validation import get_row
from tracker.services.versions import StaleVersion
from tracker.storage.db import db, utcnow
from tracker.storage.models import ModuleVersion, QuizAttempt, QuizServing, Staff, User

FIXED_ORDER_TYPES = frozenset({"true_false"})  # "True" before "False" reads better than shuffled


class CoolingDown(Exception):
    """Failed attempts in a row: the next one may start at ``until``."""

    def __init__(self, until: datetime, cooldown: Cooldown):
        self.until, self.cooldown = until, cooldown
        super().__init__(f"The last {cooldown.after_failures} attempts at this quiz were not passed: take time to "
                         f"go over the module again. The next attempt can start at {until:%H:%M} UTC on "
                         f"{until:%Y-%m-%d} ({cooldown.minutes} minutes after the last one).")


class UnknownQuiz(LookupError):
    """No quiz with that id was served to this person for this module."""


class AlreadyAnswered(Exception):
    """This served quiz has been answered; each is answered once (start another)."""

    def __init__(self, attempt_id: int):
        self.attempt_id = attempt_id
        super().__init__("These answers were already sent for this quiz: start the quiz again for another attempt.")


def cooldown_of(module: Module) -> Cooldown:
    return module.quiz_cooldown or served_catalogue.required().settings.quiz_cooldown


def next_attempt_at(staff_id: int, module: Module) -> datetime | None:
    """When the person may start the next attempt, if a cool-down is running now."""
    results = [(a.attempted_at, a.passed) for a in training.attempts_of(staff_id, module.id)]
    ends = cooldown_ends(results, cooldown_of(module))
    return ends if ends is not None and ends > utcnow() else None


def _check_cooldown(staff_id: int, module: Module) -> None:
    until = next_attempt_at(staff_id, module)
    if until is not None:
        raise CoolingDown(until, cooldown_of(module))


def serve(staff: Staff, module_id: str, user: User) -> QuizServing:
    """Serve the module's current quiz to ``staff``: drawn and shuffled, recorded, committed."""
    module, version = training.current_module(module_id)
    _check_cooldown(staff.id, module)
    shuffler = secrets.SystemRandom()
    count = min(module.quiz_draw or len(module.questions), len(module.questions))
    layout: list[list[Any]] = []
    for question in shuffler.sample(module.questions, count):
        choices = [c.id for c in question.choices]
        if question.type not in FIXED_ORDER_TYPES:
            shuffler.shuffle(choices)
        layout.append([question.id, choices])
    serving = QuizServing(staff_id=staff.id, module_version_id=version.id, layout=layout, served_at=utcnow())
    db.session.add(serving)
    db.session.flush()
    audit.record(user.audit_name, "quiz.served", f"quiz_serving:{serving.id}", {
        "staff_id": staff.id, "module_id": module_id, "version": version.version, "layout": layout})
    db.session.commit()
    return serving


def served_quiz(staff: Staff, quiz_id: object, module_id: str | None = None) -> QuizServing:
    """The quiz served to ``staff`` with this id (of this module, if given), or UnknownQuiz."""
    serving = get_row(QuizServing, quiz_id)
    if serving is None or serving.staff_id != staff.id or (
            module_id is not None and serving.module_version.module_id != module_id):
        raise UnknownQuiz(quiz_id)
    return serving


def answer_of(serving: QuizServing) -> QuizAttempt | None:
    return db.session.scalar(select(QuizAttempt).where(QuizAttempt.serving_id == serving.id))


def questions_view(serving: QuizServing, module: Module) -> list[dict[str, Any]]:
    """What the quiz page may show, in the order served: prompts and choices, never the answers."""
    questions = {q.id: q for q in module.questions}
    view = []
    for question_id, choice_ids in serving.layout:
        question = questions[str(question_id)]
        texts = {c.id: c.text for c in question.choices}
        view.append({"id": question.id, "type": question.type, "prompt": question.prompt,
                     "choices": [{"id": choice_id, "text": texts[choice_id]} for choice_id in choice_ids]})
    return view


def current_for(serving: QuizServing) -> tuple[Module, ModuleVersion]:
    """The module of a served quiz, if it is still the current version; else StaleVersion."""
    module, version = training.current_module(serving.module_version.module_id)
    if version.id != serving.module_version_id:
        raise StaleVersion([f"the module has changed since this quiz was served (now version {version.version}, "
                            f"effective {version.effective_date.isoformat()}): start the quiz again"], version)
    return module, version


def submit(staff: Staff, serving: QuizServing, answers: Mapping[str, Iterable[str]], origin: Origin,
           user: User) -> AttemptResult:
    """Grade and record the answers to a quiz served to ``staff`` (see served_quiz).

    Raises AlreadyAnswered, StaleVersion, CoolingDown or grading.InvalidAnswers, writing nothing.
    """
    answered = answer_of(serving)
    if answered is not None:
        raise AlreadyAnswered(answered.id)
    module, version = current_for(serving)
    _check_cooldown(staff.id, module)
    try:
        return training.record_attempt(staff, module, version, answers, origin, user, serving=serving)
    except IntegrityError as race:  # the same answers sent twice at once: the other one was recorded
        db.session.rollback()
        recorded = answer_of(serving)
        if recorded is None:
            raise
        raise AlreadyAnswered(recorded.id) from race
