"""Signing in and out: sessions, throttling, audit events."""

from datetime import date, timedelta

from sqlalchemy import select
from tracker_helpers import PASSWORD, csrf_token, sign_in

from tracker.storage.db import db
from tracker.storage.models import AuditEvent, Staff, ThrottleBucket

EMAIL = "sam@clinic.example"


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def test_signing_in_lands_on_my_policies_and_is_audited(app, client, staff_member):
    response = sign_in(client, "Sam@Clinic.example ")  # e-mail case and spaces do not matter
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert client.get("/policies").status_code == 200
    assert actions(app)[-1] == "sign_in.succeeded"


def test_sign_in_starts_a_fresh_session(client, staff_member):
    client.get("/sign-in")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    before = client.get_cookie("session").value
    sign_in(client, EMAIL)
    assert client.get_cookie("session").value != before
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"]


def counts(app) -> dict[str, int]:
    with app.app_context():
        return {b.key: b.count for b in db.session.scalars(select(ThrottleBucket))}


def test_a_wrong_password_is_refused_and_counted_but_not_audited(app, client, staff_member):
    before = actions(app)
    response = sign_in(client, EMAIL, "not the password")
    assert response.status_code == 200
    assert "The e-mail or password is wrong." in response.get_data(as_text=True)
    assert client.get("/policies").status_code == 302
    assert actions(app) == before  # one event per locked-out window, not one per failure
    assert counts(app) == {f"sign-in:{EMAIL}|127.0.0.1": 1, f"sign-in:{EMAIL}": 1, "sign-in-from:127.0.0.1": 1}


def test_five_failures_lock_that_email_and_address_for_a_while(app, client, staff_member):
    for _ in range(5):
        assert sign_in(client, EMAIL, "wrong password").status_code == 200
    throttled = sign_in(client, EMAIL, PASSWORD)  # even the right password waits
    assert throttled.status_code == 429
    assert "Too many failed sign-ins" in throttled.get_data(as_text=True)
    assert actions(app).count("sign_in.throttled") == 1
    other_address = app.test_client()
    assert sign_in(other_address, EMAIL, PASSWORD, REMOTE_ADDR="10.1.2.3").status_code == 303


def test_a_success_clears_earlier_failures(app, client, staff_member):
    for _ in range(4):
        sign_in(client, EMAIL, "wrong password")
    assert sign_in(client, EMAIL).status_code == 303
    assert counts(app) == {"sign-in-from:127.0.0.1": 4}  # the address still counts the failures


def test_someone_who_left_cannot_sign_in_and_is_signed_out(app, client, staff_member):
    assert sign_in(client, EMAIL).status_code == 303
    with app.app_context():
        db.session.get(Staff, staff_member).left_on = date.today() - timedelta(days=1)
        db.session.commit()
    assert client.get("/policies").status_code == 302  # the session no longer counts
    response = sign_in(app.test_client(), EMAIL)  # leaving revoked the password itself
    assert "The e-mail or password is wrong." in response.get_data(as_text=True)
    assert "user.credentials_revoked" in actions(app)


def test_sign_out_takes_a_post_with_the_csrf_token(client, staff_member):
    sign_in(client, EMAIL)
    assert client.get("/sign-out").status_code == 405
    assert client.post("/sign-out").status_code == 400  # no CSRF token
    token = csrf_token(client.get("/policies").get_data(as_text=True))
    response = client.post("/sign-out", data={"csrf_token": token})
    assert response.status_code == 303
    assert client.get("/policies").status_code == 302


def test_sign_in_returns_only_to_pages_of_this_site(client, staff_member):
    assert sign_in(client, EMAIL, next_page="/policies/visitor-log").headers["Location"] == "/policies/visitor-log"
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        fresh = client.application.test_client()
        assert sign_in(fresh, EMAIL, next_page=target).headers["Location"] == "/"


def test_a_post_without_fields_shows_the_errors(client, staff_member):
    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    response = client.post("/sign-in", data={"csrf_token": token})
    assert response.status_code == 400
    assert "Enter your e-mail address." in response.get_data(as_text=True)


def test_an_email_with_a_control_character_is_a_form_error(app, client):
    response = sign_in(client, "sam\x00@clinic.example", "whatever password")
    assert response.status_code == 400
    assert "Enter an e-mail address like name@example.org." in response.get_data(as_text=True)
    assert actions(app) == ["catalogue.synced"]  # nothing recorded
