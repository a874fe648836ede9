"""Reminder e-mails, sent to a local SMTP server (aiosmtpd) and read back."""

from __future__ import annotations

import email
import socket
from email import policy

import pytest
from dashboard_helpers import days_ago, known_office

BASE = "https://tracker.clinic.example"


class Inbox:
    """An aiosmtpd handler keeping every message it is given."""

    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content,
                                                                                policy=policy.default)))
        return "250 Message accepted"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [message for recipients, message in self.messages if address in recipients]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox(app):
    controller_module = pytest.importorskip("aiosmtpd.controller")
    handler = Inbox()
    port = free_port()
    controller = controller_module.Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(TRACKER_SMTP_HOST="127.0.0.1", TRACKER_SMTP_PORT=port, TRACKER_SMTP_STARTTLS=False,
                      TRACKER_MAIL_FROM="Compliance tracker <tracker@clinic.example>", TRACKER_BASE_URL=BASE)
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def office(app, manager):
    return known_office(app, manager)


def body(message) -> str:
    return message.get_content()


def test_each_person_gets_their_items_and_each_manager_a_digest(runner, office, inbox):
    result = runner.invoke(args=["remind"])
    assert result.exit_code == 0, result.output
    assert "Sent 4 reminder(s) to staff and 1 digest(s) to managers." in result.output
    recipients = sorted(address for addresses, _message in inbox.messages for address in addresses)
    assert recipients == ["ben@clinic.example", "cleo@clinic.example", "dev@clinic.example",
                          "maria@clinic.example", "maria@clinic.example"]  # not Ava (all done), not Eve (left)
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
    assert "would send 4 reminder(s) to staff and 1 digest(s)" in result.output and "Nothing was sent." in result.output


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
