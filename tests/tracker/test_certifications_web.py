"""Certifications through the HTML pages: staff submit (does not count until verified), managers
record verified ones, verify or reject, correct; every change is a new row with an audit event."""

import html
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from tracker_helpers import add_person, sign_in
from training_helpers import actions_since, count, extend_content, last_seq, post_page_form

from tracker.services import audit
from tracker.storage.db import db, today
from tracker.storage.models import CertificationRecord, CertificationVerification

MINE = "/certifications"
NEW = "/manager/certifications/new"
ISSUED = date(2026, 1, 31)


@pytest.fixture
def root(app, tmp_path):
    return extend_content(app, tmp_path)


@pytest.fixture
def sam(app, root, staff_member) -> int:
    """Front desk: must hold the hepatitis B vaccination (one-time) in the extended content."""
    return staff_member


@pytest.fixture
def alex(app, root) -> int:
    """A medical assistant: must hold BLS (24 months) and the CMA (60 months)."""
    return add_person(app, "alex@clinic.example", "Alex Kim", roles=("medical-assistant",))


@pytest.fixture
def boss(app, manager):
    client = app.test_client()
    sign_in(client, "maria@clinic.example")
    return client


def page_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def submit(client, **fields):
    values = {"type_id": "hep-b", "number": "", "issuer": "", "issued_on": "2026-02-01", "expires_on": "",
              "note": "", **fields}
    return post_page_form(client, MINE, values)


def decide(boss, record_id: int, decision: str, note: str = "Checked the vaccination record at the clinic."):
    url = f"/manager/certifications/{record_id}"
    return post_page_form(boss, f"{url}/decision", {"decision": decision, "note": note}, form_url=url)


def record_for(boss, person: int, **fields):
    values = {"staff_id": str(person), "type_id": "bls", "number": "BLS-1", "issuer": "", "issued_on": "2026-03-10",
              "expires_on": "", "note": "", "verification_note": "Primary source: AHA eCard lookup.", **fields}
    return post_page_form(boss, NEW, values)


