"""Files attached to office duty completions: small PDFs and photos, stored once by their SHA-256.

The type is read from the file's first bytes (tracker.services.uploads), not from its name or the
browser's word, so a file is served back only as what it is. The size limit keeps the database
small; a larger scan belongs in the office's own files, with the note saying where.
"""

from __future__ import annotations

import hashlib
import re

from tracker.services.uploads import EXTENSIONS, Upload, safe_name, sniff
from tracker.services.validation import Invalid
from tracker.storage.db import db, utcnow
from tracker.storage.models import DutyAttachment

__all__ = ["EXTENSIONS", "MAX_BYTES", "Upload", "check", "get", "store"]

MAX_BYTES = 512 * 1024


def check(upload: Upload) -> str:
    """The file's type; Invalid when it is empty, too large, or not a PDF, PNG or JPEG."""
    if not upload.data:
        raise Invalid({"attachment": "the file is empty (choose the file again)"})
    if len(upload.data) > MAX_BYTES:
        raise Invalid({"attachment": f"the file is larger than {MAX_BYTES // 1024} KB (attach a smaller scan or "
                                     "photo, or say in the note where the document is kept)"})
    kind = sniff(upload.data)
    if kind is None:
        raise Invalid({"attachment": "the file is not a PDF, PNG or JPEG (save it as one of those and attach it again)"})
    return kind


def store(upload: Upload) -> tuple[DutyAttachment, str]:
    """The stored attachment of these bytes (added now unless the same file is already kept), and
    the name to show for it."""
    kind = check(upload)
    sha256 = hashlib.sha256(upload.data).hexdigest()
    found = db.session.get(DutyAttachment, sha256)
    if found is None:
        found = DutyAttachment(sha256=sha256, content_type=kind, size=len(upload.data), data=upload.data,
                               uploaded_at=utcnow())
        db.session.add(found)
    return found, safe_name(upload.filename, kind, "attachment")


def get(sha256: str) -> DutyAttachment | None:
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        return None
    return db.session.get(DutyAttachment, sha256)
