"""Sessions that end, offboarding that revokes, and throttling that holds under parallel bursts."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

from sqlalchemy import func, select, update
from tracker_helpers import PASSWORD, api_token, bearer, csrf_token, make_app, sign_in

from tracker.services import calendars
from tracker.storage.db import db, utcnow
from tracker.storage.models import AuditEvent, Staff, User, UserSession

EMAIL = "sam@clinic.example"


def copy_of(app, client):
    """Another browser holding a copy of ``client``'s session cookie (a replay)."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def sign_out(client, path: str = "/sign-out"):
    token = csrf_token(client.get("/policies").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token})


def is_signed_out(client) -> bool:
    page = client.get("/policies")
    api = client.get("/api/v1/me")
    return page.status_code == 302 and "/sign-in" in page.headers["Location"] and api.status_code == 401


def audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent))


# --- Sessions --------------------------------------------------------------------------------------

def test_a_cookie_replayed_after_sign_out_is_signed_out(app, client, staff_member):
    sign_in(client, EMAIL)
    replay = copy_of(app, client)
    assert replay.get("/policies").status_code == 200 and replay.get("/api/v1/me").status_code == 200
    assert sign_out(client).status_code == 303
    assert is_signed_out(replay)
    assert replay.post("/calendar", data={"scope": "personal"}).status_code in (302, 400)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(UserSession).where(
            UserSession.ended_at.is_(None))) == 0


def test_signing_out_everywhere_ends_every_browser(app, client, staff_member):
    sign_in(client, EMAIL)
    laptop = app.test_client()
    sign_in(laptop, EMAIL)
    assert sign_out(client, "/sign-out-everywhere").status_code == 303
    assert is_signed_out(laptop) and is_signed_out(client)
    assert "sessions.ended" in actions(app)


def test_an_idle_session_times_out(app, client, staff_member):
    sign_in(client, EMAIL)
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - 29 * 60
    assert client.get("/policies").status_code == 200  # within the 30 minutes: still signed in
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - 31 * 60
    assert is_signed_out(client)


def test_a_session_ends_after_its_absolute_lifetime_however_busy(app, client, staff_member):
    sign_in(client, EMAIL)
    assert client.get("/policies").status_code == 200
    with app.app_context():
        db.session.execute(update(UserSession).values(created_at=utcnow() - timedelta(hours=12, minutes=1)))
        db.session.commit()
    assert is_signed_out(client)


def test_a_session_cookie_cannot_be_moved_to_another_account(app, client, staff_member, manager):
    sign_in(client, EMAIL)
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id_of(app, "maria@clinic.example"))
    assert is_signed_out(client)


