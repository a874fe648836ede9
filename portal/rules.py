"""Cross-reference rules: what JSON Schema cannot see across fields and files."""

from __future__ import annotations

import re
import zoneinfo
from collections import Counter
from datetime import date
from pathlib import PurePosixPath

import holidays

from portal import yamlio
from portal.model import ALL
from portal.problems import Problem

KIND_NAMES = {"policy": "policy", "module": "training module", "certifications": "certification type",
              "duty": "office duty"}


SHAPE_ERRORS = (KeyError, TypeError, AttributeError, IndexError, ValueError)


def check_references(documents: dict, locator) -> None:
    """Run every rule on every parsed file, so one run reports all problems.

    A file that failed its schema is still checked: a rule that trips over its broken shape is
    skipped, since the schema problem is already reported for that spot.
    """
    parsed = [d for d in documents.values() if isinstance(d.data, dict)]
    office = next((d for d in parsed if d.kind == "office"), None)
    known = _safely(_known_ids, office, locator) if office else None
    if office:
        _safely(_office_time, office, locator)
    items = _items(parsed)
    _unique_ids(items, locator)
    ids = {kind: {i for (k, i, _d, _w) in items if k == kind} for kind in KIND_NAMES}
    for document in parsed:
        if document.kind == "policy":
            _safely(_policy, document, known, ids, locator)
        elif document.kind == "module":
            _safely(_module, document, known, ids, locator)
        elif document.kind == "certifications":
            for index, cert in enumerate(_list(document.data.get("certifications"))):
                _safely(_certification, cert, ["certifications", index], document, known, locator)


def _safely(rule, *args):
    try:
        return rule(*args)
    except SHAPE_ERRORS:
        return None


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _certification(cert, where, document, known, locator) -> None:
    _roles(cert["required_for"], [*where, "required_for"], document, known, locator)
    _locations(cert, where, document, known, locator)
    _citations(cert.get("citations", []), [*where, "citations"], document, locator)


def _known_ids(office, locator) -> dict | None:
    """Role, location and category ids from office.yml; None when it could not be read."""
    if office is None:
        return None
    known = {}
    for key in ("roles", "locations", "categories"):
        counts = Counter(entry["id"] for entry in office.data[key])
        for index, entry in enumerate(office.data[key]):
            if counts[entry["id"]] > 1:
                locator.add(office.path, [key, index, "id"], f"{key[:-1] if key != 'categories' else 'category'} id '{entry['id']}' is used more than once",
                            "give each entry its own id")
        known[key] = set(counts)
    return known


def _office_time(office, locator) -> None:
    """The time zone and the holiday calendar name ones the tracker can use."""
    info = office.data["office"]
    zone = info.get("timezone")
    if isinstance(zone, str) and zone not in zoneinfo.available_timezones():
        locator.add(office.path, ["office", "timezone"], f"unknown time zone '{zone}'",
                    "write an IANA time zone name, e.g. America/Los_Angeles")
    calendar = info.get("holidays", {})
    supported = holidays.list_supported_countries()
    country, subdivision = calendar.get("country"), calendar.get("subdivision")
    if isinstance(country, str) and country not in supported:
        locator.add(office.path, ["office", "holidays", "country"], f"no public holidays are known for '{country}'",
                    "write a two-letter country code, e.g. US")
    elif isinstance(subdivision, str) and subdivision not in supported.get(country, ()):
        locator.add(office.path, ["office", "holidays", "subdivision"],
                    f"'{subdivision}' is not a state or province of {country} with known holidays",
                    f"use one of {', '.join(supported[country][:8])}, ...")


def _items(parsed) -> list[tuple[str, str, object, list[str | int]]]:
    """(kind, id, document, yaml path of the id) for every policy, module and certification type."""
    items: list[tuple[str, object, object, list[str | int]]] = []
    for document in parsed:
        if document.kind in ("policy", "module"):
            items.append((document.kind, document.data.get("id"), document, ["id"]))
        if document.kind == "policy":
            for index, duty in enumerate(_list(document.data.get("duties"))):
                if isinstance(duty, dict):
                    items.append(("duty", duty.get("id"), document, ["duties", index, "id"]))
        elif document.kind == "certifications":
            for index, cert in enumerate(_list(document.data.get("certifications"))):
                if isinstance(cert, dict):
                    items.append(("certifications", cert.get("id"), document, ["certifications", index, "id"]))
    return [(kind, item_id, document, where) for kind, item_id, document, where in items if isinstance(item_id, str)]


