"""Staff pages for training: my training, a module, its quiz, the graded result, late reasons.

The module page starts a quiz (tracker.services.quizzes serves it: drawn, shuffled, recorded); the
quiz page shows prompts and choices only, and its answers are graded once. The result page shows a
failed attempt's score and the topics to review; the answers and explanations once it is passed.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from tracker.http.client import request_origin
from tracker.rules.grading import InvalidAnswers, grade, topics_to_review
from tracker.rules.records import Status
from tracker.services import compliance_status, quizzes, served_catalogue, training
from tracker.services.quizzes import AlreadyAnswered, CoolingDown
from tracker.services.validation import Invalid
from tracker.services.versions import StaleVersion, UnknownModule
from tracker.storage.db import db, today
from tracker.storage.models import QuizAttempt, QuizServing
from tracker.web.access import own_or_managed
from tracker.web.messages import show_errors

bp = Blueprint("training", __name__)

ANSWER_PREFIX = "answer-"  # form field of a question's answer: answer-<question id>
COOLING_DOWN = 429  # Too Many Requests: the next attempt may start later


class StartForm(FlaskForm):
    pass


class QuizForm(FlaskForm):
    pass


class LateReasonForm(FlaskForm):
    reason = TextAreaField("Why is this training late?")
    expected_on = StringField("When will it happen? (optional)", render_kw={"type": "date"})


def posted_answers(form) -> dict[str, list[str]]:
    """Answers from the form: every answer-<question id> field, with all its values (checkboxes)."""
    return {key.removeprefix(ANSWER_PREFIX): form.getlist(key) for key in form if key.startswith(ANSWER_PREFIX)}


def module_status(module_id: str):
    """The signed-in person's status for a module, or None when it does not apply to them."""
    items = compliance_status.statuses_for(current_user.staff, served_catalogue.required(), today())
    return next((i for i in items if i.kind == "module" and i.id == module_id), None)


def _current(module_id: str):
    served_catalogue.required()
    try:
        return training.current_module(module_id)
    except UnknownModule:
        abort(404, f"There is no training module '{module_id}'.")


def _module_page(module_id: str, late_form: LateReasonForm | None = None, status: int = 200,
                 problems: list[str] | None = None):
    module, version = _current(module_id)
    staff_id = current_user.staff_id
    item = module_status(module_id)
    return render_template(
        "training/module.html", module=module, version=version, form=StartForm(),
        late_form=late_form or LateReasonForm(), item=item, overdue=_overdue(item),
        next_attempt_at=quizzes.next_attempt_at(staff_id, module), cooldown=quizzes.cooldown_of(module),
        question_count=min(module.quiz_draw or len(module.questions), len(module.questions)),
        attempts=training.attempts_of(staff_id, module_id), completions=training.completions_of(staff_id, module_id),
        late_reasons=training.late_reasons_of(staff_id, module_id), problems=problems or [],
    ), status


def _overdue(item) -> bool:
    return item is not None and item.status == Status.OVERDUE


@bp.get("/training")
@login_required
def index():
    catalogue = served_catalogue.required()
    items = [i for i in compliance_status.statuses_for(current_user.staff, catalogue, today()) if i.kind == "module"]
    return render_template("training/index.html", items=items, modules=catalogue.modules)


@bp.get("/training/<slug:module_id>")
@login_required
def module(module_id: str):
    return _module_page(module_id)


@bp.post("/training/<slug:module_id>/quiz")
@login_required
def start(module_id: str):
    _current(module_id)
    if not StartForm().validate_on_submit():
        return _module_page(module_id, status=400, problems=["The form has expired: start the quiz again."])
    try:
        serving = quizzes.serve(current_user.staff, module_id, current_user)
    except CoolingDown as cooling:
        return _module_page(module_id, status=COOLING_DOWN, problems=[str(cooling)])
    return redirect(url_for("training.quiz", quiz_id=serving.id), code=303)


def _served(quiz_id: int) -> QuizServing:
    try:
        return quizzes.served_quiz(current_user.staff, quiz_id)
    except quizzes.UnknownQuiz:
        abort(404, "There is no such quiz: start it from the module's page.")


@bp.route("/training/quiz/<id:quiz_id>", methods=["GET", "POST"])
@login_required
def quiz(quiz_id: int):
    serving = _served(quiz_id)
    answered = quizzes.answer_of(serving)
    if answered is not None:
        return redirect(url_for("training.attempt", attempt_id=answered.id), code=303)
    form, problems, status = QuizForm(), [], 200
    try:
        module, version = quizzes.current_for(serving)
        if request.method == "POST":
            if not form.validate_on_submit():
                raise InvalidAnswers(["the form has expired: send your answers again"])
            result = quizzes.submit(current_user.staff, serving, posted_answers(request.form),
                                    request_origin("web"), current_user)
            return redirect(url_for("training.attempt", attempt_id=result.attempt.id), code=303)
    except StaleVersion as stale:
        return render_template("training/stale.html", module_id=serving.module_version.module_id, stale=stale), 409
    except AlreadyAnswered as already:
        return redirect(url_for("training.attempt", attempt_id=already.attempt_id), code=303)
    except CoolingDown as cooling:
        problems, status = [str(cooling)], COOLING_DOWN
    except InvalidAnswers as invalid:
        problems, status = invalid.problems, 400
    return render_template("training/quiz.html", module=module, version=version, serving=serving, form=form,
                           questions=quizzes.questions_view(serving, module), problems=problems), status


@bp.get("/training/attempts/<id:attempt_id>")
@login_required
def attempt(attempt_id: int):
    found = own_or_managed(db.session.get(QuizAttempt, attempt_id), "quiz attempt")
    catalogue = served_catalogue.required()
    module = catalogue.modules.get(found.module_version.module_id)
    # The answer key is the catalogue's, so results can be shown only while the attempt's version is
    # still the current one (the fingerprint covers the quiz).
    results: list = []
    topics: tuple[str, ...] = ()
    changed = module is not None and module.fingerprint != found.module_version.fingerprint
    if module is not None and not changed:
        asked = found.serving_id and db.session.get(QuizServing, found.serving_id)
        graded = grade(module, found.answers, asked.question_ids if asked else None)
        if found.passed:  # the review with the explanations is the reward of a pass, not a hint
            by_id = {q.id: q for q in module.questions}
            results = [(by_id[question_id], right, [c.text for c in by_id[question_id].choices
                                                    if c.id in found.answers.get(question_id, [])])
                       for question_id, right in graded.per_question]
        else:
            topics = topics_to_review(module, graded)
    return render_template("training/result.html", attempt=found, module=module, results=results, topics=topics,
                           changed=changed, in_person=bool(module and module.in_person_required),
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
        show_errors(form, invalid)
        return _module_page(module_id, late_form=form, status=400)
    training.record_late_reason(staff, data, current_user)
    flash("Your reason is recorded. The office manager can see it.", "success")
    return redirect(url_for("training.module", module_id=module_id), code=303)
