"""The JSON API: authentication, acknowledgements, staff, errors, and the OpenAPI document."""

import re
import threading

import pytest
from sqlalchemy import func, select
from tracker_helpers import (
    CONTENT,
    add_person,
    api_token,
    assert_documented,
    bearer,
    bump_minimum_necessary,
    copy_content,
    csrf_token,
    sign_in,
)

from portal import load_catalogue
from tracker.api import openapi_document
from tracker.services import acknowledgements, audit
from tracker.storage.db import db
from tracker.storage.models import Acknowledgement

POLICY = load_catalogue(CONTENT).policies["minimum-necessary"]
SIGNATURE = {"policy_id": POLICY.id, "version": POLICY.version, "fingerprint": POLICY.fingerprint,
             "signature_name": "Sam Carter"}
NEW_PERSON = {"name": "Lee Park", "email": "Lee.Park@clinic.example", "job_title": "Receptionist",
              "roles": ["front-desk"], "location": "northgate", "hire_date": "2026-10-01"}
PROTECTED = [("GET", "/api/v1/me"), ("GET", "/api/v1/me/requirements"), ("GET", "/api/v1/catalogue"),
             ("GET", "/api/v1/staff"), ("POST", "/api/v1/staff"), ("POST", "/api/v1/acknowledgements"),
             ("GET", f"/api/v1/policies/{POLICY.id}/acknowledgements")]
MANAGER_ONLY = [("GET", "/api/v1/staff"), ("POST", "/api/v1/staff"),
                ("GET", f"/api/v1/policies/{POLICY.id}/acknowledgements")]


@pytest.fixture
def sam(app, staff_member) -> dict:
    return bearer(api_token(app, "sam@clinic.example"))


@pytest.fixture
def maria(app, manager) -> dict:
    return bearer(api_token(app, "maria@clinic.example"))


def acks(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Acknowledgement))


@pytest.mark.parametrize(("method", "url"), PROTECTED)
def test_without_credentials_every_route_answers_401_json(client, method, url):
    response = client.open(url, method=method, json={})
    assert response.status_code == 401
    assert response.get_json()["error"] and response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer trk_not-a-token", "Basic c2FtOnB3", "Bearer"])
def test_a_bad_authorization_header_is_401(client, staff_member, header):
    assert client.get("/api/v1/me", headers={"Authorization": header}).status_code == 401


def test_a_revoked_token_is_401(app, client, runner, sam):
    assert client.get("/api/v1/me", headers=sam).status_code == 200
    assert runner.invoke(args=["revoke-tokens", "sam@clinic.example"]).exit_code == 0
    response = client.get("/api/v1/me", headers=sam)
    assert response.status_code == 401
    assert "revoked" in response.get_json()["error"]


def test_me_names_the_account_and_staff_record(client, sam, staff_member):
    response = client.get("/api/v1/me", headers=sam)
    assert_documented(response, "/me")
    body = response.get_json()
    assert (body["email"], body["account_role"], body["staff"]["id"]) == ("sam@clinic.example", "staff", staff_member)


def test_my_requirements_come_with_status_and_due_date(client, sam):
    response = client.get("/api/v1/me/requirements", headers=sam)
    assert_documented(response, "/me/requirements")
    items = {(i["kind"], i["id"]): i for i in response.get_json()["items"]}
    assert set(items) == {("policy", "minimum-necessary"), ("module", "hipaa-basics")}
    assert items[("policy", "minimum-necessary")]["status"] == "pending"
    assert items[("policy", "minimum-necessary")]["due_date"]
    client.post("/api/v1/acknowledgements", json=SIGNATURE, headers=sam)
    after = client.get("/api/v1/me/requirements", headers=sam).get_json()["items"]
    assert next(i for i in after if i["id"] == "minimum-necessary")["status"] == "compliant"