def _unique_ids(items, locator) -> None:
    owners: dict[str, list] = {}
    for kind, item_id, document, where in items:
        owners.setdefault(item_id, []).append((kind, document, where))
    for item_id, places in owners.items():
        if len(places) < 2:
            continue
        for _kind, document, where in places:
            others = ", ".join(f"the {KIND_NAMES[k]} in {d.path}" for k, d, w in places if (d, w) != (document, where))
            locator.add(document.path, where, f"id '{item_id}' is also used by {others}",
                        "ids must be unique across policies, modules, certification types and office duties; rename one")


def _policy(document, known, ids, locator) -> None:
    data, path = document.data, document.path
    stem = PurePosixPath(path).stem
    folder = PurePosixPath(path).parent.name
    if data["id"] != stem:
        locator.add(path, ["id"], f"id '{data['id']}' does not match the file name '{stem}.yml'",
                    f"rename the file to {data['id']}.yml or set id: {stem}")
    if data["category"] != folder:
        locator.add(path, ["category"], f"category '{data['category']}' does not match the folder '{folder}/'",
                    f"move the file to policies/{data['category']}/ or set category: {folder}")
    if known and data["category"] not in known["categories"]:
        locator.add(path, ["category"], f"unknown category '{data['category']}'",
                    f"add it under categories: in policies/office.yml, or use one of: {_listing(known['categories'])}")
    _role(data["owner"], ["owner"], document, known, locator)
    _roles(data["applies_to"], ["applies_to"], document, known, locator)
    _locations(data, [], document, known, locator)
    related = data.get("related", {})
    _refs(related.get("policies", []), ["related", "policies"], ids["policy"], "policy", document, locator)
    _refs(related.get("modules", []), ["related", "modules"], ids["module"], "training module", document, locator)
    _history(data, document, known, locator)
    _markdown_lists(data["body"], ["body"], document, locator)
    if data["next_review"] <= data["effective_date"]:
        locator.add(path, ["next_review"], f"next review {data['next_review']} is not after the effective date {data['effective_date']}",
                    "set the next review date after effective_date (usually effective_date plus review_cycle_months)")
    _citations(data.get("citations", []), ["citations"], document, locator)
    for index, duty in enumerate(data.get("duties", [])):
        _safely(_duty, duty, ["duties", index], document, known, locator)


def _duty(duty, where, document, known, locator) -> None:
    _role(duty["owner"], [*where, "owner"], document, known, locator)
    _citations(duty.get("citations", []), [*where, "citations"], document, locator)
    day = duty["every"].get("on")
    if isinstance(day, str):
        try:
            date.fromisoformat(f"2028-{day}")  # a leap year, so 02-29 is a day
        except ValueError:
            locator.add(document.path, [*where, "every", "on"], f"'{day}' is not a day of the year",
                        "write a real month and day as MM-DD, e.g. \"01-31\"")


def _module(document, known, ids, locator) -> None:
    data, path = document.data, document.path
    stem = PurePosixPath(path).stem
    if data["id"] != stem:
        locator.add(path, ["id"], f"id '{data['id']}' does not match the file name '{stem}.yml'",
                    f"rename the file to {data['id']}.yml or set id: {stem}")
    _roles(data["audience"], ["audience"], document, known, locator)
    _locations(data, [], document, known, locator)
    _refs(data.get("related_policies", []), ["related_policies"], ids["policy"], "policy", document, locator)
    if "history" in data:
        _history(data, document, known, locator)
    _citations(data.get("citations", []), ["citations"], document, locator)
    _markdown_lists(data["content"], ["content"], document, locator)
    _quiz(data["quiz"]["questions"], document, locator)
    _initial_deadline(data, document, locator)


def _initial_deadline(data, document, locator) -> None:
    if data.get("initial_deadline") != "at_initial_assignment":
        return
    for key in ("deadline_days_after_hire", "deadline_counts"):
        if key in data:
            locator.add(document.path, [key], f"{key} does not apply to a module due at initial assignment",
                        f"remove {key}, or set initial_deadline: days_after_hire")


def _role(role_id, where, document, known, locator) -> None:
    if known and role_id not in known["roles"]:
        locator.add(document.path, where, f"unknown role '{role_id}'",
                    f"use a role id from policies/office.yml: {_listing(known['roles'])}")


def _roles(role_ids, where, document, known, locator) -> None:
    if ALL in role_ids:
        if len(role_ids) > 1:
            locator.add(document.path, where, "'all' is listed together with other roles", "write [all] alone, or list the roles")
        return
    for index, role_id in enumerate(role_ids):
        _role(role_id, [*where, index], document, known, locator)


def _locations(data, where, document, known, locator) -> None:
    for index, location_id in enumerate(data.get("locations", [])):
        if known and location_id not in known["locations"]:
            locator.add(document.path, [*where, "locations", index], f"unknown location '{location_id}'",
                        f"use a location id from policies/office.yml: {_listing(known['locations'])}")


