"""The signed-in account (/me) and the staff records managers keep (/staff), in the JSON API."""

from __future__ import annotations

from flask import jsonify
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tracker.api.base import api_user, bp, json_body, require_manager
from tracker.http.errors import ApiError
from tracker.services import catalogue as served
from tracker.services import people
from tracker.services.validation import Invalid
from tracker.storage.db import db
from tracker.storage.models import Staff


@bp.get("/me")
def me():
    user = api_user()
    return jsonify({"id": user.id, "email": user.email, "account_role": user.account_role,
                    "staff": people.staff_json(user.staff)})


@bp.get("/staff")
def staff_list():
    require_manager()
    staff = db.session.scalars(select(Staff).order_by(Staff.name, Staff.id)).all()
    return jsonify({"staff": [people.staff_json(s) for s in staff]})


@bp.post("/staff")
def staff_create():
    user = require_manager()
    try:
        data = people.check_staff(json_body("StaffInput"), served.required())
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
    return jsonify(people.staff_json(staff)), 201
