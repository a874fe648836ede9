"""Tampering with a tracker database behind its back: audit-verify names what changed, every time.

Each test starts from a genuine office (which verifies), changes the database as someone with
direct access could, and expects exit 1 naming the table, record and field, or the event. The key
stays out of the attacker's hands except where a test says otherwise (checkpoints are for that).
"""

from __future__ import annotations

import hashlib
import hmac

import pytest
from dashboard_helpers import days_ago, known_office, moment
from sqlalchemy import func, insert, select, text

from tracker.services import audit
from tracker.storage.db import db
from tracker.storage.models import Acknowledgement, AuditEvent, PolicyVersion, User

ATTACKER_KEY = b"an attacker's own key, not the tracker's, 32+ chars"


@pytest.fixture
def office(app, manager):
    return known_office(app, manager)


def verify(runner, *args: str):
    return runner.invoke(args=["audit-verify", *args])


def assert_detected(runner, *expected: str, args: tuple[str, ...] = ()) -> None:
    result = verify(runner, *args)
    assert result.exit_code == 1, result.output
    assert "BROKEN" in result.output and all(part in result.output for part in expected), result.output


def first_ack(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.min(Acknowledgement.id)))


def execute(app, statement, **parameters) -> None:
    with app.app_context():
        db.session.execute(text(statement) if isinstance(statement, str) else statement, parameters)
        db.session.commit()


def last_seq(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.max(AuditEvent.seq)))


def rehash_from(app, seq: int, key: bytes | None, key_id: str | None, edit=None) -> None:
    """Recompute every hash from ``seq`` on with ``key`` (None: the plain SHA-256 anyone can compute),
    after ``edit(event)`` on the first one: what someone without the tracker's key can do."""
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.seq >= seq).order_by(AuditEvent.seq)).all()
        prev_hash = db.session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == seq - 1)) or audit.GENESIS_HASH
        for event in events:
            if edit and event.seq == seq:
                edit(event)
            event.key_id, event.prev_hash = key_id, prev_hash
            event.hash = audit.chain_hash(audit._fields(event), key)
            prev_hash = event.hash
        db.session.commit()


def test_the_genuine_office_verifies(runner, office):
    result = verify(runner)
    assert result.exit_code == 0, result.output
    assert "chain intact" in result.output and "Every bound record matches" in result.output


def test_a_changed_signature_name_is_named(app, runner, office):
    ack = first_ack(app)
    execute(app, "UPDATE acknowledgements SET signature_name = 'Someone Else' WHERE id = :id", id=ack)
    assert_detected(runner, f"acknowledgements id {ack}", "field signature_name", "changed after it was written")


def test_a_deleted_acknowledgement_is_named(app, runner, office):
    ack = first_ack(app)
    execute(app, "DELETE FROM acknowledgements WHERE id = :id", id=ack)
    assert_detected(runner, f"acknowledgements id {ack}", "not in the database: it was deleted")


def test_an_acknowledgement_without_an_audit_event_is_named(app, runner, office):
    with app.app_context():
        version = db.session.scalar(select(PolicyVersion.id).where(PolicyVersion.policy_id == "minimum-necessary"))
        user = db.session.scalar(select(User.id).where(User.staff_id == office.ben))
        db.session.execute(insert(Acknowledgement).values(
            staff_id=office.ben, policy_version_id=version, statement="I have read it.", signature_name="Ben Ortiz",
            signed_at=moment(days_ago(2)), ip_address=None, user_agent="", method="web", recorded_by_id=user))
        db.session.commit()
        added = db.session.scalar(select(func.max(Acknowledgement.id)))
    assert_detected(runner, f"acknowledgements id {added}", "no audit event records it")


def test_a_changed_archived_policy_text_is_named(app, runner, office):
    with app.app_context():
        version = db.session.scalar(select(PolicyVersion.id).where(PolicyVersion.policy_id == "minimum-necessary"))
    execute(app, "UPDATE policy_versions SET markdown = 'Anything goes.' WHERE id = :id", id=version)
    assert_detected(runner, f"policy_versions id {version}", "field markdown")


def test_a_staff_change_behind_the_trackers_back_is_named(app, runner, office):
    execute(app, "UPDATE staff SET left_on = NULL WHERE id = :id", id=office.eve)
    assert_detected(runner, f"staff id {office.eve}", "field left_on")


@pytest.mark.parametrize("key_id", [None, "keep"], ids=["unkeyed", "same-key-id"])
def test_an_edited_event_re_hashed_with_the_public_algorithm_is_caught(app, runner, office, key_id):
    middle = last_seq(app) // 2
    with app.app_context():
        kept = db.session.get(AuditEvent, 1).key_id

    def edit(event):
        event.details = {**event.details, "signature_name": "Someone Else"}

    rehash_from(app, middle, None, kept if key_id else None, edit)
    assert_detected(runner, f"BROKEN at seq {middle}")


