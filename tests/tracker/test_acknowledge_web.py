"""Reading and signing a policy through the HTML pages, with CSRF protection on."""

import unicodedata

from sqlalchemy import func, select
from tracker_helpers import ack_form, add_person, bump_minimum_necessary, copy_content, sign_in

from tracker.services.acknowledgements import STATEMENT
from tracker.storage.db import db
from tracker.storage.models import Acknowledgement, AuditEvent

POLICY = "minimum-necessary"


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_my_policies_lists_what_applies_with_its_status(client, staff_member):
    sign_in(client, "sam@clinic.example")
    page = client.get("/policies").get_data(as_text=True)
    assert "Minimum necessary use and disclosure" in page and "To do" in page
    assert "Sharps disposal" not in page  # clinical staff at Main Street only
    assert "For reference" in page and "Visitor log" in page


def test_the_policy_page_shows_the_archived_text_and_the_signing_form(client, staff_member):
    sign_in(client, "sam@clinic.example")
    page = client.get(f"/policies/{POLICY}").get_data(as_text=True)
    assert "<h2>Purpose</h2>" in page and '<p class="admonition-title">Front desk</p>' in page
    assert f'<label for="agree">{STATEMENT}</label>' in page
    assert STATEMENT == "I have read this policy and will follow it"
    assert 'name="signature_name"' in page


def test_signing_records_the_evidence_and_shows_a_receipt(app, client, staff_member):
    sign_in(client, "sam@clinic.example")
    form = ack_form(client, POLICY)
    response = client.post(f"/policies/{POLICY}", data={**form, "agree": "y", "signature_name": "  sam   CARTER "},
                           headers={"User-Agent": "FrontDeskPhone/1.0"})
    assert response.status_code == 303
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your acknowledgement is recorded." in receipt
    assert form["fingerprint"] in receipt and " UTC" in receipt and STATEMENT in receipt
    with app.app_context():
        ack = db.session.scalars(select(Acknowledgement)).one()
        assert (ack.staff_id, ack.policy_version.policy_id, ack.policy_version.version) == (staff_member, POLICY, 3)
        assert ack.policy_version.fingerprint == form["fingerprint"]
        assert (ack.statement, ack.signature_name, ack.method) == (STATEMENT, "sam   CARTER", "web")
        assert (ack.ip_address, ack.user_agent) == ("127.0.0.1", "FrontDeskPhone/1.0")
        assert ack.signed_at.utcoffset().total_seconds() == 0
        assert ack.recorded_by.staff_id == staff_member
        event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert (event.action, event.subject) == ("acknowledgement.recorded", f"acknowledgement:{ack.id}")
        assert event.details["fingerprint"] == form["fingerprint"]
    assert "Done" in client.get("/policies").get_data(as_text=True)


def test_the_typed_name_is_compared_in_unicode_normal_form(app, client):
    add_person(app, "jose@clinic.example", unicodedata.normalize("NFC", "José Núñez"))
    sign_in(client, "jose@clinic.example")
    typed = unicodedata.normalize("NFD", "JOSÉ núñez")
    response = client.post(f"/policies/{POLICY}",
                           data={**ack_form(client, POLICY), "agree": "y", "signature_name": typed})
    assert response.status_code == 303
    assert count(app, Acknowledgement) == 1


def test_a_name_that_does_not_match_records_nothing_and_says_why(app, client, staff_member):
    sign_in(client, "sam@clinic.example")
    events = count(app, AuditEvent)
    response = client.post(f"/policies/{POLICY}",
                           data={**ack_form(client, POLICY), "agree": "y", "signature_name": "Samantha Carter"})
    assert response.status_code == 400
    assert "does not match the name on your staff record" in response.get_data(as_text=True)
    assert count(app, Acknowledgement) == 0 and count(app, AuditEvent) == events


def test_a_padded_name_too_long_to_store_is_refused(app, client, staff_member):
    sign_in(client, "sam@clinic.example")
    response = client.post(f"/policies/{POLICY}", data={**ack_form(client, POLICY), "agree": "y",
                                                        "signature_name": "Sam" + " " * 300 + "Carter"})
    assert response.status_code == 400
    assert "too long" in response.get_data(as_text=True)
    assert count(app, Acknowledgement) == 0


def test_without_the_checkbox_nothing_is_recorded(app, client, staff_member):
    sign_in(client, "sam@clinic.example")
    response = client.post(f"/policies/{POLICY}", data={**ack_form(client, POLICY), "signature_name": "Sam Carter"})
    assert response.status_code == 400
    assert "Tick the box" in response.get_data(as_text=True)
    assert count(app, Acknowledgement) == 0


def test_without_a_typed_name_nothing_is_recorded(app, client, staff_member):
    sign_in(client, "sam@clinic.example")
    response = client.post(f"/policies/{POLICY}", data={**ack_form(client, POLICY), "agree": "y"})
    assert response.status_code == 400
    assert "Type your full name to sign." in response.get_data(as_text=True)
    assert count(app, Acknowledgement) == 0


def test_without_the_csrf_token_nothing_is_recorded(app, client, staff_member):
    sign_in(client, "sam@clinic.example")
    form = {**ack_form(client, POLICY), "agree": "y", "signature_name": "Sam Carter"}
    del form["csrf_token"]
    assert client.post(f"/policies/{POLICY}", data=form).status_code == 400
    assert count(app, Acknowledgement) == 0


def test_signing_the_same_version_twice_keeps_the_first_record(app, client, staff_member):
    sign_in(client, "sam@clinic.example")
    form = {**ack_form(client, POLICY), "agree": "y", "signature_name": "Sam Carter"}
    first = client.post(f"/policies/{POLICY}", data=form)
    again = client.post(f"/policies/{POLICY}", data=form)
    assert first.headers["Location"] == again.headers["Location"]
    assert "already acknowledged" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert count(app, Acknowledgement) == 1
    assert "See the receipt" in client.get(f"/policies/{POLICY}").get_data(as_text=True)


def test_a_policy_changed_while_reading_is_not_signed(app, client, runner, staff_member, tmp_path):
    sign_in(client, "sam@clinic.example")
    form = {**ack_form(client, POLICY), "agree": "y", "signature_name": "Sam Carter"}
    root = copy_content(tmp_path)
    bump_minimum_necessary(root)
    app.config["TRACKER_CONTENT_DIR"] = root
    assert runner.invoke(args=["sync"]).exit_code == 0
    response = client.post(f"/policies/{POLICY}", data=form)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "version 3 of this policy has been superseded" in page
    assert f'href="/policies/{POLICY}"' in page
    assert count(app, Acknowledgement) == 0


def test_receipts_are_private_to_the_signer_and_managers(app, client, staff_member, manager):
    sign_in(client, "sam@clinic.example")
    receipt = client.post(f"/policies/{POLICY}", data={**ack_form(client, POLICY), "agree": "y",
                                                       "signature_name": "Sam Carter"}).headers["Location"]
    add_person(app, "pat@clinic.example", "Pat Other")
    other = app.test_client()
    sign_in(other, "pat@clinic.example")
    assert other.get(receipt).status_code == 404
    boss = app.test_client()
    sign_in(boss, "maria@clinic.example")
    assert boss.get(receipt).status_code == 200


def test_an_unknown_policy_page_is_404(client, staff_member):
    sign_in(client, "sam@clinic.example")
    response = client.get("/policies/no-such-policy")
    assert response.status_code == 404
    assert "There is no policy" in response.get_data(as_text=True)
