"""CSV exports: exact columns, contents, filters, as-of, and no formula runs in a spreadsheet."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from dashboard_helpers import TODAY, add_card, days_ago, hold_session, known_office, sign
from hypothesis import given, settings
from hypothesis import strategies as st
from tracker_helpers import add_person, sign_in
from training_helpers import BBP, extend_content

from tracker.rules.records import ItemStatus, Status
from tracker.rules.summary import summarise
from tracker.services import exports, matrix, served_catalogue
from tracker.storage.db import db
from tracker.storage.models import Staff


@pytest.fixture
def office(app, manager):
    return known_office(app, manager)


def rows_of(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")  # spreadsheet programs read UTF-8 by this mark
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def header_of(response) -> list[str]:
    return next(csv.reader(io.StringIO(response.get_data().decode("utf-8").removeprefix("\ufeff"))))


def test_the_matrix_export(app, client, office):
    sign_in(client, "maria@clinic.example")
    response = client.get("/manager/exports/matrix.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == f"attachment; filename=compliance-matrix-{TODAY.isoformat()}.csv"
    assert header_of(response) == ["staff_id", "staff_name", "staff_email", "job_title", "location", "roles", "kind",
                                   "requirement_id", "requirement_title", "status", "due_date", "days_overdue",
                                   "detail"]
    rows = rows_of(response)
    assert len(rows) == 15
    ben_bls = next(r for r in rows if r["staff_name"] == "Ben Ortiz" and r["requirement_id"] == "bls")
    assert ben_bls["status"] == "overdue" and ben_bls["location"] == "Northgate clinic"
    assert int(ben_bls["days_overdue"]) == (TODAY - (days_ago(400) + timedelta(days=30))).days
    assert ben_bls["roles"] == "Clinician" and ben_bls["kind"] == "certification"


def test_the_matrix_export_keeps_the_page_filters(app, client, office):
    sign_in(client, "maria@clinic.example")
    rows = rows_of(client.get("/manager/exports/matrix.csv?status=overdue"))
    assert {(r["staff_name"], r["requirement_id"]) for r in rows} == {
        ("Ben Ortiz", "minimum-necessary"), ("Ben Ortiz", "hipaa-basics"), ("Ben Ortiz", "bls")}
    northgate = rows_of(client.get("/manager/exports/matrix.csv?location=northgate&requirement=module:hipaa-basics"))
    assert [(r["staff_name"], r["status"]) for r in northgate] == [("Ben Ortiz", "overdue"), ("Cleo Park", "due_soon")]


def test_the_acknowledgement_register(app, client, office):
    sign_in(client, "maria@clinic.example")
    response = client.get("/manager/exports/policies/minimum-necessary/acknowledgements.csv")
    assert response.headers["Content-Disposition"] == \
        f"attachment; filename=acknowledgements-minimum-necessary-{TODAY.isoformat()}.csv"
    assert header_of(response) == ["staff_name", "staff_email", "job_title", "location", "policy_id", "version",
                                   "fingerprint", "statement", "typed_name", "signed_at_utc", "ip_address",
                                   "user_agent", "method"]
    rows = rows_of(response)
    with app.app_context():
        policy = served_catalogue.current().policies["minimum-necessary"]
    assert [r["staff_name"] for r in rows] == ["Ava Quinn", "Cleo Park"]
    ava = rows[0]
    assert ava["version"] == str(policy.version) and ava["fingerprint"] == policy.fingerprint
    assert ava["statement"] == "I have read this policy and will follow it" and ava["typed_name"] == "Ava Quinn"
    assert ava["signed_at_utc"].startswith(days_ago(30).isoformat()[:7]) and ava["signed_at_utc"].endswith("Z")
    assert (ava["ip_address"], ava["user_agent"], ava["method"]) == ("192.0.2.7", "pytest-browser/1.0", "web")
    assert ava["location"] == "Main Street clinic"
    assert client.get("/manager/exports/policies/no-such-policy/acknowledgements.csv").status_code == 404
    empty = client.get("/manager/exports/policies/visitor-log/acknowledgements.csv")  # in the library, unsigned
    assert rows_of(empty) == []


def test_training_records_in_the_bloodborne_pathogens_layout(app, client, office, tmp_path):
    extend_content(app, tmp_path)
    with app.app_context():
        db.session.get(Staff, office.ava).job_title = "Medical assistant"
        db.session.commit()
    hold_session(app, BBP, days_ago(20), [office.ava, office.ben])
    sign_in(client, "maria@clinic.example")
    response = client.get("/manager/exports/training.csv")
    assert header_of(response) == ["training_date", "module_id", "module_title", "module_version", "content_summary",
                                   "trainer_name", "trainer_qualifications", "attendee_name", "attendee_job_title",
                                   "method", "session_id", "quiz_attempt_id", "quiz_score", "completion_id",
                                   "corrected_by_completion_id", "self_recorded"]
    rows = rows_of(response)
    sessions = [r for r in rows if r["method"] == "in_person"]
    assert [(r["attendee_name"], r["attendee_job_title"]) for r in sessions] == [
        ("Ava Quinn", "Medical assistant"), ("Ben Ortiz", "Clinician")]
    assert {(r["training_date"], r["module_id"], r["trainer_name"], r["trainer_qualifications"], r["content_summary"])
            for r in sessions} == {(days_ago(20).isoformat(), BBP, "Dr. Amanda Cole", "MD, occupational medicine",
                                    "Elements (A)-(N).")}
    quizzes = [r for r in rows if r["method"] == "quiz"]
    assert [(r["attendee_name"], r["training_date"]) for r in quizzes] == [
        ("Cleo Park", days_ago(350).isoformat()), ("Ava Quinn", days_ago(100).isoformat())]
    assert all(r["trainer_name"] == "" and r["quiz_score"] == "100%" and r["quiz_attempt_id"] for r in quizzes)
    assert quizzes[0]["attendee_job_title"] == "Front desk"  # no job title on file: the role's title


def test_certifications_export(app, client, office):
    add_card(app, office.ben, "bls", days_ago(10), TODAY + timedelta(days=700), verified_on=date.min)  # never verified
    sign_in(client, "maria@clinic.example")
    response = client.get("/manager/exports/certifications.csv")
    assert header_of(response) == ["staff_name", "staff_email", "type_id", "type_name", "number", "issuer",
                                   "issued_on", "expires_on", "verified_by", "verified_at_utc", "decision", "status",
                                   "record_id", "corrects_record_id", "self_verified"]
    rows = {r["staff_name"]: r for r in rows_of(response)}
    assert rows["Ava Quinn"]["verified_by"] == "Maria Lopez" and rows["Ava Quinn"]["decision"] == "verified"
    assert rows["Ava Quinn"]["status"] == "valid" and rows["Ava Quinn"]["type_name"] == "Basic Life Support (BLS)"
    assert rows["Ben Ortiz"]["status"] == "awaiting_verification" and rows["Ben Ortiz"]["verified_by"] == ""
    assert rows["Ava Quinn"]["self_verified"] == rows["Ben Ortiz"]["self_verified"] == ""
    later = (TODAY + timedelta(days=650)).isoformat()
    expired = {r["staff_name"]: r["status"] for r in rows_of(client.get(f"/manager/exports/certifications.csv?as_of={later}"))}
    assert expired["Ava Quinn"] == "expired"


@pytest.mark.parametrize("typed", ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(A1)",
                                   "\tTab", "\rReturn"])
def test_cells_a_spreadsheet_would_run_get_an_apostrophe(app, client, manager, typed):
    with app.app_context():
        assert exports.neutralise(typed) == "'" + typed
    person = add_person(app, "mallory@clinic.example", "Mallory Doe")
    with app.app_context():
        staff = db.session.get(Staff, person)
        staff.job_title = typed
        db.session.commit()
    sign(app, person, "minimum-necessary")
    sign_in(client, "maria@clinic.example")
    matrix_rows = rows_of(client.get("/manager/exports/matrix.csv"))
    register = rows_of(client.get("/manager/exports/policies/minimum-necessary/acknowledgements.csv"))
    assert {r["job_title"] for r in matrix_rows if r["staff_name"] == "Mallory Doe"} == {"'" + typed}
    assert register[0]["job_title"] == "'" + typed


@pytest.mark.parametrize("typed", ["=cmd|' /C calc'!A0", "+1+1", "\uff1dHYPERLINK(1)"])
def test_the_matrix_csv_neutralises_every_text_cell_once_per_person_and_text(typed):
    """The matrix CSV neutralises each distinct text once itself: every cell a person, a title or a
    detail fills gets its apostrophe, in every row that repeats it, and exactly once."""
    staff = [Staff(id=n, name=typed, email="x@clinic.example", job_title=typed, roles=["front-desk"])
             for n in (1, 2)]
    items = [ItemStatus("policy", "p", typed, Status.COMPLIANT, None, None, typed),
             ItemStatus("policy", "q", "Fine", Status.OVERDUE, TODAY - timedelta(days=3), None, typed)]
    computed = matrix.Matrix(TODAY, matrix.Filters(), [], [matrix.Row(s, items, items) for s in staff],
                             summarise(items))
    roles = SimpleNamespace(roles={"front-desk": SimpleNamespace(title=typed)})
    rows = list(csv.DictReader(io.StringIO(exports.matrix_csv(computed, roles).removeprefix(exports.BOM))))
    assert len(rows) == 4
    for row in rows:
        assert row["staff_name"] == row["job_title"] == row["roles"] == row["detail"] == "'" + typed
        assert row["staff_id"] in {"1", "2"} and row["status"] in {"compliant", "overdue"}
    assert [r["requirement_title"] for r in rows] == ["'" + typed, "Fine"] * 2
    assert [r["days_overdue"] for r in rows] == ["", "3"] * 2


def _matrix_of(names: list[str], texts: list[str], roles: list[str]) -> matrix.Matrix:
    staff = [Staff(id=n, name=name, email=f"{name}@clinic.example", job_title=texts[n % len(texts)], roles=roles)
             for n, name in enumerate(names, 1)]
    items = [ItemStatus("policy", f"p{n}", text, Status.OVERDUE if n % 2 else Status.COMPLIANT,
                        TODAY - timedelta(days=n) if n % 2 else None, None, texts[-n]) for n, text in enumerate(texts, 1)]
    return matrix.Matrix(TODAY, matrix.Filters(), [], [matrix.Row(s, items, items) for s in staff], summarise(items))


@given(names=st.lists(st.text(max_size=12), min_size=1, max_size=3),
       texts=st.lists(st.text(alphabet=st.characters(codec="utf-8"), max_size=12), min_size=1, max_size=4),
       roles=st.lists(st.text(max_size=8), max_size=2))
@settings(max_examples=150, deadline=None)
def test_the_matrix_csv_is_what_csv_writer_writes_for_its_cells(names, texts, roles):
    """Written line by line with each text quoted once, the matrix CSV is byte for byte what
    csv.writer writes for the same cells (commas, quotes, line breaks and formulas included)."""
    computed = _matrix_of(names, texts, roles)
    catalogue = SimpleNamespace(roles={})
    cells = [(row.staff.id, row.staff.name, row.staff.email, row.staff.job_title, "", "; ".join(roles), item.kind,
              item.id, item.title, item.status.value, item.due_date.isoformat() if item.due_date else "",
              (TODAY - item.due_date).days if item.due_date else "", item.detail)
             for row in computed.rows for item in row.picked]
    assert exports.matrix_csv(computed, catalogue) == exports.to_csv(exports.MATRIX_COLUMNS, cells)


def test_harmless_cells_are_left_alone():
    assert [exports.neutralise(v) for v in ("Ava", "2026-01-15", 12, None, "", "a=b")] == \
        ["Ava", "2026-01-15", "12", "", "", "a=b"]


def test_exports_as_of_leave_out_later_records(app, client, office):
    sign_in(client, "maria@clinic.example")
    before = days_ago(40).isoformat()
    register = rows_of(client.get(f"/manager/exports/policies/minimum-necessary/acknowledgements.csv?as_of={before}"))
    assert register == []  # both signed 30 days ago
    training = rows_of(client.get(f"/manager/exports/training.csv?as_of={days_ago(200).isoformat()}"))
    assert [r["attendee_name"] for r in training] == ["Cleo Park"]
    cards = rows_of(client.get(f"/manager/exports/certifications.csv?as_of={days_ago(101).isoformat()}"))
    assert cards == []
    assert client.get(f"/manager/exports/matrix.csv?as_of={before}").headers["Content-Disposition"].endswith(
        f"compliance-matrix-{before}.csv")


def test_the_exports_page_lists_every_export(app, client, office):
    sign_in(client, "maria@clinic.example")
    html = client.get(f"/manager/exports?as_of={days_ago(1).isoformat()}").get_data(as_text=True)
    for link in ("/manager/exports/matrix.csv", "/manager/exports/training.csv", "/manager/exports/certifications.csv",
                 "/manager/exports/policies/minimum-necessary/acknowledgements.csv", "/manager/evidence.zip"):
        assert f"{link}?as_of={days_ago(1).isoformat()}" in html
