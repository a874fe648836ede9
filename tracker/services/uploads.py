"""Uploaded files (duty attachments, certification cards): what a file is, read from its first bytes.

Neither the file's name nor the browser's stated type is trusted: a file is stored and served back
only as the type its content shows, so an HTML page renamed ``card.png`` is refused, not served.
PDF, PNG and JPEG cover scans and phone photos, and every browser shows them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"
SIGNATURES = {b"%PDF-": PDF, b"\x89PNG\r\n\x1a\n": PNG, b"\xff\xd8\xff": JPEG}
EXTENSIONS = {PDF: "pdf", PNG: "png", JPEG: "jpg"}
ACCEPT = ",".join([*(f".{extension}" for extension in EXTENSIONS.values()), ".jpeg", *EXTENSIONS])
UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")
NAME_LIMIT = 200


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


def sniff(data: bytes) -> str | None:
    """The media type the content shows (PDF, PNG or JPEG), or None for anything else."""
    return next((kind for start, kind in SIGNATURES.items() if data.startswith(start)), None)


def safe_name(filename: str, kind: str, fallback: str = "file") -> str:
    """The name shown and offered on download: plain characters, with the extension of its real type."""
    stem = UNSAFE_NAME.sub("-", filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]).strip(" .-")
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    return f"{(stem or fallback)[:NAME_LIMIT - 5]}.{EXTENSIONS[kind]}"
