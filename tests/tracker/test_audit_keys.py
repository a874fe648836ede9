"""The audit key and the evidence key (settings, rotation, production), checkpoints, and the seal of a
database upgraded from before keyed events."""

from __future__ import annotations

import json

import flask_migrate
import pytest
from dashboard_helpers import known_office
from mail_helpers import local_smtp
from sqlalchemy import select
from tracker_helpers import make_app

from tracker.config import ConfigError
from tracker.services import audit, keys
from tracker.storage.db import db
from tracker.storage.models import Acknowledgement, AuditEvent

OLD_KEY = "an-old-audit-key-that-was-rotated-out-0123456789"
NEW_KEY = "the-new-audit-key-after-rotation-9876543210abcdef"
BEFORE_KEYS = "0006_office_duties"  # the revision before 0004_audit_bindings


def test_production_refuses_to_start_without_the_keys(app, tmp_path):
    production = {"SECRET_KEY": "s", "TRACKER_SYNC_ON_START": False, "TESTING": False}
    with pytest.raises(ConfigError, match="TRACKER_AUDIT_KEY is not set"):
        make_app(app.config["SQLALCHEMY_DATABASE_URI"], **production)
    with pytest.raises(ConfigError, match="shorter than 32 characters"):
        make_app(app.config["SQLALCHEMY_DATABASE_URI"], **production, TRACKER_AUDIT_KEY="short")
    with pytest.raises(ConfigError, match="TRACKER_EVIDENCE_KEY_FILE is not set"):
        make_app(app.config["SQLALCHEMY_DATABASE_URI"], **production, TRACKER_AUDIT_KEY=NEW_KEY)
    not_a_key = tmp_path / "evidence.key"
    not_a_key.write_text("not a key")
    with pytest.raises(ConfigError, match="is not an unencrypted Ed25519 private key"):
        make_app(app.config["SQLALCHEMY_DATABASE_URI"], **production, TRACKER_AUDIT_KEY=NEW_KEY, TRACKER_EVIDENCE_KEY_FILE=not_a_key)
    with pytest.raises(ConfigError, match="Could not read"):
        make_app(app.config["SQLALCHEMY_DATABASE_URI"], **production, TRACKER_AUDIT_KEY=NEW_KEY, TRACKER_EVIDENCE_KEY_FILE=tmp_path / "missing.key")
    key_file = tmp_path / "signing.key"
    key_file.write_bytes(keys.new_evidence_key_pem())
    audit_file = tmp_path / "audit.key"
    audit_file.write_text(NEW_KEY + "\n")
    started = make_app(app.config["SQLALCHEMY_DATABASE_URI"], **production, TRACKER_AUDIT_KEY_FILE=audit_file, TRACKER_EVIDENCE_KEY_FILE=key_file)
    assert started.extensions[keys.EXTENSION].audit_key == NEW_KEY.encode()


def test_a_rotated_key_still_verifies_the_events_it_chained(app, database_url, manager):
    first = app.extensions[keys.EXTENSION].audit_key.decode()  # chained the manager's account
    old = make_app(database_url, TRACKER_AUDIT_KEY=OLD_KEY, TRACKER_AUDIT_KEYRING=first)
    known_office(old, manager)
    rotated = make_app(database_url, TRACKER_AUDIT_KEY=NEW_KEY, TRACKER_AUDIT_KEYRING=f"{first},{OLD_KEY}")
    with rotated.app_context():
        audit.record("test", "token.issued", "user:1", {"prefix": "trk_x"})
        db.session.commit()
        used = set(db.session.scalars(select(AuditEvent.key_id).distinct()))
        assert used == {keys.key_id(k.encode()) for k in (first, OLD_KEY, NEW_KEY)}
        assert audit.verify().ok
    forgotten = make_app(database_url, TRACKER_AUDIT_KEY=NEW_KEY, TRACKER_AUDIT_KEYRING=first)
    result = forgotten.test_cli_runner().invoke(args=["audit-verify"])
    assert result.exit_code == 1 and "which this tracker does not hold" in result.output
    assert "TRACKER_AUDIT_KEYRING" in result.output


def test_the_checkpoint_command_and_the_evidence_key(app, runner, office):
    written = runner.invoke(args=["checkpoint"])
    path = app.config["TRACKER_CHECKPOINT_FILE"]
    assert written.exit_code == 0 and f"Checkpoint written to {path}" in written.output
    entry = json.loads(path.read_text())
    with app.app_context():
        head = db.session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
        assert (entry["seq"], entry["hash"]) == (head.seq, head.hash)
    public = runner.invoke(args=["evidence-key"]).output.strip()
    assert entry["public_key"] == public and len(bytes.fromhex(public)) == 32
    path.write_text(path.read_text().replace(entry["hash"], "0" * 64))
    changed = runner.invoke(args=["audit-verify", "--checkpoints", str(path)])
    assert changed.exit_code == 1 and "signature is not the evidence key's" in changed.output


def test_each_reminder_run_writes_a_checkpoint_and_quotes_it_in_the_digest(app, runner, office):
    path = app.config["TRACKER_CHECKPOINT_FILE"]
    with local_smtp(app, "https://tracker.clinic.example") as inbox:
        assert runner.invoke(args=["remind", "--dry-run"]).exit_code == 0 and not path.exists()
        assert runner.invoke(args=["remind"]).exit_code == 0
    checkpoint = json.loads(path.read_text())
    digest = next(m for m in inbox.to("maria@clinic.example") if "digest" in m["Subject"]).get_content()
    assert f"Audit trail checkpoint: event {checkpoint['seq']}, hash {checkpoint['hash']}" in digest
    assert "checkpoint" not in inbox.to("ben@clinic.example")[0].get_content()
    verified = runner.invoke(args=["audit-verify", "--checkpoints", str(path)])
    assert verified.exit_code == 0 and "All 1 signed checkpoint(s)" in verified.output


def make_legacy(app) -> None:
    """Turn the trail into what a tracker before migration 0004 wrote: plain SHA-256, no bindings."""
    with app.app_context():
        prev_hash = audit.GENESIS_HASH
        for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all():
            event.key_id, event.bindings, event.prev_hash = None, None, prev_hash
            event.hash = prev_hash = audit.chain_hash(audit._fields(event), None)
        db.session.commit()


def test_an_upgraded_database_is_sealed_once_and_then_verifies(app, runner, office):
    make_legacy(app)
    legacy = runner.invoke(args=["audit-verify"])
    assert legacy.exit_code == 1 and "no event is chained with the audit key" in legacy.output
    with app.app_context():
        flask_migrate.downgrade(revision=BEFORE_KEYS)
        flask_migrate.upgrade()
        seal = db.session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
        assert seal.action == "audit.sealed" and "Sealed at upgrade" in seal.details["note"]
        assert {b["table"] for b in seal.bindings} >= {"acknowledgements", "staff", "policy_versions"}
        seal_seq = seal.seq
        db.engine.dispose()
    upgraded = runner.invoke(args=["audit-verify"])
    assert upgraded.exit_code == 0, upgraded.output
    with app.app_context():
        ack = db.session.scalar(select(Acknowledgement).limit(1))
        ack.signature_name, ack_id = "Someone Else", ack.id
        db.session.commit()
    changed = runner.invoke(args=["audit-verify"])
    assert changed.exit_code == 1 and f"acknowledgements id {ack_id}: field signature_name" in changed.output
    assert f"audit event {seal_seq} recorded" in changed.output
