"""Role pages: each role's new-hire checklist with deadlines counted from the hire date."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from portal.model import Catalogue, CertificationType, Module, Policy, Requirements, Role
from portal.render.certifications import (
    certification_deadline,
    requirement_groups,
    requirement_label,
    validity_text,
)
from portal.render.common import (
    day,
    deadline_text,
    front_matter,
    link,
    location_names,
    module_page,
    plural,
    policy_page,
    role_page,
    table,
    text,
)
from portal.render.duties import duty_link, every_text
from portal.render.policies import acknowledgement_days
from portal.render.training import module_deadline, module_deadline_days, quiz_text, recurrence_text

INDEX = "roles/index.md"


def role_requirements(catalogue: Catalogue, role_id: str) -> Requirements:
    """What the role owes at every location: items limited to some locations are included too."""
    owed = [catalogue.requirements_for([role_id])]
    owed += [catalogue.requirements_for([role_id], location_id) for location_id in catalogue.locations]
    return Requirements(policies=_by_id(o["policies"] for o in owed), modules=_by_id(o["modules"] for o in owed),
                        certifications=_by_id(o["certifications"] for o in owed))


_Item = TypeVar("_Item", Policy, Module, CertificationType)


def _by_id(lists: Iterable[list[_Item]]) -> list[_Item]:
    """The items of all the lists, each once, in the order first listed."""
    found: dict[str, _Item] = {}
    for items in lists:
        found.update({i.id: i for i in items})
    return list(found.values())


def _where(catalogue: Catalogue, item) -> str:
    return f" ({text(location_names(catalogue, item.locations))} only)" if item.locations else ""


def _sort_days(days: int | None, counts: str = "calendar_days") -> float:
    """Rough calendar days, only to list the earliest deadline first."""
    if days is None:
        return 0
    return days * 7 / 5 if counts == "working_days" else days


def _policies(catalogue: Catalogue, role: Role, policies: list) -> str:
    page = role_page(role.id)
    if not policies:
        return "No policy asks this role for an acknowledgement.\n"
    policies = sorted(policies, key=lambda p: (acknowledgement_days(catalogue, p), p.title))
    rows = [[link(p.title, page, policy_page(p)) + _where(catalogue, p), str(p.version),
             deadline_text(acknowledgement_days(catalogue, p))] for p in policies]
    return table(["Policy", "Version", "Acknowledge"], rows)


def _modules(catalogue: Catalogue, role: Role, modules: list) -> str:
    page = role_page(role.id)
    if not modules:
        return "No training module applies to this role.\n"
    def days(m):
        return _sort_days(module_deadline_days(catalogue, m), m.deadline_counts)

    rows = [[link(m.title, page, module_page(m)) + _where(catalogue, m), text(module_deadline(catalogue, m)),
             text(recurrence_text(m)), text(quiz_text(m))] for m in sorted(modules, key=lambda m: (days(m), m.title))]
    return table(["Module", "Complete", "Repeats", "Quiz"], rows)


def _certifications(catalogue: Catalogue, role: Role, certs: list) -> str:
    page = role_page(role.id)
    if not certs:
        return "No certification is required for this role.\n"
    default = catalogue.settings.training_deadline_days
    groups = sorted(requirement_groups(certs),
                    key=lambda g: (_sort_days(g[0].deadline_days(default), g[0].deadline_counts), g[0].name))
    rows = [[requirement_label(g, page) + _where(catalogue, g[0]), text(certification_deadline(catalogue, g[0])),
             text(validity_text(g[0]))] for g in groups]
    return table(["Certification", "Hold it", "Valid for"], rows)


def role_markdown(catalogue: Catalogue, role: Role) -> str:
    owed = role_requirements(catalogue, role.id)
    page = role_page(role.id)
    also = sorted((p for p in catalogue.policies.values()
                   if not p.acknowledgement_required and p.applies_to_roles([role.id])), key=lambda p: p.title)
    parts = [front_matter(role.title), f"# {text(role.title)}\n\n", f"{text(role.description)}\n\n"]
    if role.designation:
        parts.append('!!! info "A designation"\n    This is a responsibility held in addition to a job role: '
                     "follow the checklist of your job role too.\n\n")
    parts += [
        "Your new-hire checklist. Every deadline counts from your **hire date**; the tracker shows "
        "your own dates and reminds you before each one.\n\n",
        "## Read and acknowledge\n\n", _policies(catalogue, role, owed["policies"]), "\n",
        "## Complete training\n\n", _modules(catalogue, role, owed["modules"]), "\n",
        "## Hold certifications\n\n", _certifications(catalogue, role, owed["certifications"]), "\n",
    ]
    owned = sorted((p for p in catalogue.policies.values() if p.owner == role.id), key=lambda p: p.title)
    if owned:
        parts += ["## Policies this role owns\n\n",
                  "The owner keeps these policies current and reviews each by its next review date.\n\n",
                  table(["Policy", "Next review"],
                        [[link(p.title, page, policy_page(p)), day(p.next_review)] for p in owned]), "\n"]
    duties = [d for _p, d in catalogue.duties() if d.owner == role.id]
    if duties:
        parts += ["## Office duties this role owns\n\n",
                  "Record each one in the tracker when it is done.\n\n",
                  table(["Duty", "How often"], [[duty_link(d, page), text(every_text(d.every))] for d in duties]), "\n"]
    if also:
        parts += ["## Also read (no signature needed)\n\n",
                  "".join(f"- {link(p.title, page, policy_page(p))}\n" for p in also)]
    return "".join(parts)


def roles_index(catalogue: Catalogue) -> str:
    rows = []
    for role in catalogue.roles.values():
        owed = role_requirements(catalogue, role.id)
        title = link(role.title, INDEX, role_page(role.id)) + (" (designation)" if role.designation else "")
        rows.append([title, text(role.description), plural(len(owed["policies"]), "policy", "policies"),
                     plural(len(owed["modules"]), "module"),
                     plural(len(requirement_groups(owed["certifications"])), "certification")])
    return (front_matter("Roles") + "# Roles\n\nFind your role for your new-hire checklist. Designations "
            "such as privacy officer are held in addition to a job role.\n\n"
            + table(["Role", "What it does", "Acknowledge", "Training", "Certifications"], rows))


def render_roles(catalogue: Catalogue) -> dict[str, str]:
    pages = {INDEX: roles_index(catalogue)}
    pages.update({role_page(r.id): role_markdown(catalogue, r) for r in catalogue.roles.values()})
    return pages
