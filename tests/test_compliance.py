"""The compliance rules, pinned to the day: tracker/rules/ (item_status, evaluator, deadlines, summary)."""

from __future__ import annotations

import dataclasses
import random
from datetime import date, timedelta
from types import MappingProxyType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.model import Catalogue, CertificationType, Module, Policy, Revision, Settings
from tracker.rules.deadlines import add_working_days, deadline_after_hire, recurrence_due
from tracker.rules.evaluator import Evaluator, person_statuses, requirements
from tracker.rules.item_status import certification_status, policy_status, training_status
from tracker.rules.records import Ack, CertRecord, Completion, ItemStatus, Person, Rules, Status
from tracker.rules.summary import combined, summarise

COMPLIANT, DUE_SOON, PENDING, OVERDUE = Status.COMPLIANT, Status.DUE_SOON, Status.PENDING, Status.OVERDUE
RULES = Rules(grace_days=30, due_soon_days=30, training_deadline_days=60)
SETTINGS = Settings(office_name="Test Clinic", acknowledgement_grace_days=30, due_soon_days=30,
                    training_deadline_days=60)


def d(text: str) -> date:
    return date.fromisoformat(text)


def rev(version: int, on: str, material: bool = True, roles: tuple[str, ...] = ()) -> Revision:
    return Revision(version=version, date=d(on), summary=f"Version {version}.", material_change=material,
                    affected_roles=roles)


# --------------------------------------------------------------------------------------------
# Factories: small content objects with defaults, overridden per test
# --------------------------------------------------------------------------------------------


POLICY = Policy(
    id="privacy", title="Privacy", category="hipaa-privacy", summary="s", version=1,
    effective_date=d("2026-01-01"), owner="privacy-officer", review_cycle_months=12,
    next_review=d("2027-01-01"), applies_to=("all",), acknowledgement_required=True, grace_days=None,
    body="b", history=(rev(1, "2026-01-01"),), fingerprint="f", source="policies/x.yml",
)


def make_policy(**changes) -> Policy:
    return dataclasses.replace(POLICY, **changes)


MODULE = Module(
    id="bbp", title="Bloodborne pathogens", version=1, effective_date=d("2024-01-01"), summary="s",
    audience=("all",), deadline_days_after_hire=30, deadline_counts="calendar_days", recurrence_months=12,
    pass_mark=80, objectives=("o",), content="c", questions=(), fingerprint="f", source="training/x.yml",
)


def make_module(**changes) -> Module:
    return dataclasses.replace(MODULE, **changes)


CERT = CertificationType(
    id="bls", name="BLS", kind="certification", issuer="AHA", validity_months=24, required_for=("all",),
    renewal="r", source="training/certifications.yml", due_soon_days=60, deadline_days_after_hire=30,
)


def make_cert(**changes) -> CertificationType:
    return dataclasses.replace(CERT, **changes)


PERSON = Person(id=1, name="Pat", role_ids=frozenset({"front-desk"}), location_id=None, hire_date=d("2024-06-03"))


def make_person(**changes) -> Person:
    return dataclasses.replace(PERSON, **changes)


def make_catalogue(*items, settings: Settings = SETTINGS) -> Catalogue:
    def index(kind):
        return MappingProxyType({i.id: i for i in sorted((i for i in items if isinstance(i, kind)), key=lambda i: i.id)})

    return Catalogue(settings=settings, policies=index(Policy), modules=index(Module),
                     certifications=index(CertificationType))


def ack(version: int, on: str, policy_id: str = "privacy") -> Ack:
    return Ack(policy_id=policy_id, version=version, signed_on=d(on))


def done(on: str, version: int = 1, method: str = "quiz", module_id: str = "bbp") -> Completion:
    return Completion(module_id=module_id, version=version, completed_on=d(on), method=method)


def card(issued: str, expires: str | None, type_id: str = "bls", verified: bool = True) -> CertRecord:
    return CertRecord(type_id=type_id, issued_on=d(issued), expires_on=d(expires) if expires else None,
                      verified=verified)


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("start", "days", "expected"), [
    ("2026-03-06", 1, "2026-03-09"),   # Friday + 1 -> Monday
    ("2026-03-05", 2, "2026-03-09"),   # Thursday + 2 -> Monday
    ("2026-03-05", 3, "2026-03-10"),   # Thursday + 3 -> Tuesday
    ("2026-03-02", 5, "2026-03-09"),   # Monday + 5 -> next Monday
    ("2026-03-02", 4, "2026-03-06"),   # Monday + 4 -> Friday
    ("2026-03-07", 1, "2026-03-09"),   # Saturday + 1 -> Monday
    ("2026-03-08", 1, "2026-03-09"),   # Sunday + 1 -> Monday
    ("2026-03-07", 5, "2026-03-13"),   # Saturday + 5 -> Friday
    ("2026-03-07", 0, "2026-03-07"),   # zero days: the start itself
    ("2026-03-06", 10, "2026-03-20"),  # two weeks
])
def test_add_working_days(start, days, expected):
    assert add_working_days(d(start), days) == d(expected)


def test_add_working_days_matches_counting_one_day_at_a_time():
    for offset in range(14):
        start = d("2026-03-02") + timedelta(days=offset)
        for days in range(0, 40):
            day, left = start, days
            while left:
                day += timedelta(days=1)
                if day.weekday() < 5:
                    left -= 1
            assert add_working_days(start, days) == day, (start, days)


def test_add_working_days_does_not_skip_public_holidays():
    assert add_working_days(d("2026-12-24"), 1) == d("2026-12-25")  # Christmas Day is a Friday


