"""The JSON API for certifications: managers record verified ones, staff submit their own."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from tracker_helpers import add_person, api_token, assert_documented, bearer
from training_helpers import actions_since, count, extend_content, last_seq

from tracker.storage.db import db, today
from tracker.storage.models import CertificationRecord, CertificationVerification

FOR_STAFF = "/staff/{staff_id}/certifications"
MINE = "/me/certifications"
BLS = {"type_id": "bls", "number": "BLS-7", "issued_on": "2026-03-10",
       "verification_note": "Primary source: AHA eCard lookup."}


@pytest.fixture
def root(app, tmp_path):
    return extend_content(app, tmp_path)


@pytest.fixture
def alex(app, root) -> int:
    return add_person(app, "alex@clinic.example", "Alex Kim", roles=("medical-assistant",))


@pytest.fixture
def maria(app, manager) -> dict:
    return bearer(api_token(app, "maria@clinic.example"))


@pytest.fixture
def alex_token(app, alex) -> dict:
    return bearer(api_token(app, "alex@clinic.example"))


def post(client, path: str, body, headers):
    return client.post(f"/api/v1{path}", json=body, headers=headers)


def requirement(client, headers, requirement_id: str) -> dict:
    items = client.get("/api/v1/me/requirements", headers=headers).get_json()["items"]
    return next(i for i in items if i["id"] == requirement_id)


def test_a_manager_records_a_verified_certification(app, client, alex, maria, alex_token):
    assert requirement(client, alex_token, "bls")["status"] == "pending"
    seq = last_seq(app)
    response = post(client, f"/staff/{alex}/certifications", BLS, maria)
    assert response.status_code == 201
    assert_documented(response, FOR_STAFF, "POST")
    body = response.get_json()
    assert (body["staff_id"], body["type_id"], body["number"], body["issuer"]) == (
        alex, "bls", "BLS-7", "American Heart Association")
    assert (body["issued_on"], body["expires_on"], body["state"]) == ("2026-03-10", "2028-03-10", "verified")
    assert [(v["decision"], v["note"]) for v in body["verifications"]] == [
        ("verified", "Primary source: AHA eCard lookup.")]
    assert response.headers["Location"].endswith(f"/manager/certifications/{body['id']}")
    assert actions_since(app, seq) == ["certification.recorded", "certification.verified"]
    assert requirement(client, alex_token, "bls")["status"] == "compliant"


def test_staff_submit_their_own_for_verification(app, client, alex, alex_token):
    body = {key: value for key, value in BLS.items() if key != "verification_note"}
    response = post(client, MINE, {**body, "expires_on": "2028-02-29", "note": "Renewed early."}, alex_token)
    assert response.status_code == 201
    assert_documented(response, MINE, "POST")
    record = response.get_json()
    assert (record["staff_id"], record["state"], record["verifications"], record["expires_on"]) == (
        alex, "awaiting_verification", [], "2028-02-29")
    assert "Location" not in response.headers  # the record's page is for managers
    assert requirement(client, alex_token, "bls")["status"] == "pending"  # not verified: does not count
    assert count(app, CertificationVerification) == 0


def test_one_time_types_never_expire_and_null_expiry_means_the_default(client, alex, maria):
    body = post(client, f"/staff/{alex}/certifications",
                {**BLS, "type_id": "hep-b", "expires_on": None}, maria).get_json()
    assert body["expires_on"] is None
    body = post(client, f"/staff/{alex}/certifications", {**BLS, "type_id": "cma-aama"}, maria).get_json()
    assert body["expires_on"] == "2031-03-10"


@pytest.mark.parametrize(("changes", "detail"), [
    ({"expires_on": "2026-03-09"}, "expires_on: expires_on 2026-03-09 is before issued_on 2026-03-10"),
    ({"issued_on": (today() + timedelta(days=3)).isoformat()}, "issued_on: issued_on"),
    ({"issued_on": "2026-13-01"}, "issued_on: issued_on '2026-13-01' is not a date"),
    ({"type_id": "no-such-type"}, "type_id: there is no certification type 'no-such-type'"),
    ({"verification_note": "   "}, "verification_note: verification_note is missing"),
    ({"number": "A\x00B"}, "number: number holds a control character"),
])
def test_invalid_records_are_400_and_nothing_is_written(app, client, alex, maria, changes, detail):
    seq = last_seq(app)
    response = post(client, f"/staff/{alex}/certifications", {**BLS, **changes}, maria)
    assert response.status_code == 400
    assert_documented(response, FOR_STAFF, "POST")
    assert any(d.startswith(detail) for d in response.get_json()["details"]), response.get_json()
    assert count(app, CertificationRecord) == 0 and last_seq(app) == seq


@pytest.mark.parametrize("body", [
    {"type_id": "bls", "issued_on": "2026-03-10"},  # no verification note
    {**BLS, "verified": True},
    {**BLS, "issued_on": "10/03/2026"},
    {**BLS, "expires_on": 20280310},
])
def test_a_body_that_breaks_the_schema_is_400(client, alex, maria, body):
    response = post(client, f"/staff/{alex}/certifications", body, maria)
    assert response.status_code == 400 and response.get_json()["details"]


def test_staff_cannot_record_for_others_or_verify_their_own(app, client, alex, alex_token, staff_member):
    for target in (staff_member, alex):
        response = post(client, f"/staff/{target}/certifications", BLS, alex_token)
        assert response.status_code == 403
        assert_documented(response, FOR_STAFF, "POST")
    response = post(client, MINE, BLS, alex_token)  # a verification note is not the submitter's to give
    assert response.status_code == 400
    assert count(app, CertificationRecord) == 0


def test_an_unknown_staff_record_is_404(client, maria, root):
    for staff_id in ("999", "99999999999"):
        response = post(client, f"/staff/{staff_id}/certifications", BLS, maria)
        assert response.status_code == 404
        assert_documented(response, FOR_STAFF, "POST")
    assert post(client, "/staff/-1/certifications", BLS, maria).status_code == 404


def test_records_are_only_ever_added(app, client, alex, maria):
    first = post(client, f"/staff/{alex}/certifications", {**BLS, "issued_on": "2024-01-10"}, maria).get_json()
    second = post(client, f"/staff/{alex}/certifications", BLS, maria).get_json()
    with app.app_context():
        rows = db.session.scalars(select(CertificationRecord).order_by(CertificationRecord.id)).all()
        assert [(r.id, r.issued_on) for r in rows] == [(first["id"], date(2024, 1, 10)), (second["id"], date(2026, 3, 10))]


def test_every_problem_is_reported_at_once(client, alex, maria):
    body = {**BLS, "issued_on": "2026-02-30", "type_id": "nope", "verification_note": " "}
    details = post(client, f"/staff/{alex}/certifications", body, maria).get_json()["details"]
    assert [d.split(":")[0] for d in details] == ["type_id", "issued_on", "verification_note"]
