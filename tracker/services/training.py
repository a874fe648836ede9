"""Recording training: quiz attempts, completions and late reasons, shared by the web pages and the API.

Each ``check_*`` function turns raw fields into checked input or raises
:class:`tracker.services.validation.Invalid`; each ``record_*`` function writes the record with its
audit events in one transaction and commits. Nothing here updates or deletes a row: a second try or
a later reason is a new row. Serving a quiz and taking its answers once is tracker.services.quizzes;
in-person sessions are in tracker.services.training_sessions, certifications in
tracker.services.certifications.

What the records must hold comes from the rules: a quiz attempt keeps the answers, score, time,
address and browser; a late reason keeps why and when, as OSHA's reading of "annually" asks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from portal.model import Module
from tracker.rules.grading import Grade, check_answers, grade
from tracker.services import audit, served_catalogue, versions
from tracker.services.acknowledgements import Origin
from tracker.services.validation import date_field, get_row, raise_if, text_field
from tracker.services.versions import UnknownModule
from tracker.storage.db import db, today, utcnow
from tracker.storage.models import (
    LateReason,
    ModuleVersion,
    QuizAttempt,
    QuizServing,
    Staff,
    TrainingCompletion,
    User,
)

# --- Module versions -----------------------------------------------------------------------------


def _served_module(module_id: str) -> Module:
    catalogue = served_catalogue.current()
    module = catalogue.modules.get(module_id) if catalogue else None
    if module is None:
        raise UnknownModule(module_id)
    return module


def current_module(module_id: str) -> tuple[Module, ModuleVersion]:
    """The module in the served catalogue (with its answer key) and the archived row of that version."""
    module = _served_module(module_id)
    return module, versions.current(versions.MODULE, module_id, module.version)


def version_in_effect(module_id: str, day: date) -> ModuleVersion:
    """The archived version of a module that was in effect on ``day`` (the first one if none was yet)."""
    rows = db.session.scalars(select(ModuleVersion).where(ModuleVersion.module_id == module_id)
                              .order_by(ModuleVersion.version)).all()
    in_effect = [v for v in rows if v.effective_date <= day]
    return in_effect[-1] if in_effect else rows[0]


# --- Completions ---------------------------------------------------------------------------------


def add_completion(staff_id: int, version: ModuleVersion, completed_on: date, method: str, user: User,
                   attempt_id: int | None = None, session_id: int | None = None) -> TrainingCompletion:
    """Add a completion with its audit event; the caller commits."""
    completion = TrainingCompletion(staff_id=staff_id, module_version_id=version.id, completed_on=completed_on,
                                    method=method, attempt_id=attempt_id, session_id=session_id,
                                    recorded_by_id=user.id)
    db.session.add(completion)
    db.session.flush()
    audit.record(user.audit_name, "training_completion.recorded", f"training_completion:{completion.id}", {
        "staff_id": staff_id, "module_id": version.module_id, "version": version.version,
        "completed_on": completed_on.isoformat(), "method": method, "attempt_id": attempt_id,
        "session_id": session_id,
    }, records=[completion])
    return completion


def completions_of(staff_id: int, module_id: str) -> list[TrainingCompletion]:
    """A person's completions of a module, newest first (corrected ones included, for the record)."""
    return list(db.session.scalars(
        select(TrainingCompletion).join(ModuleVersion)
        .where(TrainingCompletion.staff_id == staff_id, ModuleVersion.module_id == module_id)
        .order_by(TrainingCompletion.completed_on.desc(), TrainingCompletion.id.desc())))


# --- Quiz attempts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttemptResult:
    attempt: QuizAttempt
    grade: Grade
    completion: TrainingCompletion | None


