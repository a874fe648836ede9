"""Office duties in headless Chromium: the privacy officer records the quarterly access review, and
the manager sees it go from overdue to done and finds it in the evidence pack."""

from __future__ import annotations

import zipfile
from datetime import date, datetime, time, timedelta

import pytest
from browser_helpers import ARTIFACTS
from sqlalchemy import update
from tracker_helpers import PASSWORD, add_person

from tracker.storage.db import db
from tracker.storage.models import DutySchedule

pytestmark = pytest.mark.browser
DUTY = "Review who can see patient records"


@pytest.fixture
def office(app):
    add_person(app, "maria@clinic.example", "Maria Lopez", account_role="manager", roles=("office-manager",))
    add_person(app, "pat@clinic.example", "Pat Privacy", roles=("front-desk", "privacy-officer"))
    with app.app_context():  # followed for 200 days and never done: overdue
        moment = datetime.combine(date.today() - timedelta(days=200), time(12)).astimezone()
        db.session.execute(update(DutySchedule).where(DutySchedule.duty_id == "quarterly-access-review")
                           .values(in_force_from=moment))
        db.session.commit()


def signed_in(chromium, base_url, email, path):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{base_url}{path}")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{path}")
    return context, page


def duty_row(page):
    """The duty's row in the dashboard's office duties section, folded by default: opened first."""
    section = page.locator("details", has=page.locator("#duties-heading"))
    if section.count() and not section.first.evaluate("d => d.open"):
        section.first.locator("summary").first.click()
    return page.locator("#duties-heading + p + ul + div table tr", has_text=DUTY)


def test_the_privacy_officer_records_the_access_review_and_the_manager_sees_it(app, office, live_tracker, chromium,
                                                                             tmp_path):
    manager_context, manager = signed_in(chromium, live_tracker, "maria@clinic.example", "/manager/dashboard")
    assert duty_row(manager).locator(".badge-overdue").is_visible()

    officer_context, officer = signed_in(chromium, live_tracker, "pat@clinic.example", "/duties")
    item = officer.locator("li.item", has_text=DUTY)
    assert item.locator(".badge-overdue").is_visible()
    assert officer.locator("li.item").count() == 2  # the review, and the policy's own review by its owner
    item.locator("textarea[name=note]").fill("Compared EHR users with the roster; removed one account.")
    item.locator("input[type=file]").set_input_files(
        files=[{"name": "access-review.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 signed review"}])
    item.locator("button[type=submit]").click()
    officer.wait_for_url("**/duties#duty-quarterly-access-review")
    assert "Recorded." in officer.locator(".flash").inner_text()
    assert officer.locator("li.item", has_text=DUTY).locator(".badge-compliant").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    officer.screenshot(path=str(ARTIFACTS / "tracker-office-duties.png"), full_page=True)

    manager.reload()
    assert duty_row(manager).count() == 0  # done: no longer among the duties to do
    manager.goto(f"{live_tracker}/duties")
    assert manager.locator("li.item", has_text=DUTY).locator(".badge-compliant").is_visible()
    manager.goto(f"{live_tracker}/manager/exports")
    with manager.expect_download() as download_info:
        manager.click("text=Download the evidence pack")
    pack = zipfile.ZipFile(download_info.value.path())
    register = pack.read("office-duties/completions.csv").decode("utf-8-sig")
    assert "quarterly-access-review" in register and "Pat Privacy" in register and "access-review.pdf" in register
    assert any(name.startswith("office-duties/attachments/") for name in pack.namelist())
    officer_context.close()
    manager_context.close()
