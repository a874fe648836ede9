"""axe-core (bundled by axe-playwright-python) in a Playwright page: WCAG 2.2 AA checks, full default rules."""

from __future__ import annotations

import pytest


def axe_page(browser, **options):
    """A new page that loads axe-core into every document it opens (injected once, not per check)."""
    sync = pytest.importorskip("axe_playwright_python.sync_playwright")
    page = browser.new_page(**options)
    page.add_init_script(sync.Axe().axe_script)
    return page


def violations(page, url: str | None = None) -> list[str]:
    """axe's violations on ``url`` (or the page as it is), one readable line each."""
    if url is not None:
        page.goto(url)
    found = page.evaluate("axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)")
    return [f"{page.url}: {v['id']} ({v['help']}) at {[n['target'] for n in v['nodes'][:5]]}" for v in found]
