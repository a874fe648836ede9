"""Policy pages: the library index, one index per category, and one page per policy."""

from __future__ import annotations

import html

from portal.archive import previous
from portal.model import Catalogue, Category, Policy
from portal.redline import redline
from portal.render.common import (
    attr,
    citation_lines,
    day,
    deadline_text,
    every,
    front_matter,
    history_table,
    link,
    module_page,
    page_top,
    plural,
    policy_page,
    role_titles,
    table,
    text,
    url_link,
    with_query,
    yes_no,
)
from portal.render.duties import policy_duties

INDEX = "policies/index.md"


def render_policies(catalogue: Catalogue) -> dict[str, str]:
    pages = {INDEX: policies_index(catalogue)}
    for category in catalogue.categories.values():
        pages[category_page(category)] = category_index(catalogue, category)
    for policy in catalogue.policies.values():
        pages[policy_page(policy)] = policy_markdown(catalogue, policy)
    return pages


def category_page(category: Category) -> str:
    return f"policies/{category.id}/index.md"


def acknowledgement_days(catalogue: Catalogue, policy: Policy) -> int:
    return policy.acknowledgement_days(catalogue.settings.acknowledgement_grace_days)


def acknowledge_url(catalogue: Catalogue, policy: Policy) -> str:
    """The tracker's signing page for exactly this text: id, version and fingerprint."""
    return with_query(f"{catalogue.settings.tracker_url}/ack/{policy.id}",
                      version=policy.version, fingerprint=policy.fingerprint)


def _policy_table(catalogue: Catalogue, policies: list[Policy], from_page: str) -> str:
    if not policies:
        return "No policies in this category yet.\n"
    rows = [[f"`{p.id}`", link(p.title, from_page, policy_page(p)), str(p.version), day(p.effective_date),
             day(p.next_review), yes_no(p.acknowledgement_required)] for p in policies]
    return table(["ID", "Title", "Version", "Effective", "Next review", "Acknowledgement required"], rows)


def policies_index(catalogue: Catalogue) -> str:
    parts = [front_matter("Policies"), "# Policies\n\n",
             f"{plural(len(catalogue.policies), 'policy', 'policies')} in "
             f"{plural(len(catalogue.categories), 'category', 'categories')}. Policies marked "
             "*Acknowledgement required* must be read and signed; your role page lists yours.\n\n"]
    for category in catalogue.categories.values():
        parts.append(f"## {link(category.title, INDEX, category_page(category))}\n\n")
        if category.description:
            parts.append(f"{text(category.description)}\n\n")
        parts.append(_policy_table(catalogue, catalogue.policies_in(category.id), INDEX) + "\n")
    return "".join(parts)


def category_index(catalogue: Catalogue, category: Category) -> str:
    page = category_page(category)
    intro = f"{text(category.description)}\n\n" if category.description else ""
    return (front_matter(category.title) + f"# {text(category.title)}\n\n" + intro
            + _policy_table(catalogue, catalogue.policies_in(category.id), page))


def _top(catalogue: Catalogue, policy: Policy) -> str:
    who = [("Owner", attr(catalogue.roles[policy.owner].title)),
           ("Applies to", attr(role_titles(catalogue, policy.applies_to)))]
    terms = [
        ("Next review", day(policy.next_review)),
        ("Review cycle", every(policy.review_cycle_months)),
        ("Acknowledgement", f"Required within {plural(acknowledgement_days(catalogue, policy), 'day')}"
         if policy.acknowledgement_required else "Not required"),
    ]
    return page_top(catalogue, policy, who, terms)


def _related(catalogue: Catalogue, policy: Policy) -> str:
    page = policy_page(policy)
    policies = [catalogue.policies[p] for p in policy.related_policies]
    # A module that names this policy is related too, even if the policy does not name it back.
    module_ids = set(policy.related_modules) | {m.id for m in catalogue.modules.values() if policy.id in m.related_policies}
    modules = sorted((catalogue.modules[m] for m in module_ids), key=lambda m: m.title)
    lines = [f"- Policy: {link(p.title, page, policy_page(p))}" for p in policies]
    lines += [f"- Training: {link(m.title, page, module_page(m))}" for m in modules]
    return "\n".join(lines) + "\n" if lines else ""


def _acknowledge(catalogue: Catalogue, policy: Policy) -> str:
    if not policy.acknowledgement_required:
        return ('!!! note "No signature needed"\n'
                "    Read this policy and follow it; it does not ask for an acknowledgement.\n")
    return (f"Read the whole policy, then confirm that you have read version {policy.version}. "
            f"New staff acknowledge {deadline_text(acknowledgement_days(catalogue, policy))}. When a later "
            "version changes the policy materially for your role, you are asked to acknowledge again. "
            "The tracker records which exact text you signed by its version and fingerprint.\n\n"
            f"{url_link('Acknowledge this version', acknowledge_url(catalogue, policy), button='primary')}\n")


def policy_markdown(catalogue: Catalogue, policy: Policy) -> str:
    parts = [_top(catalogue, policy), policy.body.strip() + "\n\n"]
    if policy.citations:
        parts += ["## Regulations\n\n", citation_lines(policy.citations), "\n"]
    duties = policy_duties(catalogue, policy)
    if duties:
        parts += ["## Office duties\n\n", duties, "\n"]
    related = _related(catalogue, policy)
    if related:
        parts += ["## Related\n\n", related, "\n"]
    parts += ["## Revision history\n\n", history_table(catalogue, policy.history, policy.applies_to), "\n",
              what_changed(policy), "## Acknowledgement\n\n", _acknowledge(catalogue, policy)]
    return "".join(parts)


def what_changed(policy: Policy) -> str:
    """A collapsed redline from the newest archived earlier version (portal.archive) to this one,
    with the summaries of the revisions in between; nothing when no earlier text is archived.

    Raw HTML in one block without blank lines, so Markdown leaves it as it is; every piece of
    content in it is escaped here or by portal.redline.
    """
    earlier = previous(policy)
    if earlier is None:
        return ""
    version, body = earlier
    changes = redline(body, policy.body)
    revisions = "".join(
        f"<li>Version {r.version}, {day(r.date)}: {html.escape(' '.join(r.summary.split()))}</li>"
        for r in sorted(policy.history, key=lambda r: r.version) if version < r.version <= policy.version)
    return (f'<details class="what-changed" id="what-changed">\n'
            f"<summary>See what changed from version {version}</summary>\n"
            f"<ul>{revisions}</ul>\n"
            f'<p class="redline-count">{changes.summary} from version {version} to version {policy.version}. '
            "Added text is underlined, removed text is struck through.</p>\n"
            f"{changes.html}\n</details>\n\n")
