"""Placeholders that hand-written pages use for content that depends on the catalogue.

A hand-written page stays valid whatever roles the office defines: it writes the marker and the
role list is filled in at build (or export) time.
"""

from __future__ import annotations

from portal.model import Catalogue
from portal.render.common import link, role_page, text


def _role_paths(catalogue: Catalogue, page: str) -> str:
    return "".join(f"- {link(r.title, page, role_page(r.id))}: {text(r.description)}\n"
                   for r in catalogue.roles.values() if not r.designation)


def _designations(catalogue: Catalogue, page: str) -> str:
    return "".join(f"- {link(r.title, page, role_page(r.id))}: {text(r.description)}\n"
                   for r in catalogue.roles.values() if r.designation)


def _contact(catalogue: Catalogue, page: str) -> str:
    return text(catalogue.settings.contact) or "Ask the office manager."


def _office(catalogue: Catalogue, page: str) -> str:
    return text(catalogue.settings.office_name)


MARKERS = {
    "<!-- portal:role-paths -->": _role_paths,
    "<!-- portal:designations -->": _designations,
    "<!-- portal:contact -->": _contact,
    "<!-- portal:office -->": _office,
}


def fill_markers(markdown: str, catalogue: Catalogue, page: str) -> str:
    """Replace each marker in a hand-written page; `page` is its docs-relative path, for links."""
    for marker, render in MARKERS.items():
        if marker in markdown:
            markdown = markdown.replace(marker, render(catalogue, page))
    return markdown
