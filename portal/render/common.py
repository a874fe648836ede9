"""Markdown building blocks shared by every page: escaping, links, dates, deadlines, citations.

Content fields that the schema calls Markdown (policy body, module content, renewal text) pass
through as written; every other field is plain text and is escaped before it reaches the page.
"""

from __future__ import annotations

import html
import posixpath
import re
from datetime import date
from urllib.parse import urlencode

import yaml

from portal.model import ALL, Catalogue, Citation, Module, Policy, Revision

DECISIONS = {
    "implemented": "Implemented as stated",
    "alternative": "Equivalent alternative measure",
    "not_applicable": "Not reasonable and appropriate here",
}

# HTML elements in a panel's values, left out of its sentences for search (their text stays).
_TAGS = re.compile(r"<[^>]+>")
# Characters Python-Markdown would read as emphasis, links or code in a plain-text field.
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]])")


def text(value: object) -> str:
    """Plain text made safe for Markdown prose, headings and table cells."""
    escaped = html.escape(" ".join(str(value).split()), quote=False)
    return _MARKDOWN_SPECIALS.sub(r"\\\1", escaped).replace("|", "&#124;")


def attr(value: object) -> str:
    """Plain text made safe inside an HTML attribute or raw HTML element."""
    return html.escape(str(value), quote=True)


def front_matter(title: str, tags: tuple[str, ...] = ()) -> str:
    # MkDocs themes print the title and tags into HTML without escaping them.
    meta: dict = {"title": attr(title)}
    if tags:
        meta["tags"] = [attr(t) for t in tags]
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000) + "---\n\n"


def link(label: str, from_page: str, to_page: str, anchor: str = "") -> str:
    """A Markdown link between two docs-relative pages; generators resolve .md links themselves."""
    target = posixpath.relpath(to_page, posixpath.dirname(from_page) or ".")
    return f"[{text(label)}]({target}{'#' + anchor if anchor else ''})"


def url_link(label: str, url: str, *, button: str = "") -> str:
    """A link to an absolute URL; `button` adds Material's button classes (attr_list)."""
    classes = {"primary": "{ .md-button .md-button--primary }", "plain": "{ .md-button }"}.get(button, "")
    return f"[{text(label)}](<{url.replace('>', '%3E').replace(' ', '%20')}>){classes}"


def with_query(base: str, **params: object) -> str:
    return f"{base}?{urlencode(params)}" if params else base


def day(value: date) -> str:
    return value.isoformat()


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def deadline_text(days: int, counts: str = "calendar_days") -> str:
    """'within 14 days of hire', 'within 10 working days of hire'."""
    if days == 0:
        return "on your first day"
    kind = "working day" if counts == "working_days" else "day"
    return f"within {plural(days, kind)} of hire"


def months_text(months: int) -> str:
    if months % 12 == 0:
        return plural(months // 12, "year")
    return plural(months, "month")


def every(months: int) -> str:
    """'Every year', 'Every 2 years', 'Every 6 months'."""
    return "Every " + months_text(months).removeprefix("1 ")


def yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def role_titles(catalogue: Catalogue, role_ids: tuple[str, ...]) -> str:
    if ALL in role_ids:
        return "All staff"
    return ", ".join(catalogue.roles[r].title for r in role_ids)


def location_names(catalogue: Catalogue, location_ids: tuple[str, ...]) -> str:
    return ", ".join(catalogue.locations[loc].name for loc in location_ids)


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A Markdown table; cells must already be escaped with text() or built from links."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def meta_panel(fields: list[tuple[str, str]], css_class: str = "portal-meta") -> str:
    """Label/value pairs as a definition list on top of a page; values must be HTML-safe.

    Search indexes a sentence per pair instead of the list ("Version: 2. Audience: All staff."),
    which would otherwise run together ("Version2AudienceAll staff"); the sentences are never shown.
    """
    items = "".join(f"<dt>{attr(label)}</dt><dd>{value}</dd>" for label, value in fields)
    sentences = " ".join(f"{attr(label)}: {_TAGS.sub('', value).rstrip('.')}." for label, value in fields)
    return (f'<dl class="{css_class}" data-search-exclude>{items}</dl>\n'
            f'<p class="portal-search-text" hidden>{sentences}</p>\n')


def print_header(office_name: str, item: Policy | Module) -> str:
    """What a printed copy says on top (docs/stylesheets/extra.css, @media print): the office, title,
    version and effective date; docs/assets/portal.js adds the print date and the page's address."""
    return (f'<div class="portal-print-header" data-search-exclude data-office="{attr(office_name)}" '
            f'data-title="{attr(item.title)}" data-version="{item.version}" '
            f'data-effective="{day(item.effective_date)}"></div>\n\n')


def fingerprint_html(fingerprint: str) -> str:
    return f'<code class="portal-fingerprint">{attr(fingerprint)}</code>'


def page_top(catalogue: Catalogue, item: Policy | Module, who: list[tuple[str, str]],
             terms: list[tuple[str, str]]) -> str:
    """The top of a policy or module page: title, the panel of facts, and the summary.

    The panel opens with the version and its effective date, then ``who`` the item is for, the
    locations it is limited to, its own ``terms``, and closes with the fingerprint of the text.
    """
    fields = [("Version", str(item.version)), ("Effective date", day(item.effective_date)), *who]
    if item.locations:
        fields.append(("Locations", attr(location_names(catalogue, item.locations))))
    fields += [*terms, ("Fingerprint", fingerprint_html(item.fingerprint))]
    return (front_matter(item.title, item.tags) + print_header(catalogue.settings.office_name, item)
            + f"# {text(item.title)}\n\n" + meta_panel(fields) + "\n"
            + f'!!! abstract "Summary"\n    {text(item.summary)}\n\n')


def citation_lines(citations: tuple[Citation, ...]) -> str:
    """Each cited rule linked to the eCFR, with its note and, when recorded, the addressable decision."""
    lines = []
    for citation in citations:
        line = f"- {url_link(citation.rule, citation.url)}"
        if citation.note:
            line += f": {text(citation.note)}"
        if citation.decision:
            line += f"  \n  **Decision:** {DECISIONS[citation.decision]}."
            if citation.rationale:
                line += f" {text(citation.rationale)}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def history_table(catalogue: Catalogue, history: tuple[Revision, ...], applies_to: tuple[str, ...],
                  redo: str = "Must acknowledge again") -> str:
    rows = []
    for revision in sorted(history, key=lambda r: r.version, reverse=True):
        if revision.material_change:
            affected = role_titles(catalogue, revision.affected_roles or applies_to)
        else:
            affected = "Nobody"
        rows.append([str(revision.version), day(revision.date), text(revision.summary),
                     yes_no(revision.material_change), text(affected)])
    return table(["Version", "Date", "What changed", "Material change", redo], rows)


def policy_page(policy: Policy) -> str:
    return f"policies/{policy.category}/{policy.id}.md"


def module_page(module: Module) -> str:
    return f"training/{module.id}.md"


def role_page(role_id: str) -> str:
    return f"roles/{role_id}.md"


CERTIFICATIONS_PAGE = "certifications.md"
COVERAGE_PAGE = "coverage.md"
DUTIES_PAGE = "duties.md"
REVIEW_PAGE = "review.md"
