"""The keys that make the records checkable, kept outside the database (docs/operations.md).

- The audit key (HMAC-SHA256) chains the audit events (tracker.services.audit). Without it nobody
  can append or re-hash an event that verifies. ``TRACKER_AUDIT_KEY``, or a file named by
  ``TRACKER_AUDIT_KEY_FILE``; earlier keys stay in ``TRACKER_AUDIT_KEYRING`` (comma-separated) after
  a rotation, so the events they chained still verify. Each event records the id of its key.
- The evidence signing key (Ed25519) signs evidence packs and chain checkpoints; its public half is
  published, so anyone can check a signature. A PEM file named by ``TRACKER_EVIDENCE_KEY_FILE``.

In development and testing a missing key is generated into the instance folder (and logged);
anywhere else the tracker refuses to start without them, as without TRACKER_SECRET_KEY.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask, current_app

from tracker.config import ConfigError

EXTENSION = "tracker.services.keys"
AUDIT_KEY_FILE = "audit.key"
EVIDENCE_KEY_FILE = "evidence-signing.key"
CHECKPOINT_FILE = "checkpoints.jsonl"
MIN_AUDIT_KEY_LENGTH = 32
MAKE_AUDIT_KEY = "export TRACKER_AUDIT_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
MAKE_EVIDENCE_KEY = "openssl genpkey -algorithm ed25519 -out evidence-signing.key"


@dataclass(frozen=True)
class Keys:
    audit_key_id: str  # the key new events are chained with
    audit_keys: Mapping[str, bytes]  # every key events may be chained with, by id
    evidence_key: Ed25519PrivateKey
    checkpoint_file: Path

    @property
    def audit_key(self) -> bytes:
        return self.audit_keys[self.audit_key_id]

    def public_key_hex(self) -> str:
        return public_key_hex(self.evidence_key)


def key_id(key: bytes) -> str:
    """A short public name of an audit key: tells which key chained an event, reveals nothing of it."""
    return hashlib.sha256(b"tracker audit key id\0" + key).hexdigest()[:16]


def public_key_hex(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def current() -> Keys:
    keys: Keys = current_app.extensions[EXTENSION]
    return keys


def init_app(app: Flask) -> None:
    """Load (or, in development and testing, generate) the keys; ConfigError when one is missing."""
    config, instance = app.config, Path(app.instance_path)
    generate = bool(config.get("TESTING") or config.get("TRACKER_DEVELOPMENT"))
    audit_key = _audit_key(config, instance, generate, app.logger)
    keyring = {key_id(key): key for key in _keyring(config.get("TRACKER_AUDIT_KEYRING") or "")}
    app.extensions[EXTENSION] = Keys(
        audit_key_id=key_id(audit_key), audit_keys={**keyring, key_id(audit_key): audit_key},
        evidence_key=_evidence_key(config, instance, generate, app.logger),
        checkpoint_file=Path(config.get("TRACKER_CHECKPOINT_FILE") or instance / CHECKPOINT_FILE))


def _checked_audit_key(text: str, where: str) -> bytes:
    text = text.strip()
    if len(text) < MIN_AUDIT_KEY_LENGTH:
        raise ConfigError(f"The audit key in {where} is shorter than {MIN_AUDIT_KEY_LENGTH} characters: use a long "
                          f"random value, e.g. {MAKE_AUDIT_KEY}")
    return text.encode("utf-8")


def _keyring(text: str) -> list[bytes]:
    return [_checked_audit_key(part, "TRACKER_AUDIT_KEYRING") for part in text.split(",") if part.strip()]


def _audit_key(config: Mapping[str, Any], instance: Path, generate: bool, logger: logging.Logger) -> bytes:
    if config.get("TRACKER_AUDIT_KEY"):
        return _checked_audit_key(config["TRACKER_AUDIT_KEY"], "TRACKER_AUDIT_KEY")
    path = config.get("TRACKER_AUDIT_KEY_FILE")
    if path is None and generate:
        path = _generated(instance / AUDIT_KEY_FILE, lambda: secrets.token_hex(32).encode(), "audit key", logger)
    if path is None:
        raise ConfigError("TRACKER_AUDIT_KEY is not set: the tracker chains its audit trail with it and will not "
                          f"start without one. Set it to a long random value ({MAKE_AUDIT_KEY}) or name a file "
                          "holding it in TRACKER_AUDIT_KEY_FILE, kept apart from the database and its backups; "
                          "or set TRACKER_ENV=development on a developer machine.")
    return _checked_audit_key(_read(Path(path), "TRACKER_AUDIT_KEY_FILE").decode("utf-8", "replace"), str(path))


def _evidence_key(config: Mapping[str, Any], instance: Path, generate: bool,
                  logger: logging.Logger) -> Ed25519PrivateKey:
    path = config.get("TRACKER_EVIDENCE_KEY_FILE")
    if path is None and generate:
        path = _generated(instance / EVIDENCE_KEY_FILE, new_evidence_key_pem, "evidence signing key", logger)
    if path is None:
        raise ConfigError("TRACKER_EVIDENCE_KEY_FILE is not set: the tracker signs evidence packs and audit "
                          "checkpoints with it and will not start without one. Make a key with "
                          f"`{MAKE_EVIDENCE_KEY}`, keep it apart from the database and its backups, and set "
                          "TRACKER_EVIDENCE_KEY_FILE to its path; or set TRACKER_ENV=development on a developer "
                          "machine.")
    data = _read(Path(path), "TRACKER_EVIDENCE_KEY_FILE")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        key = None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(f"{path} (TRACKER_EVIDENCE_KEY_FILE) is not an unencrypted Ed25519 private key in PEM "
                          f"form: make one with `{MAKE_EVIDENCE_KEY}`.")
    return key


def new_evidence_key_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _read(path: Path, setting: str) -> bytes:
    try:
        return path.expanduser().read_bytes()
    except OSError as error:
        raise ConfigError(f"Could not read {path} ({setting}): {error.strerror or error}. Check the path and "
                          "that the tracker's user may read it.") from None


def _generated(path: Path, make: Callable[[], bytes], what: str, logger: logging.Logger) -> Path:
    """``path``, created with a new key unless it exists. Written beside it and linked into place, so
    processes starting together all end up with the one key that got there first."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(make())
        os.chmod(temporary, 0o600)
        os.link(temporary, path)
        logger.warning("Generated a development %s in %s. Outside development set it yourself and keep it apart "
                       "from the database and its backups (docs/operations.md).", what, path)
    except FileExistsError:
        pass
    finally:
        Path(temporary).unlink(missing_ok=True)
    return path
