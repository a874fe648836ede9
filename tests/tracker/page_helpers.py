"""What the tracker's browser tests share: the two widths the issue names, signing in, fitting the screen."""

from __future__ import annotations

from tracker_helpers import PASSWORD

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SIZES = {"desktop": DESKTOP, "phone": PHONE}


def sign_in_page(page, base_url: str, email: str, password: str = PASSWORD) -> None:
    """Sign in through the form; returns once the browser has left the sign-in page."""
    page.goto(f"{base_url}/sign-in")
    page.fill("#email", email)
    page.fill("#password", password)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/sign-in" not in url)


def fits_the_screen(page) -> bool:
    """No sideways scrolling. Waits for the page a click may still be loading: mid-navigation there is no document."""
    page.wait_for_load_state()
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
