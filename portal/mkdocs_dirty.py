"""Dirty builds (`portal serve`, `mkdocs serve --dirty`): rebuild only the pages an edit reaches.

MkDocs rebuilds a page there when its source file is newer than its HTML, and always rebuilds
pages handed over from memory; so in dirty builds the generated pages are files in a cache folder,
rewritten only when their Markdown changes. What MkDocs does not see (a page's nav, the text its
markers fill in, the search index of pages it skipped) is kept right here.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.utils import get_markdown_title
from mkdocs.utils.meta import get_data

from portal.model import Catalogue
from portal.render import fill_markers, render_site
from portal.render.common import policy_page
from portal.render.policies import policy_markdown

MARKER = "<!-- portal:"
# Policy fields that only the policy's own page shows: when an edit changes nothing else, a dirty
# build renders that page alone. tests/test_site_incremental.py checks that no other page shows them.
PAGE_ONLY_FIELDS = ("body", "summary", "history", "fingerprint", "tags", "earlier_bodies")


class PageCache:
    """Generated pages as files under `folder`, each rewritten only when its Markdown changes."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.on_disk: dict[str, bytes] = {}  # what each file holds, once read or written

    def path(self, src_uri: str) -> Path:
        return self.folder / src_uri

    def sync(self, pages: dict[str, str]) -> tuple[list[str], list[str]]:
        """Write the pages that changed and delete those that are gone: (written, removed)."""
        if not self.on_disk and self.folder.is_dir():  # left by an earlier run: keep what still holds
            for file in self.folder.rglob("*.md"):
                self.on_disk[file.relative_to(self.folder).as_posix()] = file.read_bytes()
        ignore = self.folder.parent / ".gitignore"
        if not ignore.is_file():  # a cache, never content: keep it out of version control
            self.folder.mkdir(parents=True, exist_ok=True)
            ignore.write_text("# Written by the portal MkDocs plugin: pages of dirty builds.\n*\n", "utf-8")
        written = []
        for src_uri, markdown in pages.items():
            data = markdown.encode("utf-8")
            if self.on_disk.get(src_uri) != data:
                target = self.path(src_uri)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                self.on_disk[src_uri] = data
                written.append(src_uri)
        removed = [src_uri for src_uri in self.on_disk if src_uri not in pages]
        for src_uri in removed:
            self.path(src_uri).unlink(missing_ok=True)
            del self.on_disk[src_uri]
        return written, removed


def page_only_edits(old: Catalogue, new: Catalogue) -> list[str] | None:
    """Ids of the policies that differ only in PAGE_ONLY_FIELDS; None if anything else differs."""
    for field in dataclasses.fields(new):
        if field.name != "policies" and getattr(old, field.name) != getattr(new, field.name):
            return None
    if old.policies.keys() != new.policies.keys():
        return None
    edited = []
    for policy_id, policy in new.policies.items():
        before = old.policies[policy_id]
        if before != policy:
            if dataclasses.replace(before, **{f: getattr(policy, f) for f in PAGE_ONLY_FIELDS}) != policy:
                return None
            edited.append(policy_id)
    return edited