def records(app) -> list[CertificationRecord]:
    with app.app_context():
        rows = db.session.scalars(select(CertificationRecord).order_by(CertificationRecord.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def hep_b_status(client) -> str:
    page = page_of(client.get(MINE))
    return page.split("Hepatitis B vaccination", 1)[1][:400]


def test_staff_see_what_they_must_hold(client, sam):
    sign_in(client, "sam@clinic.example")
    page = page_of(client.get(MINE))
    assert "My certifications" in page and "Hepatitis B vaccination" in page and "To do" in page
    assert "Basic Life Support" not in page.split("My records")[0]  # for clinical roles only


def test_a_submitted_record_awaits_verification_and_does_not_count(app, client, sam):
    sign_in(client, "sam@clinic.example")
    seq = last_seq(app)
    response = submit(client, number="LOT-42")
    assert response.status_code == 303
    page = page_of(client.get(response.headers["Location"]))
    assert "Submitted for verification" in page and "Awaiting verification" in page
    assert "To do" in hep_b_status(client)
    [record] = records(app)
    assert (record.staff_id, record.type_id, record.number, record.issuer, record.expires_on) == (
        sam, "hep-b", "LOT-42", "Any licensed provider", None)
    assert count(app, CertificationVerification) == 0
    assert actions_since(app, seq) == ["certification.recorded"]


def test_verifying_makes_it_count(app, client, sam, boss):
    sign_in(client, "sam@clinic.example")
    submit(client)
    [record] = records(app)
    awaiting = page_of(boss.get("/manager/certifications"))
    assert "Awaiting verification (1)" in awaiting and "Sam Carter" in awaiting
    seq = last_seq(app)
    response = decide(boss, record.id, "verified")
    assert response.status_code == 303 and "Record 1 verified." in page_of(boss.get(response.headers["Location"]))
    assert actions_since(app, seq) == ["certification.verified"]
    status = hep_b_status(client)
    assert "Done" in status and "does not expire" in status
    assert "Checked the vaccination record at the clinic." in page_of(client.get(MINE))
    with app.app_context():
        verification = db.session.scalars(select(CertificationVerification)).one()
        assert (verification.decision, verification.decided_by.email) == ("verified", "maria@clinic.example")
    assert "Awaiting verification (0)" in page_of(boss.get("/manager/certifications"))


def test_rejecting_keeps_it_from_counting_and_a_later_decision_is_a_new_row(app, client, sam, boss):
    sign_in(client, "sam@clinic.example")
    submit(client)
    [record] = records(app)
    decide(boss, record.id, "rejected", "The card is for someone else.")
    page = page_of(client.get(MINE))
    assert "Rejected" in page and "The card is for someone else." in page
    assert "To do" in hep_b_status(client)
    decide(boss, record.id, "verified", "The right card was shown in person.")
    assert "Done" in hep_b_status(client)
    with app.app_context():
        decisions = db.session.scalars(select(CertificationVerification.decision)
                                       .order_by(CertificationVerification.id)).all()
    assert decisions == ["rejected", "verified"]
    history = page_of(boss.get(f"/manager/certifications/{record.id}"))
    assert "rejected</strong> by Maria Lopez" in history and "verified</strong> by Maria Lopez" in history


def test_a_decision_needs_a_choice_and_a_note(app, client, sam, boss):
    sign_in(client, "sam@clinic.example")
    submit(client)
    [record] = records(app)
    response = decide(boss, record.id, "", " ")
    assert response.status_code == 400
    page = page_of(response)
    assert "Choose verified or rejected." in page
    response = decide(boss, record.id, "approved-ish")
    assert response.status_code == 400
    response = decide(boss, record.id, "verified", " ")
    assert response.status_code == 400 and "This is missing. Say how it was checked" in page_of(response)
    assert count(app, CertificationVerification) == 0


def test_a_manager_records_a_verified_certification_with_the_default_expiry(app, alex, boss):
    seq = last_seq(app)
    response = record_for(boss, alex)
    assert response.status_code == 303
    page = page_of(boss.get(response.headers["Location"]))
    assert "Recorded and verified for Alex Kim." in page and "2028-03-10" in page and "Verified" in page
    [record] = records(app)
    assert (record.issued_on, record.expires_on, record.issuer) == (
        date(2026, 3, 10), date(2028, 3, 10), "American Heart Association")
    with app.app_context():
        verification = db.session.scalars(select(CertificationVerification)).one()
        assert verification.note == "Primary source: AHA eCard lookup."
        assert verification.decided_by.email == "maria@clinic.example"
    assert actions_since(app, seq) == ["certification.recorded", "certification.verified"]
    person = boss.application.test_client()
    sign_in(person, "alex@clinic.example")
    assert "expires 2028-03-10" in page_of(person.get(MINE))


def test_the_default_expiry_counts_months_and_the_cards_own_date_wins(app, alex, boss):
    record_for(boss, alex, type_id="cma-aama", issued_on=ISSUED.isoformat())
    record_for(boss, alex, type_id="cma-aama", issued_on=ISSUED.isoformat(), expires_on="2031-01-31")
    record_for(boss, alex, type_id="cma-aama", issued_on="2026-01-15", expires_on="2031-01-31")
    assert [r.expires_on for r in records(app)] == [date(2031, 1, 31)] * 3
    form = page_of(boss.get(NEW))
    assert "counted from the end of the month of certification" in form  # the type's note, as help


def test_one_time_types_never_expire(app, alex, boss):
    record_for(boss, alex, type_id="hep-b", issued_on="2020-05-05")
    assert records(app)[0].expires_on is None
    assert "Never" in page_of(boss.get("/manager/certifications"))


@pytest.mark.parametrize(("fields", "message"), [
    ({"expires_on": "2026-03-09"}, "2026-03-09 is before issued on 2026-03-10."),
    ({"issued_on": (today() + timedelta(days=1)).isoformat()}, "is in the future"),
    ({"issued_on": ""}, "This is missing. Write it as YYYY-MM-DD."),
    ({"issued_on": "2026-02-30"}, "'2026-02-30' is not a date. Write it as YYYY-MM-DD"),
    ({"verification_note": " "}, "This is missing. Say how it was checked"),
    ({"number": "x" * 101}, "This is longer than 100 characters. Shorten it."),
    ({"type_id": "no-such-type"}, "Not a valid choice"),
    ({"staff_id": "999"}, "Not a valid choice"),
])
def test_invalid_records_are_refused_with_the_reason_next_to_the_field(app, alex, boss, fields, message):
    seq = last_seq(app)
    response = record_for(boss, alex, **fields)
    assert response.status_code == 400
    assert message in page_of(response)
    assert not re.search(r'<p class="error"[^>]*>[^<]*_', page_of(response))  # sentences, not field names
    assert count(app, CertificationRecord) == 0 and last_seq(app) == seq


def test_a_correction_supersedes_the_record_it_corrects(app, alex, boss):
    record_for(boss, alex, expires_on="2026-12-01")  # typed wrong: the card says 2028-03-10
    [wrong] = records(app)
    form = page_of(boss.get(f"/manager/certifications/{wrong.id}/correct"))
    assert 'value="2026-12-01"' in form and 'value="BLS-1"' in form
    seq = last_seq(app)
    response = post_page_form(boss, f"/manager/certifications/{wrong.id}/correct", {
        "type_id": "bls", "number": "BLS-1", "issuer": "", "issued_on": "2026-03-10", "expires_on": "2028-03-10",
        "note": "Expiry typed wrong.", "verification_note": "AHA eCard lookup again."})
    assert response.status_code == 303
    assert "record 1 no longer counts" in page_of(boss.get(response.headers["Location"]))
    assert actions_since(app, seq) == ["certification.recorded", "certification.verified"]
    old, new = records(app)
    assert (old.expires_on, new.expires_on, new.corrects_id) == (date(2026, 12, 1), date(2028, 3, 10), old.id)
    old_page = page_of(boss.get(f"/manager/certifications/{old.id}"))
    assert "Corrected" in old_page and "Record the decision" not in old_page
    person = boss.application.test_client()
    sign_in(person, "alex@clinic.example")
    mine = page_of(person.get(MINE))
    assert "expires 2028-03-10" in mine and "Replaced by a correction (record 2)" in mine
    # The superseded record can be neither corrected again nor decided on.
    again = page_of(boss.get(f"/manager/certifications/{old.id}/correct"))
    assert "was already corrected by" in again
    assert post_page_form(boss, f"/manager/certifications/{old.id}/correct", {"type_id": "bls"},
                          form_url=f"/manager/certifications/{new.id}").status_code == 400
    response = decide(boss, old.id, "rejected", "Old.")
    assert response.status_code == 400 and "was corrected by record 2" in page_of(response)
    assert count(app, CertificationRecord) == 2


def test_renewal_is_a_new_record_and_the_longest_lasting_counts(app, alex, boss):
    record_for(boss, alex, issued_on="2024-01-10")  # expired 2026-01-10
    record_for(boss, alex, issued_on="2026-01-05")
    first, second = records(app)
    assert (first.expires_on, second.expires_on, second.corrects_id) == (date(2026, 1, 10), date(2028, 1, 5), None)
    person = boss.application.test_client()
    sign_in(person, "alex@clinic.example")
    status = page_of(person.get(MINE)).split("Basic Life Support (BLS)", 1)[1][:300]
    assert "Done" in status and "2028-01-05" in status


def test_the_manager_list_puts_awaiting_first_and_filters_by_type(app, client, sam, alex, boss):
    sign_in(client, "sam@clinic.example")
    submit(client)
    record_for(boss, alex)
    page = page_of(boss.get("/manager/certifications")).split("<h2>Awaiting verification")[1]
    awaiting, everything = page.split("All records")
    assert "Sam Carter" in awaiting and "Alex Kim" not in awaiting
    assert "Sam Carter" in everything and "Alex Kim" in everything
    filtered = page_of(boss.get("/manager/certifications?type=bls")).split("All records")[1]
    assert "Alex Kim" in filtered and "Sam Carter" not in filtered
    assert '<option value="bls" selected>' in page_of(boss.get("/manager/certifications?type=bls"))


def test_staff_cannot_reach_manager_pages_nor_record_for_others(app, client, sam, alex):
    sign_in(client, "sam@clinic.example")
    submit(client)
    for url in ("/manager/certifications", NEW, "/manager/certifications/1", "/manager/certifications/1/correct"):
        assert client.get(url).status_code == 403, url
    for url in (NEW, "/manager/certifications/1/decision", "/manager/certifications/1/correct"):
        response = post_page_form(client, url, {"staff_id": str(alex), "type_id": "bls", "issued_on": "2026-01-01",
                                                "decision": "verified", "note": "me", "verification_note": "me"},
                                  form_url=MINE)
        assert response.status_code == 403, url
    # The staff form has no person field: a forged one is ignored, the record is the signer's own.
    post_page_form(client, MINE, {"staff_id": str(alex), "type_id": "bls", "issued_on": "2026-01-01"})
    assert {r.staff_id for r in records(app)} == {sam}
    assert count(app, CertificationVerification) == 0
    nav = client.get(MINE).get_data(as_text=True).split("<main")[0]
    assert 'href="/manager/certifications"' not in nav


def test_unknown_records_are_404(boss):
    for url in ("/manager/certifications/1", "/manager/certifications/1/correct",
                "/manager/certifications/99999999999"):
        assert boss.get(url).status_code == 404, url


def test_nothing_is_rewritten(app, client, sam, boss):
    sign_in(client, "sam@clinic.example")
    submit(client, number="N-1")
    [before] = records(app)
    decide(boss, before.id, "rejected", "Blurry.")
    decide(boss, before.id, "verified", "Clear copy shown.")
    [after] = records(app)
    fields = ("id", "staff_id", "type_id", "number", "issuer", "issued_on", "expires_on", "note", "submitted_at")
    assert [getattr(before, f) for f in fields] == [getattr(after, f) for f in fields]
    with app.app_context():
        assert audit.verify().ok  # every event of every write chained in order
