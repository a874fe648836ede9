"""The request path stays cheap without giving anything up: few queries per request, and every check
(revocation, disabled accounts, leaving dates, content syncs) still counts on the very next request."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, select
from tracker_helpers import (
    CONTENT,
    api_token,
    bearer,
    bump_minimum_necessary,
    copy_content,
    sign_in,
)

from portal import load_catalogue
from tracker.services import accounts, audit, tokens
from tracker.storage.db import db, today
from tracker.storage.models import Acknowledgement, AuditEvent, Staff, User

POLICY = load_catalogue(CONTENT).policies["minimum-necessary"]
SIGNATURE = {"policy_id": POLICY.id, "version": POLICY.version, "fingerprint": POLICY.fingerprint,
             "signature_name": "Sam Carter"}
# SQLite's BEGIN IMMEDIATE is a statement of its own (tracker.storage.db); the count leaves it out.
NOT_COUNTED = ("BEGIN",)


@pytest.fixture
def sam(app, staff_member) -> dict:
    return bearer(api_token(app, "sam@clinic.example"))


@contextmanager
def statements(app):
    """The SQL statements the app sends to its database inside the block."""
    sent: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(NOT_COUNTED):
            sent.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_me_with_a_bearer_token_is_one_query(app, client, sam):
    client.get("/api/v1/me", headers=sam)  # the first request of a process may load more
    with statements(app) as sent:
        response = client.get("/api/v1/me", headers=sam)
    assert response.status_code == 200
    assert len(sent) == 1, sent
    body = response.get_json()
    assert body["email"] == "sam@clinic.example" and body["staff"]["name"] == "Sam Carter"
    assert body["account_role"] == "staff" and body["staff"]["roles"] == ["front-desk"]


def test_me_on_postgresql_reads_the_token_outside_a_transaction(app, backend, client, sam):
    """One round trip for the token, not BEGIN, the query and ROLLBACK: read committed gives the query
    its own snapshot either way, so a revocation still counts on the next request (tested below)."""
    if backend != "postgresql":
        pytest.skip("SQLite's BEGIN is not a round trip to a server")
    modes: list[bool] = []

    def autocommit(conn, cursor, statement, parameters, context, executemany):
        modes.append(conn.connection.dbapi_connection.autocommit)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", autocommit)
    try:
        assert client.get("/api/v1/me", headers=sam).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", autocommit)
    assert modes == [True]


def test_me_answers_the_same_for_a_bearer_token_and_a_signed_in_browser(app, client, sam):
    by_token = client.get("/api/v1/me", headers=sam).get_json()
    sign_in(client, "sam@clinic.example")
    by_cookie = client.get("/api/v1/me").get_json()
    assert by_token == by_cookie


def test_a_revoked_token_is_refused_on_the_very_next_request(app, client, sam):
    assert client.get("/api/v1/me", headers=sam).status_code == 200
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "sam@clinic.example"))
        assert tokens.revoke_tokens(user, "test") == 1
        db.session.commit()
    assert client.get("/api/v1/me", headers=sam).status_code == 401
    assert client.post("/api/v1/acknowledgements", json=SIGNATURE, headers=sam).status_code == 401


def test_a_disabled_account_is_refused_on_the_very_next_request(app, client, sam, manager):
    assert client.get("/api/v1/me", headers=sam).status_code == 200
    with app.app_context():
        sam_user = db.session.scalar(select(User).where(User.email == "sam@clinic.example"))
        maria = db.session.scalar(select(User).where(User.email == "maria@clinic.example"))
        ids = sam_user.id, maria.id
        sam_user.active = False  # as accounts.disable does, but leaving the token live
        db.session.commit()
    assert client.get("/api/v1/me", headers=sam).status_code == 401
    with app.app_context():
        accounts.enable(db.session.get(User, ids[0]), db.session.get(User, ids[1]))
        db.session.commit()
    assert client.get("/api/v1/me", headers=sam).status_code == 200


def test_a_departed_person_is_refused_and_their_token_revoked(app, client, sam):
    assert client.get("/api/v1/me", headers=sam).status_code == 200
    with app.app_context():
        staff = db.session.scalar(select(Staff).where(Staff.email == "sam@clinic.example"))
        staff.left_on = today() - timedelta(days=1)
        db.session.commit()
    assert client.get("/api/v1/me", headers=sam).status_code == 401
    with app.app_context():  # offboarded on that request: the token is revoked, not just refused
        user = db.session.scalar(select(User).where(User.email == "sam@clinic.example"))
        assert tokens.owner_of(sam["Authorization"].split()[1]) is None and user is not None


def test_a_signature_is_a_bounded_number_of_queries_and_answers_what_was_stored(app, client, sam):
    client.get("/api/v1/me", headers=sam)
    with statements(app) as sent:
        response = client.post("/api/v1/acknowledgements", json=SIGNATURE, headers=sam)
    assert response.status_code == 201
    # Token and user, served snapshot, version with any earlier signature, the insert, the audit
    # chain's lock (PostgreSQL) and head, the event; a little room for a state row kept with the write.
    assert len(sent) <= 10, sent
    assert not any(s.lstrip().upper().startswith("SELECT ACKNOWLEDGEMENTS") for s in sent), \
        "the answer was read back after the commit"
    body = response.get_json()
    with app.app_context():
        stored = db.session.get(Acknowledgement, body["id"])
        assert (stored.staff.name, stored.policy_version.policy_id, stored.policy_version.version) == \
            (body["staff_name"], POLICY.id, POLICY.version)
        assert stored.signature_name == body["signature_name"] and stored.recorded_by_id == body["recorded_by"]
        event_ = db.session.scalar(select(AuditEvent).where(AuditEvent.subject == f"acknowledgement:{body['id']}"))
        assert event_ is not None and event_.details["fingerprint"] == POLICY.fingerprint


def test_the_chain_lock_is_taken_once_in_each_transaction(app, backend, staff_member):
    """Taken again in every transaction (a lock remembered past its transaction would let two writers
    read the same chain head), but not twice in one."""
    if backend != "postgresql":
        pytest.skip("SQLite's write lock is taken at BEGIN; there is no chain lock to count")
    with app.app_context():
        for _ in range(2):
            with statements(app) as sent:
                audit.record("test", "test.first", "test:1")
                audit.lock_chain()
                audit.record("test", "test.second", "test:2")
                db.session.commit()
            assert sum("pg_advisory_xact_lock" in s for s in sent) == 1, sent
        with statements(app) as sent:
            audit.record("test", "test.after_a_rollback", "test:3")
            db.session.rollback()
            audit.record("test", "test.after_a_rollback", "test:3")
            db.session.commit()
        assert sum("pg_advisory_xact_lock" in s for s in sent) == 2, sent


def test_signing_again_returns_the_first_record_in_fewer_queries(app, client, sam):
    first = client.post("/api/v1/acknowledgements", json=SIGNATURE, headers=sam)
    with statements(app) as sent:
        again = client.post("/api/v1/acknowledgements", json=SIGNATURE, headers=sam)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    assert not any(s.lstrip().upper().startswith("INSERT") for s in sent)
    assert len(sent) <= 3, [s[:90] for s in sent]


def test_a_sync_is_seen_by_the_next_signature(app, client, runner, sam, tmp_path):
    assert client.post("/api/v1/acknowledgements", json=SIGNATURE, headers=sam).status_code == 201
    root = copy_content(tmp_path)
    bump_minimum_necessary(root)
    app.config["TRACKER_CONTENT_DIR"] = root
    assert runner.invoke(args=["sync"]).exit_code == 0
    stale = client.post("/api/v1/acknowledgements", json=SIGNATURE, headers=sam)
    assert stale.status_code == 409 and stale.get_json()["current"]["version"] == POLICY.version + 1
    current = {**SIGNATURE, **stale.get_json()["current"]}
    response = client.post("/api/v1/acknowledgements", json=current, headers=sam)
    assert response.status_code == 201 and response.get_json()["version"] == POLICY.version + 1


def test_a_wrong_signature_name_is_refused_after_the_version_checks(client, sam):
    stale = client.post("/api/v1/acknowledgements", headers=sam,
                        json={**SIGNATURE, "version": POLICY.version + 7, "signature_name": "Someone Else"})
    assert stale.status_code == 409  # the version is wrong first, whatever the name
    mismatch = client.post("/api/v1/acknowledgements", headers=sam, json={**SIGNATURE, "signature_name": "Sam"})
    assert mismatch.status_code == 400
    unknown = client.post("/api/v1/acknowledgements", headers=sam, json={**SIGNATURE, "policy_id": "no-such-policy"})
    assert unknown.status_code == 404
