"""The compliance program, information blocking, finance and HR content (issue #16 part B)."""

from __future__ import annotations

import re

import pytest
from content_helpers import shipped_catalogue

NEW_POLICIES = {
    "compliance-program": "compliance-program",
    "information-blocking-and-records-release": "hipaa-privacy",
    "financial-controls-and-monthly-reporting": "finance-and-reporting",
    "equal-employment-and-harassment-prevention": "human-resources",
    "hiring-paperwork-and-timekeeping": "human-resources",
}
NEW_MODULES = (
    "compliance-program-essentials",
    "information-blocking-and-patient-access",
    "financial-controls-and-reporting",
    "workplace-conduct-and-employment-basics",
)


@pytest.fixture(scope="module")
def catalogue():
    return shipped_catalogue()


def _flat(text: str) -> str:
    """Markdown text on one line, so a phrase is found across line breaks."""
    return re.sub(r"\s+", " ", text)


def test_new_policies_exist_in_their_categories(catalogue):
    for policy_id, category in NEW_POLICIES.items():
        policy = catalogue.policies[policy_id]
        assert policy.category == category, policy_id
        assert policy.version == 1 and [r.version for r in policy.history] == [1], policy_id
        assert policy.next_review > policy.effective_date, policy_id
        assert policy.citations, f"{policy_id} cites no rule"
        assert policy.acknowledgement_required, policy_id


def test_new_modules_have_substantial_quizzes(catalogue):
    for module_id in NEW_MODULES:
        module = catalogue.modules[module_id]
        assert 8 <= len(module.questions) <= 15, module_id
        assert module.pass_mark == 80, module_id
        assert module.citations, f"{module_id} cites no rule"
        assert module.recurrence_basis.strip(), module_id
        for question in module.questions:
            assert len(question.explanation.strip()) > 20, (module_id, question.id)
            choice_ids = {choice.id for choice in question.choices}
            assert question.answers and question.answers <= choice_ids, (module_id, question.id)


def test_new_items_are_on_everyones_paths(catalogue):
    for role in catalogue.roles.values():
        if role.designation:
            continue
        wanted = catalogue.requirements_for({role.id})
        policy_ids = {p.id for p in wanted["policies"]}
        module_ids = {m.id for m in wanted["modules"]}
        assert {"compliance-program", "equal-employment-and-harassment-prevention",
                "hiring-paperwork-and-timekeeping"} <= policy_ids, role.id
        assert {"compliance-program-essentials", "workplace-conduct-and-employment-basics"} <= module_ids, role.id
    manager = catalogue.requirements_for({"office-manager"})
    assert "financial-controls-and-monthly-reporting" in {p.id for p in manager["policies"]}
    assert "financial-controls-and-reporting" in {m.id for m in manager["modules"]}
    front_desk = catalogue.requirements_for({"front-desk"})
    assert "information-blocking-and-records-release" in {p.id for p in front_desk["policies"]}


def test_compliance_program_states_the_60_day_rule_and_monthly_screening(catalogue):
    policy = catalogue.policies["compliance-program"]
    assert policy.owner == "compliance-officer"
    body = _flat(policy.body)
    assert "report and return it within 60 days after the date it was identified" in body
    assert "1320a-7k(d)" in body
    assert re.search(r"monthly, the office's setting", body, re.I)
    assert "**Our setting is monthly**" in body
    assert "LEIE" in body and "oig-exclusion-screening" in body
    rules = {c.rule for c in policy.citations}
    assert {"42 CFR 401.305", "42 CFR 1001.1901", "42 CFR 1003.200"} <= rules


def test_i9_timings(catalogue):
    body = _flat(catalogue.policies["hiring-paperwork-and-timekeeping"].body)
    assert "no later than the first day of employment" in body
    assert "Within 3 business days of the first day of employment" in body
    assert "3 years after the date of hire" in body and "1 year after employment ends" in body
    module = _flat(catalogue.modules["workplace-conduct-and-employment-basics"].content)
    assert "no later than the first day of employment" in module
    assert "within 3 business days" in module


def test_information_blocking_cites_part_171_and_links_to_right_of_access(catalogue):
    policy = catalogue.policies["information-blocking-and-records-release"]
    part_171 = {c.rule for c in policy.citations if c.rule.startswith("45 CFR 171.")}
    assert {"45 CFR 171.102", "45 CFR 171.103", "45 CFR 171.201", "45 CFR 171.202", "45 CFR 171.203",
            "45 CFR 171.204", "45 CFR 171.205", "45 CFR 171.301"} <= part_171
    assert "45 CFR 164.524(b)(2)" in {c.rule for c in policy.citations}
    assert "patient-right-of-access" in policy.related_policies
    assert "patient-right-of-access" in policy.body
    assert "patient-right-of-access" in catalogue.modules["information-blocking-and-patient-access"].related_policies


def test_state_rules_are_settings_not_invented(catalogue):
    for policy_id in ("equal-employment-and-harassment-prevention", "hiring-paperwork-and-timekeeping"):
        body = _flat(catalogue.policies[policy_id].body)
        assert "## State settings" in catalogue.policies[policy_id].body, policy_id
        assert "state settings sheet" in body, policy_id
