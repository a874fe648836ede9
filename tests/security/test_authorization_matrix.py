"""Who may use which route: every (endpoint, method) of app.url_map, as every kind of person.

ACCESS below is the access table: each endpoint's level. A route added to the app without a line
here fails the first test, so no new route goes unclassified. Each request uses real ids (Sam's
records, tests/security/security_helpers.build_world); pages are visited with a session, the API
with bearer tokens. What each level allows:

- public: anyone, signed in or not (the calendar feed: anyone holding its secret address).
- signed_in: any signed-in person, for themselves.
- owner: the person the record belongs to, and managers and admins; another staff member is
  refused (403, or 404 so as not to tell that the record exists).
- self: the person the record belongs to, nobody else (a quiz served to them, to answer).
- manager: managers and admins.
- admin: admins only.
"""

from __future__ import annotations

import pytest
from security_helpers import ACTORS, SIGNED_OUT, Visitor, build_world, routes, url_for_rule

from tracker.http.responses import SECURITY_HEADERS

PUBLIC, SIGNED_IN, SELF, OWNER, MANAGER, ADMIN = "public", "signed_in", "self", "owner", "manager", "admin"

ACCESS = {
    # Signing in and out, the API's description, the secret calendar address.
    "auth.sign_in": PUBLIC,
    "auth.sign_out": PUBLIC,
    "account.invitation": PUBLIC,  # the single-use link is the key
    "account.forgot": PUBLIC,
    "account.reset": PUBLIC,
    "sso.start": PUBLIC,  # single sign-on: the identity provider decides
    "sso.callback": PUBLIC,
    "two_step.code": PUBLIC,  # only for a browser between its password and its code
    "two_step.setup": PUBLIC,  # the same, or a signed-in person turning it on
    "api.openapi": PUBLIC,
    "calendar.feed": PUBLIC,
    # Everyone's own pages and API.
    "home.home": SIGNED_IN,  # the signed-in person's own to-do list
    "policies.index": SIGNED_IN,
    "policies.read": SIGNED_IN,
    "policies.ack_link": SIGNED_IN,
    "training.index": SIGNED_IN,
    "training.module": SIGNED_IN,
    "training.late_reason": SIGNED_IN,
    "training.start": SIGNED_IN,
    "certifications.mine": SIGNED_IN,
    "calendar.page": SIGNED_IN,
    "auth.sign_out_everywhere": SIGNED_IN,
    "account.change_password": SIGNED_IN,
    "api.me": SIGNED_IN,
    "api.my_requirements": SIGNED_IN,
    "api.catalogue": SIGNED_IN,
    "api.acknowledge": SIGNED_IN,
    "api.quiz_attempt": SIGNED_IN,
    "api.start_quiz": SIGNED_IN,
    "api.my_certification": SIGNED_IN,
    "duties.index": SIGNED_IN,  # each person sees the duties of the roles they hold
    "api.duty_list": SIGNED_IN,
    # One person's records: theirs and managers'.
    "policies.receipt": OWNER,
    "certification_cards.upload": OWNER,  # a record's card: its owner's to add, managers' to check
    "certification_cards.download": OWNER,
    "training.attempt": OWNER,
    "training.quiz": SELF,
    "api.staff_requirements": OWNER,
    # Managers and admins.
    "manager.staff_list": MANAGER,
    "manager.remind": MANAGER,  # e-mails a reminder now: the manager's to send
    "manager.remind_overdue": MANAGER,
    "manager.staff_new": MANAGER,
    "manager.staff_edit": MANAGER,
    "accounts.invite": MANAGER,
    "accounts.revoke_invitation": MANAGER,
    "accounts.disable": MANAGER,
    "accounts.enable": MANAGER,
    "accounts.role": MANAGER,
    "accounts.reset_two_step": MANAGER,
    "manager.policy_list": MANAGER,
    "manager.register": MANAGER,
    "certifications_manager.record_list": MANAGER,
    "certifications_manager.record": MANAGER,
    "certifications_manager.record_new": MANAGER,
    "certifications_manager.correct": MANAGER,
    "certifications_manager.decide": MANAGER,
    "sessions.session_list": MANAGER,
    "sessions.session_new": MANAGER,
    "sessions.session_record": MANAGER,
    "sessions.person_training": MANAGER,
    "sessions.late_reason": MANAGER,
    "dashboard.dashboard": MANAGER,
    "dashboard.matrix_page": MANAGER,
    "dashboard.person": MANAGER,
    "dashboard.exports_page": MANAGER,
    "dashboard.matrix_csv": MANAGER,
    "dashboard.acknowledgements_csv": MANAGER,
    "dashboard.training_csv": MANAGER,
    "dashboard.certifications_csv": MANAGER,
    "dashboard.evidence_zip": MANAGER,
    "api.staff_list": MANAGER,
    "api.staff_create": MANAGER,
    "api.policy_acknowledgements": MANAGER,
    "api.compliance": MANAGER,
    "api.staff_certification": MANAGER,
    "api.training_session": MANAGER,
    # Office duties: managers, and staff holding the duty's owner role (no actor here holds the
    # privacy officer role of the duty used; tests/tracker/test_duties.py covers role holders).
    "duties.record": MANAGER,
    "duties.attachment": MANAGER,
    "api.duty_completion": MANAGER,
}