def user_id_of(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


# --- Offboarding -----------------------------------------------------------------------------------

def credentials(app, client):
    """A signed-in browser, an API token and a calendar address of Sam's."""
    sign_in(client, EMAIL)
    token = api_token(app, EMAIL)
    with app.app_context():
        feed = calendars.replace_feed(db.session.scalar(select(User).where(User.email == EMAIL)), calendars.PERSONAL)
        db.session.commit()
    return token, f"/calendar/{feed}.ics"


def all_dead(app, client, token: str, feed: str) -> bool:
    return (is_signed_out(client) and app.test_client().get("/api/v1/me", headers=bearer(token)).status_code == 401
            and app.test_client().get(feed).status_code == 404
            and sign_in(app.test_client(), EMAIL).status_code == 200)  # the password is gone too


def set_left_on(app, staff_id: int, left_on: date | None) -> None:
    """As someone editing the database directly would: no form, no hook."""
    with app.app_context():
        db.session.get(Staff, staff_id).left_on = left_on
        db.session.commit()


def test_leaving_revokes_everything_and_coming_back_revives_nothing(app, client, staff_member):
    token, feed = credentials(app, client)
    assert app.test_client().get(feed).status_code == 200
    set_left_on(app, staff_member, date.today())  # today is the day they left: no longer employed
    assert app.test_client().get("/api/v1/me", headers=bearer(token)).status_code == 401  # noticed here
    set_left_on(app, staff_member, None)  # and then brought back by mistake or on purpose
    assert all_dead(app, client, token, feed)
    revoked = [a for a in actions(app) if a in ("user.credentials_revoked", "sessions.ended", "token.revoked")]
    assert revoked == ["sessions.ended", "token.revoked", "user.credentials_revoked"]


def test_a_leaving_date_set_in_the_future_takes_effect_when_reached(app, client, staff_member):
    token, feed = credentials(app, client)
    set_left_on(app, staff_member, date.today() + timedelta(days=1))
    assert client.get("/policies").status_code == 200  # still employed today
    set_left_on(app, staff_member, date.today() - timedelta(days=1))  # the date has come
    assert app.test_client().get(feed).status_code == 404  # the first request to meet it revokes
    set_left_on(app, staff_member, None)
    assert all_dead(app, client, token, feed)


def test_leaving_through_the_staff_form_revokes_at_once(app, client, staff_member, manager):
    token, feed = credentials(app, client)
    boss = app.test_client()
    sign_in(boss, "maria@clinic.example")
    url = f"/manager/staff/{staff_member}/edit"
    form = {"csrf_token": csrf_token(boss.get(url).get_data(as_text=True)), "name": "Sam Carter", "email": EMAIL,
            "roles": "front-desk", "location": "main-street",
            "hire_date": (date.today() - timedelta(days=3)).isoformat(), "left_on": date.today().isoformat()}
    assert boss.post(url, data=form).status_code == 303
    assert "left" in boss.get("/manager/staff").get_data(as_text=True)
    assert boss.post(url, data={**form, "left_on": ""}).status_code == 303  # reactivated
    assert all_dead(app, client, token, feed)
    assert ">no password<" in boss.get("/manager/staff").get_data(as_text=True)  # needs a new invitation


# --- Throttling ------------------------------------------------------------------------------------

def burst(app, email: str, count: int, **environ) -> list[int]:
    """``count`` sign-ins sent at the same moment, each from its own browser; their status codes."""
    clients = [app.test_client() for _ in range(count)]
    tokens = [csrf_token(c.get("/sign-in").get_data(as_text=True)) for c in clients]
    barrier, statuses = threading.Barrier(count), []

    def attempt(client, token):
        barrier.wait()
        statuses.append(client.post("/sign-in", data={"csrf_token": token, "email": email, "password": "wrong password"},
                                    environ_overrides=environ).status_code)

    threads = [threading.Thread(target=attempt, args=pair) for pair in zip(clients, tokens, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_thirty_parallel_wrong_passwords_let_at_most_five_through(app, staff_member):
    statuses = burst(app, EMAIL, 30)
    assert statuses.count(200) <= 5 and statuses.count(429) >= 25 and len(statuses) == 30
    assert sign_in(app.test_client(), EMAIL, PASSWORD).status_code == 429  # the right one waits too


def test_more_addresses_do_not_buy_more_guesses_at_one_account(app, staff_member):
    for n in range(2):
        for _ in range(5):
            assert sign_in(app.test_client(), EMAIL, "wrong password", REMOTE_ADDR=f"10.0.0.{n}").status_code == 200
    assert sign_in(app.test_client(), EMAIL, "wrong password", REMOTE_ADDR="10.0.0.9").status_code == 429


def test_guessing_across_many_emails_from_one_address_is_capped(app, staff_member):
    for n in range(30):
        assert sign_in(app.test_client(), f"person{n}@clinic.example", "wrong password").status_code == 200
    assert sign_in(app.test_client(), "person99@clinic.example", "wrong password").status_code == 429
    assert sign_in(app.test_client(), EMAIL, PASSWORD, REMOTE_ADDR="10.0.0.1").status_code == 303  # elsewhere


def test_a_thousand_failures_add_only_a_handful_of_audit_events(app, staff_member):
    before = audit_count(app)
    client = app.test_client()
    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    for n in range(1000):
        client.post("/sign-in", data={"csrf_token": token, "email": f"guess{n % 40}@clinic.example",
                                      "password": "wrong password"})
    assert audit_count(app) - before <= 10
    assert "sign_in.throttled" in actions(app)


def test_workers_share_the_counts(app, staff_member):
    """A second app on the same database, as another gunicorn worker or host would be."""
    other = make_app(app.config["SQLALCHEMY_DATABASE_URI"])
    for n in range(5):
        assert sign_in((app if n % 2 else other).test_client(), EMAIL, "wrong password").status_code == 200
    assert sign_in(other.test_client(), EMAIL, PASSWORD).status_code == 429
