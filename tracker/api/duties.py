"""Office duties in the JSON API: each duty's status at each place as of a day, and recording one done.

Routes on the /api/v1 blueprint (tracker.api.base), described in tracker/api/openapi/duties.json. A
manager sees every duty, anyone else the duties of the roles they hold; recording is for the duty's
owner role or a manager. Attachments are added on the Office duties page, not through the API.
"""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify, request

from tracker.api.base import api_user, bp, json_body
from tracker.http import as_of
from tracker.http.errors import ApiError
from tracker.services import duties, served_catalogue
from tracker.services.validation import Invalid
from tracker.storage.db import iso_utc
from tracker.storage.models import DutyCompletion


def duty_json(row: duties.DutyRow) -> dict[str, Any]:
    s = row.schedule
    return {"id": s.duty_id, "kind": s.kind, "title": s.title, "policy_id": s.policy_id, "owner": s.owner,
            "location": row.location_id, "status": str(row.status.status), "due_date": row.status.due_date.isoformat(),
            "last_done": row.status.last_done.isoformat() if row.status.last_done else None,
            "detail": row.status.detail, "recordable": s.recordable}


def completion_json(completion: DutyCompletion) -> dict[str, Any]:
    return {"id": completion.id, "duty_id": completion.duty_id, "location": completion.location_id,
            "completed_on": completion.completed_on.isoformat(), "note": completion.note,
            "attachment_sha256": completion.attachment_sha256, "recorded_by": completion.recorded_by.email,
            "recorded_at": iso_utc(completion.recorded_at)}


@bp.get("/duties")
def duty_list():
    day = as_of.requested(request.args, empty_is_today=False)
    rows = duties.visible_to(api_user(), duties.compute(served_catalogue.required(), day))
    return jsonify({"as_of": day.isoformat(), "counts": {str(k): v for k, v in duties.counts(rows).items()},
                    "duties": [duty_json(row) for row in rows]})


@bp.post("/duties/<slug:duty_id>/completions")
def duty_completion(duty_id: str):
    served_catalogue.required()
    try:
        duties.recordable(api_user(), duty_id)  # who may, before what they sent
        completion = duties.record_completion(api_user(), duty_id, json_body("DutyCompletionInput"))
    except LookupError as missing:
        abort(404, str(missing))
    except PermissionError as refused:
        abort(403, str(refused))
    except Invalid as invalid:
        raise ApiError(400, "The completion is not valid.", invalid.details) from invalid
    return jsonify(completion_json(completion)), 201
