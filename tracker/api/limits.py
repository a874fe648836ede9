"""Limits every operation of the OpenAPI document shares, applied when the document is assembled.

The server refuses what these describe, so the document states it for every operation, including
ones added later, instead of each part repeating it (and one forgetting):

- every operation may answer 503 when the database cannot take the request (tracker.http.errors);
- a whole number in a request body is at most MAX_ID, the largest a database integer holds;
- a date in a request body lies in RECORD_DAYS, and ``as_of`` in AS_OF_DAYS (tracker.rules.dates),
  stated as patterns of their years.

The document served at /api/v1/openapi.json also states two rules the use cases check themselves
(``served_document``): the ids the served catalogue holds wherever a request names one (a role,
location, certification type, module, policy or requirement it does not have is refused), and what
free text may hold. Bodies are checked against the document without them, so that the use cases'
own messages explain what is wrong.

Text with a lone surrogate (``"\\ud800"``), which no database can store, is refused by
``has_lone_surrogate`` before any use case sees it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from portal.model import Catalogue
from tracker.rules.dates import AS_OF_DAYS, RECORD_DAYS
from tracker.services.matrix import all_requirements
from tracker.services.validation import CONTROL_CHARACTERS, SPACES
from tracker.storage.db import MAX_ID

HTTP_METHODS = ("get", "put", "post", "delete", "patch")
UNAVAILABLE = {"$ref": "#/components/responses/Unavailable"}
TEXT = f"^[^{CONTROL_CHARACTERS}]*$"
REQUIRED_TEXT = f"^[^{CONTROL_CHARACTERS}]*[^{CONTROL_CHARACTERS}{SPACES}][^{CONTROL_CHARACTERS}]*$"


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(path, method, operation) of every operation in the document."""
    for path, item in document["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                yield path, method, item[method]


def apply_limits(document: dict[str, Any]) -> None:
    for _, _, operation in operations(document):
        operation.setdefault("responses", {}).setdefault("503", UNAVAILABLE)
        for parameter in operation.get("parameters", []):
            if parameter.get("name") == "as_of":
                _limit(parameter["schema"], AS_OF_DAYS.pattern)
        body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
        if "schema" in body:
            for schema in _reachable(body["schema"], document["components"]["schemas"], set()):
                _limit(schema, RECORD_DAYS.pattern)


def _limit(schema: dict[str, Any], date_pattern: str) -> None:
    types = schema.get("type")
    types = types if isinstance(types, list) else [types]
    if "integer" in types:
        schema.setdefault("maximum", MAX_ID)
        schema.setdefault("minimum", -MAX_ID)
    if "string" in types and schema.get("format") == "date":
        schema["pattern"] = date_pattern


def _limit_text(schema: dict[str, Any]) -> None:
    """Free text (a string property with no format, pattern or list of values) holds no control
    characters but tab and line breaks, and a required one more than spaces
    (tracker.services.validation.text_field)."""
    required = set(schema.get("required", ()))
    for name, field in schema.get("properties", {}).items():
        if field.get("type") == "string" and not {"format", "pattern", "enum", "const"} & set(field):
            field["pattern"] = REQUIRED_TEXT if name in required else TEXT


def _reachable(schema: Any, named: dict[str, Any], seen: set[str]) -> Iterator[dict[str, Any]]:
    """Every schema object inside ``schema``, following $refs to the named schemas once each."""
    if isinstance(schema, list):
        for entry in schema:
            yield from _reachable(entry, named, seen)
        return
    if not isinstance(schema, dict):
        return
    reference = schema.get("$ref", "")
    if reference.startswith("#/components/schemas/"):
        name = reference.rsplit("/", 1)[-1]
        if name not in seen:
            seen.add(name)
            yield from _reachable(named[name], named, seen)
        return
    yield schema
    for key, value in schema.items():
        if key in ("properties", "$defs", "patternProperties"):
            for entry in value.values():
                yield from _reachable(entry, named, seen)
        elif isinstance(value, dict | list) and key not in ("examples", "enum", "const", "default"):
            yield from _reachable(value, named, seen)


def catalogue_ids(catalogue: Catalogue) -> dict[str, list[str]]:
    """The ids a request may name, by the name of the field or parameter that names them."""
    roles, locations = sorted(catalogue.roles), sorted(catalogue.locations)
    return {"roles": roles, "role": roles, "location": locations, "location_id": locations,
            "type_id": sorted(catalogue.certifications), "module_id": sorted(catalogue.modules),
            "policy_id": sorted(catalogue.policies), "requirement": [r.key for r in all_requirements(catalogue)]}


def served_document(document: dict[str, Any], catalogue: Catalogue) -> dict[str, Any]:
    """A copy of ``document`` stating the rules the use cases check in their own words: which ids
    the catalogue holds where a request names one, and what free text may hold."""
    served = copy.deepcopy(document)
    ids = catalogue_ids(catalogue)
    for _, _, operation in operations(served):
        for parameter in operation.get("parameters", []):
            if parameter.get("name") in ids:
                optional = parameter.get("in") == "query"  # an empty filter means "any"
                parameter["schema"]["enum"] = ids[parameter["name"]] + ([""] if optional else [])
        body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
        for schema in _reachable(body.get("schema"), served["components"]["schemas"], set()):
            _limit_text(schema)
            for name, field in schema.get("properties", {}).items():
                if name in ids and field.get("type") == "array":
                    field["items"]["enum"], field["uniqueItems"] = ids[name], True
                elif name in ids:
                    field["enum"] = ids[name]
    return served


def has_lone_surrogate(value: Any) -> bool:
    """Whether a parsed JSON value holds text that is not valid Unicode (a lone surrogate).

    Walked with a list rather than recursion: a body may nest as deep as the JSON parser allows.
    """
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if not item.isascii() and any("\ud800" <= character <= "\udfff" for character in item):
                return True
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
    return False