ALLOWED, SIGN_IN_NEEDED, REFUSED = "allowed", "sign-in needed", "refused"
ALLOWED_BY_LEVEL = {
    PUBLIC: set(ACTORS),
    SIGNED_IN: {"staff", "other_staff", "manager", "admin"},
    SELF: {"staff"},
    OWNER: {"staff", "manager", "admin"},
    MANAGER: {"manager", "admin"},
    ADMIN: {"admin"},
}


def expected(level: str, actor: str) -> str:
    if actor in ALLOWED_BY_LEVEL[level]:
        return ALLOWED
    return SIGN_IN_NEEDED if actor in SIGNED_OUT else REFUSED


def outcome(response) -> str:
    status = response.status_code
    location = response.headers.get("Location", "")
    if status == 401 or (status in (302, 303) and "/sign-in" in location and "next=" in location):
        return SIGN_IN_NEEDED
    if status in (403, 404):
        return REFUSED
    assert status < 500, response.get_data(as_text=True)[:500]
    return ALLOWED


def test_every_route_is_classified(app):
    unclassified = sorted({endpoint for endpoint, _, _ in routes(app) if endpoint not in ACCESS})
    if unclassified:
        pytest.fail("\n".join(f"classify the new route {endpoint} in ACCESS" for endpoint in unclassified))
    gone = set(ACCESS) - {endpoint for endpoint, _, _ in routes(app)}
    assert not gone, f"ACCESS names routes the app no longer has: {sorted(gone)}"


@pytest.fixture
def world(app):
    return build_world(app)


@pytest.mark.parametrize("actor", ACTORS)
def test_each_route_lets_in_exactly_who_the_access_table_says(app, world, actor):
    visitor = Visitor(app, actor, world.tokens.get(actor))
    wrong = []
    for endpoint, method, rule in routes(app):
        level = ACCESS.get(endpoint)
        if level is None:
            continue  # reported by test_every_route_is_classified
        url = url_for_rule(rule, world.params)
        response = visitor.request(method, url)
        got, want = outcome(response), expected(level, actor)
        if got != want:
            wrong.append(f"{method} {url} ({endpoint}, {level}): {got} ({response.status_code}), expected {want}")
        for name, value in SECURITY_HEADERS.items():
            if endpoint == "certification_cards.download" and got == ALLOWED and name == "Content-Security-Policy":
                value = "default-src 'none'; img-src 'self'; frame-ancestors 'none'; sandbox"  # the card alone: stricter
            assert response.headers.get(name) == value, (method, url, name)
    assert not wrong, f"as {actor}:\n" + "\n".join(wrong)
