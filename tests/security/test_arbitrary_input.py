"""Arbitrary JSON and form values posted to every route of the URL map, as each role: never a 500.

Hypothesis draws the values: text with NUL, lone surrogates (sent as the bytes a broken encoder
makes), control characters and look-alike formula characters; numbers far past any database
integer; dates out of range; nested lists and objects. Pages get them as form fields (with the
session's CSRF token, so they reach the view) and query strings, the API as JSON bodies. Signing
out is left out: it would end the session the rest of the run uses.
"""

from __future__ import annotations

from urllib.parse import quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from security_helpers import PEOPLE, build_world, routes, url_for_rule
from tracker_helpers import PASSWORD, csrf_token, sign_in

EXAMPLES_PER_ROUTE = 5
SKIPPED_ENDPOINTS = ("auth.sign_out", "auth.sign_out_everywhere")
FIELD_NAMES = ["version", "fingerprint", "signature_name", "agree", "name", "email", "job_title", "roles",
               "location", "hire_date", "left_on", "type_id", "issued_on", "expires_on", "note", "number",
               "answer-phi", "quiz_id", "held_on", "attendee_ids", "reason", "expected_on", "as_of", "decision",
               "completion_id", "module_id", "policy_id", "password", "scope", "status", "requirement"]

any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=40)  # surrogates included
awkward_text = st.sampled_from(["", " ", "\x00", "a\x00b", "\ud800", "\udfff x", "＝1+2", "－1", "\u2212",
                                "9" * 30, "2147483648", "-1", "0001-01-01", "9999-12-31", "2026-02-30",
                                "../../etc/passwd", "<script>", "' OR 1=1 --", "\u202e", "a" * 6000])
numbers = st.one_of(st.integers(), st.integers(min_value=2**31 - 2, max_value=2**70), st.floats(allow_nan=False))
scalars = st.one_of(st.none(), st.booleans(), numbers, any_text, awkward_text)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.one_of(st.sampled_from(FIELD_NAMES), any_text), inner, max_size=4),
                           max_leaves=12)
json_bodies = st.dictionaries(st.one_of(st.sampled_from(FIELD_NAMES), any_text), json_values, max_size=8)
form_values = st.lists(st.tuples(st.one_of(st.sampled_from(FIELD_NAMES), any_text),
                                 st.one_of(any_text, awkward_text, numbers.map(str))), max_size=8)


def encoded(pairs: list[tuple[str, str]]) -> str:
    """A urlencoded body as a broken client would send it: lone surrogates become their raw bytes."""
    return "&".join(quote_from_bytes(key.encode("utf-8", "surrogatepass")) + "="
                    + quote_from_bytes(value.encode("utf-8", "surrogatepass")) for key, value in pairs)


class Actor:
    """One signed-in person: a page session with its CSRF token, and a bearer token for the API."""

    def __init__(self, app, actor: str, token: str):
        self.pages = app.test_client()
        assert sign_in(self.pages, PEOPLE[actor][0], PASSWORD).status_code == 303
        self.csrf = csrf_token(self.pages.get("/policies").get_data(as_text=True))
        self.api = app.test_client()
        self.bearer = {"Authorization": f"Bearer {token}"}

    def send(self, method: str, url: str, json_body, form: list[tuple[str, str]]):
        if url.startswith("/api/"):
            if method == "GET":
                return self.api.get(url + "?" + encoded(form), headers=self.bearer)
            return self.api.open(url, method=method, json=json_body, headers=self.bearer)
        if method == "GET":
            return self.pages.get(url + "?" + encoded(form))
        body = encoded([("csrf_token", self.csrf), *form])
        return self.pages.open(url, method=method, data=body, content_type="application/x-www-form-urlencoded")


@pytest.mark.slow
@pytest.mark.parametrize("actor", ["staff", "manager", "admin"])
def test_arbitrary_values_to_every_route_never_get_a_500(app, actor):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: a bug is a 500 answer, not a traceback
    world = build_world(app)
    person = Actor(app, actor, world.tokens[actor])
    targets = [(endpoint, method, url_for_rule(rule, world.params)) for endpoint, method, rule in routes(app)
               if endpoint not in SKIPPED_ENDPOINTS]
    failures: list[str] = []
    for endpoint, method, url in targets:
        try:
            route_test(person, endpoint, method, url)()
        except AssertionError as failure:
            failures.append(str(failure)[:600])
    assert not failures, f"{len(failures)} route(s) answered 500:\n" + "\n".join(failures)


def route_test(person: Actor, endpoint: str, method: str, url: str):
    """A hypothesis test sending arbitrary values to one route."""

    @settings(max_examples=EXAMPLES_PER_ROUTE, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(body=json_bodies, form=form_values)
    def never_a_500(body, form):
        response = person.send(method, url, body, form)
        assert response.status_code < 500, (endpoint, method, url, body, form, response.status_code)

    return never_a_500