def test_add_working_days_rejects_negative_days():
    with pytest.raises(ValueError, match="zero or more"):
        add_working_days(d("2026-03-02"), -1)


def test_deadline_after_hire_counts_calendar_or_working_days():
    thursday = d("2026-03-05")
    assert deadline_after_hire(thursday, 3, "calendar_days") == d("2026-03-08")
    assert deadline_after_hire(thursday, 3, "working_days") == d("2026-03-10")
    assert deadline_after_hire(thursday, 3) == d("2026-03-08")
    with pytest.raises(ValueError, match="deadline counts"):
        deadline_after_hire(thursday, 3, "fortnights")


@pytest.mark.parametrize(("completed", "months", "expected"), [
    ("2025-03-01", 12, "2026-03-01"),
    ("2027-03-01", 12, "2028-02-29"),  # 365 days, not "same date next year", across 29 February
    ("2024-01-10", 24, "2026-01-09"),  # 730 days
    ("2026-08-31", 6, "2027-02-28"),   # calendar months, clipped to the month's end
    ("2026-01-15", 18, "2027-07-15"),
    ("2026-01-31", 1, "2026-02-28"),
])
def test_recurrence_due(completed, months, expected):
    assert recurrence_due(d(completed), months) == d(expected)


def test_recurrence_due_rejects_zero_months():
    with pytest.raises(ValueError):
        recurrence_due(d("2026-01-01"), 0)


def test_rules_from_settings():
    assert Rules.from_settings(SETTINGS) == RULES


# --------------------------------------------------------------------------------------------
# Policy acknowledgement
# --------------------------------------------------------------------------------------------


def test_acknowledged_policy_is_compliant():
    signed = ack(1, "2026-01-05")
    result = policy_status(make_policy(), make_person(), [signed], d("2026-06-01"), RULES)
    assert result == ItemStatus("policy", "privacy", "Privacy", COMPLIANT, None, signed,
                                "Version 1 acknowledged on 2026-01-05")


def test_acknowledgement_deadline_day_is_pending_and_the_day_after_overdue():
    policy, person = make_policy(), make_person()  # hired before the policy took effect on 2026-01-01
    on_deadline = policy_status(policy, person, [], d("2026-01-31"), RULES)
    assert (on_deadline.status, on_deadline.due_date) == (PENDING, d("2026-01-31"))
    assert on_deadline.detail == "Version 1 not yet acknowledged; due 2026-01-31"
    after = policy_status(policy, person, [], d("2026-02-01"), RULES)
    assert (after.status, after.due_date, after.satisfied_by) == (OVERDUE, d("2026-01-31"), None)
    assert after.detail == "Version 1 not acknowledged; was due 2026-01-31"


def test_acknowledgement_is_never_due_soon():
    result = policy_status(make_policy(), make_person(), [], d("2026-01-30"), RULES)
    assert result.status is PENDING


def test_acknowledgement_deadline_counts_from_hire_when_hired_after_the_effective_date():
    person = make_person(hire_date=d("2026-03-02"))
    assert policy_status(make_policy(), person, [], d("2026-04-01"), RULES).status is PENDING
    result = policy_status(make_policy(), person, [], d("2026-04-02"), RULES)
    assert (result.status, result.due_date) == (OVERDUE, d("2026-04-01"))


def test_acknowledgement_deadline_counts_from_the_effective_date_when_hired_before():
    result = policy_status(make_policy(effective_date=d("2026-01-01")), make_person(hire_date=d("2020-01-01")),
                           [], d("2026-01-10"), RULES)
    assert result.due_date == d("2026-01-31")


def test_grace_days_come_from_the_policy_when_set():
    result = policy_status(make_policy(grace_days=10), make_person(), [], d("2026-01-11"), RULES)
    assert (result.status, result.due_date) == (PENDING, d("2026-01-11"))
    assert policy_status(make_policy(grace_days=10), make_person(), [], d("2026-01-12"), RULES).status is OVERDUE


def test_grace_days_come_from_the_settings_when_the_policy_sets_none():
    result = policy_status(make_policy(grace_days=None), make_person(), [], d("2026-01-11"),
                           dataclasses.replace(RULES, grace_days=14))
    assert result.due_date == d("2026-01-15")


def test_zero_grace_days_on_the_policy_is_not_treated_as_unset():
    result = policy_status(make_policy(grace_days=0), make_person(), [], d("2026-01-01"), RULES)
    assert (result.status, result.due_date) == (PENDING, d("2026-01-01"))
    assert policy_status(make_policy(grace_days=0), make_person(), [], d("2026-01-02"), RULES).status is OVERDUE


def test_non_material_change_keeps_compliance():
    policy = make_policy(version=2, effective_date=d("2026-03-01"),
                         history=(rev(1, "2026-01-01"), rev(2, "2026-03-01", material=False)))
    signed = ack(1, "2026-01-05")
    result = policy_status(policy, make_person(), [signed], d("2026-06-01"), RULES)
    assert (result.status, result.satisfied_by) == (COMPLIANT, signed)


def test_material_change_for_other_roles_keeps_compliance():
    policy = make_policy(version=2, effective_date=d("2026-03-01"),
                         history=(rev(1, "2026-01-01"), rev(2, "2026-03-01", roles=("billing-coding",))))
    result = policy_status(policy, make_person(role_ids=frozenset({"front-desk"})), [ack(1, "2026-01-05")],
                           d("2026-06-01"), RULES)
    assert result.status is COMPLIANT


