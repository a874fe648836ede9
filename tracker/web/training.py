"""Staff pages for training: my training, a module with its quiz, the graded result, late reasons.

The quiz page shows prompts and choices only: the answer key and the explanations stay on the
server until the answers are graded (tracker.rules.grading), and the result page shows them afterwards.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField

from tracker.http.client import request_origin
from tracker.rules.grading import InvalidAnswers, grade
from tracker.rules.records import Status
from tracker.services import catalogue as served
from tracker.services import statuses as records
from tracker.services import training
from tracker.services.validation import Invalid, whole_number
from tracker.services.versions import StaleVersion, UnknownModule
from tracker.storage.db import db, today
from tracker.storage.models import QuizAttempt
from tracker.web.access import own_or_managed

bp = Blueprint("training", __name__)

ANSWER_PREFIX = "answer-"  # form field of a question's answer: answer-<question id>


class QuizForm(FlaskForm):
    # The version and fingerprint of the quiz on screen: if the module changes before the answers
    # arrive, nothing is graded against a key the person did not see.
    version = HiddenField()
    fingerprint = HiddenField()


class LateReasonForm(FlaskForm):
    reason = TextAreaField("Why is this training late?")
    expected_on = StringField("When will it happen? (optional)", render_kw={"type": "date"})


def quiz_view(module) -> list[dict]:
    """What the quiz page may show of each question: never the answers or the explanation."""
    return [{"id": q.id, "type": q.type, "prompt": q.prompt,
             "choices": [{"id": c.id, "text": c.text} for c in q.choices]} for q in module.questions]


def posted_answers(form) -> dict[str, list[str]]:
    """Answers from the form: every answer-<question id> field, with all its values (checkboxes)."""
    return {key.removeprefix(ANSWER_PREFIX): form.getlist(key) for key in form if key.startswith(ANSWER_PREFIX)}


def module_status(module_id: str):
    """The signed-in person's status for a module, or None when it does not apply to them."""
    items = records.statuses_for(current_user.staff, served.required(), today())
    return next((i for i in items if i.kind == "module" and i.id == module_id), None)


def _current(module_id: str):
    served.required()
    try:
        return training.current_module(module_id)
    except UnknownModule:
        abort(404, f"There is no training module '{module_id}'.")


def _module_page(module_id: str, quiz_form: QuizForm | None = None, late_form: LateReasonForm | None = None,
                 status: int = 200, problems: list[str] | None = None):
    module, version = _current(module_id)
    quiz_form = quiz_form or QuizForm()
    quiz_form.version.data, quiz_form.fingerprint.data = version.version, version.fingerprint
    staff_id = current_user.staff_id
    item = module_status(module_id)
    return render_template(
        "training/module.html", module=module, version=version, questions=quiz_view(module),
        form=quiz_form, late_form=late_form or LateReasonForm(), item=item, overdue=_overdue(item),
        attempts=training.attempts_of(staff_id, module_id), completions=training.completions_of(staff_id, module_id),
        late_reasons=training.late_reasons_of(staff_id, module_id), problems=problems or [],
    ), status


def _overdue(item) -> bool:
    return item is not None and item.status == Status.OVERDUE


@bp.get("/training")
@login_required
def index():
    catalogue = served.required()
    items = [i for i in records.statuses_for(current_user.staff, catalogue, today()) if i.kind == "module"]
    return render_template("training/index.html", items=items, modules=catalogue.modules)


@bp.route("/training/<slug:module_id>", methods=["GET", "POST"])
@login_required
def module(module_id: str):
    if request.method == "GET":
        return _module_page(module_id)
    form = QuizForm()
    if not form.validate_on_submit():
        return _module_page(module_id, quiz_form=form, status=400)
    posted_version = form.version.data or ""
    try:
        quiz, version = training.requested_module(
            module_id, whole_number(posted_version), form.fingerprint.data)
        result = training.record_attempt(current_user.staff, quiz, version, posted_answers(request.form),
                                         request_origin("web"), current_user)
    except UnknownModule:
        abort(404, f"There is no training module '{module_id}'.")
    except StaleVersion as stale:
        return render_template("training/stale.html", module_id=module_id, stale=stale), 409
    except InvalidAnswers as invalid:
        return _module_page(module_id, status=400, problems=invalid.problems)
    return redirect(url_for("training.attempt", attempt_id=result.attempt.id), code=303)


@bp.get("/training/attempts/<id:attempt_id>")
@login_required
def attempt(attempt_id: int):
    found = own_or_managed(db.session.get(QuizAttempt, attempt_id), "quiz attempt")
    catalogue = served.required()
    module = catalogue.modules.get(found.module_version.module_id)
    # The answer key is the catalogue's, so per-question results can be shown only while the
    # attempt's version is still the current one (the fingerprint covers the quiz).
    results = []
    if module is not None and module.fingerprint == found.module_version.fingerprint:
        graded = dict(grade(module, found.answers).per_question)
        results = [(q, graded[q.id], [c.text for c in q.choices if c.id in found.answers.get(q.id, [])])
                   for q in module.questions]
    return render_template("training/result.html", attempt=found, module=module, results=results,
                           in_person=bool(module and module.in_person_required),
                           completion=training.completion_of_attempt(found.id))


@bp.post("/training/<slug:module_id>/late-reason")
@login_required
def late_reason(module_id: str):
    _current(module_id)
    form = LateReasonForm()
    if not form.validate_on_submit():
        return _module_page(module_id, late_form=form, status=400)
    if not _overdue(module_status(module_id)):
        abort(400, "This training is not overdue, so there is no lateness to explain: nothing was recorded.")
    staff = current_user.staff
    try:
        # Only what this form asks; linking a reason to a completion is the manager's page's job.
        data = training.check_late_reason({"reason": form.reason.data, "expected_on": form.expected_on.data},
                                          staff, module_id)
    except Invalid as invalid:
        for name, message in invalid.errors.items():
            form[name].errors.append(message)
        return _module_page(module_id, late_form=form, status=400)
    training.record_late_reason(staff, data, current_user)
    flash("Your reason is recorded. The office manager can see it.", "success")
    return redirect(url_for("training.module", module_id=module_id), code=303)
