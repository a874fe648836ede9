"""The `portal` MkDocs plugin: a thin adapter from portal.render to MkDocs' build events.

Everything a page says is decided in portal.render, which knows nothing of MkDocs; this module
only loads the catalogue, hands the generated Markdown to MkDocs and sets the navigation.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from portal.loader import load_catalogue
from portal.mkdocs_config import PortalConfig, parse_today
from portal.problems import ContentError
from portal.render import fill_markers, render_site, site_nav
from portal.render.common import attr

CONTENT_FOLDERS = ("policies", "training")
log = logging.getLogger("mkdocs.plugins.portal")


class PortalPlugin(BasePlugin[PortalConfig]):
    def __init__(self):
        self.root = Path()
        self.catalogue = None
        self.preloaded = None  # a catalogue `portal build` already validated, used once
        self.pages: dict[str, str] = {}
        self.page_count = 0

    def on_config(self, config):
        self.root = Path(config.config_file_path or ".").parent / self.config.content_dir
        try:
            catalogue = self.preloaded or load_catalogue(self.root)
        except ContentError as error:
            count = len(error.problems)
            raise PluginError(f"{count} content problem{'s' * (count != 1)} in {self.root}:\n{error}") from None
        self.catalogue, self.preloaded = catalogue, None
        try:
            today = parse_today(self.config.today)
        except ValueError as error:
            raise PluginError(f"plugins.portal.today: {error}; write it as YYYY-MM-DD") from None
        self.pages = render_site(self.catalogue, today)
        settings = self.catalogue.settings
        config.site_name = attr(settings.office_name)  # themes print site_name unescaped
        if settings.logo:
            config.theme["logo"] = settings.logo
            config.theme["favicon"] = settings.logo
        if not config.site_url and settings.site_url:
            config.site_url = settings.site_url.rstrip("/") + "/"
        return config

    def on_files(self, files: Files, *, config) -> Files:
        for src_uri, markdown in self.pages.items():
            if files.get_file_from_path(src_uri) is not None:
                raise PluginError(f"{config.docs_dir}/{src_uri} has the path of a generated page; rename or remove it")
            files.append(File.generated(config, src_uri, content=markdown))
        logo = self.catalogue.settings.logo
        if logo and files.get_file_from_path(logo) is None:
            log.warning(f"policies/office.yml: the logo '{logo}' is not a file in {config.docs_dir}")
        hand_written = [f.src_uri for f in files.documentation_pages() if f.src_uri not in self.pages]
        if config.nav is None:  # a nav written in mkdocs.yml wins
            config.nav = site_nav(self.catalogue, hand_written)
        self.page_count = len(self.pages) + len(hand_written)
        return files

    def on_page_markdown(self, markdown: str, *, page, config, files) -> str:
        if page.file.src_uri in self.pages:
            return markdown
        return fill_markers(markdown, self.catalogue, page.file.src_uri)

    def on_serve(self, server, *, config, builder):
        # Content lives outside docs_dir; reload the preview when a YAML file changes.
        for folder in CONTENT_FOLDERS:
            if (self.root / folder).is_dir():
                server.watch(str(self.root / folder))
        return server
