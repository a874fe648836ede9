"""axe-core (bundled by axe-playwright-python) in a Playwright page: WCAG 2.2 AA checks, full default rules."""

from __future__ import annotations

import pytest

# Colours are checked once transitions have ended: mid-fade (the site's header swapping its title for the page's
# as the page scrolls) a text is partly transparent, and its contrast is a moment's, not the page's.
# An endless animation would never end, so the wait stops after two seconds.
SETTLED_THEN_AXE = """
Promise.race([
  Promise.all(document.getAnimations().map(a => a.finished.catch(() => null))),
  new Promise(resolve => setTimeout(resolve, 2000)),
]).then(() => axe.run(document, {resultTypes: ['violations']})).then(r => r.violations)
"""


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
    found = page.evaluate(SETTLED_THEN_AXE)
    return [f"{page.url}: {v['id']} ({v['help']}) at {[n['target'] for n in v['nodes'][:5]]}" for v in found]
