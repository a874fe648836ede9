"""Certification cards: a photo or scan uploaded to a record, its type read from its content, kept
by hash in the database, seen only by the owner and managers, shown at verification, bound by the
audit trail and carried in the evidence pack."""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import re
import struct
import zipfile
import zlib
from datetime import date, timedelta

import pytest
from axe_helpers import axe_page, violations
from dashboard_helpers import TODAY, add_card
from page_helpers import SIZES, fits_the_screen, sign_in_page
from sqlalchemy import select
from sqlalchemy.orm import undefer
from tracker_helpers import add_person, csrf_token, sign_in
from training_helpers import actions_since, count, last_seq

from tracker.services import audit, demo_cards
from tracker.services.uploads import sniff
from tracker.storage.db import db
from tracker.storage.models import AuditEvent, CertificationCard

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png(width: int = 2, height: int = 1) -> bytes:
    """A real PNG of grey pixels, so a browser can show it."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@pytest.fixture
def record(app, manager, staff_member) -> int:
    """Sam's BLS record, submitted and not yet verified."""
    return add_card(app, staff_member, "bls", TODAY - timedelta(days=20), TODAY + timedelta(days=700),
                    verified_on=date.min)


@pytest.fixture
def sam(app, staff_member):
    client = app.test_client()
    sign_in(client, "sam@clinic.example")
    return client


@pytest.fixture
def boss(app, manager):
    client = app.test_client()
    sign_in(client, "maria@clinic.example")
    return client


def upload(client, record_id: int, data: bytes, filename: str, mimetype: str = "image/png", token: bool = True):
    url = f"/certifications/{record_id}/cards"
    fields: dict = {"card": (io.BytesIO(data), filename, mimetype)}
    if token:
        fields["csrf_token"] = csrf_token(client.get(url).get_data(as_text=True))
    return client.post(url, data=fields, content_type="multipart/form-data")


def page_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def cards(app) -> list[CertificationCard]:
    with app.app_context():
        query = select(CertificationCard).options(undefer(CertificationCard.data)).order_by(CertificationCard.id)
        rows = db.session.scalars(query).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def test_a_photo_and_a_scan_are_kept_by_hash_each_upload_a_new_row(app, sam, record):
    seq = last_seq(app)
    photo = png()
    response = upload(sam, record, photo, "my card.png")
    assert response.status_code == 303
    assert "The card is on file with the record" in page_of(sam.get(response.headers["Location"]))
    assert upload(sam, record, PDF, "../../scan.PDF", "application/pdf").status_code == 303
    assert upload(sam, record, photo, "again.png").status_code == 303  # the same file again: kept again, not merged
    first, scan, again = cards(app)
    assert (first.record_id, first.media_type, first.size, first.filename, first.data) == (
        record, "image/png", len(photo), "my card.png", photo)
    assert first.sha256 == again.sha256 == hashlib.sha256(photo).hexdigest() and again.id != first.id
    assert (scan.media_type, scan.filename, scan.sha256) == ("application/pdf", "scan.pdf", hashlib.sha256(PDF).hexdigest())
    assert actions_since(app, seq) == ["certification_card.uploaded"] * 3
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.seq == seq + 1))
        assert event.details["sha256"] == first.sha256 and event.details["card_id"] == first.id
        assert [(b["table"], b["id"]) for b in event.bindings] == [("certification_cards", first.id)]
        assert audit.verify().ok
    page = page_of(sam.get("/certifications"))
    assert "Card on file (3)" in page


def test_changed_card_bytes_break_the_audit_trail(app, sam, record):
    upload(sam, record, png(), "card.png")
    [card] = cards(app)
    with app.app_context():
        db.session.get(CertificationCard, card.id).data = png(3, 1)  # the hash column left as it was
        db.session.commit()
        problem = audit.verify().record_problem
    assert f"certification_cards id {card.id}: field data differs" in problem


@pytest.mark.parametrize("data, name", [
    (b"<!doctype html><script>alert(1)</script>", "card.png"),
    (b"Just some text, not a photo.", "card.jpg"),
    (b"GIF89a\x01\x00\x01\x00", "card.gif"),
])
def test_a_file_that_is_not_a_pdf_png_or_jpeg_is_refused_whatever_its_name(app, sam, record, data, name):
    seq = last_seq(app)
    response = upload(sam, record, data, name)
    assert response.status_code == 400
    page = page_of(response)
    assert "The file is not a PDF, PNG or JPEG, whatever its name says. Choose a PDF, PNG or JPEG photo of your card, " \
           "up to 5 MB" in page
    assert 'aria-invalid="true"' in page and count(app, CertificationCard) == 0 and actions_since(app, seq) == []


