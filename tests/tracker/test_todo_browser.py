"""The to-do page in a browser: axe-core at desktop and phone widths, the done list unfolding, one-row navigation."""

from __future__ import annotations

import pytest
from axe_helpers import axe_page, violations
from dashboard_helpers import add_card, days_ago, sign
from page_helpers import DESKTOP, PHONE, sign_in_page
from tracker_helpers import add_person

from tracker.storage.db import today

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def everyone(app, manager: int) -> None:
    """Ava has an item in each group; Nia starts today."""
    ava = add_person(app, "ava@clinic.example", "Ava Quinn", roles=("medical-assistant",), hire_date=days_ago(20))
    sign(app, ava, "minimum-necessary", days_ago(2))
    add_card(app, ava, "bls", days_ago(700), days_ago(-10))
    add_person(app, "nia@clinic.example", "Nia Brooks", hire_date=today())


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_to_do_page_has_no_axe_violations(app, manager, live_tracker, chromium, viewport, scheme):
    everyone(app, manager)
    problems: list[str] = []
    for email in ("ava@clinic.example", "nia@clinic.example", "maria@clinic.example"):
        page = axe_page(chromium, viewport=viewport, color_scheme=scheme)
        try:
            sign_in_page(page, live_tracker, email)
            problems += violations(page, f"{live_tracker}/")
            if email.startswith("ava"):
                page.get_by_text("Show the 1 done").click()  # the folded list, open
                assert page.get_by_text("You signed version 3 of Minimum necessary").is_visible()
                problems += violations(page)
                problems += violations(page, f"{live_tracker}/policies")
            else:
                assert page.locator("h1").inner_text().startswith(
                    "Welcome to" if email.startswith("nia") else "To do")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], f"{email}: the page scrolls sideways ({width}px)"
        finally:
            page.close()
    assert problems == []


def test_the_navigation_is_one_row_at_desktop(app, manager, live_tracker, chromium):
    page = chromium.new_page(viewport=DESKTOP)
    try:
        sign_in_page(page, live_tracker, "maria@clinic.example")  # a manager: the longest navigation
        page.goto(f"{live_tracker}/")
        tops = page.eval_on_selector_all(".nav li", "items => items.map(li => li.getBoundingClientRect().top)")
        assert len(tops) >= 10 and len(set(tops)) == 1, tops
        assert page.locator(".nav li a").first.inner_text() == "To do"
    finally:
        page.close()
