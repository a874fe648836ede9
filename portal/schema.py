"""JSON Schemas (Draft 2020-12) for each kind of content file, compiled once."""

from __future__ import annotations

import difflib
import json
from functools import cache
from importlib import resources

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

KINDS = ("office", "policy", "module", "certifications")
_FILES = (*KINDS, "defs")


def schema_text(name: str) -> str:
    return resources.files("portal").joinpath("schemas", f"{name}.schema.json").read_text("utf-8")


@cache
def _registry() -> Registry:
    """Every schema by its $id, so that one schema's $ref to defs.schema.json resolves offline."""
    found = []
    for name in _FILES:
        resource = Resource.from_contents(json.loads(schema_text(name)))
        uri = resource.id()
        if uri is None:
            raise ValueError(f"portal/schemas/{name}.schema.json has no $id")
        found.append((uri, resource))
    return Registry().with_resources(found)


@cache
def validator(kind: str) -> Draft202012Validator:
    schema = json.loads(schema_text(kind))
    return Draft202012Validator(schema, registry=_registry(), format_checker=FormatChecker())


def describe(error: ValidationError) -> list[tuple[list, str, str, bool]]:
    """Turn a jsonschema error into (path, message, hint, point_at_key) tuples a manager can act on."""
    path = list(error.absolute_path)
    where = _field_name(path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    hint = schema.get("x-hint", "")
    kind = error.validator
    if kind == "required":
        name = error.message.split("'")[1]
        described = schema.get("properties", {}).get(name, {}).get("description", "")
        return [(path, f"missing required field '{name}'{_in(where)}", described or f"add '{name}:'", False)]
    if kind == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        extra = sorted(set(error.instance if isinstance(error.instance, dict) else ()) - set(allowed))
        out = []
        for name in extra:
            close = difflib.get_close_matches(str(name), allowed, n=1)
            fix = f"did you mean '{close[0]}'?" if close else f"remove it; allowed fields: {', '.join(allowed)}"
            out.append(([*path, name], f"unknown field '{name}'{_in(where)}", fix, True))
        return out
    if kind == "type":
        value = error.validator_value
        expected = " or ".join(value) if isinstance(value, list) else str(value)
        got = type(error.instance).__name__.replace("str", "text").replace("NoneType", "empty")
        fix = hint or f"write {_article(expected)}" + (f": {schema['description']}" if schema.get("description") else "")
        return [(path, f"{where or 'the document'} must be {_article(expected)}, not {got}", fix, False)]
    if kind == "enum":
        options = ", ".join(str(v) for v in _listed(error.validator_value))
        return [(path, f"{where} is {error.instance!r}, which is not allowed", hint or f"use one of: {options}", False)]
    if kind in ("pattern", "format"):
        return [(path, f"{where} {error.instance!r} is not in the expected form", hint or schema.get("description", ""), False)]
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return [(path, f"{where} is {error.instance}, {error.message.split(' is ', 1)[-1]}",
                 hint or schema.get("description", "") or "use a value within the allowed range", False)]
    if kind in ("minItems", "minLength"):
        return [(path, f"{where} is empty or too short", hint or schema.get("description", "fill it in"), False)]
    if kind == "uniqueItems":
        return [(path, f"{where} lists the same entry twice", "remove the repeated entry", False)]
    return [(path, f"{where or 'the document'}: {error.message}", hint or schema.get("description", "") or "see the schema in portal/schemas/", False)]


def _listed(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]


def _field_name(path: list) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return f"'{text}'" if text else ""


def _in(where: str) -> str:
    return f" in {where}" if where else ""


def _article(word: str) -> str:
    names = {"integer": "a whole number", "string": "text", "array": "a list", "object": "a mapping of fields",
             "boolean": "true or false", "null": "empty"}
    return " or ".join(names.get(w, w) for w in word.split(" or "))
