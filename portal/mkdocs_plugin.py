"""The `portal` MkDocs plugin: a thin adapter from portal.render to MkDocs' build events.

Everything a page says is decided in portal.render, which knows nothing of MkDocs; this module
only loads the catalogue, hands the generated Markdown to MkDocs and sets the navigation.

Two things keep it fast (docs/benchmarks.md has the figures):

- The nav lists categories, not policies: each category's index page lists its policies, so the
  sidebar every page renders stays a few dozen links however many policies there are.
- Dirty builds (`portal serve`, `mkdocs serve --dirty`) rebuild only what changed. MkDocs rebuilds
  a page there when its source file is newer than its HTML, and always rebuilds pages handed over
  from memory; so in dirty builds the generated pages are files in a cache folder, rewritten only
  when their Markdown changes. Across serve rebuilds this plugin instance stays (it defines
  `on_startup`), so only content files whose text changed are parsed again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import posixpath
from pathlib import Path

import jinja2
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.utils import get_markdown_title
from mkdocs.utils.meta import get_data

from portal.build import build_catalogue
from portal.loader import Document, Locator, Report, discover, parse_and_check_schema
from portal.mkdocs_config import PortalConfig, parse_today
from portal.problems import ContentError
from portal.render import fill_markers, render_site, site_nav
from portal.render.common import attr, policy_page
from portal.render.policies import policy_markdown
from portal.rules import check_references

CONTENT_FOLDERS = ("policies", "training")
MARKER = "<!-- portal:"
SIDEBAR = "partials/nav.html"  # Material's primary navigation, which every page renders
# Policy fields that only the policy's own page shows: when an edit changes nothing else, a dirty
# build renders that page alone. tests/test_site_incremental.py checks that no other page shows them.
PAGE_ONLY_FIELDS = ("body", "summary", "history", "fingerprint", "tags")
log = logging.getLogger("mkdocs.plugins.portal")


class ContentCache:
    """`portal.loader.check` that parses again only the files whose text changed since its last run.

    Files are still all read (a few milliseconds for thousands) and the cross-file rules and the
    catalogue run on everything, so the report is the one `check` gives.
    """

    def __init__(self):
        self.root: Path | None = None
        self.parsed: dict[str, Document] = {}  # valid documents of the last run, by path

    def check(self, root: Path) -> Report:
        if root != self.root:
            self.root, self.parsed = root, {}
        documents, problems = discover(root)
        locator = Locator(documents)
        locator.problems.extend(problems)
        for path, document in documents.items():
            known = self.parsed.get(path)
            if known is not None and known.text == document.text and known.kind == document.kind:
                document.data, document.valid = known.data, True
            else:
                parse_and_check_schema(document, locator)
        check_references(documents, locator)
        report = Report(problems=sorted(locator.problems), files=len(documents))
        self.parsed = {path: d for path, d in documents.items() if d.valid}
        if report.ok:
            report.catalogue = build_catalogue(documents)
        return report


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


class PortalPlugin(BasePlugin[PortalConfig]):
    def __init__(self):
        self.root = Path()
        self.catalogue = None
        self.preloaded = None  # a catalogue `portal build` already validated, used once
        self.pages: dict[str, str] = {}
        self.page_count = 0
        self.dirty = False
        self.content = ContentCache()
        self.rendered: tuple | None = None  # dirty builds: (catalogue, today) self.pages were made from
        self.templates = _TemplateCache()
        self.cache: PageCache | None = None
        self.own_nav = False
        self.unlisted: set[str] = set()  # policy pages the nav leaves out
        self.page_urls: set[str] = set()
        self.search_pages: dict[str, list] = {}  # dirty builds: search entries by page URL

    def on_startup(self, *, command, dirty):
        # Defining this hook also keeps the instance across `mkdocs serve` rebuilds.
        self.dirty = dirty
        if dirty:
            # MkDocs warns that a dirty build leaves the nav and links of other pages stale, and a
            # strict build stops on that warning. Here the pages a change reaches are rebuilt too.
            logging.getLogger("mkdocs.commands.build").addFilter(_demote_dirty_warning)

    def on_shutdown(self):
        self.dirty = False
        logging.getLogger("mkdocs.commands.build").removeFilter(_demote_dirty_warning)

    def on_config(self, config):
        self.root = Path(config.config_file_path or ".").parent / self.config.content_dir
        catalogue, self.preloaded = self.preloaded, None
        if catalogue is None:
            report = self.content.check(self.root)
            if not report.ok:
                error = ContentError(report.problems)
                count = len(error.problems)
                raise PluginError(f"{count} content problem{'s' * (count != 1)} in {self.root}:\n{error}")
            catalogue = report.catalogue
        self.catalogue = catalogue
        try:
            today = parse_today(self.config.today)
        except ValueError as error:
            raise PluginError(f"plugins.portal.today: {error}; write it as YYYY-MM-DD") from None
        self.pages = self._render(catalogue, today)
        settings = self.catalogue.settings
        config.site_name = attr(settings.office_name)  # themes print site_name unescaped
        if settings.logo:
            config.theme["logo"] = settings.logo
            config.theme["favicon"] = settings.logo
        if not config.site_url and settings.site_url:
            config.site_url = settings.site_url.rstrip("/") + "/"
        return config

    def on_files(self, files: Files, *, config) -> Files:
        for src_uri in self.pages:
            if files.get_file_from_path(src_uri) is not None:
                raise PluginError(f"{config.docs_dir}/{src_uri} has the path of a generated page; rename or remove it")
        self.own_nav = config.nav is None  # a nav written in mkdocs.yml wins
        # Policy pages the nav leaves out are reached from their category page and search.
        unlisted = set()
        if self.own_nav and not self.config.policies_in_nav:
            unlisted = {policy_page(p) for p in self.catalogue.policies.values()}
        self.unlisted = unlisted
        if self.dirty:
            folder = self._cache_dir(config) / "docs"
            if self.cache is None or self.cache.folder != folder:
                self.cache = PageCache(folder)
            _, removed = self.cache.sync(self.pages)
            for src_uri in removed:  # so a preview does not keep serving a page that is gone
                _remove(File(src_uri, None, config.site_dir, config.use_directory_urls).abs_dest_path)
        for src_uri, markdown in self.pages.items():
            inclusion = InclusionLevel.NOT_IN_NAV if src_uri in unlisted else InclusionLevel.UNDEFINED
            if self.dirty:
                file = File.generated(config, src_uri, abs_src_path=str(self.cache.path(src_uri)), inclusion=inclusion)
            else:
                file = File.generated(config, src_uri, content=markdown, inclusion=inclusion)
            files.append(file)
        logo = self.catalogue.settings.logo
        if logo and files.get_file_from_path(logo) is None:
            log.warning(f"policies/office.yml: the logo '{logo}' is not a file in {config.docs_dir}")
        hand_written = [f.src_uri for f in files.documentation_pages() if f.src_uri not in self.pages]
        if self.own_nav:
            config.nav = site_nav(self.catalogue, hand_written, policy_pages=self.config.policies_in_nav)
        self.page_count = len(self.pages) + len(hand_written)
        self.page_urls = {f.url for f in files.documentation_pages()}
        return files

    def on_nav(self, nav, *, config, files):
        if self.own_nav and not self.config.policies_in_nav:
            # A policy page opens its category's section in the sidebar, as if it were listed there.
            sections = {page.file.src_uri: page.parent for page in nav.pages}
            for policy in self.catalogue.policies.values():
                file = files.get_file_from_path(policy_page(policy))
                if file is not None and file.page is not None:
                    file.page.parent = sections.get(f"policies/{policy.category}/index.md")
        if self.dirty:
            self._mark_stale_pages(nav, files, config)
        return nav

    def on_page_markdown(self, markdown: str, *, page, config, files) -> str:
        if page.file.src_uri in self.pages:
            return markdown
        return fill_markers(markdown, self.catalogue, page.file.src_uri)

    @event_priority(50)  # before the search plugin writes its index
    def on_post_build(self, *, config):
        if self.dirty:
            self._complete_search_index(config)

    def on_serve(self, server, *, config, builder):
        # Content lives outside docs_dir; reload the preview when a YAML file changes.
        for folder in CONTENT_FOLDERS:
            if (self.root / folder).is_dir():
                server.watch(str(self.root / folder))
        return server

    @event_priority(110)  # before any plugin loads a template
    def on_env(self, env, *, config, files):
        if self.dirty:  # each rebuild has a new Jinja environment: spare it compiling the theme again
            env.bytecode_cache = self.templates
        _share_sidebars(env, self.unlisted)
        return env

    # Dirty builds ------------------------------------------------------------------------------

    def _render(self, catalogue, today) -> dict[str, str]:
        """render_site; in dirty builds, only the pages of policies whose edit stays on their page."""
        previous, self.rendered = self.rendered, (catalogue, today) if self.dirty else None
        if previous is not None and previous[1] == today:
            edited = _page_only_edits(previous[0], catalogue)
            if edited is not None:
                pages = dict(self.pages)
                for policy_id in edited:
                    policy = catalogue.policies[policy_id]
                    pages[policy_page(policy)] = policy_markdown(catalogue, policy)
                return pages
        return render_site(catalogue, today)

    def _cache_dir(self, config) -> Path:
        return Path(config.config_file_path or ".").parent / self.config.cache_dir

    def _source(self, file: File) -> str:
        if file.src_uri in self.pages:
            return self.pages[file.src_uri]
        return Path(file.abs_src_path).read_text("utf-8-sig")

    def _mark_stale_pages(self, nav, files: Files, config) -> None:
        """Make the dirty build rebuild the pages a change reaches beyond their own source.

        A dirty build reads only changed pages, so the nav would lack the titles of the others: set
        them. When the nav or mkdocs.yml changes, every page is stale; a hand-written page is stale
        when the text its markers fill in changes. Removing a page's HTML has it rebuilt.
        """
        titles = {}
        for page in nav.pages:
            markdown, meta = get_data(self._source(page.file))
            titles[page.file.src_uri] = meta.get("title") or get_markdown_title(markdown)
            if page.markdown is None and titles[page.file.src_uri]:
                page.title = titles[page.file.src_uri]
        config_text = Path(config.config_file_path).read_text("utf-8") if config.config_file_path else ""
        site_key = _digest([config_text, config.site_name, config.nav, titles])
        filled = {f.src_uri: _digest(fill_markers(source, self.catalogue, f.src_uri))
                  for f in files.documentation_pages() if f.src_uri not in self.pages
                  and MARKER in (source := self._source(f))}
        state_file = self._cache_dir(config) / "state.json"
        try:
            state = json.loads(state_file.read_text("utf-8"))
        except (OSError, ValueError):
            state = {}
        for file in files.documentation_pages():
            if state.get("site") != site_key or state.get("filled", {}).get(file.src_uri) != filled.get(file.src_uri):
                _remove(file.abs_dest_path)
        state_file.parent.mkdir(parents=True, exist_ok=True)
        state_file.write_text(json.dumps({"site": site_key, "filled": filled}), "utf-8")

    def _complete_search_index(self, config) -> None:
        """Give Material's search every page's entries, not only those of the pages just rebuilt.

        Material merges a dirty build's entries assuming one page was rebuilt; several may be.
        """
        search = config.plugins.get("material/search")
        index = getattr(search, "search_index", None)
        if index is None or not hasattr(search, "search_index_prev"):
            return
        rebuilt: dict[str, list] = {}
        for entry in index.entries:
            rebuilt.setdefault(entry["location"].split("#")[0], []).append(entry)
        self.search_pages.update(rebuilt)
        self.search_pages = {url: e for url, e in self.search_pages.items() if url in self.page_urls}
        index.entries = [entry for entries in self.search_pages.values() for entry in entries]
        search.search_index_prev = None


def _page_only_edits(old, new) -> list[str] | None:
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


def _share_sidebars(env: jinja2.Environment, unlisted: set[str]) -> None:
    """Render Material's sidebar once for all the unlisted pages of a section and folder.

    A page the nav leaves out is never the nav's current page, so its sidebar depends only on the
    open section (its parent) and, through relative links, on its folder: every policy page of a
    category gets the same sidebar. tests/test_site_build.py checks that the HTML stays the same.
    """
    try:
        template = env.get_template(SIDEBAR)
    except jinja2.TemplateNotFound:
        return
    render, sidebars = template.root_render_func, {}

    def shared(context, *args, **kwargs):
        page = context.get("page")
        if page is None or page.file.src_uri not in unlisted:
            yield from render(context, *args, **kwargs)
            return
        key = (id(page.parent), posixpath.dirname(page.url.rstrip("/")))
        if key not in sidebars:
            sidebars[key] = "".join(render(context, *args, **kwargs))
        yield sidebars[key]

    template.root_render_func = shared


class _TemplateCache(jinja2.BytecodeCache):
    """Compiled templates kept in memory; Jinja compiles a template again when its source changes."""

    def __init__(self):
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


def _demote_dirty_warning(record: logging.LogRecord) -> bool:
    if record.levelno == logging.WARNING and record.getMessage().startswith("A 'dirty' build is being performed"):
        record.levelno, record.levelname = logging.INFO, "INFO"
    return True


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def _remove(path: str) -> None:
    Path(path).unlink(missing_ok=True)