def test_an_empty_or_missing_file_is_refused_in_words(app, sam, record):
    assert "The file is empty." in page_of(upload(sam, record, b"", "card.png"))
    url = f"/certifications/{record}/cards"
    token = csrf_token(sam.get(url).get_data(as_text=True))
    response = sam.post(url, data={"csrf_token": token}, content_type="multipart/form-data")
    assert response.status_code == 400 and "No file was chosen. Choose a PDF, PNG or JPEG photo" in page_of(response)
    assert count(app, CertificationCard) == 0


def test_a_file_over_the_limit_is_refused_on_the_form(app, sam, record):
    app.config["TRACKER_CARD_MAX_MB"] = 1
    just_over = b"\xff\xd8\xff" + b"\x00" * (1024 * 1024)
    response = upload(sam, record, just_over, "big.jpg", "image/jpeg")
    assert response.status_code == 400 and "The file is larger than 1 MB. Take the photo" in page_of(response)
    far_over = b"\xff\xd8\xff" + b"\x00" * (2 * 1024 * 1024)  # past the request's own limit: a 413, on the form
    response = upload(sam, record, far_over, "huge.jpg", "image/jpeg")
    page = page_of(response)
    assert response.status_code == 413 and "The file is larger than 1 MB. Take the photo" in page
    assert 'type="file"' in page and "up to 1 MB" in page
    assert count(app, CertificationCard) == 0


def test_the_form_says_the_limits_and_takes_only_the_known_types(sam, record):
    page = page_of(sam.get(f"/certifications/{record}/cards"))
    assert "Choose a PDF, PNG or JPEG photo of your card, up to 5 MB." in page
    assert 'accept=".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"' in page
    assert 'enctype="multipart/form-data"' in page


def test_an_upload_without_the_forms_token_is_refused(app, sam, record):
    response = upload(sam, record, png(), "card.png", token=False)
    assert response.status_code == 400 and count(app, CertificationCard) == 0


def test_only_the_owner_and_managers_see_a_card(app, sam, boss, record):
    upload(sam, record, png(), "card.png")
    upload(sam, record, PDF, "scan.pdf", "application/pdf")
    photo, scan = cards(app)
    for client in (sam, boss):
        response = client.get(f"/certifications/cards/{photo.id}")
        assert response.status_code == 200 and response.data == photo.data
        assert response.headers["Content-Type"] == "image/png"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Disposition"] == "inline; filename=card.png"
        assert "sandbox" in response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
        assert "no-store" in response.headers["Cache-Control"]
    response = boss.get(f"/certifications/cards/{scan.id}")
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == "attachment; filename=scan.pdf"
    add_person(app, "alex@clinic.example", "Alex Kim")
    alex = app.test_client()
    sign_in(alex, "alex@clinic.example")
    assert alex.get(f"/certifications/cards/{photo.id}").status_code == 404
    assert alex.get(f"/certifications/{record}/cards").status_code == 404
    assert upload_without_page(alex, record).status_code == 404
    assert alex.get("/certifications/cards/999999").status_code == 404
    assert app.test_client().get(f"/certifications/cards/{photo.id}").status_code == 302  # to the sign-in page


def upload_without_page(client, record_id: int):
    """A post to someone else's record, with the token of the client's own page."""
    token = csrf_token(client.get("/certifications").get_data(as_text=True))
    return client.post(f"/certifications/{record_id}/cards", content_type="multipart/form-data",
                       data={"csrf_token": token, "card": (io.BytesIO(png()), "card.png", "image/png")})


def test_a_manager_sees_the_card_when_verifying_and_may_add_one(app, sam, boss, record):
    assert "No card is on file for this record yet." in page_of(boss.get(f"/manager/certifications/{record}"))
    upload(sam, record, png(), "card.png")
    assert upload(boss, record, PDF, "scan.pdf", "application/pdf").status_code == 303
    photo, scan = cards(app)
    page = page_of(boss.get(f"/manager/certifications/{record}"))
    card_section = page.split('id="card-heading"', 1)[1].split("Decisions", 1)[0]
    assert f'<img src="/certifications/cards/{photo.id}" alt="Photo of Sam Carter\'s card' in card_section
    assert f'href="/certifications/cards/{scan.id}">Download the card (PDF, 1 KB)' in card_section
    assert photo.sha256 in card_section and "uploaded" in card_section and "by Maria" in card_section
    assert card_section.index(scan.sha256) < card_section.index(photo.sha256)  # newest first


