"""The review page: policies whose periodic review is overdue or coming up."""

from __future__ import annotations

from datetime import date, timedelta

from portal.model import Catalogue, Policy
from portal.render import common as md
from portal.render.common import REVIEW_PAGE, day, plural


def _status(policy: Policy, today: date) -> str:
    days = (policy.next_review - today).days
    if days < 0:
        return f"**Overdue by {plural(-days, 'day')}**"
    return "Due today" if days == 0 else f"Due in {plural(days, 'day')}"


def render_review(catalogue: Catalogue, today: date) -> dict[str, str]:
    due = catalogue.due_for_review(today)
    window = catalogue.settings.review_warning_days
    parts = [md.front_matter("Due for review"), "# Due for review\n\n",
             f"Policies whose next review date has passed or falls within {plural(window, 'day')} of "
             f"{day(today)}, the date this site was built. Each policy's owner reviews it, then publishes "
             "a new version or moves the next review date.\n\n"]
    if not due:
        parts.append(f'!!! success "Nothing due"\n    No policy is due for review before '
                     f"{day(today + timedelta(days=window))}.\n")
    else:
        rows = [[md.link(p.title, REVIEW_PAGE, md.policy_page(p)), md.text(catalogue.categories[p.category].title),
                 md.text(catalogue.roles[p.owner].title), day(p.next_review), _status(p, today)] for p in due]
        parts.append(md.table(["Policy", "Category", "Owner", "Next review", "Status"], rows))
    return {REVIEW_PAGE: "".join(parts)}
