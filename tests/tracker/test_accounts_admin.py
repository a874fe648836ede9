"""Managers' account controls (roles, disable and enable) and separation of duties."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select
from tracker_helpers import add_person, api_token, bearer, sign_in
from training_helpers import BBP, extend_content, post_page_form

from tracker.storage.db import db, today
from tracker.storage.models import AuditEvent, CertificationRecord, User

BLS = {"type_id": "bls", "number": "BLS-7", "issued_on": "2026-03-10",
       "verification_note": "Primary source: AHA eCard lookup."}


@pytest.fixture
def people(app, staff_member, manager):
    """Sam (staff), Maria (manager) and Ada (admin), with Maria's signed-in browser."""
    ada = add_person(app, "ada@clinic.example", "Ada Admin", account_role="admin", roles=("office-manager",))
    boss = app.test_client()
    sign_in(boss, "maria@clinic.example")
    return {"sam": staff_member, "maria": manager, "ada": ada, "boss": boss}


def act(client, staff_id: int, what: str, **fields):
    return post_page_form(client, f"/manager/staff/{staff_id}/{what}", fields,
                          form_url=f"/manager/staff/{staff_id}/edit")


def role_of(app, staff_id: int) -> str:
    with app.app_context():
        return db.session.scalar(select(User.account_role).where(User.staff_id == staff_id))


def test_managers_grant_and_remove_the_manager_role(app, people):
    boss = people["boss"]
    assert act(boss, people["sam"], "role", account_role="manager").status_code == 303
    assert role_of(app, people["sam"]) == "manager"
    act(boss, people["sam"], "role", account_role="staff")
    assert role_of(app, people["sam"]) == "staff"
    with app.app_context():
        changes = db.session.scalars(select(AuditEvent.details).where(AuditEvent.action == "user.role_changed")).all()
    assert changes == [{"account_role": ["staff", "manager"]}, {"account_role": ["manager", "staff"]}]


def test_only_an_admin_grants_admin_and_nobody_changes_their_own_role(app, people):
    boss = people["boss"]
    refused = act(boss, people["sam"], "role", account_role="admin")
    assert "Only an admin can make someone an admin." in boss.get(refused.headers["Location"]).get_data(as_text=True)
    assert role_of(app, people["sam"]) == "staff"
    act(boss, people["maria"], "role", account_role="admin")
    assert role_of(app, people["maria"]) == "manager"
    act(boss, people["ada"], "role", account_role="staff")  # nor demote an admin
    assert role_of(app, people["ada"]) == "admin"
    admin = app.test_client()
    sign_in(admin, "ada@clinic.example")
    act(admin, people["maria"], "role", account_role="admin")
    assert role_of(app, people["maria"]) == "admin"
    own = admin.get(f"/manager/staff/{people['ada']}/edit").get_data(as_text=True)
    assert 'name="account_role"' not in own  # no role control on one's own page


def test_disabling_ends_sessions_and_tokens_and_enabling_restores_sign_in(app, people):
    sam = app.test_client()
    sign_in(sam, "sam@clinic.example")
    token = bearer(api_token(app, "sam@clinic.example"))
    assert act(people["boss"], people["sam"], "disable").status_code == 303
    assert sam.get("/policies").status_code == 302
    assert app.test_client().get("/api/v1/me", headers=token).status_code == 401
    assert "This account is disabled" in sign_in(app.test_client(), "sam@clinic.example").get_data(as_text=True)
    assert ">disabled<" in people["boss"].get("/manager/staff").get_data(as_text=True)
    act(people["boss"], people["sam"], "enable")
    assert sign_in(app.test_client(), "sam@clinic.example").status_code == 303
    assert app.test_client().get("/api/v1/me", headers=token).status_code == 401  # tokens stay revoked
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "user.disabled" in actions and "user.enabled" in actions


def test_managers_cannot_disable_themselves_or_an_admin(app, people):
    act(people["boss"], people["maria"], "disable")
    act(people["boss"], people["ada"], "disable")
    assert sign_in(app.test_client(), "maria@clinic.example").status_code == 303
    assert sign_in(app.test_client(), "ada@clinic.example").status_code == 303


# --- Separation of duties --------------------------------------------------------------------------

@pytest.fixture
def root(app, tmp_path):
    return extend_content(app, tmp_path)


def test_a_manager_cannot_verify_their_own_certification(app, client, root, people):
    token = bearer(api_token(app, "maria@clinic.example"))
    response = client.post(f"/api/v1/staff/{people['maria']}/certifications", json=BLS, headers=token)
    assert response.status_code == 400 and "your own certification" in " ".join(response.get_json()["details"])
    submitted = client.post("/api/v1/me/certifications", json={k: v for k, v in BLS.items()
                                                                 if k != "verification_note"}, headers=token)
    assert submitted.status_code == 201
    record = submitted.get_json()["id"]
    url = f"/manager/certifications/{record}"
    decided = post_page_form(people["boss"], f"{url}/decision", {"decision": "verified", "note": "Looked."},
                             form_url=url)
    assert decided.status_code == 400 and "your own certification" in decided.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(CertificationRecord, record).verification is None


def rows(client, export: str) -> list[dict]:
    text = client.get(f"/manager/exports/{export}.csv").get_data(as_text=True).lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def test_an_office_may_allow_it_and_the_export_flags_it(app, client, root, people):
    app.config["TRACKER_ALLOW_SELF_VERIFICATION"] = True
    token = bearer(api_token(app, "maria@clinic.example"))
    assert client.post(f"/api/v1/staff/{people['maria']}/certifications", json=BLS, headers=token).status_code == 201
    assert client.post(f"/api/v1/staff/{people['sam']}/certifications", json=BLS, headers=token).status_code == 201
    flagged = {row["staff_name"]: row["self_verified"] for row in rows(people["boss"], "certifications")}
    assert flagged == {"Maria Lopez": "yes", "Sam Carter": ""}


def session_body(attendees) -> dict:
    return {"module_id": BBP, "held_on": (today() - timedelta(days=1)).isoformat(),
            "content_summary": "Elements (A)-(N).", "trainer_name": "Dr Ana Ruiz",
            "trainer_qualifications": "Physician.", "location_id": "northgate", "attendee_ids": attendees}


def test_nobody_records_their_own_session_attendance_unless_allowed(app, client, root, people):
    token = bearer(api_token(app, "maria@clinic.example"))
    refused = client.post("/api/v1/training-sessions", json=session_body([people["sam"], people["maria"]]),
                          headers=token)
    assert refused.status_code == 400 and "your own attendance" in " ".join(refused.get_json()["details"])
    app.config["TRACKER_ALLOW_SELF_VERIFICATION"] = True
    assert client.post("/api/v1/training-sessions", json=session_body([people["sam"], people["maria"]]),
                       headers=token).status_code == 201
    flagged = {row["attendee_name"]: row["self_recorded"] for row in rows(people["boss"], "training")
               if row["method"] == "in_person"}
    assert flagged == {"Maria Lopez": "yes", "Sam Carter": ""}
