"""Dirty builds (`portal serve`): only the pages an edit reaches are rendered, written and rebuilt."""

from __future__ import annotations

import dataclasses
import html
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest

from portal.loader import ContentCache, check, load_catalogue
from portal.render import render_site
from portal.render.common import policy_page

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # before Material is imported
from mkdocs.commands.build import build  # noqa: E402
from mkdocs.config import load_config  # noqa: E402
from mkdocs.config.defaults import MkDocsConfig  # noqa: E402

from portal.mkdocs_dirty import PAGE_ONLY_FIELDS, PageCache, page_only_edits  # noqa: E402

ROOT = Path(__file__).parents[1]
FIXTURE = Path(__file__).parent / "fixtures" / "site"
TODAY = date(2026, 4, 1)


def edit(file: Path, old: str, new: str) -> None:
    text = file.read_text("utf-8")
    assert old in text, f"{old!r} not in {file}"
    file.write_text(text.replace(old, new, 1), "utf-8")


# The page cache ------------------------------------------------------------------------------


def test_page_cache_writes_only_pages_whose_markdown_changed(tmp_path):
    cache = PageCache(tmp_path / "cache" / "docs")
    pages = {"a.md": "# A\n", "policies/p/b.md": "# B\n", "c.md": "# C\n"}
    assert cache.sync(pages) == (["a.md", "policies/p/b.md", "c.md"], [])
    assert cache.path("policies/p/b.md").read_text("utf-8") == "# B\n"
    assert (tmp_path / "cache" / ".gitignore").read_text("utf-8").endswith("*\n")
    before = {p: cache.path(p).stat().st_mtime_ns for p in pages}
    time.sleep(0.01)
    assert cache.sync({**pages, "a.md": "# A, changed\n"}) == (["a.md"], [])
    assert cache.path("a.md").stat().st_mtime_ns > before["a.md"]
    assert cache.path("c.md").stat().st_mtime_ns == before["c.md"]
    assert cache.sync({"a.md": "# A, changed\n", "c.md": "# C\n"}) == ([], ["policies/p/b.md"])
    assert not cache.path("policies/p/b.md").exists()


def test_a_new_page_cache_keeps_the_files_an_earlier_run_left(tmp_path):
    pages = {"a.md": "# A\n", "b.md": "# B\n"}
    PageCache(tmp_path / "docs").sync({**pages, "gone.md": "# Gone\n"})
    mtime = (tmp_path / "docs" / "a.md").stat().st_mtime_ns
    assert PageCache(tmp_path / "docs").sync(pages) == ([], ["gone.md"])
    assert (tmp_path / "docs" / "a.md").stat().st_mtime_ns == mtime


# The content cache ---------------------------------------------------------------------------


