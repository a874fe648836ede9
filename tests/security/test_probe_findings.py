"""What an outside probe found (schemathesis, hand-made requests, fault injection): each finding, by
its number in the report, as a request that once answered 500 or accepted nonsense.

Faults (findings 3 and 4) are in test_faults.py, quiz guessing (7) in test_quiz_guessing.py, and the
generated requests that found most of these in test_schemathesis.py and test_arbitrary_input.py.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from security_helpers import POLICY, SIGNATURE, holdings, starts_a_formula
from sqlalchemy import select
from tracker_helpers import ack_form, add_person, api_token, bearer, csrf_token, sign_in

from tracker.api import openapi_document
from tracker.api.limits import has_lone_surrogate, operations
from tracker.rules.dates import AS_OF_DAYS, RECORD_DAYS
from tracker.services import calendars
from tracker.services.exports import neutralise
from tracker.storage.db import MAX_ID, db, utcnow
from tracker.storage.models import CertificationRecord, CertificationVerification, Staff, User

HUGE = 99999999999999999999


@pytest.fixture
def sam(app, staff_member) -> dict:
    return bearer(api_token(app, "sam@clinic.example"))


def import_staff(runner, tmp_path, rows: str):
    """Run import-staff on a CSV file of these rows under the usual header."""
    csv_file = tmp_path / "staff.csv"
    csv_file.write_text("name,email,job_title,roles,location,hire_date\n" + rows, "utf-8")
    return csv_file, runner.invoke(args=["import-staff", str(csv_file)])


# --- 1. Large integers ---------------------------------------------------------------------------

@pytest.mark.parametrize("version", [2**63, 2**31, MAX_ID + 1, -(2**63) - 1])
def test_1_a_json_version_beyond_any_integer_column_is_a_400(app, client, sam, version):
    before = holdings(app)
    response = client.post("/api/v1/acknowledgements", json={**SIGNATURE, "version": version}, headers=sam)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert any(detail.startswith("version:") for detail in response.get_json()["details"])
    assert holdings(app) == before


def test_1_huge_ids_and_versions_in_urls_and_forms_are_never_a_500(app, client, manager, staff_member):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    sign_in(client, "maria@clinic.example")
    for url in (f"/ack/{POLICY.id}?version={HUGE}&fingerprint=x", f"/ack/{POLICY.id}?version=2147483648&fingerprint=x"):
        assert client.get(url).status_code in (400, 404, 409), url  # 409: the stale page names the current version
    for url in (f"/acknowledgements/{HUGE}", "/acknowledgements/2147483648", f"/manager/staff/{HUGE}/edit",
                "/manager/staff/2147483648/edit", f"/training/attempts/{HUGE}", f"/training/quiz/{HUGE}"):
        assert client.get(url).status_code == 404, url
    form = ack_form(client, POLICY.id)
    before = holdings(app)
    response = client.post(f"/policies/{POLICY.id}", data={**form, "version": str(HUGE), "agree": "y",
                                                           "signature_name": "Maria Lopez"})
    assert response.status_code in (400, 409)
    assert holdings(app) == before


# --- 2. Lone surrogates and NUL ------------------------------------------------------------------

def test_2_a_lone_surrogate_in_any_json_string_is_a_400(app, client, sam):
    before = holdings(app)
    body = '{"type_id":"bls","issued_on":"2026-01-15","note":"\\ud800"}'
    response = client.post("/api/v1/me/certifications", data=body, headers={**sam, "Content-Type": "application/json"})
    assert response.status_code == 400 and "not valid Unicode" in response.get_json()["error"]
    for key_or_value in ('{"\\udfff": 1}', '{"policy_id": ["\\ud83d"]}', '{"signature_name": "ok \\udc00 ok"}'):
        response = client.post("/api/v1/acknowledgements", data=key_or_value,
                               headers={**sam, "Content-Type": "application/json"})
        assert response.status_code == 400, key_or_value
    assert holdings(app) == before
    assert not has_lone_surrogate(json.loads('{"name": "\\ud83d\\ude00"}'))  # a real pair is text: one emoji


@pytest.mark.parametrize("value", ["Sam%ED%A0%80Carter", "Sam%00Carter", "%C0%AE", "Sam%F4%90%80%80"])
def test_2_undecodable_bytes_and_nul_in_a_form_value_are_refused_cleanly(app, client, staff_member, value):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    sign_in(client, "sam@clinic.example")
    form = ack_form(client, POLICY.id)
    before = holdings(app)
    body = "&".join(f"{k}={v}" for k, v in form.items()) + f"&agree=y&signature_name={value}"
    response = client.post(f"/policies/{POLICY.id}", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert holdings(app) == before


# --- 5. Dates without limits ---------------------------------------------------------------------

@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "2200-01-01", "9999-12-31"])
def test_5_dates_outside_the_range_are_refused_in_the_api_with_a_clear_message(app, client, sam, day):
    before = holdings(app)
    response = client.post("/api/v1/me/certifications", json={"type_id": "bls", "issued_on": day}, headers=sam)
    assert response.status_code == 400
    # The OpenAPI pattern states the range (the body check), and the use case says it in words.
    assert response.get_json()["details"]
    assert holdings(app) == before


def test_5_the_range_ends_are_accepted_and_the_rule_says_what_to_do(app, client, manager):
    maria = bearer(api_token(app, "maria@clinic.example"))
    staff = {"name": "Old Timer", "email": "old@clinic.example", "job_title": "Volunteer", "roles": ["front-desk"],
             "location": "main-street"}
    assert client.post("/api/v1/staff", json={**staff, "hire_date": RECORD_DAYS.first.isoformat()},
                       headers=maria).status_code == 201
    from tracker.services.validation import date_value
    errors: dict[str, str] = {}
    assert date_value("9999-12-31", "expires_on", errors) is None
    assert errors["expires_on"] == ("expires_on 9999-12-31 is outside the dates the tracker accepts "
                                    "(use a date from 1900-01-01 to 2199-12-31)")


def test_5_forms_and_csv_refuse_dates_outside_the_range(app, client, manager, runner, tmp_path):
    sign_in(client, "maria@clinic.example")
    token = csrf_token(client.get("/manager/staff/new").get_data(as_text=True))
    before = holdings(app)
    response = client.post("/manager/staff/new", data={
        "csrf_token": token, "name": "Far Future", "email": "far@clinic.example", "job_title": "x",
        "roles": "front-desk", "location": "main-street", "hire_date": "9999-12-31"})
    assert response.status_code == 400 and "1900-01-01 to 2199-12-31" in response.get_data(as_text=True)
    _, result = import_staff(runner, tmp_path, "Ancient One,ancient@clinic.example,x,front-desk,main-street,0001-01-01\n")
    assert result.exit_code == 1 and ":2: hire_date 0001-01-01 is outside the dates" in result.output
    assert holdings(app) == before


@pytest.mark.parametrize("as_of", ["1999-12-31", "2100-01-01", "9999-12-31", "0001-01-01"])
def test_5_as_of_outside_its_range_is_a_400(client, sam, as_of):
    response = client.get(f"/api/v1/me/requirements?as_of={as_of}", headers=sam)
    assert response.status_code == 400 and "must be between 2000-01-01 and 2099-12-31" in response.get_json()["error"]


def test_5_as_of_at_the_ends_of_its_range_is_answered(client, sam):
    for day in (AS_OF_DAYS.first, AS_OF_DAYS.last):
        assert client.get(f"/api/v1/me/requirements?as_of={day.isoformat()}", headers=sam).status_code == 200


def test_5_a_feed_with_an_expiry_on_the_calendars_last_day_is_served(app, client, manager):
    """A record made before dates had limits (or written by hand into the database) must not break it."""
    assistant = add_person(app, "alex@clinic.example", "Alex Kim", roles=("medical-assistant",))
    with app.app_context():
        sam = db.session.get(Staff, assistant)
        maria = db.session.scalar(select(User).where(User.email == "maria@clinic.example"))
        record = CertificationRecord(staff=sam, type_id="bls", number="X", issuer="AHA", issued_on=date(2026, 1, 15),
                                     expires_on=date.max, submitted_by_id=sam.user.id)
        db.session.add(record)
        db.session.flush()
        db.session.add(CertificationVerification(record=record, decision="verified", decided_by_id=maria.id,
                                                 decided_at=utcnow(), note=""))
        token = calendars.replace_feed(sam.user, calendars.PERSONAL)
        db.session.commit()
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200 and b"DTSTART;VALUE=DATE:99991231" in response.get_data()


# --- 6. CSV import -------------------------------------------------------------------------------

def test_6_a_cell_over_the_csv_modules_limit_names_its_row(app, runner, tmp_path):
    before = holdings(app)
    csv_file, result = import_staff(runner, tmp_path, "Ann Lee,ann@clinic.example,x,front-desk,main-street,2026-01-05\n"
                                    f"Bob Day,bob@clinic.example,{'x' * 140_000},front-desk,main-street,2026-01-05\n")
    assert result.exit_code == 1
    assert f"{csv_file}:3: a value there is far too long" in result.output and "Traceback" not in result.output
    assert holdings(app) == before


def test_6_a_file_far_larger_than_a_staff_list_is_refused_at_once(app, runner, tmp_path):
    rows = "".join(f"Person {n},p{n}@clinic.example,x,front-desk,main-street,2026-01-05\n" for n in range(50_000))
    _, result = import_staff(runner, tmp_path, rows)
    assert result.exit_code == 1 and "larger than 2 MB, far more than a staff list" in result.output


def test_6_more_rows_than_a_staff_list_are_refused_naming_the_row(app, runner, tmp_path):
    rows = "".join(f"P{n},{n}@c.example,x,front-desk,main-street,2026-01-05\n" for n in range(10_001))
    _, result = import_staff(runner, tmp_path, rows)
    assert result.exit_code == 1 and ":10002: more than 10000 rows" in result.output


# --- 8. The OpenAPI document states what the server enforces -----------------------------------

def _request_schemas(document) -> list[dict]:
    from tracker.api.limits import _reachable
    found = []
    for _, _, operation in operations(document):
        body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
        if "schema" in body:
            found += list(_reachable(body["schema"], document["components"]["schemas"], set()))
    return found


def test_8_every_operation_documents_the_503_and_every_limit():
    document = openapi_document()
    for path, method, operation in operations(document):
        assert "503" in operation["responses"], (method, path)
        for parameter in operation.get("parameters", []):
            if parameter["name"] == "as_of":
                assert parameter["schema"]["pattern"] == AS_OF_DAYS.pattern, (method, path)
    for schema in _request_schemas(document):
        types = schema.get("type") if isinstance(schema.get("type"), list) else [schema.get("type")]
        if "integer" in types:
            assert schema["maximum"] <= MAX_ID and schema["minimum"] >= -MAX_ID, schema
        if schema.get("format") == "date":
            assert schema["pattern"] == RECORD_DAYS.pattern, schema


def test_8_the_date_patterns_agree_with_the_ranges():
    import re
    for days in (RECORD_DAYS, AS_OF_DAYS):
        pattern = re.compile(days.pattern)
        assert pattern.match(days.first.isoformat()) and pattern.match(days.last.isoformat())
        assert not pattern.match(date(days.first.year - 1, 12, 31).isoformat())
        assert not pattern.match(date(days.last.year + 1, 1, 1).isoformat())


# --- 9. Unicode look-alikes of formula characters ------------------------------------------------

@pytest.mark.parametrize("text", ["＝1+2", "﹦1", "＋1", "﹢1", "－1", "﹣1", "＠SUM(A1)", "﹫x", "\u22121", "\u20131"])
def test_9_look_alikes_of_formula_characters_are_neutralised(text):
    assert starts_a_formula(text)
    assert neutralise(text) == "'" + text


def test_9_a_fullwidth_formula_in_a_name_is_neutralised_in_the_export(app, client, manager):
    add_person(app, "wide@clinic.example", "＝HYPERLINK(\"http://evil.example\") Wide")
    sign_in(client, "maria@clinic.example")
    export = client.get("/manager/exports/matrix.csv").get_data(as_text=True)
    assert "'＝HYPERLINK" in export and ",＝HYPERLINK" not in export