def test_material_change_for_my_role_requires_a_new_acknowledgement():
    policy = make_policy(version=2, effective_date=d("2026-03-01"),
                         history=(rev(1, "2026-01-01"), rev(2, "2026-03-01", roles=("billing-coding",))))
    biller = make_person(role_ids=frozenset({"billing-coding"}))
    pending = policy_status(policy, biller, [ack(1, "2026-01-05")], d("2026-03-31"), RULES)
    assert (pending.status, pending.due_date, pending.satisfied_by) == (PENDING, d("2026-03-31"), None)
    assert pending.detail == "Version 1 acknowledged on 2026-01-05, but version 2 is due by 2026-03-31"
    overdue = policy_status(policy, biller, [ack(1, "2026-01-05")], d("2026-04-01"), RULES)
    assert overdue.status is OVERDUE
    assert overdue.detail == "Version 1 acknowledged on 2026-01-05, but version 2 was due by 2026-03-31"
    signed = ack(2, "2026-03-10")
    assert policy_status(policy, biller, [ack(1, "2026-01-05"), signed], d("2026-04-01"), RULES).satisfied_by == signed


def test_material_change_without_named_roles_applies_to_everyone():
    policy = make_policy(version=2, effective_date=d("2026-03-01"),
                         history=(rev(1, "2026-01-01"), rev(2, "2026-03-01")))
    assert policy_status(policy, make_person(), [ack(1, "2026-01-05")], d("2026-06-01"), RULES).status is OVERDUE


def test_deadline_uses_the_history_date_of_an_older_required_version():
    # v2 is the last material change (2026-02-01); v3 is a typo fix that took effect 2026-05-01
    policy = make_policy(version=3, effective_date=d("2026-05-01"),
                         history=(rev(1, "2025-01-01"), rev(2, "2026-02-01"), rev(3, "2026-05-01", material=False)))
    result = policy_status(policy, make_person(), [], d("2026-06-01"), RULES)
    assert (result.status, result.due_date) == (OVERDUE, d("2026-03-03"))
    assert result.detail == "Version 2 not acknowledged; was due 2026-03-03"


def test_deadline_uses_the_policy_effective_date_for_the_current_version():
    # the history date is when version 2 was approved; effective_date is when it takes effect
    policy = make_policy(version=2, effective_date=d("2026-02-15"),
                         history=(rev(1, "2025-01-01"), rev(2, "2026-02-01")))
    assert policy_status(policy, make_person(), [], d("2026-03-01"), RULES).due_date == d("2026-03-17")


def test_as_of_a_past_date_the_version_then_in_force_decides():
    # v2 (material) takes effect on 2026-02-01: before that, signing v1 was enough.
    policy = make_policy(version=2, effective_date=d("2026-02-01"),
                         history=(rev(1, "2025-01-01"), rev(2, "2026-01-20")))
    signed_v1 = [ack(1, "2025-01-05")]
    assert policy_status(policy, make_person(), signed_v1, d("2026-01-31"), RULES).status == COMPLIANT
    result = policy_status(policy, make_person(), signed_v1, d("2026-02-01"), RULES)
    assert (result.status, result.due_date) == (PENDING, d("2026-03-03"))


def test_items_not_yet_in_effect_are_not_required():
    policy = make_policy(version=1, effective_date=d("2026-05-01"), history=(rev(1, "2026-05-01"),))
    catalogue = make_catalogue(policy)
    person = make_person()
    assert person_statuses(catalogue, person, [], [], [], d("2026-04-30")) == []
    assert [s.id for s in person_statuses(catalogue, person, [], [], [], d("2026-05-01"))] == [policy.id]


def test_a_later_version_acknowledged_also_counts():
    policy = make_policy(version=2, effective_date=d("2026-03-01"),
                         history=(rev(1, "2026-01-01"), rev(2, "2026-03-01", material=False)))
    signed = ack(2, "2026-03-02")
    assert policy_status(policy, make_person(), [signed], d("2026-06-01"), RULES).satisfied_by == signed


def test_satisfied_by_is_the_highest_version_acknowledged():
    policy = make_policy(version=3, effective_date=d("2026-03-01"),
                         history=(rev(1, "2026-01-01"), rev(2, "2026-02-01", material=False),
                                  rev(3, "2026-03-01", material=False)))
    newest = ack(3, "2026-03-02")
    result = policy_status(policy, make_person(), [ack(1, "2026-01-02"), newest, ack(2, "2026-02-02")],
                           d("2026-06-01"), RULES)
    assert result.satisfied_by == newest


def test_acknowledgements_of_other_policies_are_ignored():
    result = policy_status(make_policy(), make_person(), [ack(1, "2026-01-05", policy_id="other")],
                           d("2026-01-10"), RULES)
    assert result.status is PENDING


def test_acknowledgement_signed_after_today_is_ignored():
    signed = ack(1, "2026-02-10")
    assert policy_status(make_policy(), make_person(), [signed], d("2026-02-09"), RULES).status is OVERDUE
    assert policy_status(make_policy(), make_person(), [signed], d("2026-02-10"), RULES).status is COMPLIANT


# --------------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------------


def test_training_due_at_initial_assignment_is_due_on_the_hire_date():
    """1910.1030(g)(2)(ii)(A): bloodborne pathogens training before the first task with exposure, not
    a number of days after hire; a person's roles count from their hire date."""
    module = make_module(initial_deadline="at_initial_assignment", deadline_days_after_hire=None)
    person = make_person(hire_date=d("2026-03-02"))
    on_hire_day = training_status(module, person, [], d("2026-03-02"), RULES)
    assert on_hire_day.status is not OVERDUE
    assert on_hire_day.due_date == d("2026-03-02")
    assert training_status(module, person, [], d("2026-03-03"), RULES).status is OVERDUE
    assert training_status(module, person, [done("2026-03-02")], d("2026-03-03"), RULES).status is COMPLIANT