def test_the_catalogue_lists_current_versions(client, sam):
    response = client.get("/api/v1/catalogue", headers=sam)
    assert_documented(response, "/catalogue")
    body = response.get_json()
    policy = next(p for p in body["policies"] if p["id"] == POLICY.id)
    assert (policy["version"], policy["fingerprint"], policy["applies_to"]) == (3, POLICY.fingerprint, ["all"])
    assert body["modules"][0]["recurrence_months"] == 12
    assert {r["id"] for r in body["roles"]} >= {"front-desk", "clinician"}
    assert body["certifications"][0]["id"] == "bls"


def test_signing_twice_gives_201_then_200_with_the_same_record(app, client, sam, staff_member):
    first = client.post("/api/v1/acknowledgements", json=SIGNATURE, headers=sam)
    assert first.status_code == 201
    assert_documented(first, "/acknowledgements", "POST")
    record = first.get_json()
    assert (record["staff_id"], record["version"], record["fingerprint"]) == (staff_member, 3, POLICY.fingerprint)
    assert record["method"] == "api" and record["signed_at"].endswith("Z")
    assert first.headers["Location"] == f"/acknowledgements/{record['id']}"
    again = client.post("/api/v1/acknowledgements", json={**SIGNATURE, "signature_name": "SAM  carter"}, headers=sam)
    assert again.status_code == 200
    assert again.get_json() == record
    assert acks(app) == 1


def test_a_lost_race_returns_the_record_that_won(app, client, sam, monkeypatch):
    """Two requests both find no record and both insert: the unique constraint decides."""
    first = client.post("/api/v1/acknowledgements", json=SIGNATURE, headers=sam).get_json()
    real_first, real_lookup, lookups = acknowledgements.current_and_existing, acknowledgements.existing, []

    def first_lookup_misses_the_winner(staff, policy_id):
        version, found = real_first(staff, policy_id)
        lookups.append(found)
        return version, None

    def lookup_after_the_race(staff, version):
        lookups.append(real_lookup(staff, version))
        return lookups[-1]

    monkeypatch.setattr(acknowledgements, "current_and_existing", first_lookup_misses_the_winner)
    monkeypatch.setattr(acknowledgements, "existing", lookup_after_the_race)
    response = client.post("/api/v1/acknowledgements", json=SIGNATURE, headers=sam)
    assert response.status_code == 200 and response.get_json() == first
    assert len(lookups) == 2 and all(found.id == first["id"] for found in lookups) and acks(app) == 1
    with app.app_context():
        assert audit.verify().ok


def test_a_superseded_version_is_409_naming_the_current_one(app, client, runner, sam, tmp_path):
    root = copy_content(tmp_path)
    bump_minimum_necessary(root)
    app.config["TRACKER_CONTENT_DIR"] = root
    assert runner.invoke(args=["sync"]).exit_code == 0
    response = client.post("/api/v1/acknowledgements", json=SIGNATURE, headers=sam)
    assert response.status_code == 409
    assert_documented(response, "/acknowledgements", "POST")
    body = response.get_json()
    assert body["current"]["version"] == 4 and body["current"]["fingerprint"] != POLICY.fingerprint
    assert "superseded" in body["details"][0]
    assert acks(app) == 0


def test_a_fingerprint_not_matching_the_archive_is_409(app, client, sam):
    response = client.post("/api/v1/acknowledgements", json={**SIGNATURE, "fingerprint": "a" * 64}, headers=sam)
    assert response.status_code == 409
    assert response.get_json()["current"] == {"version": 3, "fingerprint": POLICY.fingerprint}
    assert acks(app) == 0


def test_an_unknown_policy_is_404(client, sam):
    response = client.post("/api/v1/acknowledgements", json={**SIGNATURE, "policy_id": "nope"}, headers=sam)
    assert response.status_code == 404
    assert_documented(response, "/acknowledgements", "POST")


