"""JSON API for training and certifications, on the /api/v1 blueprint (tracker.api).

Described in tracker/openapi/training.json, whose request schemas validate the bodies. The writes
go through tracker.services.training, as the web pages' do.
"""

from __future__ import annotations

from flask import abort, jsonify, url_for

from tracker.api import _manager, api_user, bp, json_body
from tracker.http.errors import ApiError
from tracker.rules.grading import InvalidAnswers
from tracker.services import catalogue as served
from tracker.services import training
from tracker.services.acknowledgements import Origin, StaleVersion
from tracker.services.training import Invalid, UnknownModule
from tracker.storage.models import Staff


def _answers(entries: list[dict]) -> dict[str, list[str]]:
    """The answers list as question id -> choice ids; a question answered twice is refused."""
    answers: dict[str, list[str]] = {}
    for entry in entries:
        question_id = entry["question_id"]
        if question_id in answers:
            raise ApiError(400, "The answers are not valid.", [f"answers: question '{question_id}' is answered twice"])
        answers[question_id] = entry["choice_ids"]
    return answers


@bp.post("/modules/<slug:module_id>/attempts")
def quiz_attempt(module_id: str):
    body = json_body("QuizAttemptInput")
    answers = _answers(body["answers"])
    try:
        module, version = training.requested_module(module_id, body["version"], body["fingerprint"])
        result = training.record_attempt(api_user().staff, module, version, answers, Origin.of_request("api"),
                                         api_user())
    except UnknownModule:
        abort(404, f"There is no training module '{module_id}'.")
    except StaleVersion as stale:
        raise ApiError(409, "That is not the current version of this module's quiz.", stale.reasons,
                       current={"version": stale.current.version, "fingerprint": stale.current.fingerprint}) from stale
    except InvalidAnswers as invalid:
        raise ApiError(400, "The answers are not valid.", [f"answers: {p}" for p in invalid.problems]) from invalid
    explanations = {q.id: q.explanation for q in module.questions}
    attempt = result.attempt
    response = jsonify({
        "attempt_id": attempt.id, "module_id": module.id, "version": version.version,
        "score": result.grade.score, "passed": result.grade.passed, "correct": result.grade.correct,
        "questions": result.grade.questions, "pass_mark": module.pass_mark,
        "in_person_required": module.in_person_required,
        "completion_id": result.completion.id if result.completion else None,
        "results": [{"question_id": question_id, "correct": right, "explanation": explanations[question_id]}
                    for question_id, right in result.grade.per_question],
    })
    response.headers["Location"] = url_for("training.attempt", attempt_id=attempt.id)
    return response, 201


def _certification_response(record):
    catalogue = served.required()
    response = jsonify(training.certification_json(record, catalogue, training.corrections()))
    if api_user().is_manager:
        response.headers["Location"] = url_for("certifications_manager.record", record_id=record.id)
    return response, 201


@bp.post("/staff/<int(max=2147483647):staff_id>/certifications")
def staff_certification(staff_id: int):
    user = _manager()
    body = json_body("CertificationInput")
    staff = training.get_row(Staff, staff_id)
    if staff is None:
        abort(404, f"There is no staff record {staff_id}.")
    try:
        record = training.record_certification(staff, training.check_certification(body, served.required(),
                                                                                   verified=True), user)
    except Invalid as invalid:
        raise ApiError(400, "The certification record is not valid.", invalid.details) from invalid
    return _certification_response(record)


@bp.post("/me/certifications")
def my_certification():
    body = json_body("OwnCertificationInput")
    staff = api_user().staff
    try:
        record = training.record_certification(staff, training.check_certification(body, served.required()),
                                               api_user())
    except Invalid as invalid:
        raise ApiError(400, "The certification record is not valid.", invalid.details) from invalid
    return _certification_response(record)


@bp.post("/training-sessions")
def training_session():
    user = _manager()
    body = json_body("TrainingSessionInput")
    catalogue = served.required()
    try:
        session = training.record_session(training.check_session(body, catalogue), catalogue, user)
    except Invalid as invalid:
        raise ApiError(400, "The training session is not valid.", invalid.details) from invalid
    version = session.module_version
    completions = training.session_completions(session.id)
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
