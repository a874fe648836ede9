"""Manager pages: the staff list and form, each policy's acknowledgement register, and reminders sent now.

The staff list sorts and filters through the query string (tracker.web.tables). A reminder sent from
the dashboard or a person's page goes through the same mail as the daily run
(tracker.services.reminders) and is audited; it is a POST with the form's CSRF token.
"""

from __future__ import annotations

import smtplib

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from tracker.rules.records import Status
from tracker.rules.summary import summarise
from tracker.services import (
    account_mail,
    accounts,
    acknowledgements,
    compliance_status,
    people,
    reminders,
    served_catalogue,
)
from tracker.services.validation import Invalid, Refused
from tracker.storage.db import db, today
from tracker.storage.models import Staff
from tracker.web import tables
from tracker.web.access import managers_only
from tracker.web.account_forms import InvitingStaffForm
from tracker.web.account_manager import account_panel, flash_invitation
from tracker.web.forms import StaffForm, options
from tracker.web.messages import show_errors

bp = Blueprint("manager", __name__, url_prefix="/manager")
bp.before_request(managers_only)


def _staff_table(staff: list[Staff], overdue: dict[int, int], roles: dict) -> tables.Table:
    def location(person: Staff) -> str:
        return person.location.name if person.location else ""

    columns = [
        tables.Column("name", "Name", lambda p: (p.left_on is not None, p.name.casefold())),
        tables.Column("job", "Job title", lambda p: (p.job_title.casefold(), p.name.casefold())),
        tables.Column("roles", "Roles"),
        tables.Column("location", "Location", lambda p: (location(p).casefold(), p.name.casefold())),
        tables.Column("hired", "Hired", lambda p: (p.hire_date, p.name.casefold())),
        tables.Column("left", "Left", lambda p: (p.left_on is None, p.left_on or p.hire_date, p.name.casefold())),
        tables.Column("account", "Account"),
        tables.Column("overdue", "Policies overdue", lambda p: (overdue.get(p.id, 0), p.name.casefold())),
        tables.Column("actions", "Edit"),
    ]
    day = today()
    choice = tables.Choice("status", "Show", "Everyone", [
        ("employed", "Employed", lambda p: p.active_on(day)),
        ("left", "Left", lambda p: not p.active_on(day)),
        ("overdue", "With policies overdue", lambda p: overdue.get(p.id, 0) > 0)])
    return tables.table(staff, columns, request.args, endpoint="manager.staff_list", anchor="staff",
                        default_sort="name", choice=choice, text=lambda p: " ".join(
                            [p.name, p.email, p.job_title, location(p)]
                            + [roles[r].title if r in roles else r for r in p.roles]))


@bp.get("/staff")
def staff_list():
    catalogue = served_catalogue.required()
    staff = db.session.scalars(select(Staff).options(joinedload(Staff.user), joinedload(Staff.location))
                               .order_by(Staff.left_on.is_not(None), Staff.name)).all()
    statuses = compliance_status.statuses_by_staff(staff, catalogue, today())
    # Policies only: the tracker does not record training or certificates yet (tracker.services.compliance_status).
    overdue = {staff_id: summarise(i for i in items if i.kind == "policy").counts[Status.OVERDUE]
               for staff_id, items in statuses.items()}
    return render_template("manager/staff_list.html", view=_staff_table(list(staff), overdue, catalogue.roles),
                           overdue=overdue, roles=catalogue.roles,
                           account_status={person.id: accounts.status(person) for person in staff})


def _staff_form(staff: Staff | None):
    catalogue = served_catalogue.required()
    form_class = StaffForm if staff else InvitingStaffForm
    form = form_class(data=people.staff_json(staff) if staff and request.method == "GET" else None)
    form.roles.choices = options((role.id, role.title) for role in catalogue.roles.values())
    form.location.choices = options(((loc.id, loc.name) for loc in catalogue.locations.values()), "Choose a location")

    def page(status: int = 200):
        return render_template("manager/staff_form.html", form=form, staff=staff,
                               **(account_panel(staff) if staff else {})), status

    if request.method == "GET":
        return page()
    if not form.validate_on_submit():
        return page(400)
    try:
        data = people.check_staff(form.data, catalogue, unique_email=True, record=staff)
    except Invalid as invalid:
        show_errors(form, invalid)
        return page(400)
    try:
        if staff is None:
            staff = people.create_staff(data, current_user.audit_name)
            message = f"Added {staff.name}."
        else:
            changes = people.update_staff(staff, data, current_user.audit_name)
            message = f"Saved {staff.name}: {', '.join(changes)} changed." if changes else "Nothing changed."
        db.session.commit()
    except IntegrityError:  # the same e-mail added at the same moment by someone else
        db.session.rollback()
        form.email.errors.append("Someone else has this e-mail. Each person needs their own.")
        return page(400)
    flash(message, "success")
    if isinstance(form, InvitingStaffForm) and form.invite.data:
        try:
            flash_invitation(account_mail.invite(staff, current_user.audit_name, current_app.config))
        except Refused as refused:  # e.g. added with a leaving date already past
            db.session.rollback()
            flash(" ".join(refused.reasons), "error")
    return redirect(url_for("manager.staff_list"), code=303)


