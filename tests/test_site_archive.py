"""Earlier versions' text (policies/archive/): checked like other content, kept by `portal archive`,
and shown on the policy's page as a collapsed redline under its revision history."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import markdown
import pytest
from axe_helpers import axe_page, violations
from browser_helpers import served
from content_helpers import REPO, copy_fixture, shipped_catalogue
from test_site_build import build_fixture_site

from portal.cli import main
from portal.loader import check, load_catalogue
from portal.render import render_site
from portal.render.policies import policy_markdown, what_changed

SITE = Path(__file__).parent / "fixtures" / "site"
TODAY = date(2026, 4, 1)
FAX = "policies/privacy/fax-handling.yml"
FAX_V2 = "policies/archive/fax-handling/v2.md"
FAX_V2_TEXT = """## Purpose
Keep faxed health information away from the wrong recipient.

## Procedure
1. Confirm the number before sending.
2. Add a <script>alert(1)</script> note.
"""


@pytest.fixture
def site(tmp_path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(SITE, root)
    return root


def archive(root: Path, rel: str, text: str) -> None:
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text, "utf-8")


def problems(root: Path) -> list[str]:
    return [str(p) for p in check(root).problems]


def html_of(page: str) -> str:
    return markdown.markdown(page, extensions=["tables", "attr_list", "md_in_html", "admonition"])


def test_a_policy_page_shows_what_changed_from_the_archived_version(site):
    archive(site, FAX_V2, FAX_V2_TEXT)
    catalogue = load_catalogue(site)
    policy = catalogue.policies["fax-handling"]
    assert policy.earlier_bodies == ((2, FAX_V2_TEXT),)
    page = render_site(catalogue, TODAY)["policies/privacy/fax-handling.md"]
    history, signing = page.index("## Revision history"), page.index("## Acknowledgement")
    details = page.index('<details class="what-changed" id="what-changed">')
    assert history < details < signing
    assert "<summary>See what changed from version 2</summary>" in page
    # The summary of the revision since, escaped like any content.
    assert "<li>Version 3, 2026-02-01: Added the cover sheet | checklist.</li>" in page
    assert "1 paragraph changed from version 2 to version 3" in page
    assert '<del><span class="redline-hidden"> removed: </span>Add a &lt;script&gt;alert(1)&lt;/script&gt; note' in page
    assert '<ins><span class="redline-hidden"> added: </span>Use the cover sheet' in page
    assert "<script>" not in page


def test_the_redline_stays_raw_html_through_markdown(site):
    archive(site, FAX_V2, FAX_V2_TEXT)
    policy = load_catalogue(site).policies["fax-handling"]
    html = html_of(what_changed(policy))
    assert html.startswith('<details class="what-changed" id="what-changed">')
    assert "<del><span" in html and "&lt;script&gt;" in html and "<script>" not in html
    assert "<p><div" not in html  # Markdown did not wrap the blocks in paragraphs


def test_a_policy_without_an_archived_version_shows_no_redline(site):
    catalogue = load_catalogue(site)
    policy = catalogue.policies["fax-handling"]
    assert what_changed(policy) == "" and "what-changed" not in policy_markdown(catalogue, policy)


def test_the_newest_earlier_archived_version_is_compared(site):
    archive(site, "policies/archive/fax-handling/v1.md", "First text.\n")
    archive(site, FAX_V2, FAX_V2_TEXT)
    policy = load_catalogue(site).policies["fax-handling"]
    assert [v for v, _ in policy.earlier_bodies] == [1, 2]
    assert "See what changed from version 2" in what_changed(policy)


@pytest.mark.parametrize(("rel", "text", "message"), [
    ("policies/archive/no-such-policy/v1.md", "Text.\n",
     "policies/archive/no-such-policy/v1.md:1:1: there is no policy 'no-such-policy' to archive a version of"),
    ("policies/archive/access/v7.md", "Text.\n",
     "policies/archive/access/v7.md:1:1: version 7 is not in the history of policy 'access'"),
    ("policies/archive/access/v2.md", "Text.\n",
     "policies/archive/access/v2.md:1:1: the policy's text differs from archived version 2, yet it is still "
     "version 2"),
    ("policies/archive/access/v1.md", " \n\n",
     "policies/archive/access/v1.md:1:1: archived version is empty"),
    ("policies/archive/access/version-1.md", "Text.\n",
     "policies/archive/access/version-1.md:1:1: file is not where archived versions go"),
    ("policies/archive/access.yml", "id: access\n",
     "policies/archive/access.yml:1:1: file is not where archived versions go"),
])
def test_archived_versions_are_checked_with_file_and_line(tmp_path, rel, text, message):
    root = copy_fixture(tmp_path)
    archive(root, rel, text)
    found = problems(root)
    assert len(found) == 1 and found[0].startswith(message), found


def test_a_valid_archived_version_and_notes_beside_it_pass(tmp_path):
    root = copy_fixture(tmp_path)
    archive(root, "policies/archive/access/v1.md", "The first text.\n")
    archive(root, "policies/archive/access/notes.txt", "Kept from the 2025 binder.\n")
    report = check(root)
    assert report.ok, report.problems
    assert report.catalogue.policies["access"].earlier_bodies == ((1, "The first text.\n"),)


def test_an_archived_file_that_is_not_utf8_is_a_located_problem(tmp_path):
    root = copy_fixture(tmp_path)
    (root / "policies/archive/access").mkdir(parents=True)
    (root / "policies/archive/access/v1.md").write_bytes(b"line one\nbad \xff byte\n")
    assert problems(root) == ["policies/archive/access/v1.md:2:1: file is not valid UTF-8 text "
                              "(save it as UTF-8 in your editor)"]


def test_portal_archive_keeps_the_current_text_then_the_edit_shows_as_a_redline(site, capsys):
    assert main(["archive", "fax-handling", str(site)]) == 0
    assert "Archived version 3 of 'fax-handling' to policies/archive/fax-handling/v3.md" in capsys.readouterr().out
    body = load_catalogue(site).policies["fax-handling"].body
    assert (site / "policies/archive/fax-handling/v3.md").read_text("utf-8") == body
    assert main(["archive", "fax-handling", str(site)]) == 0  # the same text again: no change
    assert "Already archived" in capsys.readouterr().out
    assert check(site).ok and what_changed(load_catalogue(site).policies["fax-handling"]) == ""
    # Editing the text without raising the version is caught.
    fax = site / FAX
    original = fax.read_text("utf-8")
    fax.write_text(original.replace("2. Use the cover sheet.", "2. Use the new cover sheet."), "utf-8")
    assert [p.message for p in check(site).problems] == [
        "the policy's text differs from archived version 3, yet it is still version 3"]
    fax.write_text(original, "utf-8")
    # The editor then raises the version and changes the text.
    fax.write_text(fax.read_text("utf-8").replace("version: 3\n", "version: 4\n", 1)
                   .replace("2. Use the cover sheet.", "2. Use the cover sheet.\n  3. Call to confirm it arrived.")
                   + "  - version: 4\n    date: 2026-03-20\n    summary: Call to confirm.\n    material_change: true\n",
                   "utf-8")
    page = what_changed(load_catalogue(site).policies["fax-handling"])
    assert "See what changed from version 3" in page and "Version 4, 2026-03-20: Call to confirm." in page
    assert '<ins><span class="redline-hidden"> added: </span>' in page and "Call to confirm it arrived." in page
    # Archiving version 4 is fine; a different text kept for it is refused, as content that does not check.
    assert main(["archive", "fax-handling", str(site)]) == 0
    (site / "policies/archive/fax-handling/v4.md").write_text("Not what was published.\n", "utf-8")
    capsys.readouterr()
    assert main(["archive", "fax-handling", str(site)]) == 1
    assert "the policy's text differs from archived version 4" in capsys.readouterr().out


def test_portal_archive_names_an_unknown_policy(site, capsys):
    assert main(["archive", "no-such-policy", str(site)]) == 1
    assert "there is no policy 'no-such-policy'" in capsys.readouterr().err


def test_shipped_policies_show_the_redlines_that_git_history_kept():
    catalogue = shipped_catalogue()
    archived = {p.id for p in catalogue.policies.values() if p.earlier_bodies}
    assert {"workplace-violence-prevention", "hazard-communication", "notice-of-privacy-practices"} <= archived
    for policy_id in archived:
        policy = catalogue.policies[policy_id]
        assert all(version < policy.version for version, _ in policy.earlier_bodies)
        assert f"See what changed from version {policy.version - 1}" in what_changed(policy)
    assert (REPO / "policies/archive").is_dir()


@pytest.mark.browser
@pytest.mark.slow
def test_the_built_page_shows_the_redline_collapsed_and_passes_axe(site, tmp_path, chromium):
    archive(site, FAX_V2, FAX_V2_TEXT)
    built = tmp_path / "built"
    result = build_fixture_site(built, site)
    assert result.returncode == 0, result.stdout + result.stderr
    html = (built / "policies/privacy/fax-handling/index.html").read_text("utf-8")
    assert '<details class="what-changed" id="what-changed">' in html and "&lt;script&gt;alert(1)" in html
    problems, widths = [], []
    with served(built) as url:
        for scheme, viewport in (("light", {"width": 1280, "height": 800}), ("dark", {"width": 390, "height": 844})):
            page = axe_page(chromium, viewport=viewport, color_scheme=scheme)
            try:
                page.goto(url + "policies/privacy/fax-handling/")
                assert not page.locator("#what-changed ins").first.is_visible()  # collapsed
                page.get_by_text("See what changed from version 2").click()
                assert page.locator("#what-changed ins").first.is_visible()
                decoration = page.locator("#what-changed del").first.evaluate(
                    "e => getComputedStyle(e).textDecorationLine")
                assert decoration == "line-through"  # not colour alone
                problems += violations(page)
                widths.append(page.evaluate("document.documentElement.scrollWidth") <= viewport["width"])
            finally:
                page.close()
    assert problems == [] and all(widths)