def test_a_name_mismatch_is_400_with_details(app, client, sam):
    response = client.post("/api/v1/acknowledgements", json={**SIGNATURE, "signature_name": "Someone Else"},
                           headers=sam)
    assert response.status_code == 400
    assert_documented(response, "/acknowledgements", "POST")
    assert response.get_json()["details"][0].startswith("signature_name: The name you typed does not match")
    assert acks(app) == 0


def test_a_malformed_body_is_400_listing_every_problem(client, sam):
    response = client.post("/api/v1/acknowledgements", headers=sam,
                           json={"policy_id": POLICY.id, "version": "3", "fingerprint": "xyz", "extra": 1})
    assert response.status_code == 400
    details = response.get_json()["details"]
    assert any(d.startswith("version:") for d in details)
    assert any(d.startswith("fingerprint:") for d in details)
    assert any("signature_name" in d and "required" in d for d in details)
    assert any("extra" in d for d in details)


def test_there_is_no_way_to_sign_for_someone_else(app, client, sam):
    other = add_person(app, "pat@clinic.example", "Pat Other")
    response = client.post("/api/v1/acknowledgements", json={**SIGNATURE, "staff_id": other}, headers=sam)
    assert response.status_code == 400
    assert "staff_id" in " ".join(response.get_json()["details"])
    assert acks(app) == 0


def test_a_body_that_is_not_json_is_400_and_another_content_type_415(client, sam):
    broken = client.post("/api/v1/acknowledgements", data="{not json", headers={**sam, "Content-Type": "application/json"})
    assert broken.status_code == 400 and broken.get_json()["error"]
    form = client.post("/api/v1/acknowledgements", data=SIGNATURE, headers=sam)
    assert form.status_code == 415
    assert_documented(form, "/acknowledgements", "POST")


def test_a_body_over_one_megabyte_is_413(client, sam):
    response = client.post("/api/v1/acknowledgements", headers={**sam, "Content-Type": "application/json"},
                           data=b'{"signature_name": "' + b"x" * (1024 * 1024) + b'"}')
    assert response.status_code == 413
    assert_documented(response, "/acknowledgements", "POST")


def test_unknown_routes_and_wrong_methods_answer_json(client, sam):
    missing = client.get("/api/v1/nothing-here", headers=sam)
    assert missing.status_code == 404 and missing.is_json
    wrong = client.delete("/api/v1/acknowledgements", headers=sam)
    assert wrong.status_code == 405 and wrong.is_json and "POST" in wrong.headers["Allow"]


@pytest.mark.parametrize(("method", "url"), MANAGER_ONLY)
def test_staff_accounts_get_403_on_manager_routes(client, sam, method, url):
    response = client.open(url, method=method, json=NEW_PERSON, headers=sam)
    assert response.status_code == 403
    assert_documented(response, url.removeprefix("/api/v1").replace(POLICY.id, "{policy_id}"), method)


def test_a_manager_adds_staff_and_duplicates_are_409(app, client, maria):
    created = client.post("/api/v1/staff", json=NEW_PERSON, headers=maria)
    assert created.status_code == 201
    assert_documented(created, "/staff", "POST")
    body = created.get_json()
    assert (body["email"], body["location"], body["left_on"]) == ("lee.park@clinic.example", "northgate", None)
    duplicate = client.post("/api/v1/staff", json={**NEW_PERSON, "email": "LEE.PARK@clinic.example"}, headers=maria)
    assert duplicate.status_code == 409
    assert_documented(duplicate, "/staff", "POST")
    listed = client.get("/api/v1/staff", headers=maria)
    assert_documented(listed, "/staff")
    assert [s["email"] for s in listed.get_json()["staff"]].count("lee.park@clinic.example") == 1


def test_staff_fields_are_checked_against_the_catalogue(client, maria):
    response = client.post("/api/v1/staff", headers=maria, json={
        **NEW_PERSON, "roles": ["nurse"], "location": "moon-base", "hire_date": "2026-02-30", "email": "nope"})
    assert response.status_code == 400
    details = " ".join(response.get_json()["details"])
    for fragment in ("unknown role 'nurse'", "unknown location 'moon-base'", "'2026-02-30' is not a date",
                     "'nope' is not an e-mail address"):
        assert fragment in details


