"""Reminder e-mails, sent to a local SMTP server (aiosmtpd) and read back."""

from __future__ import annotations

import pytest
from dashboard_helpers import days_ago, known_office
from mail_helpers import free_port

BASE = "https://tracker.clinic.example"


@pytest.fixture
def office(app, manager):
    return known_office(app, manager)


def body(message) -> str:
    return message.get_content()


def test_each_person_gets_their_items_and_each_manager_a_digest(runner, office, inbox):
    result = runner.invoke(args=["remind"])
    assert result.exit_code == 0, result.output
    assert "Sent 5 reminder(s) to staff and 1 digest(s) to managers." in result.output
    recipients = sorted(address for addresses, _message in inbox.messages for address in addresses)
    assert recipients == ["ben@clinic.example", "cleo@clinic.example", "dev@clinic.example",  # not Ava (all done),
                          "maria@clinic.example", "maria@clinic.example", "maria@clinic.example"]  # not Eve (left)
    duties = next(m for m in inbox.to("maria@clinic.example") if "office duties" in m["Subject"])
    assert "Check the eyewash station (main-street): not recorded yet; due" in body(duties)
    ben = inbox.to("ben@clinic.example")[0]
    assert ben["Subject"] == "Test Family Clinic: 3 overdue"
    assert ben["From"] == "Compliance tracker <tracker@clinic.example>" and ben["Message-ID"]
    text = body(ben)
    assert "Hello Ben Ortiz," in text and "Overdue (3):" in text
    for link in (f"{BASE}/policies/minimum-necessary", f"{BASE}/training/hipaa-basics", f"{BASE}/certifications"):
        assert link in text
    cleo = inbox.to("cleo@clinic.example")[0]
    assert cleo["Subject"] == "Test Family Clinic: 1 due soon" and "HIPAA basics, due" in body(cleo)
    dev = inbox.to("dev@clinic.example")[0]
    assert dev["Subject"] == "Test Family Clinic: 4 due soon"  # new starter: every deadline within 30 days


def test_the_managers_digest(runner, office, inbox):
    runner.invoke(args=["remind"])
    digest = next(m for m in inbox.to("maria@clinic.example") if "digest" in m["Subject"])
    assert digest["Subject"].endswith(": 3 overdue")
    text = body(digest)
    assert "All locations: 80% not overdue (5 compliant, 1 due soon, 6 pending, 3 overdue)" in text
    assert "Northgate clinic: 40% not overdue" in text and "Main Street clinic: 100% not overdue" in text
    assert text.count("- Ben Ortiz:") == 3
    assert f"{BASE}/manager/staff/{office.ben}#certification-bls" in text
    assert f"Dashboard: {BASE}/manager/dashboard" in text


def test_a_dry_run_prints_and_sends_nothing(runner, office, inbox):
    result = runner.invoke(args=["remind", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert inbox.messages == []
    assert "To: ben@clinic.example" in result.output and "Subject: Test Family Clinic: 3 overdue" in result.output
    assert "would send 5 reminder(s) to staff and 1 digest(s)" in result.output and "Nothing was sent." in result.output


def test_as_of_a_past_day(runner, office, inbox):
    result = runner.invoke(args=["remind", "--as-of", days_ago(20).isoformat()])
    assert result.exit_code == 0, result.output
    addresses = {a for recipients, _m in inbox.messages for a in recipients}
    assert "eve@clinic.example" in addresses and "dev@clinic.example" not in addresses  # Eve still worked there
    assert runner.invoke(args=["remind", "--as-of", "someday"]).exit_code == 1


def test_without_a_mail_server_it_says_so_and_fails(app, runner, office):
    app.config.update(TRACKER_SMTP_HOST=None)
    result = runner.invoke(args=["remind"])
    assert result.exit_code == 1
    assert "E-mail is not configured: set TRACKER_SMTP_HOST" in result.output
    assert runner.invoke(args=["remind", "--dry-run"]).exit_code == 0


def test_an_unreachable_server_is_a_clear_failure(app, runner, office):
    app.config.update(TRACKER_SMTP_HOST="127.0.0.1", TRACKER_SMTP_PORT=free_port(), TRACKER_SMTP_STARTTLS=False,
                      TRACKER_MAIL_FROM="tracker@clinic.example")
    result = runner.invoke(args=["remind"])
    assert result.exit_code == 1 and "Could not send through 127.0.0.1:" in result.output
