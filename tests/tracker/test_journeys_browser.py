"""The three users' journeys in headless Chromium, at desktop and phone width, with axe-core on every page.

The new hire reads the role's path on the site and signs a changed policy after seeing what changed; the
member of staff takes a quiz and uploads a card; the manager works the dashboard from the top, sends a
reminder (caught by a local SMTP server), verifies the card and downloads the evidence pack holding it.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from axe_helpers import axe_page, violations
from browser_helpers import served
from dashboard_helpers import sign
from journey_helpers import PNG_CARD, card_record, journey_content
from page_helpers import SIZES, fits_the_screen, sign_in_page
from test_site_build import build_fixture_site
from tracker_helpers import add_person
from training_helpers import BBP

from tracker.storage.db import db, today
from tracker.storage.models import CertificationRecord

pytestmark = pytest.mark.browser

POLICY = "minimum-necessary"


@pytest.fixture(params=sorted(SIZES))
def size(request) -> dict[str, int]:
    return SIZES[request.param]


@pytest.fixture
def page(chromium, size):
    page = axe_page(chromium, viewport=size)
    yield page
    page.close()


class Walk:
    """A page that checks axe and the screen's width at each stop of a journey."""

    def __init__(self, page):
        self.page, self.found = page, []

    def stop(self, url: str | None = None) -> None:
        if url is not None:
            self.page.goto(url)
        self.page.wait_for_load_state()
        self.found += violations(self.page)
        assert fits_the_screen(self.page), f"{self.page.url} scrolls sideways"


def test_the_new_hire_reads_the_role_path_then_signs_a_changed_policy(app, runner, tmp_path, live_tracker, page):
    content = journey_content(app, runner, tmp_path)
    add_person(app, "kim@clinic.example", "Kim Nguyen", roles=("medical-assistant",), hire_date=today())
    site = tmp_path / "site"
    result = build_fixture_site(site, content)
    assert result.returncode == 0, result.stdout + result.stderr
    walk = Walk(page)
    with served(site) as site_url:
        walk.stop(f"{site_url}roles/medical-assistant/")
        assert "Medical assistant" in page.locator("h1").inner_text()
        page.locator(f"main a[href*='{POLICY}']").first.click()
        page.wait_for_url(f"**/{POLICY}/")
        page.get_by_text("See what changed from version 3").click()
        assert page.locator("ins").first.is_visible()
        walk.stop()

    sign_in_page(page, live_tracker, "kim@clinic.example")
    assert page.url == f"{live_tracker}/"  # signing in lands on the to-do page
    assert page.locator("#first-day").is_visible()
    walk.stop()
    page.locator(f"main a[href='/policies/{POLICY}']").first.click()
    page.wait_for_url(f"**/policies/{POLICY}")
    walk.stop()
    page.check("#agree")
    page.fill("#signature_name", "Kim Nguyen")
    page.locator("section.sign button[type=submit]").click()
    page.wait_for_url("**/acknowledgements/*")
    assert page.get_by_text("Your acknowledgement is recorded.").is_visible()
    walk.stop()
    walk.stop(f"{live_tracker}/")
    assert page.get_by_text("You signed version 4 of").count() == 1
    assert walk.found == []


def test_a_member_of_staff_signs_again_after_the_redline_takes_a_quiz_and_uploads_a_card(
        app, runner, tmp_path, live_tracker, page, manager):
    alex = add_person(app, "alex@clinic.example", "Alex Kim", roles=("medical-assistant",),
                      hire_date=today() - timedelta(days=400))
    sign(app, alex, POLICY)  # version 3, before the change
    journey_content(app, runner, tmp_path)
    walk = Walk(page)
    sign_in_page(page, live_tracker, "alex@clinic.example")
    assert page.url == f"{live_tracker}/"  # signing in lands on the to-do page
    walk.stop()
    page.locator(f"main a[href='/policies/{POLICY}#what-changed']").first.click()
    page.wait_for_url(f"**/policies/{POLICY}#what-changed")
    page.locator("#what-changed summary").first.click()
    assert page.locator("#what-changed ins").first.is_visible()
    walk.stop()
    page.check("#agree")
    page.fill("#signature_name", "Alex Kim")
    page.locator("section.sign button[type=submit]").click()
    page.wait_for_url("**/acknowledgements/*")
    walk.stop(f"{live_tracker}/")
    page.locator(f"main a[href='/training/{BBP}']").first.click()
    page.get_by_text("Start the quiz").click()
    page.wait_for_url("**/training/quiz/*")
    walk.stop()
    page.check("#answer-first-step-wash")
    page.check("#answer-ppe-gloves")
    page.check("#answer-ppe-goggles")
    page.check("#answer-vaccine-free-true")
    page.locator("form.quiz button[type=submit]").click()
    page.wait_for_url("**/training/attempts/*")
    assert page.get_by_text("100% (3 of 3 right)").is_visible()
    walk.stop()

    card_record(app, "alex@clinic.example")
    walk.stop(f"{live_tracker}/certifications")
    page.get_by_text("Upload a photo or scan of the card").first.click()
    page.wait_for_url("**/cards")
    walk.stop()
    page.set_input_files("#card", files=[{"name": "bls-card.png", "mimeType": "image/png", "buffer": PNG_CARD}])
    page.get_by_role("button", name="Upload the card").click()
    page.wait_for_load_state()
    assert page.get_by_text("The card is on file with the record").is_visible()
    walk.stop()
    assert walk.found == []


def test_the_manager_works_the_dashboard_sends_a_reminder_verifies_a_card_and_downloads_the_pack(
        app, runner, tmp_path, live_tracker, page, manager, inbox):
    journey_content(app, runner, tmp_path)
    add_person(app, "late@clinic.example", "Lee Late", hire_date=date(2025, 1, 6))
    record_id = card_record(app, "late@clinic.example", upload=PNG_CARD)
    walk = Walk(page)
    sign_in_page(page, live_tracker, "maria@clinic.example")
    assert page.url == f"{live_tracker}/"  # signing in lands on the to-do page
    walk.stop(f"{live_tracker}/manager/dashboard")
    first_section = page.locator("main h2").first.inner_text()
    assert "attention" in first_section.lower(), first_section
    page.locator("main form[action$='/remind'] button").first.click()
    page.wait_for_load_state()
    walk.stop()
    assert [m["Subject"] for m in inbox.to("late@clinic.example")], "no reminder reached the SMTP server"

    walk.stop(f"{live_tracker}/manager/certifications/{record_id}")
    image = page.locator(".card-preview img")
    assert image.first.evaluate("i => i.naturalWidth") == 64  # the card itself, served to the manager
    page.get_by_label("Verified: it is genuine and current").check()
    page.fill("#note", "Checked the card above against the issuer's lookup.")
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_load_state()
    assert page.locator("main li strong", has_text="verified").first.is_visible()
    with app.app_context():
        assert [v.decision for v in db.session.get(CertificationRecord, record_id).verifications] == ["verified"]
    walk.stop()

    walk.stop(f"{live_tracker}/manager/exports")
    with page.expect_download() as download:
        page.locator("a[href*='evidence.zip'], form[action*='evidence.zip'] button").first.click()
    pack = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    digest = hashlib.sha256(PNG_CARD).hexdigest()
    cards = [name for name in pack.namelist() if digest in name or name.endswith(".png")]
    assert cards, pack.namelist()
    assert any(digest in pack.read(name).decode("utf-8", "replace") for name in pack.namelist()
               if name.endswith((".json", ".csv")))
    assert pack.read(cards[0]) == PNG_CARD
    assert walk.found == []
