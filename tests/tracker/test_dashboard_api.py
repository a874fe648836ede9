"""The compliance API: /api/v1/compliance and /api/v1/staff/<id>/requirements, as documented."""

from __future__ import annotations

import pytest
from dashboard_helpers import TODAY, days_ago, known_office
from tracker_helpers import api_token, assert_documented, bearer, sign_in


@pytest.fixture
def office(app, manager):
    return known_office(app, manager)


@pytest.fixture
def manager_token(app, office) -> dict:
    return bearer(api_token(app, "maria@clinic.example"))


def test_the_matrix_as_json(client, office, manager_token):
    response = client.get("/api/v1/compliance", headers=manager_token)
    assert_documented(response, "/compliance")
    body = response.get_json()
    assert body["as_of"] == TODAY.isoformat() and body["filters"] == {}
    assert body["summary"] == {"counts": {"compliant": 5, "due_soon": 1, "pending": 6, "overdue": 3}, "total": 15,
                               "rate": 0.8}
    assert {loc["id"]: loc["summary"]["rate"] for loc in body["locations"]} == {"main-street": 1.0, "northgate": 0.4}
    ben = next(p for p in body["people"] if p["name"] == "Ben Ortiz")
    assert ben["staff_id"] == office.ben and ben["location_id"] == "northgate" and ben["roles"] == ["clinician"]
    assert [(i["kind"], i["id"], i["status"]) for i in ben["items"]] == [
        ("policy", "minimum-necessary", "overdue"), ("module", "hipaa-basics", "overdue"),
        ("certification", "bls", "overdue")]
    assert all(set(i) == {"kind", "id", "title", "status", "due_date", "detail"} for i in ben["items"])


def test_the_matrix_filters_and_as_of(client, office, manager_token):
    body = client.get("/api/v1/compliance?status=overdue&location=northgate", headers=manager_token).get_json()
    assert body["filters"] == {"location": "northgate", "status": "overdue"}
    assert [p["name"] for p in body["people"]] == ["Ben Ortiz"] and body["summary"]["total"] == 3
    past = client.get(f"/api/v1/compliance?as_of={days_ago(20).isoformat()}", headers=manager_token).get_json()
    assert "Eve Stone" in {p["name"] for p in past["people"]} and "Dev Shah" not in {p["name"] for p in past["people"]}


@pytest.mark.parametrize("query", ["as_of=2026-02-30", "as_of=soon", "as_of=", "status=late", "location=moon",
                                   "requirement=bls"])
def test_bad_parameters_are_a_400_in_json(client, office, manager_token, query):
    response = client.get(f"/api/v1/compliance?{query}", headers=manager_token)
    assert_documented(response, "/compliance")
    assert response.status_code == 400 and response.get_json()["error"]


def test_staff_may_not_see_the_matrix(app, client, staff_member):
    assert client.get("/api/v1/compliance").status_code == 401
    response = client.get("/api/v1/compliance", headers=bearer(api_token(app, "sam@clinic.example")))
    assert_documented(response, "/compliance")
    assert response.status_code == 403


def test_one_persons_requirements(app, client, office, manager_token):
    response = client.get(f"/api/v1/staff/{office.cleo}/requirements", headers=manager_token)
    assert_documented(response, "/staff/{staff_id}/requirements")
    body = response.get_json()
    assert body["staff_id"] == office.cleo and body["name"] == "Cleo Park" and body["as_of"] == TODAY.isoformat()
    assert [(i["id"], i["status"]) for i in body["items"]] == [("minimum-necessary", "compliant"),
                                                               ("hipaa-basics", "due_soon")]
    unknown = client.get("/api/v1/staff/999999/requirements", headers=manager_token)
    assert_documented(unknown, "/staff/{staff_id}/requirements")
    assert unknown.status_code == 404
    assert client.get("/api/v1/staff/99999999999/requirements", headers=manager_token).status_code == 404


def test_staff_see_their_own_requirements_only(app, client, office):
    cleo = bearer(api_token(app, "cleo@clinic.example"))
    own = client.get(f"/api/v1/staff/{office.cleo}/requirements", headers=cleo)
    assert own.status_code == 200
    assert own.get_json()["items"] == client.get("/api/v1/me/requirements", headers=cleo).get_json()["items"]
    other = client.get(f"/api/v1/staff/{office.ben}/requirements", headers=cleo)
    assert_documented(other, "/staff/{staff_id}/requirements")
    assert other.status_code == 403


def test_my_requirements_take_as_of(app, client, office):
    sign_in(client, "ava@clinic.example")
    now = client.get("/api/v1/me/requirements").get_json()
    before = client.get(f"/api/v1/me/requirements?as_of={days_ago(101).isoformat()}")
    assert_documented(before, "/me/requirements")
    statuses = {i["id"]: i["status"] for i in before.get_json()["items"]}
    assert {i["id"]: i["status"] for i in now["items"]}["bls"] == "compliant" and statuses["bls"] == "overdue"
    bad = client.get("/api/v1/me/requirements?as_of=31-12-2026")
    assert_documented(bad, "/me/requirements")
    assert bad.status_code == 400
