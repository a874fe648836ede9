"""The evidence pack: one zip an auditor can check on their own, as of a day.

It holds the CSV exports (tracker.services.exports) as of that day, the archived text (Markdown and HTML) of
every policy version anyone had signed, the certification cards on file with their SHA-256
(tracker.services.certification_cards), the result of verifying the audit trail
(tracker.services.audit.verify), a README.txt explaining each file, what lets an auditor check it all
alone (tracker.services.evidence_proof: fingerprinted fields, checkpoints, public key, verify.py), and
manifest.json (signed: manifest.sig) plus manifest.sha256 with the SHA-256 of every file. pack_files
is the one place listing the files.

The zip is built in a temporary file and only then moved into place, so an interrupted build
never leaves half a pack where the auditor expects a whole one.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO

from markupsafe import escape

from portal.model import Catalogue
from tracker.services import (
    audit,
    certification_cards,
    duty_register,
    evidence_proof,
    exports,
    matrix,
)
from tracker.services.backup import SQLITE_COMPANIONS, BackupRefused, sqlite_file
from tracker.storage.db import db, iso_utc, utcnow
from tracker.storage.models import PolicyVersion

MANIFEST, CHECKSUMS, README = "manifest.json", "manifest.sha256", "README.txt"
AUDIT_FILE = "audit-trail-verification.txt"
# Fixed timestamps inside the zip: the same records give byte-identical files.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class PackFile:
    path: str
    data: bytes
    what: str  # one line for the README

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _text(path: str, text: str, what: str) -> PackFile:
    return PackFile(path, text.encode("utf-8"), what)


def _policy_html(version: PolicyVersion) -> str:
    """The archived HTML as a standalone page headed by what identifies the version."""
    title = escape(version.title)
    return (f'<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{title} (version '
            f'{version.version})</title>\n</head>\n<body>\n<h1>{title}</h1>\n<p>Policy {escape(version.policy_id)}, '
            f"version {version.version}, effective {version.effective_date.isoformat()}; fingerprint "
            f"{version.fingerprint}; archived {iso_utc(version.synced_at)}.</p>\n<hr>\n{version.html}\n"
            "</body>\n</html>\n")


def _audit_state(result: audit.Verification) -> str:
    if result.broken_seq is not None:
        return f"BROKEN at event {result.broken_seq}: {result.reason}. The {result.count} event(s) before it are intact."
    if result.record_problem:
        return f"BROKEN: {result.record_problem}. The chain of {result.count} events is intact; the record is not."
    return "OK: the chain is intact. Every bound record matches the event that recorded it."


def _audit_text(as_of: date) -> str:
    result = audit.verify()
    return (f"Audit trail verification\n========================\n\nChecked at: {iso_utc(utcnow())}\n"
            f"Pack as of: {as_of.isoformat()}\n\nResult: {_audit_state(result)}\nEvents checked: {result.count}\n"
            f"Hash of the last intact event: {result.last_hash}\n\n"
            "Every write to the tracker (signatures, training, certifications, staff changes, content syncs) "
            "appends an event whose HMAC-SHA256, under a key kept outside the database, covers the previous event's "
            "hash, its own fields and the SHA-256 of each record it wrote. Changing, removing or reordering any "
            "event breaks every hash after it; without the key no event can be forged or re-hashed; a record "
            "changed, added or removed no longer matches its event. The check covers the whole trail as it stands "
            "now, including events after the pack's date. Cutting events off the end leaves a shorter intact "
            f"chain: {evidence_proof.CHECKPOINTS} holds signed checkpoints of the trail's head, the last one taken "
            "as this pack was built; keep it, and a later trail must still hold that event with that hash.\n")


def pack_files(catalogue: Catalogue, as_of: date) -> list[PackFile]:
    """Every file of the pack except the README and the manifests."""
    files = [
        _text("matrix.csv", exports.matrix_csv(matrix.compute(catalogue, as_of), catalogue),
              "The compliance matrix: one row per active person and requirement (policy to sign, training "
              "module, certification), with its status on the pack's date: compliant, due_soon, pending "
              "(not done, still in time) or overdue, the due date and how the status was reached."),
        _text("training.csv", exports.training_csv(as_of, catalogue),
              "Training records in the layout of 29 CFR 1910.1030(h)(2): date, contents or summary, names and "
              "qualifications of trainers, names and job titles of attendees (in-person sessions), and "
              "online quiz completions (method quiz, no trainer). Corrected records stay, marked "
              "corrected_by_completion_id."),
        _text("certifications.csv", exports.certifications_csv(as_of, catalogue),
              "Certifications, licences, vaccinations and screenings on file, with the latest verification "
              "decision (who checked it and when) and the record's state on the pack's date."),
    ]
    for policy_id in exports.signed_policy_ids(as_of):
        files.append(_text(f"acknowledgements/{policy_id}.csv", exports.acknowledgements_csv(policy_id, as_of),
                           f"Acknowledgement register of policy {policy_id}: every signature of every version "
                           "(version, fingerprint, statement, typed name, UTC time, IP address, browser, method)."))
    for version in exports.signed_versions(as_of):
        stem = f"policies/{version.policy_id}/v{version.version}"
        files.append(_text(f"{stem}.md", version.markdown,
                           f"The archived Markdown of {version.policy_id} version {version.version}, as signed."))
        files.append(_text(f"{stem}.html", _policy_html(version),
                           "The same text as HTML, headed by its version and fingerprint."))
    files += [PackFile(path, data, what) for path, data, what in certification_cards.pack_entries(catalogue, as_of)]
    files += [PackFile(path, data, what) for path, data, what in duty_register.pack_entries(catalogue, as_of)]
    files += [PackFile(path, data, what) for path, data, what in evidence_proof.archived_entries(as_of)]
    files.append(_text(AUDIT_FILE, _audit_text(as_of),
                       "The result of checking the audit trail's hash chain when this pack was built."))
    files += [PackFile(path, data, what) for path, data, what in evidence_proof.proof_entries()]
    return files


def _readme(catalogue: Catalogue, as_of: date, files: list[PackFile]) -> str:
    lines = [f"Evidence pack of {catalogue.settings.office_name}", "",
             f"As of: {as_of.isoformat()} (statuses are computed for this day, and only records entered by its end "
             "are included)", f"Built: {iso_utc(utcnow())}", "",
             "Files", "-----"]
    for file in files:
        lines += [file.path, f"    {file.what}"]
    lines += [README, "    This file.",
              MANIFEST, "    Every other file with its size in bytes and SHA-256.",
              evidence_proof.SIGNATURE, "    The Ed25519 signature of manifest.json with the office's evidence key "
                                        "(run `python3 verify.py`, see VERIFY.md).",
              CHECKSUMS, "    The same hashes in the format of sha256sum: run `sha256sum -c manifest.sha256` in the "
                         "unzipped folder to check that no file was changed.", "",
              "Notes", "-----",
              "CSV files are UTF-8 (with a byte-order mark, for spreadsheet programs). A cell a spreadsheet would "
              "read as a formula (starting with =, +, -, @) begins with an apostrophe.",
              "Times ending in Z are UTC. Dates are the office's calendar days.",
              "A fingerprint is the SHA-256 of the policy text a person read and signed; the same fingerprint in "
              "a register and in a policy file means that exact text.", ""]
    return "\n".join(lines)


def build(catalogue: Catalogue, as_of: date) -> list[PackFile]:
    """Every file of the pack, in zip order, manifests last."""
    files = pack_files(catalogue, as_of)
    files.insert(0, _text(README, _readme(catalogue, as_of, files), "This file."))
    manifest = {"office": catalogue.settings.office_name, "as_of": as_of.isoformat(), "built_at": iso_utc(utcnow()),
                "files": [{"path": f.path, "bytes": len(f.data), "sha256": f.sha256} for f in files]}
    files.append(_text(MANIFEST, json.dumps(manifest, indent=2) + "\n", "The manifest."))
    files.append(PackFile(evidence_proof.SIGNATURE, evidence_proof.signature(files[-1].data), "The signature."))
    files.append(_text(CHECKSUMS, "".join(f"{f.sha256}  {f.path}\n" for f in files), "The checksums."))
    return files


def write_zip(files: list[PackFile], target: Path | IO[bytes]) -> None:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file in files:
            info = zipfile.ZipInfo(file.path, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, file.data)


def write_pack(catalogue: Catalogue, as_of: date, out: Path) -> list[PackFile]:
    """Build the pack into a temporary file beside ``out``, then move it into place in one step."""
    files = build(catalogue, as_of)
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            write_zip(files, stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return files


def download_name(as_of: date) -> str:
    return f"evidence-{as_of.isoformat()}.zip"


def _live_database_files() -> set[Path]:
    """The files of the SQLite database the tracker runs on (none for PostgreSQL or in memory)."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        return set()
    try:
        database = sqlite_file(url)
    except BackupRefused:
        return set()
    return {Path(f"{database}{suffix}") for suffix in SQLITE_COMPANIONS}


class PackRefused(Exception):
    """The pack cannot go where it was asked to; the message says why and that nothing was written."""


def check_out(out: Path, overwrite: bool) -> Path:
    """The absolute path to write, or PackRefused: a missing folder, the live database, an existing
    file without ``overwrite``."""
    target = out.expanduser().resolve()
    if not target.parent.is_dir():
        raise PackRefused(f"The folder {target.parent} does not exist: create it first, or choose "
                          "another --out path. Nothing was written.")
    if target in _live_database_files():
        raise PackRefused(f"{target} is the tracker's live database (or one of its files): choose another "
                          "--out. Nothing was written.")
    if target.exists() and not overwrite:
        raise PackRefused(f"{target} already exists: add --overwrite to replace it. Nothing was written.")
    return target
