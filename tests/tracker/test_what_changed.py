"""What changed: signing a policy again after a material change shows the redline from the version
the person last signed, with the history's summary; the signature still binds the whole new text."""

from __future__ import annotations

import pytest
from axe_helpers import axe_page, violations
from sqlalchemy import select
from tracker_helpers import (
    PASSWORD,
    ack_form,
    add_person,
    bump_minimum_necessary,
    copy_content,
    sign_in,
)

from tracker.services import served_catalogue
from tracker.services.changes import since_last_signed
from tracker.storage.db import db
from tracker.storage.models import Acknowledgement, PolicyVersion, Staff

POLICY = "minimum-necessary"
PAGE = f"/policies/{POLICY}"
ADDED = '<ins><span class="redline-hidden"> added: </span>or vendor </ins>'


def sign_page(client) -> None:
    response = client.post(PAGE, data={**ack_form(client, POLICY), "agree": "y", "signature_name": "Sam Carter"})
    assert response.status_code == 303, response.get_data(as_text=True)


def publish_version_4(app, runner, tmp_path) -> None:
    root = copy_content(tmp_path)
    bump_minimum_necessary(root)  # "Share with a payer only" -> "... a payer or vendor only", material
    app.config["TRACKER_CONTENT_DIR"] = root
    assert runner.invoke(args=["sync"]).exit_code == 0


def signed_versions(app, staff_id: int) -> list[tuple[int, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(PolicyVersion.version, PolicyVersion.fingerprint).join(Acknowledgement)
            .where(Acknowledgement.staff_id == staff_id, PolicyVersion.policy_id == POLICY)
            .order_by(PolicyVersion.version))
        return [tuple(row) for row in rows]


def test_signing_again_shows_what_changed_then_binds_the_whole_new_text(app, client, runner, tmp_path,
                                                                        staff_member):
    sign_in(client, "sam@clinic.example")
    sign_page(client)
    assert 'id="what-changed"' not in client.get(PAGE).get_data(as_text=True)  # nothing new yet
    publish_version_4(app, runner, tmp_path)

    page = client.get(PAGE).get_data(as_text=True)
    assert 'id="what-changed"' in page and "What changed since you signed version 3" in page
    assert "Version 4, changed 2026-03-20: Vendors too." in page
    assert "See what changed: 1 paragraph changed" in page and ADDED in page
    # Above the text, and the whole new text is still there to sign.
    assert page.index('id="what-changed"') < page.index('class="policy-text"') < page.index("sign-heading")
    assert "Share with a payer or vendor only" in page.split('class="policy-text"')[1]

    sign_page(client)
    with app.app_context():
        current = served_catalogue.synced().policies[POLICY]
        assert current.version == 4
        fingerprint = current.fingerprint
    assert signed_versions(app, staff_member)[-1] == (4, fingerprint)
    after = client.get(PAGE).get_data(as_text=True)
    assert 'id="what-changed"' not in after and "You acknowledged version 4" in after


def test_someone_who_never_signed_sees_no_redline(app, client, runner, tmp_path, staff_member):
    add_person(app, "pat@clinic.example", "Pat Other")
    sign_in(client, "sam@clinic.example")
    sign_page(client)
    publish_version_4(app, runner, tmp_path)
    other = app.test_client()
    sign_in(other, "pat@clinic.example")
    page = other.get(PAGE).get_data(as_text=True)
    assert "Share with a payer or vendor only" in page
    assert 'id="what-changed"' not in page and "<ins>" not in page and "<del>" not in page


def test_the_redline_escapes_the_archived_text(app, client, runner, tmp_path, staff_member):
    sign_in(client, "sam@clinic.example")
    sign_page(client)
    root = copy_content(tmp_path)
    bump_minimum_necessary(root)
    rel = root / "policies/hipaa-privacy/minimum-necessary.yml"
    rel.write_text(rel.read_text("utf-8").replace("or vendor only", "or <script>alert(1)</script> only", 1), "utf-8")
    app.config["TRACKER_CONTENT_DIR"] = root
    assert runner.invoke(args=["sync"]).exit_code == 0
    page = client.get(PAGE).get_data(as_text=True)
    section = page[page.index('id="what-changed"'):page.index('class="policy-text"')]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in section and "<script>" not in section


def test_the_service_compares_the_newest_signed_version(app, runner, tmp_path, staff_member, client):
    sign_in(client, "sam@clinic.example")
    with app.app_context():
        staff = db.session.get(Staff, staff_member)
        v3 = db.session.scalar(select(PolicyVersion).where(PolicyVersion.policy_id == POLICY))
        assert since_last_signed(staff, v3) is None  # never signed
    sign_page(client)
    publish_version_4(app, runner, tmp_path)
    with app.app_context():
        staff = db.session.get(Staff, staff_member)
        v4 = db.session.scalar(select(PolicyVersion).where(PolicyVersion.policy_id == POLICY,
                                                           PolicyVersion.version == 4))
        changed = since_last_signed(staff, v4)
        assert changed is not None and changed.signed.version == 3 and changed.current.version == 4
        assert [(r.version, r.summary) for r in changed.revisions] == [(4, "Vendors too.")]
        assert changed.redline.changed == 1 and ADDED in changed.redline.html


@pytest.mark.browser
@pytest.mark.parametrize(("scheme", "viewport"), [("light", {"width": 1280, "height": 800}),
                                                  ("dark", {"width": 390, "height": 844})])
def test_the_signing_page_with_the_redline_passes_axe(app, client, runner, tmp_path, staff_member, live_tracker,
                                                      chromium, scheme, viewport):
    sign_in(client, "sam@clinic.example")
    sign_page(client)
    publish_version_4(app, runner, tmp_path)
    page = axe_page(chromium, viewport=viewport, color_scheme=scheme)
    try:
        page.goto(f"{live_tracker}/sign-in")
        page.fill("#email", "sam@clinic.example")
        page.fill("#password", PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "/sign-in" not in url)
        page.goto(f"{live_tracker}{PAGE}#what-changed")
        page.get_by_text("See what changed").click()
        assert page.locator("#what-changed ins").first.is_visible()
        problems = violations(page)
        width = page.evaluate("document.documentElement.scrollWidth")
    finally:
        page.close()
    assert problems == []
    assert width <= viewport["width"]  # the redline wraps on a phone
