"""Two-step sign-in: a code from an authenticator app after the password (TOTP), with recovery codes."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select
from tracker_helpers import add_person, csrf_token, sign_in

from tracker.storage.db import db
from tracker.storage.models import AuditEvent, User

SECRET_SHOWN = re.compile(r'<code class="secret">([A-Z2-7]{16,})</code>')
RECOVERY = re.compile(r"<li><code>([a-z0-9-]{14})</code></li>")


@pytest.fixture
def required(app, manager, staff_member):
    app.config["TRACKER_TWO_STEP_FOR_MANAGERS"] = True


def send_code(client, path: str, code: str):
    token = csrf_token(client.get(path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, "code": code})


def set_up(client) -> tuple[str, list[str]]:
    """Sign Maria in and set up her app; the app's key and the recovery codes shown."""
    response = sign_in(client, "maria@clinic.example")
    assert response.headers["Location"] == "/two-step/setup"
    assert client.get("/manager/dashboard").status_code == 302  # not signed in yet
    secret = SECRET_SHOWN.search(client.get("/two-step/setup").get_data(as_text=True)).group(1)
    done = send_code(client, "/two-step/setup", pyotp.TOTP(secret).now())
    assert done.status_code == 200
    return secret, RECOVERY.findall(done.get_data(as_text=True))


def next_code(secret: str) -> str:
    """The code of the step after now: accepted (phone clocks drift), and not the one set-up used."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def test_managers_set_it_up_at_their_first_sign_in_and_use_it_after(app, client, required):
    secret, codes = set_up(client)
    assert len(codes) == 10
    assert client.get("/manager/dashboard").status_code == 200
    later = app.test_client()
    assert sign_in(later, "maria@clinic.example").headers["Location"] == "/two-step/code"
    wrong = send_code(later, "/two-step/code", "000000")
    assert wrong.status_code == 400 and "This code is not right" in wrong.get_data(as_text=True)
    assert send_code(later, "/two-step/code", next_code(secret)).status_code == 303
    assert later.get("/manager/dashboard").status_code == 200
    replay = app.test_client()
    sign_in(replay, "maria@clinic.example")
    assert send_code(replay, "/two-step/code", next_code(secret)).status_code == 400  # each code once


def test_a_recovery_code_works_once(app, client, required):
    _secret, codes = set_up(client)
    for expected in (303, 400):
        other = app.test_client()
        sign_in(other, "maria@clinic.example")
        assert send_code(other, "/two-step/code", codes[0].upper().replace("-", " ")).status_code == expected


def test_staff_sign_in_with_the_password_alone_unless_they_turn_it_on(app, client, required):
    assert sign_in(client, "sam@clinic.example").headers["Location"] == "/"
    page = client.get("/two-step/setup").get_data(as_text=True)
    secret = SECRET_SHOWN.search(page).group(1)
    assert send_code(client, "/two-step/setup", pyotp.TOTP(secret).now()).status_code == 200
    assert sign_in(app.test_client(), "sam@clinic.example").headers["Location"] == "/two-step/code"


def test_the_code_page_is_no_way_round_the_password(app, client, required):
    assert client.get("/two-step/code").headers["Location"] == "/sign-in"
    assert sign_in(client, "maria@clinic.example", "wrong password").status_code == 200
    assert client.get("/two-step/setup").headers["Location"] == "/sign-in"


def test_wrong_codes_are_throttled(app, client, required):
    secret, _codes = set_up(client)
    other = app.test_client()
    sign_in(other, "maria@clinic.example")
    for _ in range(5):
        assert send_code(other, "/two-step/code", "123456").status_code == 400
    assert send_code(other, "/two-step/code", next_code(secret)).status_code == 429


def test_a_manager_resets_someone_elses_two_step_sign_in(app, client, required):
    set_up(client)
    ada = app.test_client()
    add_person(app, "ada@clinic.example", "Ada Admin", account_role="admin", roles=("office-manager",))
    app.config["TRACKER_TWO_STEP_FOR_MANAGERS"] = False
    sign_in(ada, "ada@clinic.example")
    with app.app_context():
        maria = db.session.scalar(select(User).where(User.email == "maria@clinic.example"))
        staff_id = maria.staff_id
    url = f"/manager/staff/{staff_id}/two-step/reset"
    token = csrf_token(ada.get(f"/manager/staff/{staff_id}/edit").get_data(as_text=True))
    assert ada.post(url, data={"csrf_token": token}).status_code == 303
    app.config["TRACKER_TWO_STEP_FOR_MANAGERS"] = True
    assert sign_in(app.test_client(), "maria@clinic.example").headers["Location"] == "/two-step/setup"
    with app.app_context():
        assert "two_step.reset" in db.session.scalars(select(AuditEvent.action)).all()
