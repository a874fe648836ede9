"""The `portal` MkDocs plugin: a thin adapter from portal.render to MkDocs' build events.

Everything a page says is decided in portal.render, which knows nothing of MkDocs; this module
only loads the catalogue (portal.loader), hands the generated Markdown to MkDocs, sets the
navigation and watches the content folders in a preview.

Two things keep it fast (docs/benchmarks.md has the figures):

- The nav lists categories, not policies: each category's index page lists its policies, so the
  sidebar every page renders stays a few dozen links however many policies there are.
- Dirty builds (`portal serve`, `mkdocs serve --dirty`) rebuild only what changed
  (portal.mkdocs_dirty). Across serve rebuilds this plugin instance stays (it defines
  `on_startup`), so only content files whose text changed are parsed again.
"""

from __future__ import annotations

import logging
import posixpath
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from portal.loader import ContentCache
from portal.mkdocs_config import PortalConfig, parse_today
from portal.mkdocs_dirty import DirtyBuild, demote_dirty_warning
from portal.model import Catalogue
from portal.problems import ContentError
from portal.render import fill_markers, render_site, site_nav
from portal.render.common import attr, policy_page
from portal.render.policies import category_page

CONTENT_FOLDERS = ("policies", "training")
SIDEBAR = "partials/nav.html"  # Material's primary navigation, which every page renders
DIRTY_WARNINGS = logging.getLogger("mkdocs.commands.build")
log = logging.getLogger("mkdocs.plugins.portal")


