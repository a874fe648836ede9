"""Fixtures shared by every test folder: headless Chromium and a live tracker for browser tests."""

from __future__ import annotations

import pytest
from browser_helpers import CHROMIUM, CHROMIUM_ARGS, serving


def pytest_collection_modifyitems(items):
    """The slow tests first (a stable sort keeps the rest in order): started last, one of them would
    keep a worker busy for a minute while the others had nothing left to do."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright; the test skips, saying why, where it is missing."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def live_tracker(app, backend):
    """The test's tracker app served on a free loopback port; its base URL."""
    if backend != "sqlite":
        pytest.skip("the pages do not depend on the database backend")
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    with serving(server, f"http://127.0.0.1:{server.server_port}") as url:
        yield url
