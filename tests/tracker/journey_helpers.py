"""What the journey tests (test_journeys_browser.py) share: the content they walk and a card."""

from __future__ import annotations

import struct
import zlib
from datetime import date, timedelta
from pathlib import Path

from dashboard_helpers import add_card
from tracker_helpers import bump_minimum_necessary
from training_helpers import extend_content

from portal import load_catalogue
from portal.archive import write as archive
from tracker.services import certification_cards
from tracker.services.uploads import Upload
from tracker.storage.db import db
from tracker.storage.models import CertificationRecord, Staff, User


def _png(width: int, height: int) -> bytes:
    """A real (plain teal) PNG, so the browser draws it: the type is sniffed and the image decoded."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\x00\x69\x5c" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


PNG_CARD = _png(64, 40)


def journey_content(app, runner, tmp_path: Path) -> Path:
    """The fixture library with the training extension, version 3 of minimum-necessary archived and
    version 4 published (a material change): synced into the tracker; returns its folder."""
    root = extend_content(app, tmp_path)
    archive(root, load_catalogue(root).policies["minimum-necessary"])
    bump_minimum_necessary(root)
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 0, result.output
    return root


def card_record(app, email: str, upload: bytes | None = None) -> int:
    """An unverified BLS record for ``email``, entered by Maria (the manager), with a card if given."""
    with app.app_context():
        staff_id = db.session.scalar(db.select(Staff.id).where(Staff.email == email))
    record_id = add_card(app, staff_id, "bls", date.today() - timedelta(days=30), date.today() + timedelta(days=700),
                         verified_on=date.min)
    if upload is not None:
        with app.app_context():
            record = db.session.get(CertificationRecord, record_id)
            owner = db.session.scalar(db.select(User).where(User.email == email))
            certification_cards.add(record, Upload("bls-card.png", upload), owner)
    return record_id