def test_annual_training_day_365_is_due_soon_and_day_366_overdue():
    module, person = make_module(), make_person(hire_date=d("2024-06-03"))
    completion = done("2025-03-01")
    day_365 = training_status(module, person, [completion], d("2026-03-01"), RULES)
    assert day_365 == ItemStatus("module", "bbp", "Bloodborne pathogens", DUE_SOON, d("2026-03-01"), completion,
                                 "Completed on 2025-03-01; renewal due 2026-03-01")
    day_366 = training_status(module, person, [completion], d("2026-03-02"), RULES)
    assert day_366 == ItemStatus("module", "bbp", "Bloodborne pathogens", OVERDUE, d("2026-03-01"), None,
                                 "Last completed on 2025-03-01; renewal was due 2026-03-01")


def test_annual_training_day_365_is_still_compliant_without_a_warning_window():
    module = make_module()
    rules = dataclasses.replace(RULES, due_soon_days=0)
    assert training_status(module, make_person(), [done("2025-03-01")], d("2026-03-01"), rules).status is DUE_SOON
    assert training_status(module, make_person(), [done("2025-03-01")], d("2026-02-28"), rules).status is COMPLIANT


def test_due_soon_window_starts_due_soon_days_before_the_due_date():
    module, completion = make_module(), done("2025-03-01")  # due 2026-03-01; window opens 2026-01-30
    before = training_status(module, make_person(), [completion], d("2026-01-29"), RULES)
    assert (before.status, before.due_date, before.satisfied_by) == (COMPLIANT, d("2026-03-01"), completion)
    assert before.detail == "Completed on 2025-03-01; next due 2026-03-01"
    assert training_status(module, make_person(), [completion], d("2026-01-30"), RULES).status is DUE_SOON


def test_the_newest_counting_completion_decides():
    newer = done("2025-12-01")
    result = training_status(make_module(), make_person(), [newer, done("2025-01-10")], d("2026-03-01"), RULES)
    assert (result.status, result.satisfied_by, result.due_date) == (COMPLIANT, newer, d("2026-12-01"))


def test_recurrence_in_calendar_months():
    module = make_module(recurrence_months=6)
    result = training_status(module, make_person(), [done("2025-08-31")], d("2026-02-28"), RULES)
    assert (result.status, result.due_date) == (DUE_SOON, d("2026-02-28"))
    assert training_status(module, make_person(), [done("2025-08-31")], d("2026-03-01"), RULES).status is OVERDUE


def test_no_completion_is_pending_through_the_deadline_and_overdue_after():
    module, person = make_module(deadline_days_after_hire=30), make_person(hire_date=d("2026-03-02"))
    on_deadline = training_status(module, person, [], d("2026-04-01"), RULES)
    assert on_deadline == ItemStatus("module", "bbp", "Bloodborne pathogens", PENDING, d("2026-04-01"), None,
                                     "Not completed; due 2026-04-01")
    after = training_status(module, person, [], d("2026-04-02"), RULES)
    assert (after.status, after.detail) == (OVERDUE, "Not completed; was due 2026-04-01")


def test_training_deadline_defaults_to_the_office_setting():
    module, person = make_module(deadline_days_after_hire=None), make_person(hire_date=d("2026-03-02"))
    assert training_status(module, person, [], d("2026-03-10"), RULES).due_date == d("2026-05-01")  # 60 days


def test_zero_deadline_days_is_not_treated_as_unset():
    module, person = make_module(deadline_days_after_hire=0), make_person(hire_date=d("2026-03-02"))
    assert training_status(module, person, [], d("2026-03-02"), RULES).due_date == d("2026-03-02")


def test_working_days_deadline_across_a_weekend():
    module = make_module(deadline_days_after_hire=3, deadline_counts="working_days")
    person = make_person(hire_date=d("2026-03-05"))  # Thursday
    on_deadline = training_status(module, person, [], d("2026-03-10"), RULES)  # Tuesday
    assert (on_deadline.status, on_deadline.due_date) == (PENDING, d("2026-03-10"))
    assert training_status(module, person, [], d("2026-03-11"), RULES).status is OVERDUE


def test_staff_hired_before_a_new_module_get_the_period_from_its_effective_date():
    module = make_module(effective_date=d("2026-03-02"), deadline_days_after_hire=30)
    veteran = make_person(hire_date=d("2019-05-01"))
    assert training_status(module, veteran, [], d("2026-04-01"), RULES).status is PENDING
    result = training_status(module, veteran, [], d("2026-04-02"), RULES)
    assert (result.status, result.due_date) == (OVERDUE, d("2026-04-01"))


def test_staff_hired_after_the_module_took_effect_count_from_hire():
    module = make_module(effective_date=d("2026-03-02"), deadline_days_after_hire=30)
    assert training_status(module, make_person(hire_date=d("2026-05-01")), [], d("2026-05-02"),
                           RULES).due_date == d("2026-05-31")


def test_once_only_module_stays_compliant():
    module = make_module(recurrence_months=None)
    completion = done("2020-01-10")
    result = training_status(module, make_person(hire_date=d("2019-01-01")), [completion], d("2040-01-01"), RULES)
    assert result == ItemStatus("module", "bbp", "Bloodborne pathogens", COMPLIANT, None, completion,
                                "Completed on 2020-01-10; no renewal needed")


