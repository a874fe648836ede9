"""Manager pages: staff list and form (audited, never deleting), policy register."""

import html
from datetime import date

from sqlalchemy import select
from tracker_helpers import ack_form, add_person, csrf_token, sign_in

from tracker.storage.db import db
from tracker.storage.models import AuditEvent, Staff

PERSON = {"name": "Lee Park", "email": "lee@clinic.example", "job_title": "Receptionist", "roles": ["front-desk"],
          "location": "northgate", "hire_date": "2026-10-01", "left_on": ""}


def last_event(app) -> AuditEvent:
    with app.app_context():
        return db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()


def post_form(client, url: str, fields: dict):
    token = csrf_token(client.get(url).get_data(as_text=True))
    return client.post(url, data={**fields, "csrf_token": token})


def test_staff_accounts_cannot_open_manager_pages(client, staff_member):
    assert client.get("/manager/staff").status_code == 302  # signed out: to the sign-in page
    sign_in(client, "sam@clinic.example")
    for url in ("/manager/staff", "/manager/staff/new", f"/manager/staff/{staff_member}/edit", "/manager/policies",
                "/manager/policies/minimum-necessary"):
        assert client.get(url).status_code == 403, url
    assert "Staff" not in client.get("/policies").get_data(as_text=True).split("<main")[0]


def test_a_manager_adds_a_person_with_an_audit_event(app, client, manager):
    sign_in(client, "maria@clinic.example")
    response = post_form(client, "/manager/staff/new", PERSON)
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Added Lee Park." in page and "lee@clinic.example" in page
    event = last_event(app)
    assert (event.action, event.actor) == ("staff.created", "user:1 maria@clinic.example")
    assert event.details["location"] == "northgate"


def test_form_errors_are_shown_next_to_their_fields(app, client, manager):
    sign_in(client, "maria@clinic.example")
    response = post_form(client, "/manager/staff/new", {**PERSON, "name": " ", "email": "maria@clinic.example",
                                                        "hire_date": "2026-13-01"})
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert '<p class="error" id="name-error-1">This is missing. Fill it in.</p>' in page
    assert "Maria Lopez already has this e-mail" in page
    assert "'2026-13-01' is not a date. Write it as YYYY-MM-DD" in page
    assert 'aria-invalid="true"' in page
    with app.app_context():
        assert db.session.scalar(select(Staff).where(Staff.name == "Lee Park")) is None


def test_editing_records_what_changed_and_leaving_never_deletes(app, client, manager):
    lee = add_person(app, "lee@clinic.example", "Lee Park", roles=("front-desk",), location="northgate",
                     account_role="staff")
    sign_in(client, "maria@clinic.example")
    url = f"/manager/staff/{lee}/edit"
    assert 'value="lee@clinic.example"' in client.get(url).get_data(as_text=True)
    with app.app_context():
        hire_date = db.session.get(Staff, lee).hire_date.isoformat()
    left_on = date.today().isoformat()
    response = post_form(client, url, {**PERSON, "hire_date": hire_date, "job_title": "Lead receptionist",
                                       "left_on": left_on})
    assert response.status_code == 303
    assert "job_title, left_on changed" in client.get("/manager/staff").get_data(as_text=True)
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "staff.changed")).one()
        assert db.session.get(Staff, lee).left_on.isoformat() == left_on
    assert event.details == {"job_title": ["", "Lead receptionist"], "left_on": [None, left_on]}
    assert last_event(app).action == "user.credentials_revoked"  # leaving revokes the sign-in
    assert "The e-mail or password is wrong." in sign_in(app.test_client(), "lee@clinic.example").get_data(as_text=True)


def test_the_register_shows_who_signed_and_who_still_has_to(app, client, staff_member, manager):
    sign_in(client, "sam@clinic.example")
    client.post("/policies/minimum-necessary", data={**ack_form(client, "minimum-necessary"), "agree": "y",
                                                     "signature_name": "Sam Carter"})
    add_person(app, "pat@clinic.example", "Pat Other")
    boss = app.test_client()
    sign_in(boss, "maria@clinic.example")
    assert "Minimum necessary use and disclosure" in boss.get("/manager/policies").get_data(as_text=True)
    page = boss.get("/manager/policies/minimum-necessary").get_data(as_text=True)
    signatures = page.split("<h2>Signatures</h2>")[1]
    outstanding = page.split("<h2>Still to sign</h2>")[1].split("<h2>Signatures</h2>")[0]
    assert "Sam Carter" in signatures and "Pat Other" not in signatures
    assert "Pat Other" in outstanding and "Maria Lopez" in outstanding and "Sam Carter" not in outstanding
    assert boss.get("/manager/policies/nope").status_code == 404


def test_no_route_edits_or_deletes_records(app):
    """Append-only: nothing but GET and POST, and no route named for removing anything."""
    for rule in app.url_map.iter_rules():
        assert rule.methods <= {"GET", "HEAD", "OPTIONS", "POST"}, rule
        assert not any(word in rule.rule for word in ("delete", "remove", "destroy")), rule
