"""Content fingerprints: SHA-256 over a canonical form of the text that staff read and sign."""

from __future__ import annotations

import hashlib
import json
import unicodedata


def canonical_text(value: str) -> str:
    """Same words, same fingerprint: Unicode NFC, LF line ends, no trailing spaces or edge blank lines."""
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in value.split("\n")).strip("\n")


def _canonical(value):
    if isinstance(value, str):
        return canonical_text(value)
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def fingerprint(fields: dict) -> str:
    """Hex SHA-256 of the fields as canonical JSON (sorted keys, no insignificant whitespace)."""
    payload = json.dumps(_canonical(fields), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


POLICY_TEXT = ("id", "version", "title", "summary", "effective_date", "body")
MODULE_TEXT = ("id", "version", "title", "summary", "objectives", "content", "pass_mark", "quiz")


def policy_text_fields(data: dict) -> dict:
    """The parts of a policy that make up the text a person signs."""
    citations = [{"rule": c["rule"], "note": c.get("note", "")} for c in data.get("citations", [])]
    return {"kind": "policy", **{name: data[name] for name in POLICY_TEXT}, "citations": citations}


def module_text_fields(data: dict) -> dict:
    """The parts of a module that make up what is taught and how it is graded."""
    return {"kind": "module", **{name: data[name] for name in MODULE_TEXT}}
