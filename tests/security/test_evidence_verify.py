"""verify.py, run as an auditor runs it: in a freshly unzipped evidence pack, with nothing else.

It exits 0 on the genuine pack, and 1 naming the file after any byte of any file changes, after a
file is added, or after a register is edited and the manifest made anew; 2 (saying so) when it
cannot check the signature. The pack's fingerprints are the portal's own.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from dashboard_helpers import known_office

from portal.fingerprint import fingerprint
from tracker.storage.db import db
from tracker.storage.models import PolicyVersion

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def pack(app, runner, manager, tmp_path) -> Path:
    """A genuine pack of a small office, unzipped into its own folder."""
    known_office(app, manager)
    out = tmp_path / "evidence.zip"
    result = runner.invoke(args=["evidence", "--out", str(out)])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "pack"
    with zipfile.ZipFile(out) as archive:
        archive.extractall(folder)
    return folder


def run_verify(folder: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "verify.py", *args], cwd=folder, capture_output=True, text=True,
                          timeout=120, env=env)


def copy_of(folder: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(folder, target)
    return target


def test_a_genuine_pack_verifies_and_names_the_published_key(app, runner, pack):
    result = run_verify(pack)
    assert result.returncode == 0, result.stdout + result.stderr
    published = runner.invoke(args=["evidence-key"]).output.strip()
    assert result.stdout.startswith("OK: ") and published in result.stdout
    assert "3 fingerprint(s) recomputed" in result.stdout
    assert run_verify(pack, "--key", published).returncode == 0


def test_any_changed_byte_of_any_file_is_caught_and_named(pack, tmp_path):
    names = sorted(p.relative_to(pack).as_posix() for p in pack.rglob("*") if p.is_file())
    assert len(names) >= 20
    for number, name in enumerate(names):
        folder = copy_of(pack, tmp_path, f"changed-{number}")
        path = folder / name
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0x01
        path.write_bytes(bytes(data))
        result = run_verify(folder)
        assert result.returncode == 1, (name, result.stdout, result.stderr)
        if name != "verify.py":  # a changed checker may fail in its own way; it still exits 1
            assert "CHANGED: " in result.stdout and name in result.stdout, (name, result.stdout)


def test_an_added_file_is_caught(pack):
    (pack / "acknowledgements" / "extra.csv").write_text("name\n")
    result = run_verify(pack)
    assert result.returncode == 1 and "acknowledgements/extra.csv: not part of the pack" in result.stdout


def regenerate_manifest(folder: Path) -> None:
    """What someone editing a register does to make `sha256sum -c` pass again."""
    manifest = json.loads((folder / "manifest.json").read_text())
    for entry in manifest["files"]:
        data = (folder / entry["path"]).read_bytes()
        entry["bytes"], entry["sha256"] = len(data), hashlib.sha256(data).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    names = [entry["path"] for entry in manifest["files"]] + ["manifest.json", "manifest.sig"]
    (folder / "manifest.sha256").write_text(
        "".join(f"{hashlib.sha256((folder / n).read_bytes()).hexdigest()}  {n}\n" for n in names))


def test_an_edited_register_with_a_regenerated_manifest_is_caught(pack):
    register = pack / "acknowledgements" / "minimum-necessary.csv"
    register.write_text(register.read_text(encoding="utf-8-sig").replace("Cleo Park", "Someone Else"),
                        encoding="utf-8-sig")
    regenerate_manifest(pack)
    assert subprocess.run(["sha256sum", "-c", "manifest.sha256"], cwd=pack, capture_output=True).returncode == 0
    result = run_verify(pack)
    assert result.returncode == 1
    assert "CHANGED: manifest.sig: the signature of manifest.json does not match" in result.stdout


def test_a_pack_re_signed_with_another_key_fails_against_the_published_key(runner, pack):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    published = runner.invoke(args=["evidence-key"]).output.strip()
    forger = Ed25519PrivateKey.generate()
    (pack / "evidence-public-key.txt").write_text(forger.public_key().public_bytes_raw().hex() + "\n")
    regenerate_manifest(pack)
    (pack / "manifest.sig").write_text(forger.sign((pack / "manifest.json").read_bytes()).hex() + "\n")
    regenerate_manifest(pack)
    assert run_verify(pack).returncode == 1  # the checkpoints are still signed with the office's key
    result = run_verify(pack, "--key", published)
    assert result.returncode == 1 and "manifest.sig: the signature of manifest.json does not match" in result.stdout


def test_without_cryptography_it_says_the_signature_was_not_checked(pack, tmp_path):
    blocker = tmp_path / "no-cryptography" / "cryptography"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('not installed')\n")
    env = {**os.environ, "PYTHONPATH": str(blocker.parent)}
    result = run_verify(pack, env=env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "NOT CHECKED: the signatures" in result.stdout and "pip install cryptography" in result.stdout


def test_the_pack_ships_each_version_in_the_form_its_fingerprint_is_computed_from(app, pack):
    shipped = json.loads((pack / "policies" / "minimum-necessary" / "v3.fingerprint.json").read_text())
    with app.app_context():
        version = db.session.scalar(db.select(PolicyVersion).where(PolicyVersion.policy_id == "minimum-necessary"))
        assert shipped["fingerprint"] == version.fingerprint == fingerprint(shipped["fields"])
    portal = subprocess.run([sys.executable, "-m", "portal.cli", "fingerprint",
                             str(pack / "policies" / "minimum-necessary" / "v3.fingerprint.json")],
                            cwd=REPO, capture_output=True, text=True, timeout=60)
    assert portal.returncode == 0 and portal.stdout.split()[0] == version.fingerprint
