"""Signing from a phone: the pages in headless Chromium at 375 px wide, under the real CSP."""

from __future__ import annotations

import pytest
from browser_helpers import ARTIFACTS
from page_helpers import fits_the_screen
from tracker_helpers import CONTENT, PASSWORD

from portal import load_catalogue

PHONE = {"width": 375, "height": 740}

pytestmark = pytest.mark.browser


@pytest.fixture
def base_url(live_tracker):
    return live_tracker


@pytest.fixture
def phone(chromium):
    page = chromium.new_page(viewport=PHONE)
    yield page
    page.close()


def test_front_desk_staff_sign_a_policy_from_a_phone(base_url, phone, staff_member):
    blocked = []
    phone.on("console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text
             else None)
    policy = load_catalogue(CONTENT).policies["minimum-necessary"]
    phone.goto(f"{base_url}/ack/{policy.id}?version={policy.version}&fingerprint={policy.fingerprint}")
    assert "/sign-in" in phone.url and fits_the_screen(phone)
    phone.fill("#email", "sam@clinic.example")
    phone.fill("#password", PASSWORD)
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/policies/minimum-necessary")
    assert phone.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor") == \
        "rgb(0, 105, 92)"  # the stylesheet loaded under the CSP: the site's deep teal
    assert fits_the_screen(phone)
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "tracker-policy-375.png"), full_page=True)

    phone.click("section.sign button[type=submit]")  # nothing ticked or typed: errors, nothing signed
    assert phone.locator("#agree-error-1").is_visible() and phone.locator("#signature_name-error-1").is_visible()
    assert fits_the_screen(phone)

    phone.focus("#agree")
    phone.keyboard.press("Space")  # the checkbox works from the keyboard
    assert phone.is_checked("#agree")
    phone.fill("#signature_name", "sam carter")
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/acknowledgements/*")
    assert phone.locator("text=Your acknowledgement is recorded.").is_visible()
    assert fits_the_screen(phone)
    phone.screenshot(path=str(ARTIFACTS / "tracker-receipt-375.png"), full_page=True)

    phone.goto(f"{base_url}/policies")
    assert phone.locator(".badge-compliant").count() == 1 and fits_the_screen(phone)
    assert blocked == []
