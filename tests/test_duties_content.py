"""Office duties in the content: the schema and cross-reference rules, the fingerprint, the site
pages, and the regulatory facts of the starter library's duties."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from content_helpers import copy_fixture, edit, line_of

from portal import load_catalogue
from portal.fingerprint import fingerprint, policy_text_fields
from portal.loader import check
from portal.model import Every
from portal.render import render_site, site_nav
from portal.render.duties import every_text
from portal.yamlio import parse

ROOT = Path(__file__).resolve().parents[1]
ACCESS = "policies/privacy/access.yml"
DUTY = """duties:
  - id: records-request-log-review
    title: Review the records request log
    owner: manager
    every: {months: 1}
    frequency_basis: An office setting.
    evidence: The date and the requests checked.
tags: [privacy]"""


def planted(tmp_path, old: str, new: str):
    root = copy_fixture(tmp_path)
    edit(root, ACCESS, "tags: [privacy]", DUTY)
    if old:
        edit(root, ACCESS, old, new)
    return root, check(root)


def test_a_policy_declares_duties_without_changing_its_fingerprint(tmp_path):
    before = load_catalogue(copy_fixture(tmp_path / "a")).policies["access"]
    root, report = planted(tmp_path / "b", "", "")
    assert report.ok, [str(p) for p in report.problems]
    policy = report.catalogue.policies["access"]
    assert policy.fingerprint == before.fingerprint
    assert policy.fingerprint == fingerprint(policy_text_fields(parse((root / ACCESS).read_text("utf-8"))))
    (duty,) = policy.duties
    assert (duty.id, duty.owner, duty.every, duty.per_location) == ("records-request-log-review", "manager",
                                                                     Every(months=1), False)


@pytest.mark.parametrize(("old", "new", "marker", "words"), [
    ("owner: manager\n    every", "owner: boss\n    every", "owner: boss", "unknown role 'boss'"),
    ("every: {months: 1}", "every: {months: 1, weeks: 2}", "every:", "every"),
    ("every: {months: 1}", "every: {monthly: 1}", "monthly", "did you mean 'months'"),
    ("every: {months: 1}", 'every: {on: "02-30"}', "02-30", "is not a day of the year"),
    ("every: {months: 1}", 'every: {on: "1-31"}', "1-31", "not in the expected form"),
    ("    evidence: The date and the requests checked.\n", "", "- id: records-request-log-review",
     "missing required field 'evidence'"),
    ("id: records-request-log-review", "id: privacy-basics", "id: privacy-basics", "also used by the training module"),
])
def test_a_bad_duty_is_reported_at_its_line(tmp_path, old, new, marker, words):
    root, report = planted(tmp_path, old, new)
    matching = [p for p in report.problems if p.path == ACCESS and words in str(p)]
    assert matching, [str(p) for p in report.problems]
    assert any(p.line == line_of(root, ACCESS, marker) for p in matching)
    assert all(p.hint for p in matching)


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(ROOT)


def test_the_site_has_an_office_duties_page_in_the_nav_and_policy_pages_list_theirs(catalogue):
    pages = render_site(catalogue, date(2026, 12, 1))
    duties_page = pages["duties.md"]
    assert "## By frequency" in duties_page and "## By owner" in duties_page
    assert duties_page.index("eyewash station") < duties_page.index("exposure control plan")  # weekly first
    assert "duties.md" in site_nav(catalogue, [])
    fire = pages["policies/osha-safety/fire-prevention-plan.md"]
    assert "## Office duties" in fire and "Visually inspect every fire extinguisher" in fire
    assert "## Office duties" not in pages["policies/hipaa-privacy/minimum-necessary.md"]
    owner = pages["roles/security-officer.md"]
    assert "## Office duties this role owns" in owner and "Review every user's system access" in owner


@pytest.mark.parametrize(("duty_id", "every", "rule", "setting"), [
    ("extinguisher-monthly-inspection", Every(months=1), "29 CFR 1910.157(e)(2)", False),
    ("extinguisher-annual-maintenance", Every(years=1), "29 CFR 1910.157(e)(3)", False),
    ("exposure-control-plan-annual-review", Every(years=1), "29 CFR 1910.1030(c)(1)(iv)", False),
    ("security-risk-analysis-update", Every(years=1), "45 CFR 164.308(a)(1)(ii)(A)", True),
    ("security-evaluation", Every(years=1), "45 CFR 164.308(a)(8)", True),
    ("information-system-activity-review", Every(months=1), "45 CFR 164.308(a)(1)(ii)(D)", True),
    ("quarterly-access-review", Every(months=3), "45 CFR 164.308(a)(4)(ii)(C)", True),
    ("business-associate-inventory-review", Every(years=1), "45 CFR 164.502(e)", True),
    ("monthly-exclusion-screening", Every(months=1), "42 CFR 1001.1901", True),
    ("eyewash-weekly-check", Every(weeks=1), "29 CFR 1910.151(c)", True),
    ("clia-certificate-renewal", Every(years=2), "42 CFR 493.37(e)(1)", False),
    ("hhs-annual-small-breach-report", Every(days_after_year_end=60), "45 CFR 164.408(c)", False),
])
def test_the_starter_library_duties_follow_the_rules(catalogue, duty_id, every, rule, setting):
    duty = next(d for _p, d in catalogue.duties() if d.id == duty_id)
    assert duty.every == every
    assert rule in [c.rule for c in duty.citations]
    # an office choice says so first; a rule's frequency names the rule
    assert duty.frequency_basis.startswith("An office setting" if setting else "Required"), duty.frequency_basis
    assert duty.owner in catalogue.roles


def test_the_hhs_report_is_shown_as_60_days_after_the_year_end():
    text = every_text(Every(days_after_year_end=60))
    assert "60 days after the end of the calendar year" in text
    assert "1 March; 29 February in a leap year" in text