def test_the_evidence_pack_holds_each_card_with_its_hash(app, runner, sam, record, tmp_path):
    photo_bytes = png()
    upload(sam, record, photo_bytes, "card.png")
    upload(sam, record, PDF, "scan.pdf", "application/pdf")
    photo, scan = cards(app)
    out = tmp_path / "evidence.zip"
    result = runner.invoke(args=["evidence", "--out", str(out)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    assert files[f"certification-cards/{photo.sha256}.png"] == photo_bytes
    assert files[f"certification-cards/{scan.sha256}.pdf"] == PDF
    listed = {entry["path"]: entry for entry in json.loads(files["manifest.json"])["files"]}
    assert listed[f"certification-cards/{photo.sha256}.png"]["sha256"] == photo.sha256
    assert listed[f"certification-cards/{scan.sha256}.pdf"]["sha256"] == hashlib.sha256(PDF).hexdigest()
    register = list(csv.DictReader(io.StringIO(files["certification-cards/cards.csv"].decode("utf-8-sig"))))
    assert [(r["card_id"], r["record_id"], r["sha256"], r["file"], r["media_type"]) for r in register] == [
        (str(photo.id), str(record), photo.sha256, f"certification-cards/{photo.sha256}.png", "image/png"),
        (str(scan.id), str(record), scan.sha256, f"certification-cards/{scan.sha256}.pdf", "application/pdf")]
    assert f"certification-cards/{photo.sha256}.png" in files["README.txt"].decode()
    yesterday = tmp_path / "yesterday.zip"
    runner.invoke(args=["evidence", "--out", str(yesterday), "--as-of", (TODAY - timedelta(days=1)).isoformat()])
    with zipfile.ZipFile(yesterday) as archive:
        assert not [n for n in archive.namelist() if n.startswith("certification-cards/") and n != "certification-cards/cards.csv"]


def test_the_demo_cards_are_whole_pdfs_that_say_they_are_demos():
    scan = demo_cards.demo_card("Basic Life Support (BLS)", "Zoë O'Brien", "BLS-1", "2026-01-05", "")
    assert sniff(scan) == "application/pdf" and scan.endswith(b"%%EOF\n")
    assert b"(Basic Life Support \\(BLS\\)) Tj" in scan and b"Does not expire" in scan and b"not a real document" in scan
    assert "Zoë".encode("latin-1") in scan
    start = int(re.search(rb"startxref\n(\d+)", scan).group(1))
    assert scan[start:].startswith(b"xref")
    offsets = [int(o) for o in re.findall(rb"(\d{10}) 00000 n", scan)]
    assert [scan[o:].split(b"\n", 1)[0] for o in offsets] == [b"%d 0 obj" % n for n in range(1, 6)]
    assert demo_cards.demo_card("BLS", "A", "1", "2026-01-05", "") == demo_cards.demo_card("BLS", "A", "1", "2026-01-05", "")


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("size", SIZES)
def test_uploading_and_verifying_a_card_in_a_browser_passes_axe(app, chromium, live_tracker, record, manager,
                                                                 size, tmp_path):
    photo, text = tmp_path / "card.png", tmp_path / "card-really-text.png"
    photo.write_bytes(png(40, 25))
    text.write_bytes(b"Not a photo at all.")
    problems: list[str] = []
    staff = axe_page(chromium, viewport=SIZES[size])
    sign_in_page(staff, live_tracker, "sam@clinic.example")
    staff.goto(f"{live_tracker}/certifications")
    staff.click("text=Upload a photo or scan of the card")
    problems += violations(staff)
    staff.set_input_files("#card", str(text))
    staff.click("form.form button[type=submit]")
    assert "whatever its name says" in staff.inner_text(".field.has-error")
    problems += violations(staff)
    staff.set_input_files("#card", str(photo))
    staff.click("form.form button[type=submit]")
    assert "The card is on file with the record" in staff.content()
    problems += violations(staff)
    boss = axe_page(chromium, viewport=SIZES[size], color_scheme="dark" if size == "phone" else "light")
    sign_in_page(boss, live_tracker, "maria@clinic.example")
    boss.goto(f"{live_tracker}/manager/certifications/{record}")
    preview = boss.locator(".card-preview img")
    assert preview.evaluate("img => img.complete && img.naturalWidth") == 40  # served through the protected route
    assert fits_the_screen(boss)
    problems += violations(boss)
    assert problems == []
