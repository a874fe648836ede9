"""What makes an evidence pack check itself (tracker.services.evidence puts these files in it).

- ``<kind>/<id>/v<N>.fingerprint.json`` for each archived policy and module version in the pack:
  {"fingerprint": ..., "fields": ...}, the fields the fingerprint is the SHA-256 of (portal.fingerprint),
  so anyone recomputes it (``verify.py``, or ``portal fingerprint FILE``);
- ``checkpoints.jsonl``: the signed checkpoints of the audit chain (tracker.services.checkpoints), and
  one more of the head as the pack is built;
- ``evidence-public-key.txt``, ``VERIFY.md`` and ``verify.py`` (tracker/services/evidence_verify.py as is);
- ``manifest.sig``: the Ed25519 signature of manifest.json with the evidence key.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlalchemy import select

from tracker.services import checkpoints, evidence_verify, exports, keys
from tracker.services.compliance_status import recorded_before
from tracker.storage.db import db
from tracker.storage.models import ArchivedVersion, ModuleVersion, TrainingCompletion

Entry = tuple[str, bytes, str]  # path in the pack, content, one line for the README
SIGNATURE, PUBLIC_KEY, CHECKPOINTS = "manifest.sig", evidence_verify.PUBLIC_KEY, evidence_verify.CHECKPOINTS
VERIFY_SCRIPT, VERIFY_GUIDE = "verify.py", "VERIFY.md"
FINGERPRINT_SUFFIX = evidence_verify.FINGERPRINTED

VERIFY_TEXT = """# Checking this evidence pack

Everything here can be checked without the tracker and without trusting whoever handed you the pack.

1. Unzip the pack into an empty folder and run, in that folder, `python3 verify.py`
   (Python 3.11 or later; `pip install cryptography` first, or the signatures cannot be checked).
   It prints `OK: ...` and exits 0 when every file is exactly as the tracker built and signed it; it
   prints `CHANGED: <file>: ...` and exits 1 at the first file that is not (a changed byte, a file
   added or removed, a manifest made up anew); it exits 2 when the files are intact but it could not
   check the signatures (no `cryptography`).
2. Compare the evidence key it prints (also in evidence-public-key.txt) with the key the office
   publishes on its operations page, or pass the published one: `python3 verify.py --key <key>`.
   A pack re-signed with another key fails this step, and only this one.
3. Recompute any fingerprint yourself: each `*.fingerprint.json` holds a version's fingerprint and
   the fields it is the SHA-256 of (canonical JSON: Unicode NFC, LF line ends, no trailing spaces,
   sorted keys, no spaces between items). `verify.py` does it for every one; the portal's own
   `portal fingerprint FILE` gives the same value for the file, or for the policy's YAML source at that
   version, and the published site shows the same fingerprint.
4. `checkpoints.jsonl` lists signed checkpoints of the audit trail's head (event number, hash, time).
   Keep the last one: a later pack whose trail does not hold that event with that hash was cut or
   rewritten (the office runs `flask --app tracker audit-verify --checkpoints FILE` for the same check).

What this does not prove: that the records were true when entered, or that someone holding both the
tracker's database and its keys did not rewrite them all and sign again (a checkpoint kept by you,
from an earlier pack, still catches a rewrite of anything before it).
"""


def _fields_file(prefix: str, version: ArchivedVersion) -> list[Entry]:
    if version.fingerprint_source is None:
        return []
    data = json.dumps({"fingerprint": version.fingerprint, "fields": version.fingerprint_source}, indent=2,
                      sort_keys=True, ensure_ascii=False) + "\n"
    return [(f"{prefix}{FINGERPRINT_SUFFIX}", data.encode("utf-8"),
             f"The fields fingerprint {version.fingerprint} is the SHA-256 of, to recompute it.")]


def completed_modules(as_of: date) -> list[ModuleVersion]:
    """Every archived module version someone had completed by the end of ``as_of``."""
    completed = (select(TrainingCompletion.module_version_id)
                 .where(TrainingCompletion.recorded_at < recorded_before(as_of)))
    return list(db.session.scalars(select(ModuleVersion).where(ModuleVersion.id.in_(completed))
                                   .order_by(ModuleVersion.module_id, ModuleVersion.version)))


def archived_entries(as_of: date) -> list[Entry]:
    """The fingerprinted fields of the signed policy versions; the text and fields of completed modules."""
    entries: list[Entry] = []
    for policy in exports.signed_versions(as_of):
        entries += _fields_file(f"policies/{policy.policy_id}/v{policy.version}", policy)
    for module in completed_modules(as_of):
        stem = f"modules/{module.module_id}/v{module.version}"
        entries.append((f"{stem}.md", module.markdown.encode("utf-8"),
                        f"The archived Markdown of training module {module.module_id} version {module.version}, "
                        "as taught."))
        entries += _fields_file(stem, module)
    return entries


def proof_entries() -> list[Entry]:
    """The checkpoints, the public key, the guide and the script that check the pack."""
    current = keys.current()
    try:
        earlier = current.checkpoint_file.read_bytes()
    except OSError:  # none written yet, or unreadable: the pack still carries its own
        earlier = b""
    head = (checkpoints.line(checkpoints.head()) + "\n").encode("utf-8")
    return [
        (CHECKPOINTS, earlier + head, "Signed checkpoints of the audit trail's head (event number, hash, time): "
                                      "those written so far, then the one of this pack."),
        (PUBLIC_KEY, (current.public_key_hex() + "\n").encode("utf-8"),
         "The public evidence key that signed manifest.json and the checkpoints: compare it with the one the "
         "office publishes."),
        (VERIFY_GUIDE, VERIFY_TEXT.encode("utf-8"), "How to check this pack on your own."),
        (VERIFY_SCRIPT, Path(evidence_verify.__file__).read_bytes(),
         "Checks the pack: run `python3 verify.py` in the unzipped folder (see VERIFY.md)."),
    ]


def signature(manifest: bytes) -> bytes:
    return (keys.current().evidence_key.sign(manifest).hex() + "\n").encode("utf-8")
