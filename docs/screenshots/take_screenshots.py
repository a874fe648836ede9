"""Take the README's screenshots of the three users' key screens, from the demo practice.

    .venv/bin/python docs/screenshots/take_screenshots.py

Builds the site and a fresh demo tracker in a scratch folder (the same steps as ``python -m tracker.demo``),
serves both on free loopback ports, signs in as the new hire, the front-desk member of staff and the
manager in headless Chromium, and writes PNG files beside this script. Run it after changing a screen
so the README shows what a user sees. Needs Chromium (``CHROMIUM``, default /usr/bin/chromium).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@dataclass(frozen=True)
class Shot:
    """One screenshot: who is signed in (None: the public site), where, at which size, what to do first."""

    name: str
    who: str | None
    path: str
    viewport: dict[str, int]
    on_site: bool = False
    prepare: Callable | None = None


def _open_what_changed(page) -> None:
    """From the to-do page, the first policy to sign again, with its redline opened."""
    link = page.locator("main a[href$='#what-changed']")
    if link.count():
        link.first.click()
        page.wait_for_load_state("networkidle")
        page.locator("#what-changed summary").first.click()
        page.locator("#what-changed").scroll_into_view_if_needed()


def shots(accounts: dict[str, str]) -> list[Shot]:
    new_hire, staff, manager = accounts["new hire"], accounts["staff"], accounts["manager"]
    return [
        Shot("site-role-path", None, "roles/medical-assistant/", DESKTOP, on_site=True),
        Shot("new-hire-to-do-phone", new_hire, "/", PHONE),
        Shot("staff-to-do", staff, "/", DESKTOP),
        Shot("staff-what-changed", staff, "/", DESKTOP, prepare=_open_what_changed),
        Shot("manager-dashboard", manager, "/manager/dashboard", DESKTOP),
        Shot("manager-dashboard-phone", manager, "/manager/dashboard", PHONE),
    ]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder for the PNG files (default: beside this script)")
    parser.add_argument("--chromium", type=Path, default=Path(os.environ.get("CHROMIUM", "/usr/bin/chromium")))
    return parser.parse_args(argv)


@contextmanager
def _served(server) -> Iterator[str]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


@contextmanager
def demo_servers(scratch: Path) -> Iterator[tuple[str, str]]:
    """The demo site and tracker, prepared in ``scratch`` and served on free ports: (site URL, tracker URL)."""
    import functools
    import logging

    from werkzeug.serving import make_server

    from tracker import demo

    site_dir, database = scratch / "site", scratch / "tracker.db"
    print("Building the site and the demo practice (a minute or two)...", flush=True)
    demo.build_site(REPO, site_dir)
    app, _lines = demo.prepare_tracker(REPO, database)
    site = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(demo._QuietHandler, directory=str(site_dir)))
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request would hide the progress
    tracker = make_server("127.0.0.1", 0, app, threaded=True)
    with _served(site) as site_url, _served(tracker) as tracker_url:
        yield site_url, tracker_url


def sign_in(page, tracker_url: str, email: str, password: str) -> None:
    page.goto(f"{tracker_url}/sign-in")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def take(browser, shot: Shot, site_url: str, tracker_url: str, passwords: dict[str, str], out: Path) -> Path:
    context = browser.new_context(viewport=shot.viewport, device_scale_factor=1)
    page = context.new_page()
    try:
        if shot.who:
            sign_in(page, tracker_url, shot.who, passwords[shot.who])
        page.goto(f"{site_url}/{shot.path}" if shot.on_site else f"{tracker_url}{shot.path}")
        page.wait_for_load_state("networkidle")
        if shot.prepare:
            shot.prepare(page)
        target = out / f"{shot.name}.png"
        page.screenshot(path=str(target), full_page=False)
        return target
    finally:
        context.close()


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if not args.chromium.exists():
        sys.exit(f"Chromium was not found at {args.chromium}: install it (apt-get install chromium) or set CHROMIUM.")
    from playwright.sync_api import sync_playwright

    from tracker.services.demo_practice import (
        KNOWN_PASSWORDS,
        MANAGER_EMAIL,
        NEW_HIRE_EMAIL,
        STAFF_EMAIL,
    )

    roles = {"new hire": NEW_HIRE_EMAIL, "staff": STAFF_EMAIL, "manager": MANAGER_EMAIL}
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch, demo_servers(Path(scratch)) as (site_url, tracker_url), \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(args.chromium), args=["--headless", "--no-sandbox"])
        for shot in shots(roles):
            print(f"  {take(browser, shot, site_url, tracker_url, KNOWN_PASSWORDS, args.out).name}", flush=True)
        browser.close()


if __name__ == "__main__":
    main()