def test_a_chain_re_hashed_from_the_start_without_the_key_is_caught(app, runner, office):
    rehash_from(app, 1, None, None)
    assert_detected(runner, "no event is chained with the audit key")


@pytest.mark.parametrize("forger", ["public", "own-key"])
def test_an_appended_forged_event_is_caught(app, runner, office, forger):
    seq = last_seq(app)
    with app.app_context():
        head = db.session.get(AuditEvent, seq)
        event = AuditEvent(seq=seq + 1, occurred_at=head.occurred_at, actor="maria@clinic.example",
                           action="staff.changed", subject=f"staff:{office.eve}", details={"left_on": [None, None]},
                           prev_hash=head.hash, key_id=None if forger == "public" else "0123456789abcdef")
        key = None if forger == "public" else ATTACKER_KEY
        event.hash = audit.chain_hash(audit._fields(event), key)
        db.session.add(event)
        db.session.commit()
    reason = "not chained with the audit key" if forger == "public" else "which this tracker does not hold"
    assert_detected(runner, f"BROKEN at seq {seq + 1}", reason)


def test_a_deleted_middle_event_is_caught(app, runner, office):
    execute(app, "DELETE FROM audit_events WHERE seq = 3")
    assert_detected(runner, "BROKEN at seq 4", "events before this one were removed")


def test_an_event_edited_without_re_hashing_is_caught(app, runner, office):
    with app.app_context():
        event = db.session.get(AuditEvent, 4)
        event.details = {**event.details, "note": "edited"}
        db.session.commit()
    assert_detected(runner, "BROKEN at seq 4", "its hash does not match its contents")


def test_an_inserted_event_with_a_wrong_hash_is_caught(app, runner, office):
    seq = last_seq(app)
    with app.app_context():
        head = db.session.get(AuditEvent, seq)
        db.session.add(AuditEvent(seq=seq + 1, occurred_at=head.occurred_at, actor="x", action="note", subject="x",
                                  details={}, prev_hash=head.hash, key_id=head.key_id,
                                  hash=hashlib.sha256(b"anything").hexdigest()))
        db.session.commit()
    assert_detected(runner, f"BROKEN at seq {seq + 1}", "its hash does not match")


def test_a_deleted_last_event_is_caught_by_a_checkpoint(app, runner, office, tmp_path):
    with app.app_context():  # the last event writes no record, so only a checkpoint can tell it is gone
        audit.record("maria@clinic.example", "token.issued", "user:1", {"prefix": "trk_abc"})
        db.session.commit()
    checkpoint = runner.invoke(args=["checkpoint"])
    assert checkpoint.exit_code == 0 and "Checkpoint written" in checkpoint.output
    path = app.config["TRACKER_CHECKPOINT_FILE"]
    assert verify(runner, "--checkpoints", str(path)).exit_code == 0
    seq = last_seq(app)
    execute(app, "DELETE FROM audit_events WHERE seq = :seq", seq=seq)
    assert_detected(runner, f"event {seq}", "cut off its end", args=("--checkpoints", str(path)))


def test_a_trail_rewritten_with_the_key_after_a_checkpoint_is_caught(app, runner, office):
    assert runner.invoke(args=["checkpoint"]).exit_code == 0
    path = app.config["TRACKER_CHECKPOINT_FILE"]
    seq = last_seq(app)
    with app.app_context():
        key_id = db.session.get(AuditEvent, seq).key_id
        key = app.extensions["tracker.services.keys"].audit_keys[key_id]

    def edit(event):
        event.details = {**event.details, "note": "rewritten by someone holding the key"}

    rehash_from(app, seq - 2, key, key_id, edit)
    assert verify(runner).exit_code == 0  # with the key, the rewrite is a valid chain on its own
    assert_detected(runner, f"event {seq}", "rewritten after the checkpoint", args=("--checkpoints", str(path)))


def test_a_forged_checkpoint_line_is_refused(app, runner, office, tmp_path):
    forged = tmp_path / "checkpoints.jsonl"
    signature = hmac.new(ATTACKER_KEY, b"x", hashlib.sha256).hexdigest() * 2
    forged.write_text(f'{{"seq": 1, "hash": "{"0" * 64}", "at": "2026-01-01T00:00:00Z", "signature": "{signature}"}}\n')
    assert_detected(runner, "line 1", "signature is not the evidence key's", args=("--checkpoints", str(forged)))
