"""The shipped site under axe-core (WCAG 2.2 AA): every page, with axe's full default rule set.

The repository's own content is built once; the pages are split into shards so pytest-xdist spreads
them over its workers, and each shard checks its pages one after another in one browser page.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_helpers import axe_page, violations
from browser_helpers import served
from test_site_build import ROOT, portal

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHARDS = 4
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}
# One page of each kind, for the checks in dark mode and at a phone's width.
PAGE_KINDS = ["", "404.html", "policies/", "policies/hipaa-privacy/", "policies/hipaa-privacy/minimum-necessary/",
              "training/", "training/osha-bloodborne-pathogens/", "roles/front-desk/", "certifications/",
              "coverage/", "operations/", "benchmarks/"]


@pytest.fixture(scope="session")
def shipped_site(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("shipped") / "site"
    result = portal("build", ROOT, "--site-dir", site)
    assert result.returncode == 0, result.stdout + result.stderr
    return site


@pytest.fixture(scope="session")
def site_url(shipped_site):
    with served(shipped_site) as url:
        yield url


def site_pages(site: Path) -> list[str]:
    """Every HTML page of the built site, as a path under its root ('' for the home page)."""
    pages = []
    for file in sorted(site.rglob("*.html")):
        path = file.relative_to(site).as_posix()
        pages.append(path.removesuffix("index.html"))
    return pages


@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_page_of_the_site_has_no_axe_violations(shipped_site, site_url, chromium, shard):
    pages = site_pages(shipped_site)
    assert len(pages) > 80  # the whole shipped site, not a sample
    page = axe_page(chromium, viewport=DESKTOP)
    try:
        problems = [p for path in pages[shard::SHARDS] for p in violations(page, site_url + path)]
    finally:
        page.close()
    assert problems == []


@pytest.mark.parametrize(("scheme", "viewport"), [("dark", DESKTOP), ("light", PHONE), ("dark", PHONE)])
def test_each_kind_of_page_passes_in_dark_mode_and_on_a_phone(shipped_site, site_url, chromium, scheme, viewport):
    assert set(PAGE_KINDS) <= set(site_pages(shipped_site))
    page = axe_page(chromium, viewport=viewport, color_scheme=scheme)
    try:
        problems = [p for path in PAGE_KINDS for p in violations(page, site_url + path)]
    finally:
        page.close()
    assert problems == []


def test_the_shared_palette_and_logo_are_in_place(shipped_site, site_url, chromium):
    """The header is the shared deep teal, system fonts, the office logo as logo and favicon."""
    page = chromium.new_page(viewport=DESKTOP)
    try:
        page.goto(site_url)
        header = "getComputedStyle(document.querySelector('.md-header'))"
        assert page.evaluate(f"{header}.backgroundColor") == "rgb(0, 105, 92)"
        assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith("system-ui")
        assert page.locator("link[rel=icon]").get_attribute("href").endswith("assets/logo.svg")
        assert page.locator(".md-header .md-logo img").get_attribute("src").endswith("assets/logo.svg")
    finally:
        page.close()
