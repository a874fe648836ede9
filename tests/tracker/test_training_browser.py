"""Training and certification pages from a phone: headless Chromium at 375 px, under the real CSP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from page_helpers import fits_the_screen
from test_pages_browser import ARTIFACTS, base_url, phone  # noqa: F401  (fixtures)
from tracker_helpers import PASSWORD, add_person
from training_helpers import BBP, extend_content

from tracker.storage.db import today

pytestmark = pytest.mark.browser


def sign_in_on(page, base: str, email: str) -> None:
    page.goto(f"{base}/sign-in")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: url.rstrip("/").count("/") == 2)  # the to-do page, /


def test_a_medical_assistant_takes_the_quiz_from_a_phone(app, tmp_path, base_url, phone):  # noqa: F811
    extend_content(app, tmp_path)
    add_person(app, "alex@clinic.example", "Alex Kim", roles=("medical-assistant",))
    blocked = []
    phone.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    sign_in_on(phone, base_url, "alex@clinic.example")
    phone.click("text=My training")
    phone.click(f"a[href='/training/{BBP}']")
    assert fits_the_screen(phone)
    phone.click("text=Start the quiz")
    phone.wait_for_url("**/training/quiz/*")
    phone.wait_for_load_state()
    assert fits_the_screen(phone)
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "tracker-quiz-375.png"), full_page=True)

    phone.focus("#answer-first-step-wash")
    phone.keyboard.press("Space")  # radios and checkboxes work from the keyboard
    phone.focus("#answer-ppe-gloves")
    phone.keyboard.press("Space")
    phone.check("#answer-ppe-goggles")
    phone.check("#answer-vaccine-free-true")
    assert phone.is_checked("#answer-first-step-wash") and phone.is_checked("#answer-ppe-gloves")
    phone.click("form.quiz button[type=submit]")
    phone.wait_for_url("**/training/attempts/*")
    assert phone.locator("text=100% (3 of 3 right)").is_visible()
    assert phone.locator("text=completed only at an in-person session").is_visible()
    assert fits_the_screen(phone)
    phone.screenshot(path=str(ARTIFACTS / "tracker-quiz-result-375.png"), full_page=True)

    phone.goto(f"{base_url}/certifications")
    assert fits_the_screen(phone)
    assert blocked == []


def test_a_manager_records_a_session_from_a_phone(app, tmp_path, base_url, phone, manager):  # noqa: F811
    extend_content(app, tmp_path)
    add_person(app, "alex@clinic.example", "Alex Kim", roles=("medical-assistant",))
    sign_in_on(phone, base_url, "maria@clinic.example")
    phone.goto(f"{base_url}/manager/sessions/new")
    assert fits_the_screen(phone)
    phone.select_option("#module_id", BBP)
    phone.fill("#held_on", (today() - timedelta(days=1)).isoformat())
    phone.fill("#content_summary", "Elements (A)-(N) of 1910.1030(g)(2)(vii).")
    phone.fill("#trainer_name", "Dr Ana Ruiz")
    phone.fill("#trainer_qualifications", "Physician.")
    phone.check("text=Alex Kim")
    phone.click("main form button[type=submit]")
    phone.wait_for_url("**/manager/sessions/*")
    assert phone.locator("text=Training session record").is_visible() and fits_the_screen(phone)
    phone.screenshot(path=str(ARTIFACTS / "tracker-session-record-375.png"), full_page=True)
    for url in ("/manager/sessions", "/manager/certifications", "/manager/certifications/new"):
        phone.goto(f"{base_url}{url}")
        assert fits_the_screen(phone), url
