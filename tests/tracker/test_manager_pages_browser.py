"""The manager's pages on the demo office in Chromium, at desktop and phone widths: the dashboard is
short enough to work from the top, and the dashboard, matrix, person and session pages pass axe-core."""

from __future__ import annotations

import re

import pytest
from axe_helpers import axe_page, violations
from browser_helpers import serving
from conftest import empty_tables
from page_helpers import DESKTOP, PHONE, sign_in_page
from tracker_helpers import make_app

from tracker.config import REPO_ROOT
from tracker.services.demo_practice import MANAGER_EMAIL, MANAGER_PASSWORD
from tracker.storage.db import db

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# The dashboard was 6,500 px tall at desktop and 11,000 px on a phone before needs-attention-first.
MOST_HEIGHT = {"desktop": 3200, "phone": 5400}


@pytest.fixture(scope="module")
def demo_tracker(database_url, backend):
    """The real content with the demo office, served on a free loopback port; its base URL.

    Seeded once for the module (a minute of work): its tests only read, so they can share it.
    """
    if backend != "sqlite":
        pytest.skip("the pages do not depend on the database backend")
    from werkzeug.serving import make_server

    empty_tables(database_url)
    app = make_app(database_url, TRACKER_CONTENT_DIR=REPO_ROOT)
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    server = make_server("127.0.0.1", 0, app, threaded=True)
    with serving(server, f"http://127.0.0.1:{server.server_port}") as url:
        yield url
    with app.app_context():
        db.engine.dispose()


def manager_pages(page, base_url: str) -> list[str]:
    """The dashboard, the matrix, the first overdue person's page and a session record."""
    page.goto(f"{base_url}/manager/dashboard")
    person = page.locator("#attention-heading ~ .table-wrap a").first.get_attribute("href")
    page.goto(f"{base_url}/manager/sessions")
    session = page.locator("main table a").first.get_attribute("href")
    return [f"{base_url}/manager/dashboard", f"{base_url}/manager/matrix", base_url + person, base_url + session,
            f"{base_url}/manager/staff", f"{base_url}/manager/dashboard?as_of=2099-03-15",
            f"{base_url}/manager/dashboard?as_of=2026-13-01"]


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_the_manager_pages_read_from_the_top_and_pass_axe(demo_tracker, chromium, width):
    page = axe_page(chromium, viewport=DESKTOP if width == "desktop" else PHONE)
    try:
        sign_in_page(page, demo_tracker, MANAGER_EMAIL, MANAGER_PASSWORD)
        page.goto(f"{demo_tracker}/manager/dashboard")
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height < MOST_HEIGHT[width], height
        headings = page.locator("main h2").all_inner_texts()
        assert headings[0] == "Needs attention" and headings[1] == "Last 12 months"
        assert page.locator(".attention a[href*='/manager/staff/']").count() > 0
        # A date never breaks across lines.
        for box in page.locator("main time").evaluate_all("els => els.map(e => e.getClientRects().length)"):
            assert box <= 1
        problems = []
        for url in manager_pages(page, demo_tracker):
            problems += violations(page, url)
        assert page.locator("h1").inner_text() == "That date cannot be shown"
    finally:
        page.close()
    assert problems == []


def test_sorting_works_without_javascript(demo_tracker, chromium):
    context = chromium.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in_page(page, demo_tracker, MANAGER_EMAIL, MANAGER_PASSWORD)
        page.goto(f"{demo_tracker}/manager/staff")
        page.click("table.sortable th >> text=Hired")
        # A click waits only for the next page to start loading; wait for it to load before reading it.
        page.wait_for_url(re.compile(r"sort=hired&dir=asc"))
        assert page.locator("th[aria-sort=ascending]").inner_text().startswith("Hired")
        page.fill("#staff-q", "front desk")
        page.click(".table-filter button")
        page.wait_for_url(re.compile(r"q=front\+desk"))
        assert page.locator("table.sortable tbody tr").count() >= 1
    finally:
        context.close()