class PortalPlugin(BasePlugin[PortalConfig]):
    def __init__(self) -> None:
        self.root = Path()
        self.preloaded: Catalogue | None = None  # a catalogue `portal build` already validated, used once
        self.content = ContentCache()
        self._catalogue: Catalogue | None = None
        self.pages: dict[str, str] = {}  # generated pages: docs-relative path -> Markdown
        self.page_count = 0
        self.dirty: DirtyBuild | None = None  # set in dirty builds, for the whole serve session
        self.own_nav = False
        # Unlisted policy pages by their category page's URL: (URL in the category's folder, title).
        self.category_policies: dict[str, list[tuple[str, str]]] = {}
        self.unlisted: set[str] = set()  # policy pages the nav leaves out
        self.page_urls: set[str] = set()

    @property
    def catalogue(self) -> Catalogue:
        if self._catalogue is None:
            raise PluginError("the portal plugin has no catalogue before its on_config event")
        return self._catalogue

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        # Defining this hook also keeps the instance across `mkdocs serve` rebuilds.
        if dirty:
            self.dirty = DirtyBuild()
            DIRTY_WARNINGS.addFilter(demote_dirty_warning)

    def on_shutdown(self) -> None:
        self.dirty = None
        DIRTY_WARNINGS.removeFilter(demote_dirty_warning)

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.root = Path(config.config_file_path or ".").parent / self.config.content_dir
        catalogue = self._catalogue = self._load()
        try:
            today = parse_today(self.config.today)
        except ValueError as error:
            raise PluginError(f"plugins.portal.today: {error}; write it as YYYY-MM-DD") from None
        self.pages = self.dirty.render(catalogue, today) if self.dirty else render_site(catalogue, today)
        settings = catalogue.settings
        config.site_name = attr(settings.office_name)  # themes print site_name unescaped
        if settings.logo:
            config.theme["logo"] = settings.logo
            config.theme["favicon"] = settings.logo
        if not config.site_url and settings.site_url:
            config.site_url = settings.site_url.rstrip("/") + "/"
        return config

    def _load(self) -> Catalogue:
        """The catalogue of the content folder; a PluginError naming each problem's file and line."""
        catalogue, self.preloaded = self.preloaded, None
        if catalogue is not None:
            return catalogue
        report = self.content.check(self.root)
        if report.catalogue is None:
            error = ContentError(report.problems)
            count = len(error.problems)
            raise PluginError(f"{count} content problem{'s' * (count != 1)} in {self.root}:\n{error}")
        return report.catalogue

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        for src_uri in self.pages:
            if files.get_file_from_path(src_uri) is not None:
                raise PluginError(f"{config.docs_dir}/{src_uri} has the path of a generated page; rename or remove it")
        self.own_nav = config.nav is None  # a nav written in mkdocs.yml wins
        # Policy pages the nav leaves out are reached from their category page and search.
        unlisted = set()
        if self.own_nav and not self.config.policies_in_nav:
            unlisted = {policy_page(p) for p in self.catalogue.policies.values()}
        self.unlisted = unlisted
        for file in self._generated_files(config):
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

    def _generated_files(self, config: MkDocsConfig) -> list[File]:
        """The generated pages as MkDocs files: from memory, or in dirty builds from the page cache."""
        cache = self.dirty.write(self.pages, config, self._cache_dir(config)) if self.dirty else None
        found = []
        for src_uri, markdown in self.pages.items():
            inclusion = InclusionLevel.NOT_IN_NAV if src_uri in self.unlisted else InclusionLevel.UNDEFINED
            if cache is not None:
                found.append(File.generated(config, src_uri, abs_src_path=str(cache.path(src_uri)), inclusion=inclusion))
            else:
                found.append(File.generated(config, src_uri, content=markdown, inclusion=inclusion))
        return found

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        if self.own_nav and not self.config.policies_in_nav:
            # A policy page opens its category's section in the sidebar, as if it were listed there.
            sections = {page.file.src_uri: page.parent for page in nav.pages}
            for policy in self.catalogue.policies.values():
                file = files.get_file_from_path(policy_page(policy))
                if file is not None and file.page is not None:
                    file.page.parent = sections.get(f"policies/{policy.category}/index.md")
            self.category_policies = self._category_policies(files)
        if self.dirty:
            # Each page of a category shows the category's policies in its sidebar.
            sidebars = {page: self.category_policies.get(index.url) for page, index in self._categories(files)}
            self.dirty.mark_stale_pages(nav, files, config, self.catalogue, self.pages,
                                        self._cache_dir(config) / "state.json", sidebars)
        return nav

    def _categories(self, files: Files) -> Iterator[tuple[str, File]]:
        """(page, its category's page) for every category page and every policy page."""
        for category in self.catalogue.categories.values():
            index = files.get_file_from_path(category_page(category))
            if index is not None:
                yield index.src_uri, index
                yield from ((policy_page(p), index) for p in self.catalogue.policies_in(category.id))

    def _category_policies(self, files: Files) -> dict[str, list[tuple[str, str]]]:
        """Each category's policies, listed in its nav section too (overrides/partials/nav-item.html):
        on a phone the menu opens at a policy's section, which would otherwise be an empty panel."""
        listed: dict[str, list[tuple[str, str]]] = {}
        for category in self.catalogue.categories.values():
            index = files.get_file_from_path(category_page(category))
            if index is None:
                continue
            folder = index.url if index.url.endswith("/") else posixpath.dirname(index.url) + "/"
            listed[index.url] = [(file.url.removeprefix(folder), policy.title)
                                 for policy in self.catalogue.policies_in(category.id)
                                 if (file := files.get_file_from_path(policy_page(policy))) is not None]
        return listed

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        if page.file.src_uri in self.pages:
            return markdown
        return fill_markers(markdown, self.catalogue, page.file.src_uri)

    @event_priority(50)  # before the search plugin writes its index
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.dirty:
            self.dirty.complete_search_index(config, self.page_urls)

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Callable[..., Any]
                 ) -> LiveReloadServer:
        # Content lives outside docs_dir; reload the preview when a YAML file changes.
        for folder in CONTENT_FOLDERS:
            if (self.root / folder).is_dir():
                server.watch(str(self.root / folder))
        return server

    @event_priority(110)  # before any plugin loads a template
    def on_env(self, env: jinja2.Environment, *, config: MkDocsConfig, files: Files) -> jinja2.Environment:
        if self.dirty:  # each rebuild has a new Jinja environment: spare it compiling the theme again
            env.bytecode_cache = self.dirty.templates
        _share_sidebars(env, self.unlisted)
        env.globals["portal_category_policies"] = self.category_policies
        return env

    def _cache_dir(self, config: MkDocsConfig) -> Path:
        return Path(config.config_file_path or ".").parent / self.config.cache_dir


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
    render = template.root_render_func
    sidebars: dict[tuple[int, str], str] = {}

    def shared(context: Any, *args: Any, **kwargs: Any) -> Iterator[str]:
        page = context.get("page")
        if page is None or page.file.src_uri not in unlisted:
            yield from render(context, *args, **kwargs)
            return
        key = (id(page.parent), posixpath.dirname(page.url.rstrip("/")))
        if key not in sidebars:
            sidebars[key] = "".join(render(context, *args, **kwargs))
        yield sidebars[key]

    template.root_render_func = shared
