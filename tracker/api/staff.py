"""The signed-in account (/me) and the staff records managers keep (/staff), in the JSON API."""

from __future__ import annotations

from flask import current_app, jsonify
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tracker.api.base import api_identity, bp, json_body, require_manager
from tracker.http.errors import ApiError
from tracker.services import account_mail, accounts, people, served_catalogue
from tracker.services.validation import Invalid, Refused
from tracker.storage.db import db
from tracker.storage.models import Staff


@bp.get("/me")
def me():
    """Answered from the authenticated identity alone: no query beyond the token check."""
    identity = api_identity()
    return jsonify({"id": identity.id, "email": identity.email, "account_role": identity.account_role,
                    "staff": people.staff_json(identity.staff)})


def _staff_answer(staff: Staff) -> dict[str, object]:
    return {**people.staff_json(staff), "account_status": accounts.status(staff)}


@bp.get("/staff")
def staff_list():
    require_manager()
    staff = db.session.scalars(select(Staff).order_by(Staff.name, Staff.id)).all()
    return jsonify({"staff": [_staff_answer(s) for s in staff]})


def _invite(staff: Staff, actor: str) -> dict[str, object]:
    """The "invitation" of the answer: e-mailed, or why not (with the link to hand over)."""
    try:
        invited = account_mail.invite(staff, actor, current_app.config)
    except Refused as refused:
        db.session.rollback()
        return {"emailed": False, "problem": " ".join(refused.reasons)}
    if invited.problem is None:
        return {"emailed": True, "problem": None}
    return {"emailed": False, "problem": invited.problem, "url": invited.url}


@bp.post("/staff")
def staff_create():
    user = require_manager()
    body = json_body("StaffInput")
    try:
        data = people.check_staff(body, served_catalogue.required())
    except Invalid as invalid:
        raise ApiError(400, "The staff record is not valid.", invalid.details) from invalid
    duplicate = ApiError(409, "A staff record with this e-mail already exists.", [f"email: {data.email}"])
    if people.find_staff(data.email) is not None:
        raise duplicate
    try:
        staff = people.create_staff(data, user.audit_name)
        db.session.commit()
    except IntegrityError as error:  # added by someone else at the same moment
        db.session.rollback()
        raise duplicate from error
    invitation = _invite(staff, user.audit_name) if body.get("invite") else None
    answer = _staff_answer(staff)
    return jsonify({**answer, "invitation": invitation} if invitation else answer), 201