def test_content_cache_reports_what_check_reports(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    cache = ContentCache()
    assert cache.check(content).catalogue == load_catalogue(content)
    edit(content / "policies/privacy/fax-handling.yml", "owner: security-officer", "owner: boss")
    edit(content / "training/privacy-basics.yml", "id: privacy-basics", "id: [unclosed")
    broken = cache.check(content)
    assert broken.problems == check(content).problems and len(broken.problems) == 2
    assert broken.catalogue is None
    edit(content / "policies/privacy/fax-handling.yml", "owner: boss", "owner: security-officer")
    edit(content / "training/privacy-basics.yml", "id: [unclosed", "id: privacy-basics")
    edit(content / "policies/safety/sharps-safety.yml", "title: Sharps safety", "title: Sharps, safely")
    fixed = cache.check(content)
    assert fixed.ok and fixed.catalogue == load_catalogue(content)
    assert fixed.catalogue.policies["sharps-safety"].title == "Sharps, safely"


# Rendering only what an edit reaches ----------------------------------------------------------


PAGE_ONLY_VALUES = {
    "body": "## Purpose\n\nA different purpose.\n",
    "summary": "A different summary.",
    "fingerprint": "f" * 64,
    "tags": ("other-tag",),
    "earlier_bodies": ((2, "## Purpose\n\nAn earlier purpose.\n"),),
}


@pytest.mark.parametrize("field", PAGE_ONLY_FIELDS)
def test_a_page_only_field_shows_on_its_policy_page_alone(field):
    """If this fails, a page other than the policy's own shows the field: take it out of PAGE_ONLY_FIELDS."""
    catalogue = load_catalogue(FIXTURE)
    policy = catalogue.policies["fax-handling"]
    value = PAGE_ONLY_VALUES.get(field)
    if field == "history":
        value = (dataclasses.replace(policy.history[0], summary="Reworded."), *policy.history[1:])
    edited = dataclasses.replace(catalogue, policies={**catalogue.policies, policy.id: dataclasses.replace(policy, **{field: value})})
    before, after = render_site(catalogue, TODAY), render_site(edited, TODAY)
    assert [page for page in after if after[page] != before[page]] == [policy_page(policy)]
    assert page_only_edits(catalogue, edited) == [policy.id]


def test_edits_that_reach_other_pages_render_the_whole_site():
    catalogue = load_catalogue(FIXTURE)
    policy = catalogue.policies["fax-handling"]
    assert page_only_edits(catalogue, catalogue) == []
    for change in ({"title": "Faxes"}, {"version": 4}, {"next_review": date(2027, 1, 1)}, {"owner": "front-desk"}):
        edited = dataclasses.replace(catalogue, policies={**catalogue.policies, policy.id: dataclasses.replace(policy, **change)})
        assert page_only_edits(catalogue, edited) is None, change
    fewer = dataclasses.replace(catalogue, policies={k: v for k, v in catalogue.policies.items() if k != policy.id})
    assert page_only_edits(catalogue, fewer) is None
    office = dataclasses.replace(catalogue, settings=dataclasses.replace(catalogue.settings, office_name="Other"))
    assert page_only_edits(catalogue, office) is None


# Dirty builds end to end ---------------------------------------------------------------------


@pytest.fixture
def dirty(tmp_path):
    """A copy of the fixture content and a function that runs one dirty build of it, as serve does."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    site = tmp_path / "site"
    started = []

    def rebuild() -> dict[str, int]:
        config = load_config(str(ROOT / "mkdocs.yml"), site_dir=str(site))
        plugin = config.plugins["portal"]
        plugin.config.content_dir = str(content)
        plugin.config.cache_dir = str(tmp_path / "cache")
        plugin.config.today = TODAY.isoformat()
        if not started:
            config.plugins.on_startup(command="serve", dirty=True)
            started.append(config)
        build(config, dirty=True)
        return {p.relative_to(site).as_posix(): p.stat().st_mtime_ns for p in site.rglob("index.html")}

    yield content, site, rebuild
    if started:
        started[0].plugins.on_shutdown()
    # Plugins with on_startup stay cached across load_config calls: later tests get fresh ones.
    MkDocsConfig.plugins.plugin_cache.clear()


def rebuilt(before: dict[str, int], after: dict[str, int]) -> set[str]:
    return {page for page, mtime in after.items() if before.get(page) != mtime}


def search_index(site: Path) -> list[dict]:
    return json.loads((site / "search/search_index.json").read_text("utf-8"))["docs"]


def page_locations(site: Path) -> set[str]:
    return {entry["location"] for entry in search_index(site) if "#" not in entry["location"]}


def test_a_body_edit_rebuilds_its_page_alone(dirty):
    content, site, rebuild = dirty
    first = rebuild()
    assert len(first) > 15
    locations = page_locations(site)
    edit(content / "policies/privacy/fax-handling.yml", "Keep faxed health information", "Keep faxed XYZZY information")
    second = rebuild()
    assert rebuilt(first, second) == {"policies/privacy/fax-handling/index.html"}
    assert "Keep faxed XYZZY information" in (site / "policies/privacy/fax-handling/index.html").read_text("utf-8")
    # The search index still has every page, the edited one with its new text.
    assert page_locations(site) == locations
    assert any("XYZZY" in entry["text"] for entry in search_index(site))
    assert not any("Keep faxed health information" in entry["text"] for entry in search_index(site))
    assert rebuilt(second, rebuild()) == set()  # nothing changed, nothing rebuilt


def test_a_title_edit_rebuilds_every_page_that_shows_the_title(dirty):
    content, site, rebuild = dirty
    first = rebuild()
    edit(content / "policies/safety/sharps-safety.yml", "title: Sharps safety", "title: Needles and sharps")
    second = rebuild()
    pages = rebuilt(first, second)
    assert {"policies/safety/sharps-safety/index.html", "policies/safety/index.html", "policies/index.html",
            "roles/medical-assistant/index.html"} <= pages
    assert "training/privacy-basics/index.html" not in pages and "about/index.html" not in pages
    for page in pages:
        assert "Sharps safety" not in (site / page).read_text("utf-8"), page
    index = search_index(site)
    assert len({e["location"] for e in index}) == len(index)  # no page indexed twice
    assert any(e["title"] == "Needles and sharps" for e in index)
    assert not any(e["title"] == "Sharps safety" for e in index)


def test_a_title_edit_rebuilds_the_sidebars_that_list_it(dirty):
    """Every page of a category lists the category's policies in its sidebar (the phone's menu)."""
    content, site, rebuild = dirty
    first = rebuild()
    edit(content / "policies/privacy/visitor-log.yml", "title: Visitor log", "title: Visitors' sign-in log")
    pages = rebuilt(first, rebuild())
    assert {"policies/privacy/fax-handling/index.html", "policies/privacy/index.html"} <= pages
    assert "policies/safety/sharps-safety/index.html" not in pages
    assert "Visitors' sign-in log" in html.unescape((site / "policies/privacy/fax-handling/index.html").read_text("utf-8"))


def test_a_nav_change_rebuilds_every_page(dirty):
    content, site, rebuild = dirty
    first = rebuild()
    edit(content / "policies/office.yml", "title: Safety", "title: Safety at work")
    second = rebuild()
    assert rebuilt(first, second) == set(second)
    assert "Safety at work" in (site / "about/index.html").read_text("utf-8")


def test_a_deleted_policy_leaves_the_preview(dirty):
    content, site, rebuild = dirty
    rebuild()
    (content / "policies/privacy/visitor-log.yml").unlink()
    rebuild()
    assert not (site / "policies/privacy/visitor-log/index.html").exists()
    assert "policies/privacy/visitor-log/" not in page_locations(site)


def test_pages_a_dirty_build_does_not_read_keep_their_titles_in_the_nav(dirty):
    content, site, rebuild = dirty
    rebuild()
    edit(content / "policies/privacy/fax-handling.yml", "Keep faxed health information", "Keep faxes safe")
    rebuild()
    page = (site / "policies/privacy/fax-handling/index.html").read_text("utf-8")
    sidebar = page[page.index('data-md-type="navigation"'):page.index('data-md-type="toc"')]
    for title in ("Regulation coverage", "Due for review", "Start here", "How this portal is maintained",
                  "Sharps and bloodborne pathogens"):
        assert title in sidebar, title


@pytest.mark.slow
def test_portal_serve_shows_a_saved_edit(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    (content / "mkdocs.yml").write_text(f"INHERIT: {ROOT / 'mkdocs.yml'}\ndocs_dir: {ROOT / 'docs'}\n"
                                        f"theme:\n  custom_dir: {ROOT / 'overrides'}\n", "utf-8")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/policies/privacy/fax-handling/"
    server = subprocess.Popen([sys.executable, "-m", "portal", "serve", "--dev-addr", f"127.0.0.1:{port}"],
                              cwd=content, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, start_new_session=True)

    def page_when(text: str, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
                    if text in response.read().decode("utf-8"):
                        return True
            except OSError:
                pass
            time.sleep(0.1)
        return False

    try:
        assert page_when("Keep faxed health information", 120)
        time.sleep(1.5)  # the watcher's first look at the content
        edit(content / "policies/privacy/fax-handling.yml", "Keep faxed health information", "Keep XYZZY faxes")
        assert page_when("Keep XYZZY faxes", 30)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGINT)  # Ctrl-C: serve removes its temporary site
        try:
            output = server.communicate(timeout=15)[0].decode("utf-8", errors="replace")
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            output = server.communicate(timeout=15)[0].decode("utf-8", errors="replace")
    assert "Aborted" not in output and "Traceback" not in output, output
    assert (content / ".cache/portal/docs/policies/privacy/fax-handling.md").is_file()