def test_in_person_required_ignores_quiz_completions():
    module = make_module(in_person_required=True, effective_date=d("2026-01-01"))
    person = make_person(hire_date=d("2025-01-01"))
    quiz = training_status(module, person, [done("2026-01-05", method="quiz")], d("2026-02-01"), RULES)
    assert (quiz.status, quiz.satisfied_by, quiz.due_date) == (OVERDUE, None, d("2026-01-31"))
    assert quiz.detail == "Completion on 2026-01-05 was not an in-person session; was due 2026-01-31"
    session = done("2026-01-06", method="in_person")
    result = training_status(module, person, [done("2026-01-05"), session], d("2026-02-01"), RULES)
    assert (result.status, result.satisfied_by) == (COMPLIANT, session)


def test_quiz_completions_count_when_in_person_is_not_required():
    assert training_status(make_module(), make_person(), [done("2026-01-05", method="quiz")], d("2026-02-01"),
                           RULES).status is COMPLIANT


def test_material_module_change_requires_the_new_version():
    module = make_module(version=2, effective_date=d("2026-02-01"),
                         history=(rev(1, "2024-01-01"), rev(2, "2026-02-01")))
    person = make_person(hire_date=d("2024-06-03"))
    old = [done("2025-12-01", version=1)]
    pending = training_status(module, person, old, d("2026-03-03"), RULES)  # 30 days from the change
    assert (pending.status, pending.due_date, pending.satisfied_by) == (PENDING, d("2026-03-03"), None)
    assert pending.detail == ("Completion on 2025-12-01 was of version 1, before the material change in version 2; "
                              "due 2026-03-03")
    assert training_status(module, person, old, d("2026-03-04"), RULES).status is OVERDUE
    new = done("2026-02-10", version=2)
    assert training_status(module, person, [*old, new], d("2026-03-04"), RULES).satisfied_by == new


def test_non_material_module_change_keeps_older_completions():
    module = make_module(version=2, effective_date=d("2026-02-01"),
                         history=(rev(1, "2024-01-01"), rev(2, "2026-02-01", material=False)))
    assert training_status(module, make_person(), [done("2025-12-01", version=1)], d("2026-03-04"),
                           RULES).status is COMPLIANT


def test_material_module_change_for_other_roles_keeps_older_completions():
    module = make_module(version=2, effective_date=d("2026-02-01"),
                         history=(rev(1, "2024-01-01"), rev(2, "2026-02-01", roles=("clinician",))))
    old = [done("2025-12-01", version=1)]
    assert training_status(module, make_person(), old, d("2026-03-04"), RULES).status is COMPLIANT
    clinician = make_person(role_ids=frozenset({"clinician"}))
    assert training_status(module, clinician, old, d("2026-03-04"), RULES).status is OVERDUE


def test_module_without_history_accepts_any_version():
    module = make_module(version=3, history=())
    assert training_status(module, make_person(), [done("2025-12-01", version=1)], d("2026-03-04"),
                           RULES).status is COMPLIANT


def test_completion_after_today_is_ignored():
    module, person = make_module(), make_person(hire_date=d("2026-02-01"))
    later = done("2026-02-20")
    assert training_status(module, person, [later], d("2026-02-19"), RULES).status is PENDING
    assert training_status(module, person, [later], d("2026-02-20"), RULES).status is COMPLIANT


def test_completions_of_other_modules_are_ignored():
    result = training_status(make_module(), make_person(hire_date=d("2026-01-05")),
                             [done("2026-01-06", module_id="fire")], d("2026-01-10"), RULES)
    assert result.status is PENDING


def test_lapsed_training_before_the_starter_deadline_is_pending_until_that_deadline():
    # trained 400 days before being hired: lapsed, but a new starter still has 30 days
    person = make_person(hire_date=d("2026-03-02"))
    completion = done("2025-01-26")
    result = training_status(make_module(), person, [completion], d("2026-03-10"), RULES)
    assert (result.status, result.due_date, result.satisfied_by) == (PENDING, d("2026-04-01"), None)
    assert result.detail == "Last completed on 2025-01-26; renewal was due 2026-01-26; starter deadline 2026-04-01"
    after = training_status(make_module(), person, [completion], d("2026-04-02"), RULES)
    assert (after.status, after.due_date) == (OVERDUE, d("2026-01-26"))


# --------------------------------------------------------------------------------------------
# Certifications
# --------------------------------------------------------------------------------------------


def test_certification_expiry_day_is_valid_and_the_day_after_overdue():
    bls, record = make_cert(), card("2024-05-31", "2026-05-31")
    on_expiry = certification_status([bls], make_person(), [record], d("2026-05-31"), RULES)
    assert on_expiry == ItemStatus("certification", "bls", "BLS", DUE_SOON, d("2026-05-31"), record,
                                   "Expires 2026-05-31")
    after = certification_status([bls], make_person(), [record], d("2026-06-01"), RULES)
    assert after == ItemStatus("certification", "bls", "BLS", OVERDUE, d("2026-05-31"), None,
                               "Expired on 2026-05-31")


def test_certification_due_soon_window_uses_the_type_setting():
    bls, record = make_cert(due_soon_days=60), card("2024-05-31", "2026-05-31")  # window opens 2026-04-01
    assert certification_status([bls], make_person(), [record], d("2026-03-31"), RULES).status is COMPLIANT
    assert certification_status([bls], make_person(), [record], d("2026-04-01"), RULES).status is DUE_SOON


def test_certification_due_soon_window_falls_back_to_the_office_setting():
    bls, record = make_cert(due_soon_days=None), card("2024-05-31", "2026-05-31")  # 30 days: from 2026-05-01
    assert certification_status([bls], make_person(), [record], d("2026-04-30"), RULES).status is COMPLIANT
    assert certification_status([bls], make_person(), [record], d("2026-05-01"), RULES).status is DUE_SOON


