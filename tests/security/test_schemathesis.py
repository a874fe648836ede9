"""Generated requests for every operation of /api/v1/openapi.json, against the tracker under gunicorn,
as staff and as a manager, with every check Schemathesis has.

Schemathesis generates valid (positive) and invalid (negative) requests from the document as it is
at run time, so operations added later are covered without touching this file. They go over HTTP to
gunicorn workers on a free loopback port, as in production. Every answer must be below 500 and
conform to the document (a documented status code, content type, headers and body); invalid
requests must be refused, valid ones must not be (a 400 for a request the document calls valid
means the document is looser than the server), and an operation that needs authentication must
refuse requests without it or with a bad token (the "ignored_auth" check sends those itself).
The test counts the requests it sent and requires at least MIN_REQUESTS per role and backend.
"""

from __future__ import annotations

import math
import time
from datetime import date

import pytest
import requests
import schemathesis
from gunicorn_server import gunicorn
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks
from security_helpers import build_world

pytestmark = pytest.mark.slow  # about half a minute per role and backend; in the normal suite and in CI

MIN_REQUESTS = 1500


def every_check() -> list:
    load_all_checks()
    return list(CHECKS.get_all())


def plans(schema, params: dict) -> list[tuple[object, GenerationMode, dict | None]]:
    """(operation, mode, fixed path parameters) to run: generated valid and invalid requests for each
    operation, and valid ones with the ids of real records where the path has parameters."""
    found = []
    for result in schema.get_all_operations():
        operation = result.ok()
        found.append((operation, GenerationMode.POSITIVE, None))
        if list(operation.iter_parameters()) or len(operation.body):  # else nothing can be made invalid
            found.append((operation, GenerationMode.NEGATIVE, None))
        names = [p.name for p in operation.path_parameters]
        if names and all(name in params for name in names):
            found.append((operation, GenerationMode.POSITIVE, {name: params[name] for name in names}))
    return found


def fit_to_the_records(case, world) -> None:
    """Keep a valid request valid where validity depends on the records, which the document cannot
    state: days against today and each other, people employed on the day, a served quiz's questions.
    (The served document states the rest: catalogue ids, ranges, what text may hold.)"""
    body = case.body if isinstance(case.body, dict) else None
    if body is None or case.meta is None or not case.meta.generation.mode.is_positive:
        return
    today = date.today().isoformat()
    for name in ("issued_on", "held_on", "completed_on"):
        if isinstance(body.get(name), str) and body[name] > today:
            body[name] = today
    if isinstance(body.get("expires_on"), str) and body["expires_on"] < body.get("issued_on", ""):
        body["expires_on"] = None
    if "attendee_ids" in body:  # someone on the staff that day, and not the manager recording it
        body["held_on"], body["attendee_ids"] = today, [world.staff_ids["staff"]]
    if "completed_on" in body:  # the world's office duty is done once for the office: no location
        body.pop("location", None)
    if "answers" in body:  # the fixture's quiz has one question
        body["answers"] = [{"question_id": "phi", "choice_ids": ["a"]}]


def generated_test(strategy, base_url: str, token: str, examples: int, sent: list[str], session, world):
    """A hypothesis test sending ``examples`` requests drawn from ``strategy`` with this bearer token."""
    headers = {"Authorization": f"Bearer {token}"}
    checks = every_check()

    @given(case=strategy)
    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def answers_as_documented(case):
        fit_to_the_records(case, world)
        response = case.call(base_url=base_url, headers=headers, session=session)
        sent.append(case.operation.label)
        assert response.status_code < 500, (case.method, case.formatted_path, response.text[:500])
        case.validate_response(response, checks=checks, headers=headers,
                               transport_kwargs={"base_url": base_url, "session": session})

    return answers_as_documented


@pytest.mark.parametrize("actor", ["staff", "manager"])
def test_generated_requests_get_documented_answers_under_gunicorn(app, backend, actor, tmp_path):
    world = build_world(app)
    sent: list[str] = []
    failures = []
    with gunicorn(app, tmp_path / "gunicorn.log") as base, \
            requests.Session() as session:
        # The document as served: with the ids of the served catalogue where a request names one.
        schema = schemathesis.openapi.from_dict(session.get(f"{base}/api/v1/openapi.json").json())
        runs = plans(schema, world.params)
        examples = math.ceil(MIN_REQUESTS * 1.1 / len(runs))  # a margin: hypothesis may stop early
        started = time.monotonic()
        for operation, mode, path_parameters in runs:
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)
            try:
                generated_test(strategy, f"{base}/api/v1", world.tokens[actor], examples, sent, session, world)()
            except (Exception, BaseExceptionGroup) as failure:  # all failing operations, not just the first
                failures.append(f"as {actor}, {mode.value} {operation.label}: {failure}")
        seconds = time.monotonic() - started
    print(f"\n{backend}, {actor}: {len(sent)} generated requests over {len(runs)} runs in {seconds:.0f} s")
    assert not failures, f"{len(failures)} failing run(s):\n\n" + "\n\n".join(failures)
    documented = {result.ok().label for result in schema.get_all_operations()}
    assert set(sent) == documented, f"never called: {sorted(documented - set(sent))}"
    assert len(sent) >= MIN_REQUESTS, f"only {len(sent)} requests were generated"
