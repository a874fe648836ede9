"""Signed checkpoints of the audit chain's head, kept outside the database.

A chain cut short, or rewritten from some event on by someone holding the audit key, still verifies
on its own. A checkpoint written earlier says "event N had hash H at time T", signed with the
evidence key (Ed25519), in an append-only file (TRACKER_CHECKPOINT_FILE) on another disk or host:
``audit-verify --checkpoints FILE`` then finds the chain shorter than N, or event N with another
hash. They are written by ``flask --app tracker checkpoint``, by each reminder run (and quoted in the
managers' digest) and by each evidence pack (which ships the whole file).

One JSON object a line: {"seq", "hash", "at", "public_key", "signature"}; the signature is over the
canonical JSON (sorted keys, no spaces) of seq, hash and at.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select

from tracker.services import keys
from tracker.storage.db import db, iso_utc, utcnow
from tracker.storage.models import AuditEvent


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str

    def signed_part(self) -> bytes:
        return json.dumps({"seq": self.seq, "hash": self.hash, "at": self.at}, sort_keys=True,
                          separators=(",", ":")).encode("utf-8")

    def describe(self) -> str:
        return f"event {self.seq}, hash {self.hash}, at {self.at}"


def head() -> Checkpoint:
    """The chain's head now (seq 0 and no hash for an empty trail)."""
    row = db.session.execute(select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).first()
    return Checkpoint(row.seq if row else 0, row.hash if row else "", iso_utc(utcnow()))


def line(checkpoint: Checkpoint) -> str:
    current = keys.current()
    return json.dumps({"seq": checkpoint.seq, "hash": checkpoint.hash, "at": checkpoint.at,
                       "public_key": current.public_key_hex(),
                       "signature": current.evidence_key.sign(checkpoint.signed_part()).hex()}, sort_keys=True)


def write() -> Checkpoint:
    """Append a signed checkpoint of the head to the checkpoint file (created with its folder)."""
    checkpoint = head()
    path = keys.current().checkpoint_file
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as stream:
        stream.write(line(checkpoint) + "\n")
        stream.flush()
        os.fsync(stream.fileno())
    return checkpoint


class BadCheckpoints(Exception):
    """A checkpoint file that cannot be read, or a line in it that is not a genuine checkpoint."""


def _parsed(number: int, text: str, public_key: Ed25519PublicKey) -> Checkpoint:
    try:
        entry: dict[str, Any] = json.loads(text)
        checkpoint = Checkpoint(int(entry["seq"]), str(entry["hash"]), str(entry["at"]))
        public_key.verify(bytes.fromhex(entry["signature"]), checkpoint.signed_part())
    except InvalidSignature:
        raise BadCheckpoints(f"line {number}: its signature is not the evidence key's: the line was changed or "
                             "forged (or signed by a key this tracker no longer uses)") from None
    except (ValueError, KeyError, TypeError):
        raise BadCheckpoints(f"line {number}: not a checkpoint written by the tracker") from None
    return checkpoint


def read(path: Path) -> list[Checkpoint]:
    """Every checkpoint in the file, each signature checked against this tracker's evidence key."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise BadCheckpoints(f"could not read {path}: {getattr(error, 'strerror', None) or error}") from None
    public_key = keys.current().evidence_key.public_key()
    return [_parsed(number, entry, public_key) for number, entry in enumerate(text.splitlines(), 1) if entry.strip()]


def contradiction(checkpoints: list[Checkpoint], hash_at: Callable[[int], str | None]) -> str:
    """Why the chain does not hold an event a checkpoint saw (``hash_at(seq)``: its hash now), or ""."""
    for checkpoint in checkpoints:
        if checkpoint.seq == 0:
            continue
        now = hash_at(checkpoint.seq)
        if now is None:
            return (f"the checkpoint of {checkpoint.describe()} names an event the trail no longer has: events "
                    "were cut off its end")
        if now != checkpoint.hash:
            return (f"the checkpoint of {checkpoint.describe()} does not match event {checkpoint.seq} now: the "
                    "trail was rewritten after the checkpoint")
    return ""


def stored_hash(seq: int) -> str | None:
    return db.session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == seq))