def test_missing_certification_is_pending_until_the_deadline_then_overdue():
    bls, person = make_cert(deadline_days_after_hire=30), make_person(hire_date=d("2026-03-02"))
    on_deadline = certification_status([bls], person, [], d("2026-04-01"), RULES)
    assert on_deadline == ItemStatus("certification", "bls", "BLS", PENDING, d("2026-04-01"), None,
                                     "Not on file; due 2026-04-01")
    after = certification_status([bls], person, [], d("2026-04-02"), RULES)
    assert (after.status, after.detail) == (OVERDUE, "Not on file; was due 2026-04-01")


def test_missing_certification_deadline_defaults_and_working_days():
    person = make_person(hire_date=d("2026-03-05"))
    assert certification_status([make_cert(deadline_days_after_hire=None)], person, [], d("2026-03-06"),
                                RULES).due_date == d("2026-05-04")
    hep_b = make_cert(id="hep-b-offer", deadline_days_after_hire=10, deadline_counts="working_days")
    assert certification_status([hep_b], person, [], d("2026-03-06"), RULES).due_date == d("2026-03-19")


CMA = make_cert(id="cma", name="CMA", alternative_group="ma-credential", due_soon_days=90)
RMA = make_cert(id="rma", name="RMA", alternative_group="ma-credential", due_soon_days=30)


def test_any_one_of_an_alternative_group_satisfies_it():
    record = card("2025-01-01", "2028-01-01", type_id="rma")
    result = certification_status([CMA, RMA], make_person(), [record], d("2026-06-01"), RULES)
    assert result == ItemStatus("certification", "ma-credential", "CMA or RMA", COMPLIANT, d("2028-01-01"), record,
                                "RMA expires 2028-01-01")


def test_the_group_takes_the_record_that_expires_last():
    later = card("2025-01-01", "2029-01-01", type_id="cma")
    records = [card("2025-06-01", "2027-01-01", type_id="rma"), later, card("2024-01-01", "2026-01-01")]
    assert certification_status([CMA, RMA], make_person(), records, d("2026-06-01"), RULES).satisfied_by == later


def test_the_group_warns_on_the_schedule_of_the_type_held():
    rma = card("2024-01-01", "2026-06-30", type_id="rma")
    cma = card("2021-06-30", "2026-06-30", type_id="cma")
    today = d("2026-05-15")  # 46 days before expiry: inside CMA's 90, outside RMA's 30
    assert certification_status([CMA, RMA], make_person(), [rma], today, RULES).status is COMPLIANT
    assert certification_status([CMA, RMA], make_person(), [cma], today, RULES).status is DUE_SOON


def test_the_group_gives_the_latest_of_its_types_deadlines():
    short = dataclasses.replace(CMA, deadline_days_after_hire=30)
    long = dataclasses.replace(RMA, deadline_days_after_hire=90)
    person = make_person(hire_date=d("2026-01-01"))
    assert certification_status([short, long], person, [], d("2026-01-02"), RULES).due_date == d("2026-04-01")


def test_unverified_record_is_ignored():
    unverified = card("2025-01-01", "2027-01-01", verified=False)
    result = certification_status([make_cert()], make_person(hire_date=d("2025-01-01")), [unverified],
                                  d("2026-06-01"), RULES)
    assert (result.status, result.satisfied_by) == (OVERDUE, None)


def test_one_time_item_never_expires():
    record = card("2010-01-01", None, type_id="hep-b")
    hep_b = make_cert(id="hep-b", name="Hepatitis B vaccination", validity_months=None)
    result = certification_status([hep_b], make_person(hire_date=d("2009-01-01")), [record], d("2060-01-01"), RULES)
    assert result == ItemStatus("certification", "hep-b", "Hepatitis B vaccination", COMPLIANT, None, record,
                                "Issued on 2010-01-01; does not expire")


def test_a_record_without_expiry_beats_any_expiry_date():
    forever = card("2020-01-01", None)
    records = [card("2026-01-01", "2099-01-01"), forever]
    assert certification_status([make_cert()], make_person(), records, d("2026-06-01"), RULES).satisfied_by == forever


def test_certificate_issued_after_today_is_ignored():
    record = card("2026-02-10", "2028-02-10")
    person = make_person(hire_date=d("2026-01-15"))
    assert certification_status([make_cert()], person, [record], d("2026-02-09"), RULES).status is PENDING
    assert certification_status([make_cert()], person, [record], d("2026-02-10"), RULES).status is COMPLIANT


def test_records_of_other_types_are_ignored():
    result = certification_status([make_cert()], make_person(hire_date=d("2026-01-15")),
                                  [card("2026-01-01", "2028-01-01", type_id="acls")], d("2026-01-20"), RULES)
    assert result.status is PENDING


def test_card_expired_before_the_starter_deadline_is_pending_until_that_deadline():
    person = make_person(hire_date=d("2026-03-02"))
    old = card("2024-01-01", "2026-01-01")
    result = certification_status([make_cert()], person, [old], d("2026-03-10"), RULES)
    assert (result.status, result.due_date) == (PENDING, d("2026-04-01"))
    assert result.detail == "Expired on 2026-01-01; a current one is due 2026-04-01"
    assert certification_status([make_cert()], person, [old], d("2026-04-02"), RULES).status is OVERDUE


