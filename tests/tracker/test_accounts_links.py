"""Invitations, password reset and change, and the password rules (NIST SP 800-63B-4)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update
from tracker_helpers import PASSWORD, api_token, assert_documented, bearer, csrf_token, sign_in

from tracker import config
from tracker.services import passwords
from tracker.storage.db import db, utcnow
from tracker.storage.models import AccountLink, AuditEvent, Staff, User

BASE = "https://tracker.clinic.example"
CSRF_META = re.compile(r'name="csrf-token" content="[^"]*"')
NEW_PASSWORD = "lantern orchard quietly ninety"
NEW_HIRE = {"name": "Noor Haddad", "email": "noor@clinic.example", "job_title": "Receptionist",
            "roles": "front-desk", "location": "main-street", "hire_date": date.today().isoformat(), "left_on": ""}


@pytest.fixture
def boss(app, manager):
    client = app.test_client()
    sign_in(client, "maria@clinic.example")
    return client


def post(client, url: str, fields: dict, form_url: str | None = None):
    token = csrf_token(client.get(form_url or url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **fields})


def path_of(link: str) -> str:
    assert link.startswith(BASE), link
    return link[len(BASE):]


def choose(client, link: str, password: str = NEW_PASSWORD):
    # The form's token comes from any page: a dead link's page has no form to take it from.
    return post(client, path_of(link), {"password": password, "confirm": password}, form_url="/password/forgot")


def same_page(response, email: str) -> str:
    """The page without what differs for reasons other than the account: the e-mail typed, the form token."""
    return CSRF_META.sub("", response.get_data(as_text=True).replace(email, "X"))


def staff_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Staff.id).where(Staff.email == email))


# --- Invitations -----------------------------------------------------------------------------------

def test_a_manager_invites_a_new_hire_who_chooses_a_password(app, client, boss, inbox):
    response = post(boss, "/manager/staff/new", {**NEW_HIRE, "invite": "y"})
    assert response.status_code == 303
    assert "Invitation e-mailed to Noor Haddad" in boss.get("/manager/staff").get_data(as_text=True)
    assert ">invited<" in boss.get("/manager/staff").get_data(as_text=True)
    [message] = inbox.to("noor@clinic.example")
    assert "choose your password" in message["Subject"]
    [link] = inbox.links_to("noor@clinic.example")
    assert "/invitations/inv_" in link
    with app.app_context():  # only its hash is kept
        stored = db.session.scalars(select(AccountLink)).one()
        assert link.rsplit("/", 1)[1] not in (stored.token_hash, stored.prefix)
    assert choose(client, link).headers["Location"] == "/sign-in"
    assert sign_in(client, "noor@clinic.example", NEW_PASSWORD).status_code == 303
    assert choose(app.test_client(), link).status_code == 410  # single use
    assert ">active<" in boss.get("/manager/staff").get_data(as_text=True)


def test_a_weak_password_is_refused_on_the_invitation_page(app, boss, inbox):
    post(boss, "/manager/staff/new", {**NEW_HIRE, "invite": "y"})
    [link] = inbox.links_to("noor@clinic.example")
    for weak in ("aaaaaaaaaaaaaaaaaa", "password12345678", " " * 20, "short one", "Noor Haddad 2026!!",
                 "Test Family Clinic 1"):
        response = choose(app.test_client(), link, weak)
        assert response.status_code == 400, weak
        assert 'class="error"' in response.get_data(as_text=True)
    mismatch = post(app.test_client(), path_of(link), {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert "The two passwords differ" in mismatch.get_data(as_text=True)
    assert choose(app.test_client(), link).status_code == 303  # the link survived the refusals


def test_invitations_expire_can_be_sent_again_and_revoked(app, boss, inbox):
    post(boss, "/manager/staff/new", {**NEW_HIRE, "invite": "y"})
    noor = staff_id(app, "noor@clinic.example")
    edit = f"/manager/staff/{noor}/edit"
    assert post(boss, f"/manager/staff/{noor}/invitation", {}, form_url=edit).status_code == 303
    first, second = inbox.links_to("noor@clinic.example")
    assert choose(app.test_client(), first).status_code == 410  # a new invitation replaces the old
    with app.app_context():
        db.session.execute(update(AccountLink).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert choose(app.test_client(), second).status_code == 410
    post(boss, f"/manager/staff/{noor}/invitation", {}, form_url=edit)
    third = inbox.links_to("noor@clinic.example")[-1]
    assert post(boss, f"/manager/staff/{noor}/invitation/revoke", {}, form_url=edit).status_code == 303
    assert choose(app.test_client(), third).status_code == 410
    assert ">no password<" in boss.get("/manager/staff").get_data(as_text=True)


def test_the_invitation_lifetime_is_a_setting(app, boss, inbox):
    app.config["TRACKER_INVITATION_DAYS"] = 2
    post(boss, "/manager/staff/new", {**NEW_HIRE, "invite": "y"})
    with app.app_context():
        link = db.session.scalars(select(AccountLink)).one()
        assert timedelta(days=2) - (link.expires_at - link.created_at) < timedelta(seconds=5)


def test_without_a_mail_server_the_manager_gets_the_link_to_hand_over(app, client, boss):
    post(boss, "/manager/staff/new", {**NEW_HIRE, "invite": "y"})
    page = boss.get("/manager/staff").get_data(as_text=True)
    assert "was not e-mailed" in page and "E-mail is not configured" in page
    token = re.search(r"/invitations/(inv_[\w-]+)", page).group(1)
    assert client.get(f"/invitations/{token}").status_code == 200


def test_the_api_invites_when_asked_and_documents_it(app, client, manager, inbox):
    token = bearer(api_token(app, "maria@clinic.example"))
    body = {"name": "Noor Haddad", "email": "noor@clinic.example", "roles": ["front-desk"],
            "location": "main-street", "hire_date": date.today().isoformat(), "invite": True}
    response = client.post("/api/v1/staff", json=body, headers=token)
    assert response.status_code == 201
    assert response.get_json()["invitation"] == {"emailed": True, "problem": None}
    assert response.get_json()["account_status"] == "invited"
    assert_documented(response, "/staff", "POST")
    assert len(inbox.links_to("noor@clinic.example")) == 1
    listed = client.get("/api/v1/staff", headers=token).get_json()["staff"]
    assert {p["email"]: p["account_status"] for p in listed}["noor@clinic.example"] == "invited"


def test_import_staff_can_invite_everyone_new(app, runner, inbox):
    result = runner.invoke(args=["import-staff", "tests/fixtures/tracker/staff.csv", "--invite"])
    assert result.exit_code == 0, result.output
    invited = {to for recipients, _ in inbox.messages for to in recipients}
    assert "sam.carter@clinic.example" in invited and "tom.becker@clinic.example" not in invited  # Tom left
    again = runner.invoke(args=["import-staff", "tests/fixtures/tracker/staff.csv", "--invite"])
    assert "Invited" not in again.output  # their invitations are still live


# --- Password reset and change ------------------------------------------------------------------------

def test_forgot_password_resets_and_ends_the_old_session_and_token(app, client, staff_member, inbox):
    sign_in(client, "sam@clinic.example")
    token = bearer(api_token(app, "sam@clinic.example"))
    visitor = app.test_client()
    answer = post(visitor, "/password/forgot", {"email": "Sam@Clinic.example"})
    unknown = post(app.test_client(), "/password/forgot", {"email": "nobody@clinic.example"})
    assert same_page(answer, "sam@clinic.example") == same_page(unknown, "nobody@clinic.example")
    assert inbox.to("nobody@clinic.example") == []
    [link] = inbox.links_to("sam@clinic.example")
    assert "/password/reset/rst_" in link
    assert choose(visitor, link).status_code == 303
    assert client.get("/policies").status_code == 302 and client.get("/api/v1/me").status_code == 401
    assert app.test_client().get("/api/v1/me", headers=token).status_code == 401
    assert sign_in(app.test_client(), "sam@clinic.example", PASSWORD).status_code == 200
    assert sign_in(app.test_client(), "sam@clinic.example", NEW_PASSWORD).status_code == 303
    assert choose(app.test_client(), link).status_code == 410


def test_a_reset_link_lasts_an_hour(app, staff_member, inbox):
    post(app.test_client(), "/password/forgot", {"email": "sam@clinic.example"})
    with app.app_context():
        link = db.session.scalars(select(AccountLink)).one()
        assert timedelta(minutes=59) < link.expires_at - link.created_at <= timedelta(hours=1)


def test_reset_requests_are_throttled(app, staff_member, inbox):
    for _ in range(5):
        assert post(app.test_client(), "/password/forgot", {"email": "sam@clinic.example"}).status_code == 200
    assert len(inbox.to("sam@clinic.example")) == 3


def test_changing_a_password_needs_the_current_one_and_signs_out_elsewhere(app, client, staff_member):
    sign_in(client, "sam@clinic.example")
    laptop = app.test_client()
    sign_in(laptop, "sam@clinic.example")
    token = bearer(api_token(app, "sam@clinic.example"))
    wrong = post(client, "/password/change", {"current": "not it at all", "password": NEW_PASSWORD,
                                              "confirm": NEW_PASSWORD})
    assert wrong.status_code == 400 and "not your current password" in wrong.get_data(as_text=True)
    weak = post(client, "/password/change", {"current": PASSWORD, "password": "password", "confirm": "password"})
    assert weak.status_code == 400
    done = post(client, "/password/change", {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 303
    assert client.get("/policies").status_code == 200  # this browser stays signed in
    assert laptop.get("/policies").status_code == 302
    assert app.test_client().get("/api/v1/me", headers=token).status_code == 401
    with app.app_context():
        assert "user.password_set" in db.session.scalars(select(AuditEvent.action)).all()
    assert client.get("/password/change").status_code == 200


# --- The rules -------------------------------------------------------------------------------------

@pytest.mark.parametrize("weak", [
    "aaaaaaaaaaaaaaa", "password1234567", " " * 15, "\u3000" * 15, "passwordpassword", "iloveyou12345678",
    "123456789012345", "abcabcabcabcabc", "qwertyqwertyqwerty",
])
def test_common_and_patterned_passwords_are_refused(app, weak):
    with app.app_context():
        assert passwords.password_problem(weak, 15) is not None


def test_length_rules_follow_nist(app):
    with app.app_context():
        assert passwords.password_problem("correct horse b", 15) is None  # 15 characters
        assert "at least 15" in passwords.password_problem("correct horse", 15)
        assert passwords.password_problem("x" * 7 + " Grüße, naïve café ☕ & more " + "y" * 40, 15) is None
        assert passwords.password_problem("correct horse", 8) is None  # the MFA minimum, as a setting
        assert passwords.password_problem("Riverside Clinic 2026!", 15, ["Riverside Clinic"]) is not None
        assert len(passwords.common_passwords()) >= 10_000


def test_the_minimum_is_a_setting(app, staff_member):
    app.config["TRACKER_PASSWORD_MIN_LENGTH"] = 20
    client = app.test_client()
    sign_in(client, "sam@clinic.example")
    response = post(client, "/password/change", {"current": PASSWORD, "password": NEW_PASSWORD[:18],
                                                 "confirm": NEW_PASSWORD[:18]})
    assert "at least 20 characters" in response.get_data(as_text=True)


def test_changing_the_staff_email_changes_the_sign_in(app, boss, staff_member):
    url = f"/manager/staff/{staff_member}/edit"
    with app.app_context():
        hired = db.session.get(Staff, staff_member).hire_date.isoformat()
    response = post(boss, url, {"name": "Sam Carter", "email": "samuel@clinic.example", "roles": "front-desk",
                                "location": "main-street", "hire_date": hired, "left_on": ""})
    assert response.status_code == 303
    assert sign_in(app.test_client(), "samuel@clinic.example").status_code == 303
    with app.app_context():
        assert db.session.scalar(select(User.email).where(User.staff_id == staff_member)) == "samuel@clinic.example"


def test_account_settings_are_checked_at_start():
    defaults = config.account_settings({})
    assert (defaults["TRACKER_PASSWORD_MIN_LENGTH"], defaults["TRACKER_INVITATION_DAYS"],
            defaults["TRACKER_SESSION_IDLE_MINUTES"], defaults["TRACKER_SESSION_HOURS"],
            defaults["TRACKER_ALLOW_SELF_VERIFICATION"]) == (15, 7, 30, 12, False)
    assert (defaults["TRACKER_OIDC_ISSUER"], defaults["TRACKER_TWO_STEP_FOR_MANAGERS"]) == (None, False)
    issuer = config.account_settings({"TRACKER_OIDC_ISSUER": " https://accounts.google.com/ "})["TRACKER_OIDC_ISSUER"]
    assert issuer == "https://accounts.google.com"
    assert config.account_settings({"TRACKER_PASSWORD_MIN_LENGTH": "8"})["TRACKER_PASSWORD_MIN_LENGTH"] == 8
    for name, value in (("TRACKER_PASSWORD_MIN_LENGTH", "7"), ("TRACKER_PASSWORD_MIN_LENGTH", "65"),
                        ("TRACKER_SESSION_IDLE_MINUTES", "0"), ("TRACKER_ALLOW_SELF_VERIFICATION", "maybe")):
        with pytest.raises(config.ConfigError, match=name):
            config.account_settings({name: value})
