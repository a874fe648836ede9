"""`portal build` and `portal export-markdown` on the fixture content, end to end through MkDocs."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from portal.loader import check, load_catalogue

ROOT = Path(__file__).parents[1]
FIXTURE = Path(__file__).parent / "fixtures" / "site"
TODAY = "2026-04-01"
# Material prints a banner about MkDocs 2 on import unless this is set.
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def portal(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "portal", *map(str, args)], cwd=cwd, env=ENV,
                          capture_output=True, text=True, timeout=300)


def build_fixture_site(site_dir: Path, content: Path = FIXTURE) -> subprocess.CompletedProcess:
    return portal("build", content, "--site-dir", site_dir, "--today", TODAY,
                  "--config-file", ROOT / "mkdocs.yml")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    site_dir = tmp_path_factory.mktemp("build") / "site"
    result = build_fixture_site(site_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert re.search(rf"Built \d+ pages into {re.escape(str(site_dir))} in [\d.]+ s\.", result.stdout)
    return site_dir


def site_texts(site: Path):
    """(path, text) of every file in the built site; compressed files are read decompressed."""
    for file in sorted(site.rglob("*")):
        if file.is_file():
            data = file.read_bytes()
            if file.suffix == ".gz":
                data = gzip.decompress(data)
            yield file.relative_to(site).as_posix(), data.decode("utf-8", errors="replace")


def test_every_policy_module_and_role_page_exists(site):
    catalogue = load_catalogue(FIXTURE)
    expected = ["index.html", "policies/index.html", "training/index.html", "roles/index.html",
                "certifications/index.html", "coverage/index.html", "review/index.html", "about/index.html",
                "tags/index.html", "search/search_index.json", "sitemap.xml"]
    expected += [f"policies/{c}/index.html" for c in catalogue.categories]
    expected += [f"policies/{p.category}/{p.id}/index.html" for p in catalogue.policies.values()]
    expected += [f"training/{m}/index.html" for m in catalogue.modules]
    expected += [f"roles/{r}/index.html" for r in catalogue.roles]
    missing = [path for path in expected if not (site / path).is_file()]
    assert not missing


def test_site_uses_office_settings_and_fills_home_markers(site):
    home = (site / "index.html").read_text("utf-8")
    assert "Fixture Family Practice" in home
    assert 'src="assets/logo.svg"' in home
    assert "<!-- portal:" not in home
    assert 'href="roles/front-desk/"' in home
    policy = (site / "policies/privacy/fax-handling/index.html").read_text("utf-8")
    assert "https://tracker.fixture.example/ack/fax-handling?version=3&amp;fingerprint=" in policy


def sidebar(page: str) -> str:
    return page[page.index('data-md-type="navigation"'):page.index('data-md-type="toc"')]


def test_nav_lists_categories_and_a_policy_page_opens_its_category(site):
    home = sidebar((site / "index.html").read_text("utf-8"))
    for category in ("privacy", "safety", "empty"):
        assert f'href="policies/{category}/"' in home
    assert "fax-handling" not in home  # policies are listed by their category page
    policy = sidebar((site / "policies/privacy/fax-handling/index.html").read_text("utf-8"))
    active = re.findall(r'<li class="md-nav__item md-nav__item--active[^"]*">\s*<input[^>]*>\s*'
                        r'<div class="md-nav__link md-nav__container">\s*<a href="([^"]+)"', policy)
    assert active == ["../../", "../"]  # open: Policies, then Privacy & records
    assert 'href="../visitor-log/"' in policy  # its category's policies, for the phone's menu
    assert "sharps-safety" not in policy  # not the policies of other categories


def test_shared_sidebars_leave_every_page_as_material_renders_it(tmp_path, monkeypatch):
    """The plugin renders the sidebar once per category for policy pages: the HTML must not change."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    import portal.mkdocs_plugin

    def built(site: Path) -> dict[str, str]:
        config = load_config(str(ROOT / "mkdocs.yml"), site_dir=str(site))
        config.plugins["portal"].config.content_dir = str(FIXTURE)
        config.plugins["portal"].config.today = TODAY
        build(config)
        return {p.relative_to(site).as_posix(): p.read_text("utf-8") for p in site.rglob("*.html")}

    shared = built(tmp_path / "shared")
    monkeypatch.setattr(portal.mkdocs_plugin, "_share_sidebars", lambda env, unlisted: None)
    assert built(tmp_path / "material") == shared
    assert len(shared) > 15


