"""verify.py: checks an unzipped evidence pack on its own, with nothing but Python 3.11 or later.

Run it in the pack's folder: ``python3 verify.py`` (or ``python3 verify.py --key HEX`` with the
office's published evidence key). It checks:

1. the Ed25519 signature of manifest.json (needs the ``cryptography`` library; it says so plainly
   when it could not check it), made with the key in evidence-public-key.txt or the one given;
2. that every file is the one the manifest lists, byte for byte, and that there is no other file;
3. that manifest.sha256 lists exactly those files and hashes;
4. that each archived policy and module version's fingerprint is the SHA-256 of its fields as shipped
   (the same computation as ``portal fingerprint FILE``), and that its text is the text in those fields;
5. the signature of every audit checkpoint, and that the tracker found its audit trail intact.

Exit status: 0 when everything checked out; 1 naming the first file that does not (a changed file,
a regenerated manifest, a wrong signature); 2 when every file is intact but the signatures could not
be checked because ``cryptography`` is not installed (``pip install cryptography``, then run again).

This file ships inside every evidence pack (tracker.services.evidence copies it there unchanged).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import unicodedata
from pathlib import Path
from typing import Any

MANIFEST, SIGNATURE, CHECKSUMS = "manifest.json", "manifest.sig", "manifest.sha256"
PUBLIC_KEY, CHECKPOINTS = "evidence-public-key.txt", "checkpoints.jsonl"
AUDIT_FILE, AUDIT_OK = "audit-trail-verification.txt", "Result: OK: the chain is intact."
FINGERPRINTED = ".fingerprint.json"


class Changed(Exception):
    """The pack is not as the tracker built it: the message names the file and what is wrong."""


def canonical_text(value: str) -> str:
    """NFC, LF line ends, no trailing spaces, no blank lines at either end (as portal.fingerprint)."""
    lines = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def _canonical(value: Any) -> Any:
    if isinstance(value, str):
        return canonical_text(value)
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_canonical(item) for item in value]
    return value


def fingerprint(fields: dict[str, Any]) -> str:
    text = json.dumps(_canonical(fields), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read(folder: Path, name: str) -> bytes:
    try:
        return (folder / name).read_bytes()
    except OSError:
        raise Changed(f"{name}: missing from the pack") from None


def _signature_checker(public_key_hex: str) -> Any:
    """A function checking (signature, data) with the key, or None without ``cryptography``."""
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:
        return None
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex))
    except ValueError:
        raise Changed(f"{PUBLIC_KEY}: not an Ed25519 public key") from None

    def check(signature_hex: str, data: bytes, where: str) -> None:
        try:
            key.verify(bytes.fromhex(signature_hex.strip()), data)
        except (InvalidSignature, ValueError):
            raise Changed(f"{where} does not match: it was changed or made anew, or signed with another "
                          "key than the office's") from None
    return check


def check_checksums(folder: Path, listed: list[str]) -> None:
    """Each line of manifest.sha256 against its file, then that it lists exactly the pack's files."""
    lines = _read(folder, CHECKSUMS).decode("utf-8", "replace").splitlines()
    for line in lines:
        digest, _, name = line.partition("  ")
        if name in (*listed, MANIFEST, SIGNATURE) and hashlib.sha256(_read(folder, name)).hexdigest() != digest:
            raise Changed(f"{name}: its SHA-256 is not the one {CHECKSUMS} lists ({name} or {CHECKSUMS} was changed)")
    names = [*listed, MANIFEST, SIGNATURE]
    if lines != [f"{hashlib.sha256(_read(folder, n)).hexdigest()}  {n}" for n in names]:
        raise Changed(f"{CHECKSUMS}: does not list exactly the pack's files and their SHA-256")


def check_files(folder: Path, manifest: dict[str, Any]) -> None:
    listed = {entry["path"]: entry for entry in manifest["files"]}
    check_checksums(folder, list(listed))
    for path, entry in listed.items():
        data = _read(folder, path)
        if len(data) != entry["bytes"] or hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise Changed(f"{path}: changed since the pack was built (its SHA-256 is not the manifest's)")
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    extra = sorted(p for p in present - set(listed) - {MANIFEST, SIGNATURE, CHECKSUMS}
                   if not p.startswith("__pycache__/"))
    if extra:
        raise Changed(f"{extra[0]}: not part of the pack as built (not in the manifest)")


