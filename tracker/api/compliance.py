"""Compliance in the JSON API: the matrix, and one person's requirements, as of a day.

Routes on the /api/v1 blueprint (tracker.api.base), described in tracker/api/openapi/compliance.json
and, for /me/requirements, openapi.json. Every requirement has the shape of ``requirement_json``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, jsonify, request

from tracker.api.base import api_user, bp, require_manager
from tracker.http import as_of
from tracker.http.errors import ApiError
from tracker.rules.records import ItemStatus
from tracker.rules.summary import Summary
from tracker.services import compliance_status, matrix, served_catalogue
from tracker.storage.db import db
from tracker.storage.models import Staff


def summary_json(summary: Summary) -> dict[str, Any]:
    return {"counts": {str(status): count for status, count in summary.counts.items()}, "total": summary.total,
            "rate": round(summary.rate, 4)}


def requirement_json(item: ItemStatus) -> dict[str, Any]:
    """One requirement with its status, as every API answer shows it."""
    return {"kind": item.kind, "id": item.id, "title": item.title, "status": str(item.status),
            "due_date": item.due_date.isoformat() if item.due_date else None, "detail": item.detail}


def requirements_json(staff: Staff, day: date) -> dict[str, Any]:
    """Everything ``staff`` owes as of ``day``, from the records entered by its end."""
    items = compliance_status.statuses_for(staff, served_catalogue.required(), day, day)
    return {"as_of": day.isoformat(), "items": [requirement_json(i) for i in items]}


@bp.get("/me/requirements")
def my_requirements():
    return jsonify(requirements_json(api_user().staff, as_of.requested(request.args, empty_is_today=False)))


@bp.get("/compliance")
def compliance():
    require_manager()
    catalogue = served_catalogue.required()
    day = as_of.requested(request.args, empty_is_today=False)
    try:
        filters = matrix.Filters.from_args(request.args, catalogue)
    except matrix.BadFilter as error:
        raise ApiError(400, "A filter is not valid.", [str(error)]) from error
    computed = matrix.compute(catalogue, day, filters)
    return jsonify({
        "as_of": day.isoformat(),
        "filters": filters.as_args(),
        "summary": summary_json(computed.summary),
        "locations": [{"id": location_id, "name": catalogue.locations[location_id].name
                       if location_id in catalogue.locations else None, "summary": summary_json(summary)}
                      for location_id, summary in computed.by_location.items()],
        "people": [{"staff_id": row.staff.id, "name": row.staff.name, "email": row.staff.email,
                    "job_title": row.staff.job_title, "location_id": row.staff.location_id,
                    "roles": list(row.staff.roles), "summary": summary_json(row.summary),
                    "items": [requirement_json(item) for item in row.picked]} for row in computed.rows],
    })


@bp.get("/staff/<id:staff_id>/requirements")
def staff_requirements(staff_id: int):
    user = api_user()
    if not user.is_manager and user.staff_id != staff_id:
        abort(403, "Staff may see only their own requirements.")
    staff = db.session.get(Staff, staff_id)
    if staff is None:
        abort(404, "There is no such staff record.")
    return jsonify({"staff_id": staff.id, "name": staff.name,
                    **requirements_json(staff, as_of.requested(request.args, empty_is_today=False))})