def test_print_stylesheet_and_search_are_in_the_site(site):
    assert "@media print" in (site / "stylesheets/extra.css").read_text("utf-8")
    assert 'href="../../../stylesheets/extra.css"' in (site / "policies/privacy/fax-handling/index.html").read_text("utf-8")
    index = json.loads((site / "search/search_index.json").read_text("utf-8"))
    titles = {entry["location"]: entry["title"] for entry in index["docs"]}
    catalogue = load_catalogue(FIXTURE)
    for policy in catalogue.policies.values():
        assert f"policies/{policy.category}/{policy.id}/" in titles
    assert "Keep faxed health information" in json.dumps(index)


def test_no_external_assets_so_the_site_works_offline(site):
    for path, content in site_texts(site):
        if path.endswith(".html"):
            assert not re.search(r"<(link|script|img)[^>]+(href|src)=\"(https?:)?//", content), path
            assert "fonts.googleapis" not in content and "fonts.gstatic" not in content, path


KEYWORDS = re.compile(r"\b(correct|answers?|explanation)\b", re.I)


def quiz_leaks(site: Path, catalogue, *, strict: bool = True) -> list[str]:
    """Where quiz text, answer keys or explanations show up in any file of the built site.

    `strict=False` skips choice texts and question ids near 'correct' or 'answer': real content may
    teach, in its own words, the fact a correct choice states, and ids like 'phi' are common words.
    """
    needles, ids = [], set()
    for module in catalogue.modules.values():
        for question in module.questions:
            needles += [question.prompt, question.explanation]
            if strict:
                # 'True'/'False' are everyday words; absent prompts already keep them unpaired.
                needles += [c.text for c in question.choices if len(c.text) > 5]
                ids |= {question.id, f"{module.id}.{question.id}"}
    id_pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(ids, key=len, reverse=True))) + r")\b", re.I)
    reach = 40 + max(map(len, ids), default=0)
    leaks = []
    for path, content in site_texts(site):
        leaks += [f"{needle!r} in {path}" for needle in needles if needle in content]
        for word in KEYWORDS.finditer(content) if ids else ():
            near = id_pattern.search(content[max(0, word.start() - reach):word.end() + reach])
            if near:
                leaks.append(f"quiz id {near.group()!r} near {word.group()!r} in {path}")
        if re.search(r"\"(answers|correct|correct_choices|explanation)\"\s*:", content):
            leaks.append(f"an answer key field in {path}")
    return leaks


def test_answer_keys_and_explanations_never_reach_the_site(site):
    """No file of the built site (HTML, search index, sitemap, tags, assets) holds quiz answers."""
    assert len(list(site_texts(site))) > 20
    assert quiz_leaks(site, load_catalogue(FIXTURE)) == []


def test_the_leak_scan_finds_a_planted_answer(site, tmp_path):
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    question = load_catalogue(FIXTURE).modules["sharps-training"].questions[0]
    index = copy / "search/search_index.json"
    index.write_text(index.read_text("utf-8") + f'{{"explanation": "{question.explanation}"}}', "utf-8")
    (copy / "training/sharps-training/quiz.json").write_text(f'{{"{question.id}": "the correct one is a"}}')
    leaks = quiz_leaks(copy, load_catalogue(FIXTURE))
    assert f"{question.explanation!r} in search/search_index.json" in leaks
    assert "an answer key field in search/search_index.json" in leaks
    assert f"quiz id '{question.id}' near 'correct' in training/sharps-training/quiz.json" in leaks


def test_planted_content_error_fails_the_build_with_its_location(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    policy = content / "policies/privacy/fax-handling.yml"
    policy.write_text(policy.read_text("utf-8").replace("applies_to: [front-desk,", "applies_to: [nurse,"), "utf-8")
    result = build_fixture_site(tmp_path / "site", content)
    assert result.returncode == 1
    assert re.search(r"^policies/privacy/fax-handling\.yml:\d+:\d+: unknown role 'nurse'", result.stdout, re.M)
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "site").exists()