class DirtyBuild:
    """What one `serve` session keeps between its rebuilds."""

    def __init__(self) -> None:
        self.page_cache: PageCache | None = None
        self.rendered: tuple[Catalogue, date, dict[str, str]] | None = None  # the last render_site
        self.templates = TemplateCache()
        self.search_pages: dict[str, list[dict[str, Any]]] = {}  # search entries by page URL

    def render(self, catalogue: Catalogue, today: date) -> dict[str, str]:
        """render_site; only the pages of policies whose edit stays on their page when that is all."""
        pages = self._render(catalogue, today)
        self.rendered = (catalogue, today, pages)
        return pages

    def _render(self, catalogue: Catalogue, today: date) -> dict[str, str]:
        if self.rendered is not None and self.rendered[1] == today:
            edited = page_only_edits(self.rendered[0], catalogue)
            if edited is not None:
                pages = dict(self.rendered[2])
                for policy_id in edited:
                    policy = catalogue.policies[policy_id]
                    pages[policy_page(policy)] = policy_markdown(catalogue, policy)
                return pages
        return render_site(catalogue, today)

    def write(self, pages: dict[str, str], config: MkDocsConfig, cache_dir: Path) -> PageCache:
        """The generated pages as files in ``cache_dir``; the HTML of pages that are gone is removed,
        so that a preview does not keep serving them."""
        if self.page_cache is None or self.page_cache.folder != cache_dir / "docs":
            self.page_cache = PageCache(cache_dir / "docs")
        _, removed = self.page_cache.sync(pages)
        for src_uri in removed:
            _remove(File(src_uri, None, config.site_dir, config.use_directory_urls).abs_dest_path)
        return self.page_cache

    def mark_stale_pages(self, nav: Navigation, files: Files, config: MkDocsConfig, catalogue: Catalogue,
                         generated: dict[str, str], state_file: Path, sidebars: Mapping[str, object]) -> None:
        """Make the dirty build rebuild the pages a change reaches beyond their own source.

        A dirty build reads only changed pages, so the nav would lack the titles of the others: set
        them. When the nav or mkdocs.yml changes, every page is stale; a hand-written page is stale
        when the text its markers fill in changes, and any page when what ``sidebars`` gives it (a
        category's list of policies) changes. Removing a page's HTML has it rebuilt.
        """
        def source(file: File) -> str:
            if file.src_uri in generated:
                return generated[file.src_uri]
            return Path(file.abs_src_path or "").read_text("utf-8-sig")

        titles = {}
        for page in nav.pages:
            markdown, meta = get_data(source(page.file))
            titles[page.file.src_uri] = meta.get("title") or get_markdown_title(markdown)
            if page.markdown is None and titles[page.file.src_uri]:
                page.title = titles[page.file.src_uri]
        config_text = Path(config.config_file_path).read_text("utf-8") if config.config_file_path else ""
        site_key = _digest([config_text, config.site_name, config.nav, titles])
        filled = {f.src_uri: _digest(fill_markers(text, catalogue, f.src_uri))
                  for f in files.documentation_pages() if f.src_uri not in generated
                  and MARKER in (text := source(f))}
        filled.update({src_uri: _digest(listed) for src_uri, listed in sidebars.items()})
        try:
            state = json.loads(state_file.read_text("utf-8"))
        except (OSError, ValueError):
            state = {}
        for file in files.documentation_pages():
            if state.get("site") != site_key or state.get("filled", {}).get(file.src_uri) != filled.get(file.src_uri):
                _remove(file.abs_dest_path)
        state_file.parent.mkdir(parents=True, exist_ok=True)
        state_file.write_text(json.dumps({"site": site_key, "filled": filled}), "utf-8")

    def complete_search_index(self, config: MkDocsConfig, page_urls: set[str]) -> None:
        """Give Material's search every page's entries, not only those of the pages just rebuilt.

        Material merges a dirty build's entries assuming one page was rebuilt; several may be.
        """
        search: Any = config.plugins.get("material/search")  # Material's plugin: its attributes are untyped
        index = getattr(search, "search_index", None)
        if index is None or not hasattr(search, "search_index_prev"):
            return
        rebuilt: dict[str, list[dict[str, Any]]] = {}
        for entry in index.entries:
            rebuilt.setdefault(entry["location"].split("#")[0], []).append(entry)
        self.search_pages.update(rebuilt)
        self.search_pages = {url: e for url, e in self.search_pages.items() if url in page_urls}
        index.entries = [entry for entries in self.search_pages.values() for entry in entries]
        search.search_index_prev = None


class TemplateCache(jinja2.BytecodeCache):
    """Compiled templates kept in memory; Jinja compiles a template again when its source changes.

    Each rebuild has a new Jinja environment: this spares it compiling the theme again.
    """

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


def demote_dirty_warning(record: logging.LogRecord) -> bool:
    """MkDocs warns that a dirty build leaves the nav and links of other pages stale, and a strict
    build stops on that warning; here the pages a change reaches are rebuilt too."""
    if record.levelno == logging.WARNING and record.getMessage().startswith("A 'dirty' build is being performed"):
        record.levelno, record.levelname = logging.INFO, "INFO"
    return True


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def _remove(path: str) -> None:
    Path(path).unlink(missing_ok=True)
