"""JSON API for training and certifications, on the /api/v1 blueprint (tracker.api.base).

Described in tracker/api/openapi/training.json, whose request schemas validate the bodies. The writes
go through tracker.services.training, training_sessions and certifications, as the web pages' do.
"""

from __future__ import annotations

import math
from typing import Any

from flask import abort, jsonify, url_for

from tracker.api.base import api_user, bp, json_body, require_manager, stale_conflict
from tracker.http.client import request_origin
from tracker.http.errors import ApiError, api_error
from tracker.rules.grading import InvalidAnswers, topics_to_review
from tracker.services import certifications, quizzes, served_catalogue, training_sessions
from tracker.services.quizzes import AlreadyAnswered, CoolingDown
from tracker.services.training import AttemptResult
from tracker.services.validation import Invalid
from tracker.services.versions import StaleVersion, UnknownModule
from tracker.storage.db import db, iso_utc, utcnow
from tracker.storage.models import Staff, User


def _answers(entries: list[dict]) -> dict[str, list[str]]:
    """The answers list as question id -> choice ids; a question answered twice is refused."""
    answers: dict[str, list[str]] = {}
    for entry in entries:
        question_id = entry["question_id"]
        if question_id in answers:
            raise ApiError(400, "The answers are not valid.", [f"answers: question '{question_id}' is answered twice"])
        answers[question_id] = entry["choice_ids"]
    return answers


def _cooling_down(cooling: CoolingDown):
    """429 Too Many Requests, saying when the next attempt may start (also as Retry-After)."""
    response, status = api_error(429, str(cooling), [], next_attempt_at=iso_utc(cooling.until))
    response.headers["Retry-After"] = str(max(0, math.ceil((cooling.until - utcnow()).total_seconds())))
    return response, status


@bp.post("/modules/<slug:module_id>/quiz")
def start_quiz(module_id: str):
    try:
        serving = quizzes.serve(api_user().staff, module_id, api_user())
    except UnknownModule:
        abort(404, f"There is no training module '{module_id}'.")
    except CoolingDown as cooling:
        return _cooling_down(cooling)
    module, version = quizzes.current_for(serving)
    return jsonify({"quiz_id": serving.id, "module_id": module.id, "version": version.version,
                    "fingerprint": version.fingerprint, "pass_mark": module.pass_mark,
                    "questions": quizzes.questions_view(serving, module)}), 201


@bp.post("/modules/<slug:module_id>/attempts")
def quiz_attempt(module_id: str):
    body = json_body("QuizAttemptInput")
    staff = api_user().staff
    try:
        served_catalogue.required()
        serving = quizzes.served_quiz(staff, body["quiz_id"], module_id)
        result = quizzes.submit(staff, serving, _answers(body["answers"]), request_origin("api"), api_user())
    except (UnknownModule, quizzes.UnknownQuiz):
        abort(404, f"No quiz {body['quiz_id']} of module '{module_id}' was served to you: start the quiz first.")
    except StaleVersion as stale:
        raise stale_conflict(stale, "This module has changed since the quiz was served: start it again.") from stale
    except AlreadyAnswered as already:
        raise ApiError(409, str(already), [], attempt_id=already.attempt_id) from already
    except CoolingDown as cooling:
        return _cooling_down(cooling)
    except InvalidAnswers as invalid:
        raise ApiError(400, "The answers are not valid.", [f"answers: {p}" for p in invalid.problems]) from invalid
    response = jsonify(_result_json(result, serving.id))
    response.headers["Location"] = url_for("training.attempt", attempt_id=result.attempt.id)
    return response, 201


def _result_json(result: AttemptResult, quiz_id: int) -> dict[str, Any]:
    """A graded attempt: the score, and the topics to review after a fail or the full review after a pass."""
    module = served_catalogue.required().modules[result.attempt.module_version.module_id]
    explanations = {q.id: q.explanation for q in module.questions}
    passed = result.grade.passed
    return {
        "attempt_id": result.attempt.id, "quiz_id": quiz_id, "module_id": module.id,
        "version": result.attempt.module_version.version, "score": result.grade.score, "passed": passed,
        "correct": result.grade.correct, "questions": result.grade.questions, "pass_mark": module.pass_mark,
        "in_person_required": module.in_person_required,
        "completion_id": result.completion.id if result.completion else None,
        "review_topics": [] if passed else list(topics_to_review(module, result.grade)),
        "results": [{"question_id": question_id, "correct": right, "explanation": explanations[question_id]}
                    for question_id, right in result.grade.per_question] if passed else [],
    }


def _certification_created(staff: Staff, body: dict[str, Any], user: User, verified: bool = False):
    """Record the certification a checked body describes: 201 with the record, or 400 saying what is wrong."""
    catalogue = served_catalogue.required()
    try:
        record = certifications.record_certification(
            staff, certifications.check_certification(body, catalogue, verified=verified), user)
    except Invalid as invalid:
        raise ApiError(400, "The certification record is not valid.", invalid.details) from invalid
    response = jsonify(certifications.certification_json(record, catalogue, certifications.corrections()))
    if user.is_manager:
        response.headers["Location"] = url_for("certifications_manager.record", record_id=record.id)
    return response, 201


@bp.post("/staff/<id:staff_id>/certifications")
def staff_certification(staff_id: int):
    user = require_manager()
    body = json_body("CertificationInput")
    staff = db.session.get(Staff, staff_id)
    if staff is None:
        abort(404, f"There is no staff record {staff_id}.")
    return _certification_created(staff, body, user, verified=True)


@bp.post("/me/certifications")
def my_certification():
    body = json_body("OwnCertificationInput")
    return _certification_created(api_user().staff, body, api_user())


@bp.post("/training-sessions")
def training_session():
    user = require_manager()
    body = json_body("TrainingSessionInput")
    catalogue = served_catalogue.required()
    try:
        session = training_sessions.record_session(training_sessions.check_session(body, catalogue), catalogue, user)
    except Invalid as invalid:
        raise ApiError(400, "The training session is not valid.", invalid.details) from invalid
    version = session.module_version
    completions = training_sessions.session_completions(session.id)
    response = jsonify({
        "id": session.id, "module_id": version.module_id, "version": version.version, "title": version.title,
        "held_on": session.held_on.isoformat(), "content_summary": session.content_summary,
        "trainer_name": session.trainer_name, "trainer_qualifications": session.trainer_qualifications,
        "location_id": session.location_id, "recorded_by": session.recorded_by_id,
        "attendees": [{"staff_id": a.staff_id, "name": a.name, "job_title": a.job_title,
                       "completion_id": completions[a.staff_id]} for a in session.attendees],
    })
    response.headers["Location"] = url_for("sessions.session_record", session_id=session.id)
    return response, 201
