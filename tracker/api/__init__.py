"""The JSON API, /api/v1, described by tracker/openapi/openapi.json.

Request bodies are validated against the schemas of that same document, so the description and
the checks cannot drift apart. Authentication: the session cookie of a signed-in browser (writes
then need the X-CSRFToken header, as forms do), or ``Authorization: Bearer <token>`` from
``flask --app tracker issue-token``, which needs no CSRF token since browsers never send it on
their own.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from importlib import resources

from flask import Blueprint, abort, g, jsonify, request, url_for
from flask_login import current_user
from jsonschema import Draft202012Validator
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tracker.http import as_of
from tracker.http.errors import ApiError
from tracker.http.extensions import csrf
from tracker.services import acknowledgements, people
from tracker.services import catalogue as served
from tracker.services import statuses as records
from tracker.services.acknowledgements import Origin, SignatureMismatch, StaleVersion, UnknownPolicy
from tracker.storage.db import db
from tracker.storage.models import Staff, User
from tracker.web.auth import user_for_bearer

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # checked in `authenticate` for cookie-authenticated writes only

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PUBLIC_ENDPOINTS = frozenset({"api.openapi"})


@cache
def openapi_document() -> dict:
    """tracker/openapi/openapi.json plus the parts beside it (one file per area of the API).

    Each part holds ``paths`` and ``components``; they are merged into the base document, and a
    name defined twice is an error, so two areas cannot silently describe the same thing.
    """
    folder = resources.files("tracker.api").joinpath("openapi")
    document = json.loads(folder.joinpath("openapi.json").read_text("utf-8"))
    parts = sorted((f for f in folder.iterdir() if f.name.endswith(".json") and f.name != "openapi.json"),
                   key=lambda f: f.name)
    for part in parts:
        _merge(document, json.loads(part.read_text("utf-8")), part.name)
    return document


def _merge(document: dict, part: dict, name: str) -> None:
    targets = [(document["paths"], part.get("paths", {}), "path")]
    for section, entries in part.get("components", {}).items():
        targets.append((document["components"].setdefault(section, {}), entries, f"components.{section}"))
    for target, entries, what in targets:
        for key, value in entries.items():
            if key in target:
                raise ValueError(f"openapi/{name}: {what} {key!r} is already defined")
            target[key] = value


@cache
def _validator(schema_name: str) -> Draft202012Validator:
    document = openapi_document()
    return Draft202012Validator({"$ref": f"#/components/schemas/{schema_name}", "components": document["components"]})


def json_body(schema_name: str) -> dict:
    """The request's JSON body, checked against a schema of the OpenAPI document (400 or 415 if not)."""
    if not request.is_json:
        abort(415, "Send the body as JSON with Content-Type: application/json.")
    body = request.get_json(silent=True)
    if body is None:
        abort(400, "The body is not valid JSON.")
    errors = sorted(_validator(schema_name).iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        details = [f"{'.'.join(str(p) for p in e.absolute_path) or 'body'}: {e.message}" for e in errors]
        raise ApiError(400, "The request body is not valid.", details)
    return body


def api_user() -> User:
    return g.api_user


def _manager() -> User:
    user = api_user()
    if not user.is_manager:
        abort(403, "Only managers and admins may do this.")
    return user


@bp.before_request
def authenticate():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    header = request.headers.get("Authorization")
    if header is not None:
        user = user_for_bearer(header)
        if user is None:
            abort(401, "The bearer token is unknown, malformed or revoked.")
    elif current_user.is_authenticated:
        user = current_user._get_current_object()
        if request.method not in SAFE_METHODS:
            csrf.protect()
    else:
        abort(401, "Sign in, or send Authorization: Bearer <token>.")
    g.api_user = user


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@bp.get("/me")
def me():
    user = api_user()
    return jsonify({"id": user.id, "email": user.email, "account_role": user.account_role,
                    "staff": people.staff_json(user.staff)})


def requirement_json(item) -> dict:
    """One requirement with its status (an ItemStatus), as every API answer shows it."""
    return {"kind": item.kind, "id": item.id, "title": item.title, "status": str(item.status),
            "due_date": item.due_date.isoformat() if item.due_date else None, "detail": item.detail}


def requirements_json(staff: Staff, day: date) -> dict:
    """Everything ``staff`` owes as of ``day``, from the records entered by its end."""
    items = records.statuses_for(staff, served.required(), day, day)
    return {"as_of": day.isoformat(), "items": [requirement_json(i) for i in items]}


@bp.get("/me/requirements")
def my_requirements():
    return jsonify(requirements_json(api_user().staff, as_of.requested(request.args, empty_is_today=False)))


@bp.get("/catalogue")
def catalogue():
    found = served.required()
    return jsonify({
        "roles": [{"id": r.id, "title": r.title, "designation": r.designation} for r in found.roles.values()],
        "locations": [{"id": loc.id, "name": loc.name} for loc in found.locations.values()],
        "certifications": [{"id": c.id, "name": c.name, "kind": c.kind, "validity_months": c.validity_months,
                            "required_for": list(c.required_for), "requirement_id": c.requirement_id}
                           for c in found.certifications.values()],
        "policies": [{"id": p.id, "title": p.title, "version": p.version, "fingerprint": p.fingerprint,
                      "effective_date": p.effective_date.isoformat(), "applies_to": list(p.applies_to),
                      "locations": list(p.locations), "acknowledgement_required": p.acknowledgement_required}
                     for p in found.policies.values()],
        "modules": [{"id": m.id, "title": m.title, "version": m.version, "fingerprint": m.fingerprint,
                     "effective_date": m.effective_date.isoformat(), "audience": list(m.audience),
                     "locations": list(m.locations), "recurrence_months": m.recurrence_months}
                    for m in found.modules.values()],
    })


@bp.get("/staff")
def staff_list():
    _manager()
    staff = db.session.scalars(select(Staff).order_by(Staff.name, Staff.id)).all()
    return jsonify({"staff": [people.staff_json(s) for s in staff]})


@bp.post("/staff")
def staff_create():
    user = _manager()
    data, errors = people.check_staff(json_body("StaffInput"), served.required())
    if errors:
        raise ApiError(400, "The staff record is not valid.", [f"{k}: {v}" for k, v in errors.items()])
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


@bp.post("/acknowledgements")
def acknowledge():
    body = json_body("AcknowledgementInput")
    try:
        version = acknowledgements.requested_version(body["policy_id"], body["version"], body["fingerprint"])
        ack, created = acknowledgements.acknowledge(api_user().staff, version, body["signature_name"],
                                                    Origin.of_request("api"), api_user())
    except UnknownPolicy:
        abort(404, f"There is no policy '{body['policy_id']}'.")
    except StaleVersion as stale:
        raise ApiError(409, "That is not the current text of this policy.", stale.reasons,
                       current={"version": stale.current.version, "fingerprint": stale.current.fingerprint}) from stale
    except SignatureMismatch as mismatch:
        raise ApiError(400, "The signature does not match the staff record.",
                       [f"signature_name: {mismatch}"]) from mismatch
    response = jsonify(acknowledgements.ack_json(ack))
    if created:
        response.headers["Location"] = url_for("policies.receipt", ack_id=ack.id)
    return response, 201 if created else 200


@bp.get("/policies/<slug:policy_id>/acknowledgements")
def policy_acknowledgements(policy_id: str):
    _manager()
    if not acknowledgements.is_archived(policy_id):
        abort(404, f"There is no policy '{policy_id}'.")
    current = served.required().policies.get(policy_id)
    return jsonify({
        "policy_id": policy_id,
        "current_version": current.version if current else None,
        "acknowledgements": [acknowledgements.ack_json(a) for a in acknowledgements.register(policy_id)],
    })


# Routes of other areas on this blueprint, imported last since they import `bp` from here.
from tracker.api import compliance as api_compliance  # noqa: E402, F401
from tracker.api import training as api_training  # noqa: E402, F401