def test_certification_status_needs_the_types_of_one_requirement():
    with pytest.raises(ValueError, match="at least one"):
        certification_status([], make_person(), [], d("2026-01-01"), RULES)
    with pytest.raises(ValueError, match="different requirements"):
        certification_status([CMA, make_cert()], make_person(), [], d("2026-01-01"), RULES)


def test_unknown_deadline_counting_is_rejected():
    with pytest.raises(ValueError, match="deadline counts"):
        training_status(make_module(deadline_counts="weeks"), make_person(), [], d("2026-01-01"), RULES)


# --------------------------------------------------------------------------------------------
# Requirements and people
# --------------------------------------------------------------------------------------------

NORTH_ONLY = make_policy(id="north-keys", title="North keys", locations=("north",))
INFO_ONLY = make_policy(id="handbook", title="Handbook", acknowledgement_required=False)
CLINICAL = make_module(id="sharps", title="Sharps", audience=("clinician",))
OFFICE = make_catalogue(make_policy(), NORTH_ONLY, INFO_ONLY, make_module(), CLINICAL, make_cert(), CMA, RMA)


def test_requirements_follow_roles_and_locations():
    front_desk_south = make_person(location_id="south")
    assert requirements(OFFICE, front_desk_south, d("2026-06-01")) == [
        ("policy", make_policy()),
        ("module", make_module()),
        ("certification", (make_cert(),)),
        ("certification", (CMA, RMA)),
    ]
    clinician_north = make_person(role_ids=frozenset({"clinician"}), location_id="north")
    kinds_ids = [(k, getattr(i, "id", None) or i[0].requirement_id)
                 for k, i in requirements(OFFICE, clinician_north, d("2026-06-01"))]
    assert kinds_ids == [("policy", "north-keys"), ("policy", "privacy"), ("module", "bbp"), ("module", "sharps"),
                         ("certification", "bls"), ("certification", "ma-credential")]


def test_location_specific_requirement_needs_that_location():
    ids = {s.id for s in person_statuses(OFFICE, make_person(location_id="north"), [], [], [], d("2026-06-01"))}
    assert "north-keys" in ids
    for location in ("south", None):
        ids = {s.id for s in person_statuses(OFFICE, make_person(location_id=location), [], [], [], d("2026-06-01"))}
        assert "north-keys" not in ids


def test_policies_without_acknowledgement_are_not_requirements():
    ids = {s.id for s in person_statuses(OFFICE, make_person(), [], [], [], d("2026-06-01"))}
    assert "handbook" not in ids


def test_person_statuses_lists_every_requirement_once():
    statuses = person_statuses(OFFICE, make_person(location_id="north"), [], [], [], d("2026-06-01"))
    assert [(s.kind, s.id) for s in statuses] == [
        ("policy", "north-keys"), ("policy", "privacy"), ("module", "bbp"),
        ("certification", "bls"), ("certification", "ma-credential"),
    ]


def test_left_staff_are_excluded_from_the_day_they_leave():
    today = d("2026-06-01")
    assert person_statuses(OFFICE, make_person(left_on=today), [], [], [], today) == []
    assert person_statuses(OFFICE, make_person(left_on=d("2026-05-01")), [], [], [], today) == []
    assert requirements(OFFICE, make_person(left_on=today), today) == []
    assert len(person_statuses(OFFICE, make_person(left_on=d("2026-06-02")), [], [], [], today)) == 4


def test_left_staff_are_still_assessed_as_of_a_date_before_they_left():
    person = make_person(left_on=d("2026-06-01"))
    assert len(person_statuses(OFFICE, person, [], [], [], d("2026-05-31"))) == 4


def test_hire_date_in_the_future_has_no_requirements_yet():
    person = make_person(hire_date=d("2026-07-01"))
    assert person_statuses(OFFICE, person, [], [], [], d("2026-06-30")) == []
    assert requirements(OFFICE, person, d("2026-06-30")) == []
    assert len(person_statuses(OFFICE, person, [], [], [], d("2026-07-01"))) == 4


def test_person_statuses_uses_the_catalogue_settings():
    strict = make_catalogue(make_policy(), settings=dataclasses.replace(SETTINGS, acknowledgement_grace_days=5))
    [result] = person_statuses(strict, make_person(), [], [], [], d("2026-01-06"))
    assert (result.status, result.due_date) == (PENDING, d("2026-01-06"))  # 2026-01-01 + 5 days


def test_person_statuses_ignores_records_of_items_not_required():
    statuses = person_statuses(OFFICE, make_person(), [ack(1, "2026-01-02", policy_id="north-keys")],
                               [done("2026-01-02", module_id="sharps")], [], d("2026-06-01"))
    assert {s.id for s in statuses} == {"privacy", "bbp", "bls", "ma-credential"}


def test_person_statuses_follows_a_new_catalogue():
    person, today = make_person(), d("2026-06-01")
    assert len(person_statuses(OFFICE, person, [], [], [], today)) == 4
    assert len(person_statuses(make_catalogue(make_policy()), person, [], [], [], today)) == 1
    assert len(person_statuses(OFFICE, person, [], [], [], today)) == 4


def test_evaluator_with_explicit_rules():
    evaluator = Evaluator(OFFICE, dataclasses.replace(RULES, grace_days=1))
    statuses = evaluator.statuses(make_person(), [], [], [], d("2026-01-02"))
    assert statuses[0].id == "privacy" and statuses[0].due_date == d("2026-01-02")
    assert evaluator.requirements(make_person(), d("2026-01-02")) == requirements(OFFICE, make_person(),
                                                                                   d("2026-01-02"))
    assert evaluator.requirements(make_person(left_on=d("2026-01-02")), d("2026-01-02")) == []