def record_attempt(staff: Staff, module: Module, version: ModuleVersion, answers: Mapping[str, Iterable[str]],
                   origin: Origin, user: User, serving: QuizServing | None = None) -> AttemptResult:
    """Grade and record a quiz attempt; a pass completes the module unless it needs an in-person session.

    ``module`` must be the catalogue's module of ``version`` (see current_module). The answers are
    graded for the questions of ``serving`` (tracker.services.quizzes checks it is the person's);
    without one, for all of the module's (records made by the tracker itself, as the demo's).
    Raises grading.InvalidAnswers, writing nothing, when the answers name unknown questions or choices.
    """
    question_ids = serving.question_ids if serving is not None else None
    chosen = check_answers(module, answers, question_ids)
    result = grade(module, chosen, question_ids)
    attempt = QuizAttempt(
        staff_id=staff.id, module_version_id=version.id,
        answers={question_id: sorted(choice_ids) for question_id, choice_ids in chosen.items()},
        correct=result.correct, questions=result.questions, score=result.score, passed=result.passed,
        attempted_at=utcnow(), ip_address=origin.ip_address, user_agent=origin.user_agent,
        serving_id=serving.id if serving is not None else None,
    )
    db.session.add(attempt)
    db.session.flush()
    audit.record(user.audit_name, "quiz_attempt.recorded", f"quiz_attempt:{attempt.id}", {
        "staff_id": staff.id, "module_id": version.module_id, "version": version.version,
        "fingerprint": version.fingerprint, "answers": attempt.answers, "correct": result.correct,
        "questions": result.questions, "score": result.score, "passed": result.passed,
        "ip_address": attempt.ip_address, "method": origin.method,
    }, records=[attempt])
    completion = None
    if result.passed and not module.in_person_required:
        completion = add_completion(staff.id, version, today(), "quiz", user, attempt_id=attempt.id)
    db.session.commit()
    return AttemptResult(attempt, result, completion)


def attempts_of(staff_id: int, module_id: str) -> list[QuizAttempt]:
    """A person's attempts at a module's quiz, newest first."""
    return list(db.session.scalars(
        select(QuizAttempt).join(ModuleVersion)
        .where(QuizAttempt.staff_id == staff_id, ModuleVersion.module_id == module_id)
        .order_by(QuizAttempt.attempted_at.desc(), QuizAttempt.id.desc())))


def completion_of_attempt(attempt_id: int) -> TrainingCompletion | None:
    return db.session.scalar(select(TrainingCompletion).where(TrainingCompletion.attempt_id == attempt_id))


# --- Late reasons --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LateReasonInput:
    module_id: str
    reason: str
    expected_on: date | None
    completion_id: int | None


def check_late_reason(fields: Mapping[str, Any], staff: Staff, module_id: str) -> LateReasonInput:
    """Check a late reason's fields: reason, expected_on (optional), completion_id (optional, one of
    this person's completions of this module: the late one the reason explains)."""
    errors: dict[str, str] = {}
    reason = text_field(fields, "reason", errors, multiline=True)
    expected_on = date_field(fields, "expected_on", errors, required=False)
    completion_id = None
    raw = fields.get("completion_id")
    if raw not in (None, ""):
        completion = get_row(TrainingCompletion, raw)
        if completion is None or completion.staff_id != staff.id or completion.module_version.module_id != module_id:
            errors["completion_id"] = "that is not one of this person's completions of this module (choose one from the list)"
        else:
            completion_id = completion.id
    raise_if(errors)
    return LateReasonInput(module_id=module_id, reason=reason, expected_on=expected_on, completion_id=completion_id)


def record_late_reason(staff: Staff, data: LateReasonInput, user: User) -> LateReason:
    """Record why a person's training is (or was) late and when it will happen; earlier reasons stay."""
    late = LateReason(staff_id=staff.id, module_id=data.module_id, completion_id=data.completion_id,
                      reason=data.reason, expected_on=data.expected_on, recorded_by_id=user.id,
                      recorded_at=utcnow())
    db.session.add(late)
    db.session.flush()
    audit.record(user.audit_name, "late_reason.recorded", f"late_reason:{late.id}", {
        "staff_id": staff.id, "module_id": data.module_id, "reason": data.reason,
        "expected_on": data.expected_on.isoformat() if data.expected_on else None,
        "completion_id": data.completion_id,
    }, records=[late])
    db.session.commit()
    return late


def late_reasons_of(staff_id: int, module_id: str) -> list[LateReason]:
    """A person's late reasons for a module, newest first."""
    return list(db.session.scalars(
        select(LateReason).where(LateReason.staff_id == staff_id, LateReason.module_id == module_id)
        .order_by(LateReason.recorded_at.desc(), LateReason.id.desc())))
