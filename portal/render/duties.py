"""The office duties page (by frequency and by owner) and the duties section of each policy page.

Office duties are the recurring checks a policy assigns to the office itself (an extinguisher's
monthly look, the annual review of a plan); the tracker records when each was done.
"""

from __future__ import annotations

from datetime import date

from portal.model import Catalogue, Duty, Every, Policy
from portal.render.common import (
    DUTIES_PAGE,
    REVIEW_PAGE,
    citation_lines,
    front_matter,
    link,
    plural,
    policy_page,
    table,
    text,
)

EACH_LOCATION, WHOLE_OFFICE = "Each location", "The office"


def every_text(every: Every) -> str:
    """'Every month', 'Every 2 years', 'Each year by 31 January', 'Each year within 60 days after ...'."""
    for unit in ("weeks", "months", "years"):
        count = getattr(every, unit)
        if count is not None:
            return f"Every {unit[:-1]}" if count == 1 else f"Every {count} {unit}"
    if every.on is not None:
        day = date.fromisoformat(f"2028-{every.on}")
        return f"Each year by {day.day} {day:%B}"
    days = every.days_after_year_end or 0
    return (f"Each year within {plural(days, 'day')} after the end of the calendar year "
            f"({_year_day(days, 2027)}; {_year_day(days, 2028)} in a leap year)")


def _year_day(days: int, year: int) -> str:
    day = date.fromordinal(date(year, 1, 1).toordinal() + days - 1)
    return f"{day.day} {day:%B}"


def _approximate_days(every: Every) -> int:
    """Rough length of the period, only to list the most frequent duties first."""
    return (every.weeks or 0) * 7 + (every.months or 0) * 30 + (every.years or 0) * 365 + 365 * every.fixed_yearly


def _where(duty: Duty) -> str:
    return EACH_LOCATION if duty.per_location else WHOLE_OFFICE


def _owner(catalogue: Catalogue, duty: Duty) -> str:
    role = catalogue.roles.get(duty.owner)
    return text(role.title if role else duty.owner)


def duty_link(duty: Duty, from_page: str) -> str:
    return link(duty.title, from_page, DUTIES_PAGE, anchor=duty.id)


def policy_duties(catalogue: Catalogue, policy: Policy) -> str:
    """The table of a policy page's office duties; empty when the policy assigns none."""
    if not policy.duties:
        return ""
    page = policy_page(policy)
    rows = [[duty_link(d, page), text(every_text(d.every)), _owner(catalogue, d), _where(d), text(d.evidence)]
            for d in policy.duties]
    return ("This policy assigns these recurring checks to the office. The owner records each one in the "
            "tracker when it is done.\n\n" + table(["Duty", "How often", "Owner", "Where", "Record"], rows))


def _by_frequency(catalogue: Catalogue, pairs: list[tuple[Policy, Duty]]) -> str:
    rows = [[duty_link(d, DUTIES_PAGE), text(every_text(d.every)), _owner(catalogue, d), _where(d),
             link(p.title, DUTIES_PAGE, policy_page(p))]
            for p, d in sorted(pairs, key=lambda pd: (_approximate_days(pd[1].every), pd[1].title))]
    return table(["Duty", "How often", "Owner", "Where", "Policy"], rows)


def _by_owner(catalogue: Catalogue, pairs: list[tuple[Policy, Duty]]) -> str:
    parts = []
    for role_id, role in catalogue.roles.items():
        owned = [d for _p, d in pairs if d.owner == role_id]
        if owned:
            rows = [[duty_link(d, DUTIES_PAGE), text(every_text(d.every)), _where(d)] for d in owned]
            parts.append(f"### {text(role.title)}\n\n" + table(["Duty", "How often", "Where"], rows) + "\n")
    return "".join(parts)


def _details(catalogue: Catalogue, policy: Policy, duty: Duty) -> str:
    parts = [f"### {text(duty.title)} {{ #{duty.id} }}\n\n",
             f"**How often.** {text(every_text(duty.every))}. {text(duty.frequency_basis)}\n\n",
             f"**Who.** {_owner(catalogue, duty)}, {'at each location' if duty.per_location else 'once for the office'}. "
             f"Assigned by {link(policy.title, DUTIES_PAGE, policy_page(policy))}.\n\n",
             f"**Record.** {text(duty.evidence)}\n\n"]
    if duty.citations:
        parts += ["**Regulations.**\n\n", citation_lines(duty.citations), "\n"]
    return "".join(parts)


def render_duties(catalogue: Catalogue) -> dict[str, str]:
    pairs = catalogue.duties()
    parts = [front_matter("Office duties"), "# Office duties\n\n",
             f"{plural(len(pairs), 'recurring check')} our policies assign to the office, each with its owner. "
             "The owner records each one in the tracker when it is done; the tracker shows what is due and "
             f"keeps the records for inspections. Each policy's own periodic review is a duty of the policy's "
             f"owner too: see {link('Due for review', DUTIES_PAGE, REVIEW_PAGE)}.\n\n"]
    if not pairs:
        parts.append("No policy assigns an office duty yet.\n")
        return {DUTIES_PAGE: "".join(parts)}
    parts += ["## By frequency\n\n", _by_frequency(catalogue, pairs), "\n",
              "## By owner\n\n", _by_owner(catalogue, pairs), "\n",
              "## Each duty\n\n", *(_details(catalogue, p, d) for p, d in pairs)]
    return {DUTIES_PAGE: "".join(parts)}
