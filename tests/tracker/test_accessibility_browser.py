"""Every tracker page under axe-core (WCAG 2.2 AA), for a member of staff and for a manager.

Each role signs in and walks the tracker from its landing page, following every link on every page;
each kind of page (one Flask endpoint) is checked once per role with axe's full default rule set, in
light and dark mode. The office has records of every kind, so each page shows its full content.
"""

from __future__ import annotations

from collections import deque
from datetime import timedelta
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from axe_helpers import axe_page, violations
from dashboard_helpers import TODAY, add_card, days_ago, hold_session, known_office, pass_quiz, sign
from page_helpers import sign_in_page
from training_helpers import BBP, extend_content
from werkzeug.exceptions import HTTPException

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DESKTOP = {"width": 1280, "height": 900}
# Pages no link leads to, before signing in.
UNLINKED = ["/sign-in", "/password/forgot", "/no-such-page"]
# Pages a form leads to, or shows again with its errors: (page, the button pressed there), per role.
FORM_STATES = {
    "staff": [("/training/hipaa-basics", "text=Start the quiz"), ("/policies/sharps-disposal", "section.sign button")],
    "manager": [("/manager/sessions/new", "form.form button[type=submit]"),
                ("/manager/staff/new", "form.form button[type=submit]"),
                ("/manager/certifications/new", "form.form button[type=submit]")],
}


def endpoint(app, url: str) -> str | None:
    """The Flask endpoint serving ``url``, or None for a link that leads nowhere in the tracker."""
    try:
        return app.url_map.bind("localhost").match(urlsplit(url).path, method="GET")[0]
    except HTTPException:
        return None


def pages_of_each_kind(app, page, base_url: str) -> dict[str, str]:
    """One URL per endpoint reachable by links from the landing page, HTML pages only."""
    found: dict[str, str] = {}
    queue = deque([f"{base_url}/"])
    while queue:
        url = queue.popleft()
        kind = endpoint(app, url)
        if kind is None or kind in found or kind == "static" or kind.startswith("api."):
            continue
        response = page.request.get(url)
        if "text/html" not in response.headers.get("content-type", ""):
            continue  # a download: CSV, calendar feed, evidence pack
        found[kind] = url
        page.goto(url)
        links = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        queue.extend(link.split("#")[0] for link in links if link.startswith(base_url))
    return found


def form_state_problems(page, base_url: str, role: str) -> list[str]:
    problems = []
    for path, button in FORM_STATES[role]:
        page.goto(base_url + path)
        with page.expect_navigation():
            page.locator(button).first.click()
        problems += violations(page)
    return problems


def office_with_every_record(app, tmp_path, staff_member: int, manager: int) -> None:
    """Records of every kind, some of them Sam's own, so his pages have receipts and results too."""
    extend_content(app, tmp_path)  # an in-person module, for a training session
    known_office(app, manager)
    sign(app, staff_member, "minimum-necessary", days_ago(1))
    pass_quiz(app, staff_member, "hipaa-basics", days_ago(1))
    add_card(app, staff_member, "bls", days_ago(20), TODAY + timedelta(days=700))
    hold_session(app, BBP, days_ago(2), [staff_member])


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("email", ["sam@clinic.example", "maria@clinic.example"])
def test_every_tracker_page_has_no_axe_violations(app, tmp_path, staff_member, manager, live_tracker, chromium,
                                                  email, scheme):
    office_with_every_record(app, tmp_path, staff_member, manager)
    page = axe_page(chromium, viewport=DESKTOP, color_scheme=scheme)
    try:
        problems = [p for path in UNLINKED for p in violations(page, live_tracker + path)]
        sign_in_page(page, live_tracker, email)
        kinds = pages_of_each_kind(app, page, live_tracker)
        for url in kinds.values():
            problems += violations(page, url)
        problems += form_state_problems(page, live_tracker, "manager" if email.startswith("maria") else "staff")
    finally:
        page.close()
    assert problems == []
    if email.startswith("maria"):
        assert {"dashboard.dashboard", "manager.staff_list", "manager.policy_list"} <= set(kinds)
    else:
        assert {"policies.index", "training.index", "certifications.mine"} <= set(kinds)
        assert not any(kind.startswith(("dashboard.", "manager.")) for kind in kinds)


def test_every_page_shows_the_office_logo_and_its_favicon_loads(app, staff_member, live_tracker, chromium):
    page = chromium.new_page(viewport=DESKTOP)
    missing = []
    page.on("response", lambda response: missing.append(response.url) if response.status == 404 else None)
    try:
        sign_in_page(page, live_tracker, "sam@clinic.example")
        page.goto(f"{live_tracker}/policies")
        icon = page.locator("link[rel=icon]").get_attribute("href")
        assert page.request.get(urljoin(live_tracker, icon)).ok
        assert page.locator(".site-header .office img").evaluate("img => img.naturalWidth") > 0
        assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor") == \
            "rgb(0, 105, 92)"  # the site's header teal
    finally:
        page.close()
    assert missing == []


def test_the_tracker_shows_the_sites_logo():
    """One office logo: the tracker serves the same file as the site (docs/assets/logo.svg)."""
    root = Path(__file__).resolve().parents[2]
    assert (root / "tracker/web/static/logo.svg").read_bytes() == (root / "docs/assets/logo.svg").read_bytes()
