"""The built site in headless Chromium: search finds a policy, whose Acknowledge link names its text."""

from __future__ import annotations

import functools
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from browser_helpers import ARTIFACTS
from test_site_build import FIXTURE, build_fixture_site

from portal.loader import load_catalogue

pytestmark = pytest.mark.browser


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # keep pytest's output readable
        pass


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    site = tmp_path_factory.mktemp("browser") / "site"
    result = build_fixture_site(site)
    assert result.returncode == 0, result.stdout + result.stderr
    # Port 0: the system picks a free loopback port.
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def page(chromium):
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    yield page
    page.close()


def test_search_opens_a_policy_whose_acknowledge_link_names_its_text(base_url, page):
    policy = load_catalogue(FIXTURE).policies["fax-handling"]
    outside = []

    def only_loopback(route):
        # The site must work offline: anything not served from here is recorded and refused.
        if urlsplit(route.request.url).hostname != "127.0.0.1":
            outside.append(route.request.url)
            return route.abort()
        return route.continue_()

    page.route("**/*", only_loopback)
    page.goto(base_url)
    assert "Start here" in page.title()

    page.locator("label.md-search__icon, .md-search__input").first.click()
    # Keystrokes, not fill(): Material's search reacts to key events.
    page.locator("input.md-search__input").press_sequentially("Fax", delay=50)
    result = page.locator('a.md-search-result__link[href*="fax-handling"]').first
    result.wait_for(state="visible", timeout=15_000)
    result.click()
    page.wait_for_url(re.compile(r"/policies/privacy/fax-handling/"), timeout=15_000)

    panel = page.locator("dl.portal-meta")
    panel.wait_for(state="visible")
    assert "Fax | mail <handling> & \"phones\"" in page.locator("h1").inner_text()
    assert page.locator("dl.portal-meta dt:text-is('Version') + dd").inner_text() == str(policy.version)
    assert page.locator("code.portal-fingerprint").inner_text() == policy.fingerprint

    href = page.get_by_role("link", name="Acknowledge this version").get_attribute("href")
    parts = urlsplit(href)
    assert parts.path.endswith(f"/ack/{policy.id}")
    assert parse_qs(parts.query) == {"version": [str(policy.version)], "fingerprint": [policy.fingerprint]}

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "site-policy-page.png"), full_page=True)
    assert outside == []
