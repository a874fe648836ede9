"""Policy acknowledgements in the JSON API: signing the current version, and a policy's register."""

from __future__ import annotations

from flask import abort, jsonify, url_for

from tracker.api.base import api_identity, bp, json_body, require_manager, stale_conflict
from tracker.http.client import request_origin
from tracker.http.errors import ApiError
from tracker.services import acknowledgements, served_catalogue
from tracker.services.acknowledgements import SignatureMismatch
from tracker.services.versions import StaleVersion, UnknownPolicy


@bp.post("/acknowledgements")
def acknowledge():
    body = json_body("AcknowledgementInput")
    try:
        signer = api_identity()  # who it is and their staff record: no ORM objects to load
        ack, created = acknowledgements.sign_requested(signer.staff, signer, body["policy_id"], body["version"],
                                                       body["fingerprint"], body["signature_name"],
                                                       request_origin("api"))
    except UnknownPolicy:
        abort(404, f"There is no policy '{body['policy_id']}'.")
    except StaleVersion as stale:
        raise stale_conflict(stale, "That is not the current text of this policy.") from stale
    except SignatureMismatch as mismatch:
        raise ApiError(400, "The signature does not match the staff record.",
                       [f"signature_name: {mismatch}"]) from mismatch
    response = jsonify(acknowledgements.ack_json(ack))
    if created:
        response.headers["Location"] = url_for("policies.receipt", ack_id=ack.id)
    return response, 201 if created else 200


@bp.get("/policies/<slug:policy_id>/acknowledgements")
def policy_acknowledgements(policy_id: str):
    require_manager()
    if not acknowledgements.is_archived(policy_id):
        abort(404, f"There is no policy '{policy_id}'.")
    current = served_catalogue.required().policies.get(policy_id)
    return jsonify({
        "policy_id": policy_id,
        "current_version": current.version if current else None,
        "acknowledgements": [acknowledgements.ack_json(a) for a in acknowledgements.register(policy_id)],
    })