def test_a_manager_sees_who_signed_which_version_when(app, client, sam, maria, staff_member):
    client.post("/api/v1/acknowledgements", json=SIGNATURE, headers=sam)
    response = client.get(f"/api/v1/policies/{POLICY.id}/acknowledgements", headers=maria)
    assert_documented(response, "/policies/{policy_id}/acknowledgements")
    body = response.get_json()
    assert body["current_version"] == 3
    [signature] = body["acknowledgements"]
    assert (signature["staff_id"], signature["version"], signature["fingerprint"]) == (
        staff_member, 3, POLICY.fingerprint)
    assert client.get("/api/v1/policies/nope/acknowledgements", headers=maria).status_code == 404


def test_cookie_sessions_need_the_csrf_header_for_writes(app, client, staff_member):
    sign_in(client, "sam@clinic.example")
    assert client.get("/api/v1/me").status_code == 200
    refused = client.post("/api/v1/acknowledgements", json=SIGNATURE)
    assert refused.status_code == 400 and "CSRF" in refused.get_json()["error"]
    token = csrf_token(client.get(f"/policies/{POLICY.id}").get_data(as_text=True))
    accepted = client.post("/api/v1/acknowledgements", json=SIGNATURE, headers={"X-CSRFToken": token})
    assert accepted.status_code == 201


def test_the_openapi_document_describes_every_api_route(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.get_json()["openapi"].startswith("3.1")
    document = openapi_document()
    routes = {(re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule.removeprefix("/api/v1")), method.lower())
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    assert routes == documented
    for path, method in documented - {("/openapi.json", "get")}:
        assert "401" in document["paths"][path][method]["responses"], (path, method)


def test_concurrent_writers_keep_one_record_and_one_unbroken_audit_chain(app, staff_member):
    """Sixteen requests at once: the same signature eight times, and eight sign-in failures."""
    token = api_token(app, "sam@clinic.example")
    barrier = threading.Barrier(16)
    statuses = []

    def sign():
        barrier.wait()
        statuses.append(app.test_client().post("/api/v1/acknowledgements", json=SIGNATURE,
                                               headers=bearer(token)).status_code)

    def fail_to_sign_in(number: int):
        client = app.test_client()
        page = client.get("/sign-in").get_data(as_text=True)
        barrier.wait()
        client.post("/sign-in", data={"csrf_token": csrf_token(page), "email": f"nobody{number}@clinic.example",
                                      "password": "wrong password"})

    threads = [threading.Thread(target=sign) for _ in range(8)]
    threads += [threading.Thread(target=fail_to_sign_in, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 7 + [201]
    assert acks(app) == 1
    with app.app_context():
        result = audit.verify()
        assert result.ok, result.reason
        # sync, person and account, token, signature: failed sign-ins are counted, not audited
        assert result.count == 1 + 2 + 1 + 1


def test_an_unexpected_error_is_a_json_500_not_a_page(app, client, sam, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: no traceback reaches the client

    def broken(*args):
        raise RuntimeError("bug")

    monkeypatch.setattr("tracker.services.compliance_status.statuses_for", broken)
    response = client.get("/api/v1/me/requirements", headers=sam)
    assert response.status_code == 500 and response.is_json and "bug" not in response.get_data(as_text=True)


def test_control_characters_are_refused_before_they_reach_the_database(client, maria):
    """PostgreSQL cannot store NUL, and no name holds one: a 400 (or 404 for a path), never a 500."""
    response = client.post("/api/v1/staff", json={**NEW_PERSON, "name": "Lee\x00Park"}, headers=maria)
    assert response.status_code == 400
    assert "name holds a control character" in " ".join(response.get_json()["details"])
    assert client.get("/api/v1/policies/bad%00id/acknowledgements", headers=maria).status_code == 404