@bp.route("/staff/new", methods=["GET", "POST"])
def staff_new():
    return _staff_form(None)


@bp.route("/staff/<id:staff_id>/edit", methods=["GET", "POST"])
def staff_edit(staff_id: int):
    staff = db.session.get(Staff, staff_id) or abort(404, "There is no such staff record.")
    return _staff_form(staff)


@bp.get("/policies")
def policy_list():
    catalogue = served_catalogue.required()
    return render_template("manager/policies.html", policies=catalogue.policies.values())


@bp.get("/policies/<slug:policy_id>")
def register(policy_id: str):
    catalogue = served_catalogue.required()
    policy = catalogue.policies.get(policy_id)
    if policy is None and not acknowledgements.is_archived(policy_id):
        abort(404, f"There is no policy '{policy_id}'.")
    outstanding = []
    if policy is not None:
        active = db.session.scalars(select(Staff).where(Staff.left_on.is_(None) | (Staff.left_on > today()))
                                    .order_by(Staff.name)).all()
        statuses = compliance_status.statuses_by_staff(active, catalogue, today())
        by_id = {s.id: s for s in active}
        outstanding = [(by_id[staff_id], item) for staff_id, items in statuses.items() for item in items
                       if item.kind == "policy" and item.id == policy_id and item.status != Status.COMPLIANT]
    return render_template("manager/register.html", policy_id=policy_id, policy=policy,
                           signatures=acknowledgements.register(policy_id), outstanding=outstanding)


# --------------------------------------------------------------------------------------------
# Reminders sent now
# --------------------------------------------------------------------------------------------

MAIL_UNSET = ("E-mail is not set up for the tracker, so reminders cannot be sent from here. "
              "Ask whoever runs the tracker to set up its mail server.")
MAIL_DOWN = ("The mail server could not be reached, so no reminder was sent. Try again in a few minutes; "
             "if this persists, tell whoever runs the tracker.")


def _sent_flash(sent: reminders.Sent, skipped: list[str]) -> None:
    if sent.to:
        flash(f"Reminder sent to {', '.join(sent.to)}.", "success")
    for problem in sent.refused + skipped:
        flash(problem, "error")


def _send(work) -> None:
    """Run one sending, commit its audit event, and say what happened."""
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400, "The form expired. Open the page again and send the reminder from there.")
    try:
        sent, skipped = work()
        db.session.commit()
    except reminders.MailNotConfigured:
        flash(MAIL_UNSET, "error")
    except (OSError, smtplib.SMTPException):
        db.session.rollback()
        current_app.logger.exception("Sending a reminder failed")
        flash(MAIL_DOWN, "error")
    except Refused as refused:
        db.session.rollback()
        flash(" ".join(refused.reasons), "error")
    else:
        _sent_flash(sent, skipped)


@bp.post("/staff/<id:staff_id>/remind")
def remind(staff_id: int):
    staff = db.session.get(Staff, staff_id) or abort(404, "There is no such staff record.")
    _send(lambda: (reminders.remind_now(staff, served_catalogue.required(), today(), current_app.config,
                                        current_user.audit_name), []))
    back = request.referrer if request.referrer and request.referrer.startswith(request.host_url) else None
    return redirect(back or url_for("dashboard.person", staff_id=staff.id), code=303)


@bp.post("/reminders/overdue")
def remind_overdue():
    _send(lambda: reminders.remind_overdue(served_catalogue.required(), today(), current_app.config,
                                           current_user.audit_name))
    return redirect(url_for("dashboard.dashboard") + "#attention-heading", code=303)
