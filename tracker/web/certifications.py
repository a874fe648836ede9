"""Certification pages: staff see what they must hold and submit records for verification;
managers record verified certifications, verify or reject submitted ones, and record corrections.

A record counts only once a manager's latest decision on it says "verified" (tracker.services.compliance_status).
Nothing is edited: a decision is a new verification row, a correction a new record naming the old.
"""

from __future__ import annotations

from functools import partial

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField

from tracker.services import certifications, compliance_status, served_catalogue
from tracker.services.validation import Invalid, get_row
from tracker.storage.db import db, today
from tracker.storage.models import CertificationRecord, Staff
from tracker.web.access import managers_only
from tracker.web.forms import options
from tracker.web.messages import show_errors
from tracker.web.sessions import active_staff

bp = Blueprint("certifications", __name__)
manager_bp = Blueprint("certifications_manager", __name__, url_prefix="/manager")
manager_bp.before_request(managers_only)

RECORD_FIELDS = ("type_id", "number", "issuer", "issued_on", "expires_on", "note")


class CertificationForm(FlaskForm):
    type_id = SelectField("Certification, licence or check")
    number = StringField("Number (optional)")
    issuer = StringField("Issued by (optional)")
    issued_on = StringField("Issued on", render_kw={"type": "date"})
    expires_on = StringField("Expires on (optional)", render_kw={"type": "date"})
    note = TextAreaField("Note (optional)")


class VerifiedCertificationForm(CertificationForm):
    verification_note = TextAreaField("How you verified it")


class RecordForStaffForm(VerifiedCertificationForm):
    staff_id = SelectField("Staff member")


class DecisionForm(FlaskForm):
    decision = RadioField("Decision", choices=options([("verified", "Verified: it is genuine and current"),
                                                       ("rejected", "Rejected: it cannot be accepted")]))
    note = TextAreaField("How you checked it, or why it is rejected")


def _types_by_name(catalogue) -> list:
    return sorted(catalogue.certifications.values(), key=lambda t: t.name)


def _with_types(form: CertificationForm, catalogue) -> CertificationForm:
    form.type_id.choices = options(((t.id, t.name) for t in _types_by_name(catalogue)), "Choose a type")
    return form


def _checked(form: CertificationForm, catalogue) -> certifications.CertificationInput:
    """The record's fields checked; a manager's form also holds how it was verified."""
    verified = isinstance(form, VerifiedCertificationForm)
    names = (*RECORD_FIELDS, "verification_note") if verified else RECORD_FIELDS
    return certifications.check_certification({name: form[name].data for name in names}, catalogue, verified=verified)


def _recorded(staff: Staff, form: CertificationForm, catalogue) -> CertificationRecord | None:
    """The form's certification, recorded for ``staff``; None when it is not valid (the errors are on the form)."""
    try:
        return certifications.record_certification(staff, _checked(form, catalogue), current_user)
    except Invalid as invalid:
        show_errors(form, invalid)
        return None


# --- Staff ---------------------------------------------------------------------------------------


@bp.route("/certifications", methods=["GET", "POST"])
@login_required
def mine():
    catalogue = served_catalogue.required()
    staff = current_user.staff
    form = _with_types(CertificationForm(), catalogue)

    def page(status: int = 200):
        items = [i for i in compliance_status.statuses_for(staff, catalogue, today()) if i.kind == "certification"]
        corrected = certifications.corrections()
        return render_template("certifications/index.html", items=items, form=form,
                               records=certifications.certification_records(staff_id=staff.id),
                               corrected=corrected, state_of=partial(certifications.record_state, corrected=corrected),
                               types=catalogue.certifications,
                               type_list=_types_by_name(catalogue)), status

    if request.method == "GET":
        return page()
    record = _recorded(staff, form, catalogue) if form.validate_on_submit() else None
    if record is None:
        return page(400)
    flash(f"Submitted for verification (record {record.id}). It counts once the office manager has checked it.",
          "success")
    return redirect(url_for("certifications.mine"), code=303)


# --- Managers ------------------------------------------------------------------------------------


