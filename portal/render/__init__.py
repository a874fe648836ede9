"""Catalogue to Markdown, as plain functions: no site generator is imported here.

`render_site` maps docs-relative paths to Markdown; the MkDocs plugin (portal.mkdocs_plugin) and
`portal export-markdown` both use it, so the site can move to another generator.
"""

from __future__ import annotations

from datetime import date

from portal.model import Catalogue
from portal.render.certifications import render_certifications
from portal.render.coverage import render_coverage
from portal.render.duties import render_duties
from portal.render.markers import fill_markers
from portal.render.nav import site_nav
from portal.render.policies import render_policies
from portal.render.review import render_review
from portal.render.roles import render_roles
from portal.render.training import render_training

__all__ = ["fill_markers", "render_site", "site_nav"]


def render_site(catalogue: Catalogue, today: date) -> dict[str, str]:
    """Every generated page: docs-relative path -> Markdown. `today` dates the review page."""
    pages: dict[str, str] = {}
    pages.update(render_policies(catalogue))
    pages.update(render_training(catalogue))
    pages.update(render_certifications(catalogue))
    pages.update(render_roles(catalogue))
    pages.update(render_coverage(catalogue))
    pages.update(render_duties(catalogue))
    pages.update(render_review(catalogue, today))
    return pages