def _refs(values, where, existing, noun, document, locator) -> None:
    for index, value in enumerate(values):
        if value not in existing:
            locator.add(document.path, [*where, index], f"related {noun} '{value}' does not exist",
                        f"check the id, or remove it from {where[-1]}")


def _history(data, document, known, locator) -> None:
    history = data["history"]
    versions = [entry["version"] for entry in history]
    for index in range(1, len(history)):
        if versions[index] <= versions[index - 1]:
            locator.add(document.path, ["history", index, "version"],
                        f"history version {versions[index]} does not follow version {versions[index - 1]}",
                        "list versions oldest first, each higher than the one before")
        if history[index]["date"] < history[index - 1]["date"]:
            locator.add(document.path, ["history", index, "date"],
                        f"history date {history[index]['date']} is before the previous entry's {history[index - 1]['date']}",
                        "list versions oldest first with their dates")
    if data["version"] not in versions:
        locator.add(document.path, ["version"], f"version {data['version']} has no entry in history",
                    f"add a history entry with version: {data['version']}, date, summary and material_change")
    for index, version in enumerate(versions):
        if version > data["version"]:
            locator.add(document.path, ["history", index, "version"],
                        f"history lists version {version}, newer than the current version {data['version']}",
                        "raise version: to match, or fix the history entry")
    for index, entry in enumerate(history):
        if "affected_roles" in entry:
            _roles(entry["affected_roles"], ["history", index, "affected_roles"], document, known, locator)


SHALLOW_LIST_ITEM = re.compile(r"^ {1,3}(?:[-*+]|\d+\.) ")


def _markdown_lists(text, where, document, locator) -> None:
    """A nested list indented by fewer than 4 spaces renders flat in Python-Markdown (and so on the site)."""
    for offset, line in enumerate(text.split("\n")):
        if SHALLOW_LIST_ITEM.match(line):
            block_line, _column = yamlio.locate(document.text, where)
            locator.problems.append(Problem(
                document.path, block_line + 1 + offset, 1,
                f"list item indented by {len(line) - len(line.lstrip(' '))} spaces in '{where[0]}' will not nest",
                "indent nested list items by 4 spaces under their parent item"))
            return  # one report per text is enough to show the pattern


def _citations(citations, where, document, locator) -> None:
    for index, citation in enumerate(citations):
        if citation.get("decision") in ("alternative", "not_applicable") and not citation.get("rationale"):
            locator.add(document.path, [*where, index, "decision"],
                        f"decision '{citation['decision']}' for {citation['rule']} has no rationale",
                        "add rationale: why it is reasonable and appropriate (45 CFR 164.306(d)(3))")
        if citation.get("rationale") and not citation.get("decision"):
            locator.add(document.path, [*where, index, "rationale"], "rationale given without a decision",
                        "add decision: implemented, alternative or not_applicable")


def _quiz(questions, document, locator) -> None:
    _duplicates([q["id"] for q in questions], ["quiz", "questions"], "question id", document, locator)
    for index, question in enumerate(questions):
        where = ["quiz", "questions", index]
        choice_ids = [c["id"] for c in question["choices"]]
        _duplicates(choice_ids, [*where, "choices"], "choice id", document, locator)
        _duplicates([c["text"].strip().lower() for c in question["choices"]], [*where, "choices"], "choice text",
                    document, locator, field="text")
        for a_index, answer in enumerate(question["answers"]):
            if answer not in choice_ids:
                locator.add(document.path, [*where, "answers", a_index], f"answer '{answer}' is not one of the choices",
                            f"use a choice id: {', '.join(choice_ids)}")
        for message, hint in _shape_problems(question, choice_ids):
            locator.add(document.path, where, f"question '{question['id']}' {message}", hint)


def _shape_problems(question, choice_ids) -> list[tuple[str, str]]:
    kind, answers = question["type"], question["answers"]
    problems = []
    if kind == "true_false" and sorted(choice_ids) != ["false", "true"]:
        problems.append(("is true_false but its choices are not exactly 'true' and 'false'",
                         "give it two choices with ids true and false"))
    if kind in ("single", "true_false") and len(answers) != 1:
        problems.append((f"is {kind} but has {len(answers)} answers", "give exactly one answer, or use type: multiple"))
    if kind == "multiple" and len(choice_ids) < 3:
        problems.append(("is multiple-choice with fewer than 3 choices", "add choices, or use type: single"))
    if set(answers) >= set(choice_ids):
        problems.append(("marks every choice correct", "include at least one wrong choice"))
    return problems


def _duplicates(values, where, noun, document, locator, field="id") -> None:
    seen = set()
    for index, value in enumerate(values):
        if value in seen:
            locator.add(document.path, [*where, index, field], f"{noun} '{value}' appears twice", "make each one distinct")
        seen.add(value)


def _listing(values) -> str:
    return ", ".join(sorted(values)) or "(none defined)"
