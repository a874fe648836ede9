"""A local SMTP server (aiosmtpd) for the tests that send e-mail, and reading back what it got."""

from __future__ import annotations

import email
import re
import socket
from contextlib import contextmanager
from email import policy

import pytest

LINK = re.compile(r"https?://\S+")


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

    def links_to(self, address: str) -> list[str]:
        """Every link in the messages to ``address``, oldest first."""
        return [link for message in self.to(address) for link in LINK.findall(message.get_content())]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def local_smtp(app, base_url: str):
    """An SMTP server on 127.0.0.1, with the app's mail settings pointing at it; yields its Inbox."""
    controller_module = pytest.importorskip("aiosmtpd.controller")
    handler = Inbox()
    port = free_port()
    controller = controller_module.Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(TRACKER_SMTP_HOST="127.0.0.1", TRACKER_SMTP_PORT=port, TRACKER_SMTP_STARTTLS=False,
                      TRACKER_MAIL_FROM="Compliance tracker <tracker@clinic.example>", TRACKER_BASE_URL=base_url)
    try:
        yield handler
    finally:
        controller.stop()
