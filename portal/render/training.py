"""Training pages: the module index and one page per module.

A module page tells how many quiz questions there are and the pass mark; it never shows the
questions, their choices, answers or explanations: those stay with the tracker, which grades.
"""

from __future__ import annotations

from portal.model import Catalogue, Module
from portal.render.common import (
    attr,
    citation_lines,
    day,
    deadline_text,
    every,
    fingerprint_html,
    front_matter,
    history_table,
    link,
    location_names,
    meta_panel,
    module_page,
    plural,
    policy_page,
    role_titles,
    table,
    text,
    url_link,
    yes_no,
)

INDEX = "training/index.md"


def render_training(catalogue: Catalogue) -> dict[str, str]:
    pages = {INDEX: training_index(catalogue)}
    for module in catalogue.modules.values():
        pages[module_page(module)] = module_markdown(catalogue, module)
    return pages


def module_deadline_days(catalogue: Catalogue, module: Module) -> int:
    return module.deadline_days(catalogue.settings.training_deadline_days)


def module_deadline(catalogue: Catalogue, module: Module) -> str:
    return deadline_text(module_deadline_days(catalogue, module), module.deadline_counts)


def recurrence_text(module: Module) -> str:
    if module.recurrence_months is None:
        return "Once; no refresher"
    return every(module.recurrence_months)


def quiz_text(module: Module) -> str:
    return f"{plural(len(module.questions), 'question')}, pass mark {module.pass_mark}%"


def quiz_url(catalogue: Catalogue, module: Module) -> str:
    return f"{catalogue.settings.tracker_url}/training/{module.id}"


def training_index(catalogue: Catalogue) -> str:
    modules = sorted(catalogue.modules.values(), key=lambda m: m.title)
    rows = [[link(m.title, INDEX, module_page(m)), text(role_titles(catalogue, m.audience)),
             text(module_deadline(catalogue, m)), text(recurrence_text(m)), yes_no(m.in_person_required),
             text(quiz_text(m))] for m in modules]
    return (front_matter("Training") + "# Training\n\n"
            "Each module is a short read followed by a quiz in the tracker. Deadlines count from your "
            "hire date; refreshers count from your last completion.\n\n"
            + (table(["Module", "Audience", "Deadline", "Repeats", "In person", "Quiz"], rows)
               if rows else "No training modules yet.\n"))


def _panel(catalogue: Catalogue, module: Module) -> str:
    fields = [
        ("Version", str(module.version)),
        ("Effective date", day(module.effective_date)),
        ("Audience", attr(role_titles(catalogue, module.audience))),
    ]
    if module.locations:
        fields.append(("Locations", attr(location_names(catalogue, module.locations))))
    fields += [
        ("Deadline", attr(module_deadline(catalogue, module).capitalize())),
        ("Repeats", attr(recurrence_text(module))),
    ]
    if module.recurrence_basis:
        fields.append(("Why this interval", attr(module.recurrence_basis)))
    fields += [
        ("In person", "Required" if module.in_person_required else "Not required"),
        ("Quiz", attr(quiz_text(module))),
        ("Fingerprint", fingerprint_html(module.fingerprint)),
    ]
    return meta_panel(fields)


def _quiz(catalogue: Catalogue, module: Module) -> str:
    parts = [f"The quiz has {plural(len(module.questions), 'question')}; you pass with {module.pass_mark}% "
             "or more. It runs in the tracker, which records your completion.\n\n"]
    if module.in_person_required:
        parts.append('!!! info "In-person session"\n'
                     "    This module also needs a live session with a trainer, who records your attendance.\n\n")
    parts.append(url_link("Take the quiz", quiz_url(catalogue, module), button="primary") + "\n")
    return "".join(parts)


def module_markdown(catalogue: Catalogue, module: Module) -> str:
    page = module_page(module)
    parts = [
        front_matter(module.title, module.tags),
        f"# {text(module.title)}\n\n",
        _panel(catalogue, module), "\n",
        f'!!! abstract "Summary"\n    {text(module.summary)}\n\n',
        "## Objectives\n\n", "".join(f"- {text(o)}\n" for o in module.objectives), "\n",
        module.content.strip() + "\n\n",
    ]
    if module.related_policies:
        parts += ["## Related policies\n\n",
                  "".join(f"- {link(catalogue.policies[p].title, page, policy_page(catalogue.policies[p]))}\n"
                          for p in module.related_policies), "\n"]
    if module.citations:
        parts += ["## Regulations\n\n", citation_lines(module.citations), "\n"]
    if module.history:
        parts += ["## Revision history\n\n",
                  history_table(catalogue, module.history, module.audience, redo="Must retrain"), "\n"]
    parts += ["## Quiz\n\n", _quiz(catalogue, module)]
    return "".join(parts)
