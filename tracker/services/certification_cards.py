"""Certification cards: a photo or scan of the card behind a certification record.

The owner or a manager uploads it; managers look at it when they verify the record; the evidence
pack holds every card with its SHA-256. The type is read from the content (tracker.services.uploads).
Cards live in the database, not in a folder: one backup, one evidence pack and the audit trail
(which binds each card's bytes) then always hold the card with the record it proves.

Append-only: another upload is another card; none is replaced or deleted. Who may see a card (the
owner and managers) is decided by the pages, as for the record itself.
"""

from __future__ import annotations

import hashlib
from datetime import date

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.model import Catalogue
from tracker.services import audit
from tracker.services.compliance_status import recorded_before
from tracker.services.exports import to_csv
from tracker.services.uploads import EXTENSIONS, Upload, safe_name, sniff
from tracker.services.validation import Invalid
from tracker.storage.db import MAX_ID, db, iso_utc, utcnow
from tracker.storage.models import CertificationCard, CertificationRecord, User

__all__ = ["FIELD", "FOLDER", "Upload", "add", "card", "cards_of", "check", "limit_bytes", "limit_text",
           "pack_entries"]

FIELD = "card"  # the form field the messages are about
FOLDER = "certification-cards"
REGISTER_COLUMNS = ("card_id", "record_id", "staff_name", "type_id", "type_name", "filename", "media_type", "bytes",
                    "sha256", "file", "uploaded_by_email", "uploaded_at_utc")
MEGABYTE = 1024 * 1024


def limit_bytes() -> int:
    """TRACKER_CARD_MAX_MB in bytes: the largest card accepted."""
    return int(current_app.config["TRACKER_CARD_MAX_MB"]) * MEGABYTE


def limit_text() -> str:
    return f"{current_app.config['TRACKER_CARD_MAX_MB']} MB"


def check(upload: Upload | None) -> str:
    """The card's media type, read from its content; Invalid when there is none, it is empty, too
    large, or not a PDF, PNG or JPEG whatever its name says."""
    choose = f"choose a PDF, PNG or JPEG photo of your card, up to {limit_text()}"
    if upload is None:
        raise Invalid({FIELD: f"no file was chosen ({choose})"})
    if not upload.data:
        raise Invalid({FIELD: f"the file is empty ({choose})"})
    if len(upload.data) > limit_bytes():
        raise Invalid({FIELD: f"the file is larger than {limit_text()} (take the photo at a lower resolution, or "
                              f"scan at 150 dpi, and upload it again)"})
    kind = sniff(upload.data)
    if kind is None:
        raise Invalid({FIELD: f"the file is not a PDF, PNG or JPEG, whatever its name says ({choose}; a photo "
                              "from a phone's camera is a JPEG)"})
    return kind


def add(record: CertificationRecord, upload: Upload | None, user: User) -> CertificationCard:
    """Keep the card of ``record`` as a new row, with an audit event binding it; the caller has
    checked the user may (the owner or a manager)."""
    kind = check(upload)
    assert upload is not None  # else check raised
    found = CertificationCard(record_id=record.id, sha256=hashlib.sha256(upload.data).hexdigest(), media_type=kind,
                              size=len(upload.data), filename=safe_name(upload.filename, kind, "card"),
                              data=upload.data, uploaded_by_id=user.id, uploaded_at=utcnow())
    db.session.add(found)
    db.session.flush()
    audit.record(user.audit_name, "certification_card.uploaded", f"certification_record:{record.id}", {
        "card_id": found.id, "staff_id": record.staff_id, "type_id": record.type_id, "sha256": found.sha256,
        "media_type": kind, "bytes": found.size, "filename": found.filename,
    }, records=[found])
    db.session.commit()
    return found


def card(card_id: int) -> CertificationCard | None:
    return db.session.get(CertificationCard, card_id) if 0 < card_id <= MAX_ID else None


def cards_of(record: CertificationRecord) -> list[CertificationCard]:
    """The record's cards, newest first."""
    return sorted(record.cards, key=lambda c: c.id, reverse=True)


def file_name(found: CertificationCard) -> str:
    """The card's path in the evidence pack's folder: named by its SHA-256, so the register and file match."""
    return f"{found.sha256}.{EXTENSIONS[found.media_type]}"


def _cards_known_on(as_of: date) -> list[CertificationCard]:
    query = (select(CertificationCard)
             .options(joinedload(CertificationCard.record).joinedload(CertificationRecord.staff),
                      joinedload(CertificationCard.uploaded_by))
             .where(CertificationCard.uploaded_at < recorded_before(as_of))
             .order_by(CertificationCard.id))
    return list(db.session.scalars(query))


def pack_entries(catalogue: Catalogue, as_of: date) -> list[tuple[str, bytes, str]]:
    """(path, bytes, one line for the README) of the evidence pack's cards: a register, then each file."""
    cards = _cards_known_on(as_of)

    def type_of(found: CertificationCard) -> str:
        cert_type = catalogue.certifications.get(found.record.type_id)
        return cert_type.name if cert_type else found.record.type_id

    register = to_csv(REGISTER_COLUMNS, ((c.id, c.record_id, c.record.staff.name, c.record.type_id, type_of(c),
                                          c.filename, c.media_type, c.size, c.sha256, f"{FOLDER}/{file_name(c)}",
                                          c.uploaded_by.email, iso_utc(c.uploaded_at)) for c in cards))
    entries = [(f"{FOLDER}/cards.csv", register.encode("utf-8"),
                "Register of certification cards uploaded by the pack's date: the record each proves (see "
                "certifications.csv), the person, the name it was uploaded under, its type read from its content, "
                "size, SHA-256, file in this pack, who uploaded it and when (UTC). Append-only.")]
    for sha256, found in {c.sha256: c for c in cards}.items():
        entries.append((f"{FOLDER}/{file_name(found)}", found.data,
                        f"A certification card's photo or scan, named by its SHA-256 ({sha256[:12]}...), as uploaded."))
    return entries