def test_a_missing_logo_fails_the_strict_build(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    office = content / "policies/office.yml"
    office.write_text(office.read_text("utf-8").replace("assets/logo.svg", "assets/nope.svg"), "utf-8")
    result = build_fixture_site(tmp_path / "site", content)
    assert result.returncode == 1
    assert "the logo 'assets/nope.svg' is not a file in" in result.stderr
    assert "build failed: Aborted with 1 warnings in strict mode!" in result.stderr


def test_plugin_reports_every_problem_as_path_line_column(tmp_path):
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.config import load_config
    from mkdocs.exceptions import PluginError

    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    module = content / "training/sharps-training.yml"
    module.write_text(module.read_text("utf-8").replace("audience: [medical-assistant]", "audience: [nurse]"), "utf-8")
    policy = content / "policies/safety/sharps-safety.yml"
    policy.write_text(policy.read_text("utf-8").replace("owner: medical-assistant", "owner: boss"), "utf-8")
    config = load_config(str(ROOT / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    config.plugins["portal"].config.content_dir = str(content)
    with pytest.raises(PluginError) as raised:
        config.plugins.on_config(config)
    message = str(raised.value)
    assert message.startswith("2 content problems in ")
    assert [str(p) for p in check(content).problems] == message.splitlines()[1:]
    assert re.search(r"^training/sharps-training\.yml:\d+:\d+: unknown role 'nurse'", message, re.M)
    assert re.search(r"^policies/safety/sharps-safety\.yml:\d+:\d+: unknown role 'boss'", message, re.M)


def test_serve_watches_the_content_folders(tmp_path):
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.config import load_config

    class Server:
        watched: list[str] = []

        def watch(self, path):
            self.watched.append(path)

    config = load_config(str(ROOT / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    plugin = config.plugins["portal"]
    plugin.config.content_dir = str(FIXTURE)
    config.plugins.on_config(config)
    server = config.plugins.on_serve(Server(), config=config, builder=None)
    assert server.watched == [str(FIXTURE / "policies"), str(FIXTURE / "training")]


def test_export_markdown_writes_generated_pages_and_docs(tmp_path):
    out = tmp_path / "markdown"
    result = portal("export-markdown", out, FIXTURE, "--docs", ROOT / "docs", "--today", TODAY)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.fullmatch(rf"Wrote \d+ pages to {re.escape(str(out))}\.\n", result.stdout)
    for page in ("index.md", "about.md", "policies/index.md", "policies/privacy/fax-handling.md",
                 "training/sharps-training.md", "roles/medical-assistant.md", "certifications.md",
                 "coverage.md", "review.md"):
        assert (out / page).is_file(), page
    assert (out / "assets/logo.svg").is_file() and (out / "stylesheets/extra.css").is_file()
    home = (out / "index.md").read_text("utf-8")
    assert "<!-- portal:" not in home and "[Front desk](roles/front-desk.md)" in home
    assert "Acknowledge this version" in (out / "policies/privacy/fax-handling.md").read_text("utf-8")


def test_export_markdown_refuses_invalid_content(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    (content / "training/privacy-basics.yml").write_text("id: [unclosed\n", "utf-8")
    result = portal("export-markdown", tmp_path / "out", content)
    assert result.returncode == 1
    assert re.search(r"^training/privacy-basics\.yml:\d+:\d+: YAML syntax error", result.stdout, re.M)
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_real_content_builds_strict_when_it_validates(tmp_path):
    if not check(ROOT).ok:
        pytest.skip("the real content under policies/ and training/ does not validate yet (run portal validate)")
    result = portal("build", ROOT, "--site-dir", tmp_path / "site")
    assert result.returncode == 0, result.stdout + result.stderr
    assert quiz_leaks(tmp_path / "site", load_catalogue(ROOT), strict=False) == []


def test_search_entries_read_the_facts_of_a_module_and_a_policy_as_sentences(site):
    """The panel of facts is indexed as "Label: value." sentences, not as "Version1Effective date..."."""
    index = json.loads((site / "search/search_index.json").read_text("utf-8"))
    texts = {entry["location"]: entry["text"] for entry in index["docs"]}
    catalogue = load_catalogue(FIXTURE)
    module = catalogue.modules["privacy-basics"]
    policy = catalogue.policies["fax-handling"]
    for location, item in ((f"training/{module.id}/", module), (f"policies/privacy/{policy.id}/", policy)):
        text = " ".join(t for key, t in texts.items() if key.startswith(location))
        assert f"Version: {item.version}. Effective date: {item.effective_date.isoformat()}." in text
        assert f"Version{item.version}Effective" not in text  # never run together
    assert "Audience: " in " ".join(t for key, t in texts.items() if key.startswith(f"training/{module.id}/"))