@manager_bp.get("/certifications")
def record_list():
    catalogue = served_catalogue.required()
    type_id = request.args.get("type", "").strip()
    found = certifications.certification_records(type_id=type_id or None)
    corrected = certifications.corrections()
    awaiting = [r for r in found if certifications.record_state(r, corrected) == certifications.AWAITING]
    return render_template("certifications/manage.html", awaiting=awaiting, records=found,
                           state_of=partial(certifications.record_state, corrected=corrected),
                           types=catalogue.certifications, type_list=_types_by_name(catalogue), type_id=type_id)


@manager_bp.route("/certifications/new", methods=["GET", "POST"])
def record_new():
    catalogue = served_catalogue.required()
    form = _with_types(RecordForStaffForm(), catalogue)
    form.staff_id.choices = options(((str(s.id), s.name) for s in active_staff()), "Choose a person")

    def page(status: int = 200):
        return render_template("certifications/record_form.html", form=form, corrects=None, corrected_by=None,
                               type_list=_types_by_name(catalogue)), status

    if request.method == "GET":
        form.staff_id.data = request.args.get("staff_id", "")
        return page()
    if not form.validate_on_submit():
        return page(400)
    staff = get_row(Staff, form.staff_id.data)
    if staff is None:
        form.staff_id.errors.append("Choose a person from the list.")
        return page(400)
    record = _recorded(staff, form, catalogue)
    if record is None:
        return page(400)
    flash(f"Recorded and verified for {staff.name}.", "success")
    return redirect(url_for("certifications_manager.record", record_id=record.id), code=303)


def _record(record_id: int) -> CertificationRecord:
    return db.session.get(CertificationRecord, record_id) or abort(404, "There is no such certification record.")


def _record_page(record: CertificationRecord, form: DecisionForm | None = None, status: int = 200):
    catalogue = served_catalogue.required()
    corrected = certifications.corrections()
    return render_template("certifications/record.html", record=record, form=form or DecisionForm(),
                           cert_type=catalogue.certifications.get(record.type_id),
                           state=certifications.record_state(record, corrected),
                           corrected_by=corrected.get(record.id)), status


@manager_bp.get("/certifications/<id:record_id>")
def record(record_id: int):
    return _record_page(_record(record_id))


@manager_bp.post("/certifications/<id:record_id>/decision")
def decide(record_id: int):
    found = _record(record_id)
    later = certifications.correction_of(found)
    if later is not None:  # the page offers no decision then; this is a stale or forged form
        abort(400, f"Record {found.id} was corrected by record {later}: decide on that one. Nothing was recorded.")
    form = DecisionForm()
    if not form.validate_on_submit():
        if form.decision.errors:
            form.decision.errors[:] = ["Choose verified or rejected."]
        return _record_page(found, form, 400)
    try:
        note = certifications.check_decision_note(form.data)
        certifications.verify_certification(found, form.decision.data, note, current_user)
    except Invalid as invalid:
        show_errors(form, invalid)
        return _record_page(found, form, 400)
    flash(f"Record {found.id} {form.decision.data}.", "success")
    return redirect(url_for("certifications_manager.record", record_id=found.id), code=303)


@manager_bp.route("/certifications/<id:record_id>/correct", methods=["GET", "POST"])
def correct(record_id: int):
    old = _record(record_id)
    catalogue = served_catalogue.required()
    current = {"type_id": old.type_id, "number": old.number, "issuer": old.issuer,
               "issued_on": old.issued_on.isoformat(),
               "expires_on": old.expires_on.isoformat() if old.expires_on else "", "note": old.note}
    form = _with_types(VerifiedCertificationForm(data=current if request.method == "GET" else None), catalogue)
    corrected_by = certifications.correction_of(old)

    def page(status: int = 200):
        return render_template("certifications/record_form.html", form=form, corrects=old,
                               corrected_by=corrected_by, type_list=_types_by_name(catalogue)), status

    if request.method == "GET":
        return page()
    if corrected_by is not None or not form.validate_on_submit():
        return page(400)
    try:
        record = certifications.record_certification(old.staff, _checked(form, catalogue), current_user, corrects=old)
    except Invalid as invalid:
        if "corrects_id" in invalid.errors:  # corrected by someone else a moment ago
            corrected_by = certifications.correction_of(old)
        show_errors(form, Invalid({k: v for k, v in invalid.errors.items() if k != "corrects_id"}))
        return page(400)
    flash(f"Correction recorded as record {record.id}; record {old.id} no longer counts.", "success")
    return redirect(url_for("certifications_manager.record", record_id=record.id), code=303)
