"""A reminder sent now by a manager, to one person or to everyone overdue: the daily reminder's
message, through the mailer, audited; refused in words when there is nothing to send."""

from __future__ import annotations

import pytest
from dashboard_helpers import days_ago, known_office
from sqlalchemy import select
from tracker_helpers import add_person, csrf_token, sign_in

from tracker.services import audit
from tracker.storage.db import db
from tracker.storage.models import AuditEvent, Staff


@pytest.fixture
def office(app, manager):
    return known_office(app, manager)


def reminder_events(app) -> list[AuditEvent]:
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "reminder.sent")
                                    .order_by(AuditEvent.seq)).all()
        return [(e.actor, e.subject, e.details) for e in events]


def send(client, path: str, from_page: str = "/manager/dashboard"):
    token = csrf_token(client.get(from_page).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token}, follow_redirects=True)


def test_a_manager_sends_one_person_their_reminder(app, client, office, inbox):
    sign_in(client, "maria@clinic.example")
    response = send(client, f"/manager/staff/{office.ben}/remind")
    assert response.status_code == 200
    assert "Reminder sent to Ben Ortiz." in response.get_data(as_text=True)
    [message] = inbox.to("ben@clinic.example")
    assert message["Subject"].endswith("3 overdue")
    assert "Hello Ben Ortiz," in message.get_content() and "Overdue (3):" in message.get_content()
    assert len(inbox.messages) == 1
    [(actor, subject, details)] = reminder_events(app)
    assert "maria@clinic.example" in actor and subject == f"staff:{office.ben}"
    assert details["staff_ids"] == [office.ben] and details["to"] == ["ben@clinic.example"]
    with app.app_context():
        assert audit.verify().ok


def test_a_manager_sends_everyone_overdue_their_reminder(app, client, office, inbox):
    late = add_person(app, "fay@clinic.example", "Fay Long", hire_date=days_ago(400))
    sign_in(client, "maria@clinic.example")
    page = send(client, "/manager/reminders/overdue").get_data(as_text=True)
    assert "Reminder sent to Ben Ortiz, Fay Long." in page or "Reminder sent to Fay Long, Ben Ortiz." in page
    assert sorted(to[0] for to, _message in inbox.messages) == ["ben@clinic.example", "fay@clinic.example"]
    [(_actor, subject, details)] = reminder_events(app)
    assert subject == "reminders:overdue" and sorted(details["staff_ids"]) == sorted([office.ben, late])


def test_nothing_due_is_refused_in_words(app, client, office, inbox):
    sign_in(client, "maria@clinic.example")
    page = send(client, f"/manager/staff/{office.ava}/remind").get_data(as_text=True)
    assert "Ava Quinn has nothing overdue or due soon, so there is nothing to remind them of." in page
    assert inbox.messages == [] and reminder_events(app) == []


def test_someone_without_an_e_mail_address_is_refused_in_words(app, client, office, inbox):
    with app.app_context():
        db.session.get(Staff, office.ben).email = ""
        db.session.commit()
    sign_in(client, "maria@clinic.example")
    page = send(client, f"/manager/staff/{office.ben}/remind").get_data(as_text=True)
    assert "Ben Ortiz has no e-mail address, so no reminder can be sent: add one on their staff record." in page
    page = send(client, "/manager/reminders/overdue").get_data(as_text=True)
    assert "Ben Ortiz has no e-mail address" in page
    assert inbox.messages == [] and reminder_events(app) == []


def test_nobody_overdue_sends_nothing(app, client, manager, inbox):
    sign_in(client, "maria@clinic.example")
    page = send(client, "/manager/reminders/overdue").get_data(as_text=True)
    assert "Nobody has anything overdue, so no reminders were sent." in page
    assert inbox.messages == []


def test_without_a_mail_server_the_manager_is_told(app, client, office):
    sign_in(client, "maria@clinic.example")
    page = send(client, f"/manager/staff/{office.ben}/remind").get_data(as_text=True)
    assert "E-mail is not set up for the tracker" in page and reminder_events(app) == []


def test_sending_needs_the_forms_token(app, client, office, inbox):
    sign_in(client, "maria@clinic.example")
    assert client.post(f"/manager/staff/{office.ben}/remind").status_code == 400
    assert client.post("/manager/reminders/overdue", data={"csrf_token": "forged"}).status_code == 400
    assert inbox.messages == [] and reminder_events(app) == []


def test_staff_cannot_send_reminders(app, client, office, staff_member, inbox):
    sign_in(client, "sam@clinic.example")
    token = csrf_token(client.get("/policies").get_data(as_text=True))
    for path in (f"/manager/staff/{office.ben}/remind", "/manager/reminders/overdue"):
        assert client.post(path, data={"csrf_token": token}).status_code == 403
    assert inbox.messages == [] and reminder_events(app) == []


def test_signed_out_visitors_cannot_send_reminders(client, office, inbox):
    response = client.post(f"/manager/staff/{office.ben}/remind")
    assert response.status_code in (302, 400)
    assert inbox.messages == []
