"""The built site in headless Chromium: search, the phone's menu on a policy page, and a printed policy."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from browser_helpers import ARTIFACTS, served
from test_site_build import FIXTURE, build_fixture_site

from portal.loader import load_catalogue

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    site = tmp_path_factory.mktemp("browser") / "site"
    result = build_fixture_site(site)
    assert result.returncode == 0, result.stdout + result.stderr
    with served(site) as url:
        yield url


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


def test_the_phone_menu_on_a_policy_page_lists_the_categorys_policies(base_url, chromium):
    """On a phone the menu opens at the policy's category: its panel lists the category's policies."""
    phone = chromium.new_page(viewport={"width": 375, "height": 740})
    try:
        phone.goto(base_url + "policies/privacy/fax-handling/")
        phone.locator("label.md-header__button[for=__drawer]").click()
        panel = phone.locator('nav.md-nav[aria-label="Privacy & records"]').first
        links = panel.locator("a.md-nav__link:visible")
        links.first.wait_for(state="visible")
        assert {t.strip() for t in links.all_inner_texts()} >= {"Visitor log", 'Fax | mail <handling> & "phones"'}
        links.filter(has_text="Visitor log").click()
        phone.wait_for_url("**/policies/privacy/visitor-log/")
    finally:
        phone.close()


def test_a_printed_policy_names_the_office_title_version_and_when_and_where_it_was_printed(base_url, page):
    policy = load_catalogue(FIXTURE).policies["fax-handling"]
    page.goto(base_url + "policies/privacy/fax-handling/")
    header = page.locator(".portal-print-header")
    assert not header.is_visible()  # on screen the panel of facts says it
    page.emulate_media(media="print")
    assert header.is_visible()
    said = header.evaluate("el => getComputedStyle(el, '::before').content + getComputedStyle(el, '::after').content")
    # getComputedStyle gives the content as a CSS string: quotes in it are escaped.
    for expected in ("Fixture Family Practice", policy.title.replace('"', '\\"'), f"Version {policy.version}",
                     f"effective {policy.effective_date.isoformat()}", f"Printed {date.today().isoformat()}",
                     f"from {base_url}policies/privacy/fax-handling/"):
        assert expected in said, expected
    assert page.locator(".md-header").is_hidden()
