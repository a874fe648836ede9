"""The /api/v1 blueprint and what every route on it shares: who is asking, and checked JSON bodies.

Request bodies are validated against the schemas of the served OpenAPI document
(tracker/api/openapi/), so the description and the checks cannot drift apart. Authentication: the
session cookie of a signed-in browser (writes then need the X-CSRFToken header, as forms do), or
``Authorization: Bearer <token>`` from ``flask --app tracker issue-token``, which needs no CSRF
token since browsers never send it on their own.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from flask import Blueprint, abort, g, jsonify, request
from flask_login import current_user
from jsonschema import Draft202012Validator
from sqlalchemy.orm import joinedload

from tracker.api.limits import apply_limits, has_lone_surrogate, served_document
from tracker.http.errors import ApiError
from tracker.http.extensions import csrf
from tracker.services import served_catalogue, tokens
from tracker.services.accounts import user_for_bearer
from tracker.services.tokens import Bearer
from tracker.services.versions import StaleVersion
from tracker.storage.db import db, today
from tracker.storage.models import User

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # checked in `authenticate` for cookie-authenticated writes only

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PUBLIC_ENDPOINTS = frozenset({"api.openapi"})


@cache
def openapi_document() -> dict[str, Any]:
    """tracker/api/openapi/openapi.json plus the parts beside it (one file per area of the API).

    Each part holds ``paths`` and ``components``; they are merged into the base document, and a
    name defined twice is an error, so two areas cannot silently describe the same thing.
    """
    folder = resources.files("tracker.api").joinpath("openapi")
    document = json.loads(folder.joinpath("openapi.json").read_text("utf-8"))
    parts = sorted((f for f in folder.iterdir() if f.name.endswith(".json") and f.name != "openapi.json"),
                   key=lambda f: f.name)
    for part in parts:
        _merge(document, json.loads(part.read_text("utf-8")), part.name)
    apply_limits(document)
    return document


def _merge(document: dict[str, Any], part: dict[str, Any], name: str) -> None:
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


def json_body(schema_name: str) -> dict[str, Any]:
    """The request's JSON body, checked against a schema of the OpenAPI document (400 or 415 if not)."""
    if not request.is_json:
        abort(415, "Send the body as JSON with Content-Type: application/json.")
    body = request.get_json(silent=True)
    if body is None:
        abort(400, "The body is not valid JSON.")
    if has_lone_surrogate(body):
        abort(400, "The body holds text that is not valid Unicode (a lone surrogate escape such as \\ud800).")
    errors = sorted(_validator(schema_name).iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        details = [f"{'.'.join(str(p) for p in e.absolute_path) or 'body'}: {e.message}" for e in errors]
        raise ApiError(400, "The request body is not valid.", details)
    return body


def stale_conflict(stale: StaleVersion, error: str) -> ApiError:
    """The 409 for a write naming a version that is not the current one, with the current one to use."""
    return ApiError(409, error, stale.reasons,
                    current={"version": stale.current.version, "fingerprint": stale.current.fingerprint})


def api_identity() -> Bearer | User:
    """Who is asking, as authenticated: a bearer token's identity (plain values, no ORM load) or the
    signed-in User. Enough for routes that only need who it is and their staff record's columns (/me,
    signing a policy); others ask api_user() for the ORM User."""
    identity: Bearer | User = g.api_identity
    return identity


def api_user() -> User:
    """The asking User as an ORM object, for routes that write or follow relationships.

    A bearer request authenticates without loading it; it is loaded here (one query, with its staff
    record) the first time a route asks, then kept for the rest of the request.
    """
    user: User | None = g.get("api_user")
    if user is None:
        user = db.session.get(User, api_identity().id, options=[joinedload(User.staff)])
        if user is None:  # removed since authentication, moments ago
            abort(401, "The bearer token is unknown, malformed or revoked.")
        g.api_user = user
    return user


def require_manager() -> User:
    user = api_user()
    if not user.is_manager:
        abort(403, "Only managers and admins may do this.")
    return user


@bp.before_request
def authenticate() -> None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    header = request.headers.get("Authorization")
    if header is not None:
        # A write reads the token in its own transaction: one connection, not one for each.
        g.api_identity = _bearer_identity(header, in_transaction=request.method not in SAFE_METHODS)
    elif current_user.is_authenticated:
        g.api_identity = g.api_user = current_user._get_current_object()
        if request.method not in SAFE_METHODS:
            csrf.protect()
    else:
        abort(401, "Sign in, or send Authorization: Bearer <token>.")


def _bearer_identity(header: str, in_transaction: bool) -> Bearer:
    """The live token's identity, checked in one query; a departed or disabled owner goes through
    accounts.user_for_bearer, which also revokes what a departed person still holds."""
    identity = tokens.bearer(header, in_transaction)
    if identity is not None and identity.active_on(today()):
        return identity
    if identity is not None:
        user_for_bearer(header)  # None for an inactive owner; offboards a departed one (committed)
    abort(401, "The bearer token is unknown, malformed or revoked.")


@bp.get("/openapi.json")
def openapi():
    catalogue = served_catalogue.current()
    return jsonify(served_document(openapi_document(), catalogue) if catalogue else openapi_document())
