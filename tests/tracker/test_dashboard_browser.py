"""The manager's dashboard in headless Chromium, under the real CSP: filter the matrix, download the CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from browser_helpers import ARTIFACTS
from dashboard_helpers import known_office
from tracker_helpers import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def base_url(live_tracker):
    return live_tracker


@pytest.fixture
def browser_page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    yield context.new_page()
    context.close()


def test_a_manager_filters_the_matrix_to_overdue_and_downloads_it(app, manager, base_url, browser_page):
    known_office(app, manager)
    page = browser_page
    blocked = []
    page.on("console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text
            else None)
    page.goto(f"{base_url}/manager/dashboard")
    page.fill("#email", "maria@clinic.example")
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/manager/dashboard")
    assert page.locator("h1").inner_text() == "Compliance dashboard"
    assert page.locator(".chart polyline").count() == 3  # all locations, then each of the two
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "tracker-dashboard.png"), full_page=True)

    page.click("text=Open the matrix")
    page.select_option("#status", "overdue")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/manager/matrix?*status=overdue*")
    assert page.locator("th.matrix-person").all_inner_texts() == ["Ben Ortiz\nNorthgate clinic"]
    assert page.locator("td.cell-overdue").count() == 3
    page.screenshot(path=str(ARTIFACTS / "tracker-matrix-overdue.png"), full_page=True)

    with page.expect_download() as download_info:
        page.click("text=Download CSV")
    download = download_info.value
    assert download.suggested_filename.startswith("compliance-matrix-")
    text = Path(download.path()).read_text("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {(r["staff_name"], r["requirement_id"], r["status"]) for r in rows} == {
        ("Ben Ortiz", "minimum-necessary", "overdue"), ("Ben Ortiz", "hipaa-basics", "overdue"),
        ("Ben Ortiz", "bls", "overdue")}

    page.click("th.matrix-person a")  # the person page: the records behind each status
    page.wait_for_url("**/manager/staff/*")
    assert page.locator("#certification-bls .badge-overdue").is_visible()
    assert blocked == []