def check_fingerprints(folder: Path, manifest: dict[str, Any]) -> int:
    """Recompute each version's fingerprint from its fields; its Markdown must be the text in them."""
    sources = [entry["path"] for entry in manifest["files"] if entry["path"].endswith(FINGERPRINTED)]
    for path in sources:
        try:
            shipped = json.loads(_read(folder, path).decode("utf-8"))
            stated, fields = str(shipped["fingerprint"]), dict(shipped["fields"])
        except (ValueError, KeyError, TypeError):
            raise Changed(f"{path}: not a fingerprint and its fields") from None
        if fingerprint(fields) != stated:
            raise Changed(f"{path}: its fields do not give its fingerprint {stated}")
        text_path = path.removesuffix(FINGERPRINTED) + ".md"
        text = _read(folder, text_path).decode("utf-8", "replace")
        if canonical_text(text) != canonical_text(str(fields.get("body", fields.get("content", "")))):
            raise Changed(f"{text_path}: not the text whose fingerprint is {stated}")
    return len(sources)


def check_checkpoints(folder: Path, check: Any) -> int:
    lines = [line for line in _read(folder, CHECKPOINTS).decode("utf-8", "replace").splitlines() if line.strip()]
    for number, line in enumerate(lines, 1):
        try:
            entry = json.loads(line)
            signed = json.dumps({"seq": entry["seq"], "hash": entry["hash"], "at": entry["at"]}, sort_keys=True,
                                separators=(",", ":")).encode("utf-8")
        except (ValueError, KeyError, TypeError):
            raise Changed(f"{CHECKPOINTS}: line {number} is not a checkpoint") from None
        if check is not None:
            check(str(entry.get("signature", "")), signed, f"{CHECKPOINTS}: the signature of line {number}")
    return len(lines)


def verify(folder: Path, public_key_hex: str | None) -> tuple[int, list[str]]:
    """(exit status, lines to print); raises Changed for a pack that is not as built."""
    manifest_bytes = _read(folder, MANIFEST)
    try:
        manifest = json.loads(manifest_bytes.decode("utf-8"))
        well_formed = all({"path", "bytes", "sha256"} <= set(entry) for entry in manifest["files"])
    except (ValueError, KeyError, TypeError):
        well_formed = False
    if not well_formed:
        raise Changed(f"{MANIFEST}: not a manifest (it was changed)")
    check_files(folder, manifest)
    key = public_key_hex or _read(folder, PUBLIC_KEY).decode("utf-8", "replace").strip()
    check = _signature_checker(key)
    if check is not None:
        check(_read(folder, SIGNATURE).decode("utf-8", "replace"), manifest_bytes,
              f"{SIGNATURE}: the signature of {MANIFEST}")
    texts = check_fingerprints(folder, manifest)
    checkpoints = check_checkpoints(folder, check)
    if AUDIT_OK not in _read(folder, AUDIT_FILE).decode("utf-8", "replace"):
        raise Changed(f"{AUDIT_FILE}: the tracker found its audit trail broken when it built this pack (read "
                      "that file)")
    lines = [f"Every file matches the manifest ({len(manifest['files'])} files); {texts} fingerprint(s) recomputed "
             f"from the shipped fields; the tracker found its audit trail intact."]
    if check is None:
        return 2, lines + ["NOT CHECKED: the signatures of the manifest and the checkpoints, because the Python "
                           "library 'cryptography' is not installed. Install it (pip install cryptography) and run "
                           "this again: without the signature, a manifest made up anew cannot be told apart."]
    return 0, lines + [f"The manifest and {checkpoints} checkpoint(s) are signed with evidence key {key}. Check that "
                       "it is the key the office publishes on its operations page."]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check an unzipped evidence pack.")
    parser.add_argument("--key", help="the office's published evidence key (hex), instead of the pack's copy")
    parser.add_argument("folder", nargs="?", default=str(Path(__file__).resolve().parent))
    args = parser.parse_args(argv)
    try:
        status, lines = verify(Path(args.folder), args.key)
    except Changed as problem:
        print(f"CHANGED: {problem}. This pack is not the one the tracker built.")
        return 1
    print(("OK: " if status == 0 else "INCOMPLETE: ") + "\n".join(lines))
    return status


if __name__ == "__main__":
    sys.exit(main())