def _random_office(rng: random.Random) -> Catalogue:
    roles = ["clinician", "front-desk", "billing-coding"]
    items = []
    for i in range(6):
        version = rng.randint(1, 3)
        history = tuple(rev(v, f"2025-0{v}-01", material=v == 1 or rng.random() < .6,
                            roles=rng.choice([(), ("clinician",), ("front-desk",)])) for v in range(1, version + 1))
        items.append(make_policy(id=f"p{i}", version=version, effective_date=d(f"2025-0{version}-15"), history=history,
                                 applies_to=rng.choice([("all",), ("clinician",)]), grace_days=rng.choice([None, 0, 10]),
                                 locations=rng.choice([(), ("north",)])))
        items.append(make_module(id=f"m{i}", version=version, effective_date=d(f"2025-0{version}-15"),
                                 history=history if i % 2 else (), recurrence_months=rng.choice([None, 6, 12, 24]),
                                 in_person_required=rng.random() < .3, deadline_days_after_hire=rng.choice([None, 0, 20]),
                                 deadline_counts=rng.choice(["calendar_days", "working_days"]),
                                 audience=rng.choice([("all",), (rng.choice(roles),)])))
        items.append(make_cert(id=f"c{i}", name=f"C{i}", alternative_group="g" if i < 3 else None,
                               due_soon_days=rng.choice([None, 45]), deadline_days_after_hire=rng.choice([None, 14]),
                               deadline_counts=rng.choice(["calendar_days", "working_days"])))
    return make_catalogue(*items)


def _random_records(rng: random.Random, office: Catalogue, start: date):
    def day():
        return start + timedelta(days=rng.randint(-400, 900))

    acks = [Ack(p, rng.randint(1, 3), day()) for p in office.policies for _ in range(rng.randint(0, 2))]
    completions = [Completion(m, rng.randint(1, 3), day(), rng.choice(["quiz", "in_person"]))
                   for m in office.modules for _ in range(rng.randint(0, 2))]
    records = []
    for c in office.certifications:
        for _ in range(rng.randint(0, 2)):
            issued = day()
            expiry = rng.choice([None, issued + timedelta(days=rng.randint(30, 900))])
            records.append(CertRecord(c, issued, expiry, rng.random() < .8))
    return acks, completions, records


def test_fast_path_agrees_with_the_rule_functions_and_keeps_the_invariants():
    rng = random.Random(20260301)
    for _ in range(40):
        office = _random_office(rng)
        rules = Rules.from_settings(office.settings)
        person = make_person(role_ids=frozenset(rng.sample(["clinician", "front-desk", "billing-coding"], 2)),
                             location_id=rng.choice(["north", "south", None]),
                             hire_date=d("2025-01-01") + timedelta(days=rng.randint(0, 300)))
        acks, completions, records = _random_records(rng, office, person.hire_date)
        for offset in range(0, 900, 37):
            today = person.hire_date + timedelta(days=offset)
            fast = person_statuses(office, person, acks, completions, records, today)
            slow = []
            for kind, item in requirements(office, person, today):
                if kind == "policy":
                    slow.append(policy_status(item, person, acks, today, rules))
                elif kind == "module":
                    slow.append(training_status(item, person, completions, today, rules))
                else:
                    slow.append(certification_status(item, person, records, today, rules))
            assert fast == slow
            shuffled = [rng.sample(records_, len(records_)) for records_ in (acks, completions, records)]
            assert person_statuses(office, person, *shuffled, today) == fast
            for item in fast:
                assert (item.status is OVERDUE) == (item.due_date is not None and today > item.due_date), item
                assert (item.satisfied_by is not None) == (item.status in (COMPLIANT, DUE_SOON)), item
                assert item.detail and item.detail[0].isupper()


def test_item_status_is_frozen_and_hashable():
    [result] = person_statuses(make_catalogue(make_policy()), make_person(), [], [], [], d("2026-01-06"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.status = COMPLIANT  # type: ignore[misc]
    assert hash(result) == hash(dataclasses.replace(result))
    assert result == ItemStatus(**dataclasses.asdict(result))


# --------------------------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------------------------


def _status(status: Status) -> ItemStatus:
    return ItemStatus("policy", "p", "P", status, None, None, "x")


def test_summarise_counts_every_status_and_rates_the_share_not_overdue():
    summary = summarise([_status(COMPLIANT), _status(COMPLIANT), _status(DUE_SOON), _status(PENDING),
                         _status(OVERDUE)])
    assert summary.counts == {COMPLIANT: 2, DUE_SOON: 1, PENDING: 1, OVERDUE: 1}
    assert summary.total == 5
    assert summary.rate == pytest.approx(0.8)


def test_summarise_nothing_is_fully_compliant():
    summary = summarise([])
    assert summary.counts == {COMPLIANT: 0, DUE_SOON: 0, PENDING: 0, OVERDUE: 0}
    assert (summary.total, summary.rate) == (0, 1.0)


def test_summarise_all_overdue():
    assert summarise(iter([_status(OVERDUE)] * 3)).rate == 0.0


@given(st.lists(st.lists(st.sampled_from(list(Status)), max_size=30), max_size=6))
def test_the_summary_of_several_groups_is_the_summary_of_all_their_items(groups):
    """The matrix sums its per-location summaries into the office's instead of counting again."""
    together = summarise(_status(s) for group in groups for s in group)
    assert combined(summarise(map(_status, group)) for group in groups) == together
    assert together.counts == {status: sum(group.count(status) for group in groups) for status in Status}


def test_status_values_are_plain_strings():
    assert [str(s) for s in Status] == ["compliant", "due_soon", "pending", "overdue"]
