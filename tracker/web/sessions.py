"""Manager pages for training records: in-person sessions, and each person's training with the
reasons it is late.

A session page is the record 29 CFR 1910.1030(h)(2) asks for: dates, contents or summary, names and
qualifications of trainers, names and job titles of all attendees; it prints on its own.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, StringField, TextAreaField

from tracker.services import compliance_status, served_catalogue, training, training_sessions
from tracker.services.validation import Invalid
from tracker.storage.db import db, today
from tracker.storage.models import Staff, TrainingSession, User
from tracker.web.access import managers_only
from tracker.web.forms import CheckboxListField, options
from tracker.web.messages import show_errors

bp = Blueprint("sessions", __name__, url_prefix="/manager")
bp.before_request(managers_only)


class SessionForm(FlaskForm):
    module_id = SelectField("Module")
    held_on = StringField("Date held", render_kw={"type": "date"})
    content_summary = TextAreaField("Contents or summary of the training")
    trainer_name = StringField("Trainer's name")
    trainer_qualifications = TextAreaField("Trainer's qualifications")
    location_id = SelectField("Location (optional)")
    attendee_ids = CheckboxListField("Attendees")


class ManagerLateReasonForm(FlaskForm):
    reason = TextAreaField("Why is this training late?")
    expected_on = StringField("When will it happen? (optional)", render_kw={"type": "date"})
    completion_id = SelectField("Late completion it explains (optional)", default="")


def active_staff() -> list[Staff]:
    day = today()
    return list(db.session.scalars(select(Staff).where(Staff.left_on.is_(None) | (Staff.left_on > day))
                                   .order_by(Staff.name, Staff.id)))


@bp.get("/sessions")
def session_list():
    return render_template("training/sessions.html", sessions=training_sessions.sessions())


@bp.route("/sessions/new", methods=["GET", "POST"])
def session_new():
    catalogue = served_catalogue.required()
    form = SessionForm()
    modules = sorted(catalogue.modules.values(), key=lambda m: (not m.in_person_required, m.title))
    form.module_id.choices = options((
        (m.id, f"{m.title} (in person required)" if m.in_person_required else m.title) for m in modules),
        "Choose a module")
    form.location_id.choices = options(((loc.id, loc.name) for loc in catalogue.locations.values()), "None")
    form.attendee_ids.choices = options(
        (str(s.id), f"{s.name}, {training_sessions.job_title_of(s, catalogue) or 'no job title'}")
        for s in active_staff())

    def page(status: int = 200):
        return render_template("training/session_form.html", form=form, today=today()), status

    if request.method == "GET":
        form.module_id.data = request.args.get("module_id", "")
        return page()
    if not form.validate_on_submit():
        return page(400)
    try:
        session = training_sessions.record_session(training_sessions.check_session(form.data, catalogue), catalogue, current_user)
    except Invalid as invalid:
        show_errors(form, invalid)
        return page(400)
    flash(f"Session recorded: training completed for {len(session.attendees)} attendee(s).", "success")
    return redirect(url_for("sessions.session_record", session_id=session.id), code=303)


@bp.get("/sessions/<id:session_id>")
def session_record(session_id: int):
    session = db.session.get(TrainingSession, session_id) or abort(404, "There is no such training session.")
    catalogue = served_catalogue.required()
    recorder = db.session.get(User, session.recorded_by_id)
    return render_template("training/session.html", session=session,
                           recorded_by=recorder.staff.name if recorder and recorder.staff else None,
                           location=catalogue.locations.get(session.location_id) if session.location_id else None,
                           completions=training_sessions.session_completions(session.id))


def _staff(staff_id: int) -> Staff:
    return db.session.get(Staff, staff_id) or abort(404, "There is no such staff record.")


@bp.get("/staff/<id:staff_id>/training")
def person_training(staff_id: int):
    staff = _staff(staff_id)
    items = [i for i in compliance_status.statuses_for(staff, served_catalogue.required(), today()) if i.kind == "module"]
    return render_template("training/person.html", staff=staff, items=items)


@bp.route("/staff/<id:staff_id>/training/<slug:module_id>/late-reason", methods=["GET", "POST"])
def late_reason(staff_id: int, module_id: str):
    staff = _staff(staff_id)
    catalogue = served_catalogue.required()
    module = catalogue.modules.get(module_id) or abort(404, f"There is no training module '{module_id}'.")
    completions = training.completions_of(staff.id, module_id)
    form = ManagerLateReasonForm()
    form.completion_id.choices = options((
        (str(c.id), f"{c.completed_on.isoformat()} ({'in person' if c.method == 'in_person' else 'quiz'})")
        for c in completions), "None: the training has not happened yet")

    def page(status: int = 200):
        item = next((i for i in compliance_status.statuses_for(staff, catalogue, today())
                     if i.kind == "module" and i.id == module_id), None)
        return render_template("training/late_reason.html", staff=staff, module=module, item=item, form=form,
                               completions=completions, attempts=training.attempts_of(staff.id, module_id),
                               late_reasons=training.late_reasons_of(staff.id, module_id)), status

    if request.method == "GET":
        return page()
    if not form.validate_on_submit():
        return page(400)
    try:
        data = training.check_late_reason(form.data, staff, module_id)
    except Invalid as invalid:
        show_errors(form, invalid)
        return page(400)
    training.record_late_reason(staff, data, current_user)
    flash(f"Reason recorded for {staff.name}.", "success")
    return redirect(url_for("sessions.late_reason", staff_id=staff.id, module_id=module_id), code=303)
