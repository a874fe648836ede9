"""Accounts as people meet them, in headless Chromium: an invitation from the staff form to a first
signature, and a forgotten password whose reset ends the old session and API token."""

from __future__ import annotations

from datetime import date

import pytest
from mail_helpers import local_smtp
from tracker_helpers import PASSWORD, api_token, bearer

pytestmark = pytest.mark.browser

NEW_PASSWORD = "lantern orchard quietly ninety"


@pytest.fixture
def base_url(live_tracker):
    return live_tracker


@pytest.fixture
def inbox(app, base_url):
    with local_smtp(app, base_url) as handler:
        yield handler


@pytest.fixture
def page(chromium):
    tab = chromium.new_page()
    yield tab
    tab.close()


def sign_in(page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/sign-in")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("form.form button[type=submit]")


def choose_password(page, link: str) -> None:
    page.goto(link)
    page.fill("#password", NEW_PASSWORD)
    page.fill("#confirm", NEW_PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/sign-in")


def test_a_new_hire_is_invited_sets_a_password_signs_in_and_signs_a_policy(base_url, page, chromium, inbox,
                                                                           manager):
    sign_in(page, base_url, "maria@clinic.example", PASSWORD)
    page.wait_for_url(f"{base_url}/")  # signed in: the to-do page
    page.goto(f"{base_url}/manager/staff/new")
    page.fill("#name", "Noor Haddad")
    page.fill("#email", "noor@clinic.example")
    page.check("input[name=roles][value=front-desk]")
    page.select_option("#location", "main-street")
    page.fill("#hire_date", date.today().isoformat())
    assert page.is_checked("#invite")  # inviting is the default
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/manager/staff")
    assert page.locator("text=Invitation e-mailed to Noor Haddad").is_visible()

    [link] = inbox.links_to("noor@clinic.example")
    hire = chromium.new_page()
    choose_password(hire, link)
    sign_in(hire, base_url, "noor@clinic.example", NEW_PASSWORD)
    hire.wait_for_url(f"{base_url}/")  # signed in: the to-do page
    hire.goto(f"{base_url}/policies/minimum-necessary")
    hire.check("#agree")
    hire.fill("#signature_name", "Noor Haddad")
    hire.click("section.sign button[type=submit]")
    hire.wait_for_url("**/acknowledgements/*")
    assert hire.locator("text=Your acknowledgement is recorded.").is_visible()
    hire.close()


def test_a_forgotten_password_is_reset_and_the_old_session_and_token_stop_working(app, base_url, page, chromium,
                                                                                   inbox, staff_member):
    old = chromium.new_page()
    sign_in(old, base_url, "sam@clinic.example", PASSWORD)
    old.wait_for_url(f"{base_url}/")  # signed in: the to-do page
    token = api_token(app, "sam@clinic.example")
    assert app.test_client().get("/api/v1/me", headers=bearer(token)).status_code == 200

    page.goto(f"{base_url}/sign-in")
    page.click("text=Forgot your password?")
    page.fill("#email", "sam@clinic.example")
    page.click("form.form button[type=submit]")
    assert page.locator("text=Check your e-mail").is_visible()
    [link] = inbox.links_to("sam@clinic.example")
    choose_password(page, link)
    sign_in(page, base_url, "sam@clinic.example", NEW_PASSWORD)
    page.wait_for_url(f"{base_url}/")  # signed in: the to-do page

    old.goto(f"{base_url}/policies")
    assert "/sign-in" in old.url  # the session from before the reset is over
    assert app.test_client().get("/api/v1/me", headers=bearer(token)).status_code == 401
    old.close()
