"""The evidence pack: contents, manifest hashes, the audit check, as-of, and never half a file."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from dashboard_helpers import TODAY, days_ago, known_office, sign
from tracker_helpers import sign_in

from tracker.services import evidence
from tracker.storage.db import db
from tracker.storage.models import AuditEvent

EXPECTED = {"README.txt", "matrix.csv", "training.csv", "certifications.csv",
            "acknowledgements/minimum-necessary.csv", "acknowledgements/sharps-disposal.csv",
            "policies/minimum-necessary/v3.md", "policies/minimum-necessary/v3.html",
            "policies/sharps-disposal/v1.md", "policies/sharps-disposal/v1.html",
            "audit-trail-verification.txt", "manifest.json", "manifest.sha256",
            "office-duties/status.csv", "office-duties/completions.csv", "certification-cards/cards.csv",
            # what lets the auditor check the pack alone (tracker.services.evidence_proof)
            "policies/minimum-necessary/v3.fingerprint.json", "policies/sharps-disposal/v1.fingerprint.json",
            "modules/hipaa-basics/v1.md", "modules/hipaa-basics/v1.fingerprint.json",
            "checkpoints.jsonl", "evidence-public-key.txt", "VERIFY.md", "verify.py", "manifest.sig"}


@pytest.fixture
def office(app, manager):
    return known_office(app, manager)


def read_pack(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_pack_from_the_command_line(app, runner, office, tmp_path):
    out = tmp_path / "evidence.zip"
    result = runner.invoke(args=["evidence", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}" in result.output
    files = read_pack(out.read_bytes())
    assert set(files) == EXPECTED
    manifest = json.loads(files["manifest.json"])
    assert manifest["as_of"] == TODAY.isoformat()
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert set(listed) == EXPECTED - {"manifest.json", "manifest.sig", "manifest.sha256"}
    for path, entry in listed.items():
        assert hashlib.sha256(files[path]).hexdigest() == entry["sha256"] and len(files[path]) == entry["bytes"]
    checksums = dict(reversed(line.split("  ", 1)) for line in files["manifest.sha256"].decode().splitlines())
    assert set(checksums) == EXPECTED - {"manifest.sha256"}
    assert all(hashlib.sha256(files[path]).hexdigest() == digest for path, digest in checksums.items())
    readme = files["README.txt"].decode()
    assert all(path in readme for path in EXPECTED)
    audit_text = files["audit-trail-verification.txt"].decode()
    with app.app_context():
        count = db.session.scalar(db.select(db.func.count()).select_from(AuditEvent))
    assert "OK: the chain is intact." in audit_text and f"Events checked: {count}" in audit_text
    assert "Test Family Clinic" in readme
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left behind


def test_the_signed_text_is_the_archived_text(app, runner, office, tmp_path):
    out = tmp_path / "pack.zip"
    runner.invoke(args=["evidence", "--out", str(out)])
    files = read_pack(out.read_bytes())
    from tracker.storage.models import PolicyVersion

    with app.app_context():
        version = db.session.scalar(db.select(PolicyVersion).where(PolicyVersion.policy_id == "minimum-necessary"))
        assert files["policies/minimum-necessary/v3.md"].decode() == version.markdown
        html = files["policies/minimum-necessary/v3.html"].decode()
        assert version.fingerprint in html and version.html in html and html.startswith("<!doctype html>")
        register = files["acknowledgements/minimum-necessary.csv"].decode()
        assert version.fingerprint in register and "Ava Quinn" in register and "Cleo Park" in register


def test_a_past_date_leaves_out_later_signatures(app, runner, office, tmp_path):
    sign(app, office.ben, "minimum-necessary")
    out = tmp_path / "past.zip"
    result = runner.invoke(args=["evidence", "--out", str(out), "--as-of", days_ago(31).isoformat()])
    assert result.exit_code == 0, result.output
    files = read_pack(out.read_bytes())
    assert not any(name.startswith(("acknowledgements/", "policies/")) for name in files)  # signed 30 days ago
    assert json.loads(files["manifest.json"])["as_of"] == days_ago(31).isoformat()
    assert "Ben Ortiz" in files["matrix.csv"].decode()
    assert "Ava Quinn" in files["certifications.csv"].decode()  # her card was entered 100 days ago
    now = tmp_path / "now.zip"
    runner.invoke(args=["evidence", "--out", str(now)])
    assert "Ben Ortiz" in read_pack(now.read_bytes())["acknowledgements/minimum-necessary.csv"].decode()


def test_a_missing_folder_is_refused_and_nothing_is_written(runner, office, tmp_path):
    result = runner.invoke(args=["evidence", "--out", str(tmp_path / "nowhere" / "pack.zip")])
    assert result.exit_code == 1
    assert "does not exist" in result.output and "Nothing was written" in result.output
    assert list(tmp_path.iterdir()) == []
    bad = runner.invoke(args=["evidence", "--out", str(tmp_path / "x.zip"), "--as-of", "2026-02-30"])
    assert bad.exit_code == 1 and "not a real calendar date" in bad.output
    folder = runner.invoke(args=["evidence", "--out", str(tmp_path)])
    assert folder.exit_code != 0 and "is a directory" in folder.output


def test_an_existing_file_is_replaced_only_when_asked(runner, office, tmp_path):
    out = tmp_path / "pack.zip"
    out.write_bytes(b"last week's pack")
    refused = runner.invoke(args=["evidence", "--out", str(out)])
    assert refused.exit_code == 1 and "add --overwrite" in refused.output and out.read_bytes() == b"last week's pack"
    replaced = runner.invoke(args=["evidence", "--out", str(out), "--overwrite"])
    assert replaced.exit_code == 0 and zipfile.is_zipfile(out)


def test_a_failed_build_leaves_the_old_pack_untouched(app, runner, office, tmp_path, monkeypatch):
    out = tmp_path / "pack.zip"
    out.write_bytes(b"the pack from last week")

    def broken(files, target):
        target.write(b"half a zip")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(evidence, "write_zip", broken)
    result = runner.invoke(args=["evidence", "--out", str(out), "--overwrite"])
    assert result.exit_code == 1 and "No space left on device" in result.output
    assert out.read_bytes() == b"the pack from last week"
    assert list(tmp_path.iterdir()) == [out]


def test_managers_download_the_same_pack(app, client, office):
    sign_in(client, "maria@clinic.example")
    response = client.get(f"/manager/evidence.zip?as_of={days_ago(1).isoformat()}")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"] == f"attachment; filename=evidence-{days_ago(1).isoformat()}.zip"
    files = read_pack(response.get_data())
    assert set(files) == EXPECTED
    assert json.loads(files["manifest.json"])["as_of"] == days_ago(1).isoformat()
