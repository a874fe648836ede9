"""Training pages: the module index and one page per module.

A module page tells how many quiz questions there are and the pass mark; it never shows the
questions, their choices, answers or explanations: those stay with the tracker, which grades.
"""

from __future__ import annotations

from portal.model import Catalogue, Module
from portal.render import common as md

INDEX = "training/index.md"


def render_training(catalogue: Catalogue) -> dict[str, str]:
    pages = {INDEX: training_index(catalogue)}
    for module in catalogue.modules.values():
        pages[md.module_page(module)] = module_markdown(catalogue, module)
    return pages


def module_deadline_days(catalogue: Catalogue, module: Module) -> int:
    return module.deadline_days(catalogue.settings.training_deadline_days)


def module_deadline(catalogue: Catalogue, module: Module) -> str:
    if module.due_at_initial_assignment:
        return "before your first task it covers (at initial assignment)"
    return md.deadline_text(module_deadline_days(catalogue, module), module.deadline_counts)


def recurrence_text(module: Module) -> str:
    if module.recurrence_months is None:
        return "Once; no refresher"
    return md.every(module.recurrence_months)


def quiz_text(module: Module) -> str:
    return f"{md.plural(len(module.questions), 'question')}, pass mark {module.pass_mark}%"


def quiz_url(catalogue: Catalogue, module: Module) -> str:
    return f"{catalogue.settings.tracker_url}/training/{module.id}"


def training_index(catalogue: Catalogue) -> str:
    modules = sorted(catalogue.modules.values(), key=lambda m: m.title)
    rows = [[md.link(m.title, INDEX, md.module_page(m)), md.text(md.role_titles(catalogue, m.audience)),
             md.text(module_deadline(catalogue, m)), md.text(recurrence_text(m)), md.yes_no(m.in_person_required),
             md.text(quiz_text(m))] for m in modules]
    return (md.front_matter("Training") + "# Training\n\n"
            "Each module is a short read followed by a quiz in the tracker. Deadlines count from your "
            "hire date; refreshers count from your last completion.\n\n"
            + (md.table(["Module", "Audience", "Deadline", "Repeats", "In person", "Quiz"], rows)
               if rows else "No training modules yet.\n"))


def _top(catalogue: Catalogue, module: Module) -> str:
    terms = [
        ("Deadline", md.attr(module_deadline(catalogue, module).capitalize())),
        ("Repeats", md.attr(recurrence_text(module))),
    ]
    if module.recurrence_basis:
        terms.append(("Why this interval", md.attr(module.recurrence_basis)))
    terms += [
        ("In person", "Required" if module.in_person_required else "Not required"),
        ("Quiz", md.attr(quiz_text(module))),
    ]
    return md.page_top(catalogue, module, [("Audience", md.attr(md.role_titles(catalogue, module.audience)))], terms)


def _quiz(catalogue: Catalogue, module: Module) -> str:
    parts = [f"The quiz has {md.plural(len(module.questions), 'question')}; you pass with {module.pass_mark}% "
             "or more. It runs in the tracker, which records your completion.\n\n"]
    if module.in_person_required:
        parts.append('!!! info "In-person session"\n'
                     "    This module also needs a live session with a trainer, who records your attendance.\n\n")
    parts.append(md.url_link("Take the quiz", quiz_url(catalogue, module), button="primary") + "\n")
    return "".join(parts)


def module_markdown(catalogue: Catalogue, module: Module) -> str:
    page = md.module_page(module)
    parts = [
        _top(catalogue, module),
        "## Objectives\n\n", "".join(f"- {md.text(o)}\n" for o in module.objectives), "\n",
        module.content.strip() + "\n\n",
    ]
    if module.related_policies:
        parts += ["## Related policies\n\n",
                  "".join(f"- {md.link(catalogue.policies[p].title, page, md.policy_page(catalogue.policies[p]))}\n"
                          for p in module.related_policies), "\n"]
    if module.citations:
        parts += ["## Regulations\n\n", md.citation_lines(module.citations), "\n"]
    if module.history:
        parts += ["## Revision history\n\n",
                  md.history_table(catalogue, module.history, module.audience, redo="Must retrain"), "\n"]
    parts += ["## Quiz\n\n", _quiz(catalogue, module)]
    return "".join(parts)
