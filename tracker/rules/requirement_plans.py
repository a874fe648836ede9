"""Plans: everything about one requirement that does not depend on a person's records.

A plan holds what the content and the office settings decide for a person's roles on a day: the
version required, the day it took effect, the resolved grace, deadline and warning settings. The
Evaluator (tracker.rules.evaluator) caches plans per role mix and day, so that evaluating a
person's records against them (tracker.rules.item_status) costs little.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from portal.model import CertificationType, Module, Policy, Revision, required_version
from tracker.rules.deadlines import DeadlineRule, deadline_rule
from tracker.rules.records import Rules

_NOT_IN_EFFECT = -1  # no version of the item was in effect yet on the day asked about

# ("policy", a Policy), ("module", a Module) or ("certification", the types of one requirement)
Requirement = tuple[str, Policy | Module | tuple[CertificationType, ...]]


@dataclass(frozen=True, slots=True)
class PolicyPlan:
    id: str
    title: str
    policy: Policy  # decides the acknowledgement deadline (Policy.acknowledgement_due)
    required: int
    effective: date
    office_grace_days: int


@dataclass(frozen=True, slots=True)
class ModulePlan:
    id: str
    title: str
    required: int | None
    effective: date
    deadline: DeadlineRule
    recurrence_months: int | None
    in_person: bool
    due_soon: timedelta


@dataclass(frozen=True, slots=True)
class CertPlan:
    id: str
    title: str
    type_ids: tuple[str, ...]
    names: dict[str, str]  # type id -> name, shown when the group has alternatives
    due_soon: dict[str, timedelta]  # type id -> warning window
    deadlines: tuple[DeadlineRule, ...]  # distinct deadlines over the types


def _version_date(history: tuple[Revision, ...], version: int, current: int, effective: date) -> date:
    """When ``version`` took effect: the item's effective date for the current version, else the
    date of its history entry (falling back to the item's effective date if none is listed)."""
    if version == current:
        return effective
    for revision in history:
        if revision.version == version:
            return revision.date
    return effective


def _module_material_version(module: Module, role_ids: Collection[str], today: date | None = None) -> int | None:
    """The oldest module version a completion may have and still count for these roles.

    Same reading as :meth:`Policy.last_material_version` (portal.model.required_version), so a
    retraining after a material change falls only on the roles it names (45 CFR
    164.530(b)(2)(i)(C)). ``None`` when the module has no history: any version counts.
    ``_NOT_IN_EFFECT`` when no version was in effect on ``today``.
    """
    if not module.history:
        return _NOT_IN_EFFECT if today is not None and module.effective_date > today else None
    required = required_version(module.history, module.version, module.effective_date, module.audience,
                                role_ids, today)
    return _NOT_IN_EFFECT if required is None else required


def policy_plan(policy: Policy, role_ids: Collection[str], rules: Rules,
                today: date | None = None) -> PolicyPlan | None:
    """None when no version of the policy was in effect on ``today`` (nothing to sign yet)."""
    required = policy.last_material_version(role_ids, today)
    if required is None:
        return None
    return PolicyPlan(
        id=policy.id,
        title=policy.title,
        policy=policy,
        required=required,
        effective=_version_date(policy.history, required, policy.version, policy.effective_date),
        office_grace_days=rules.grace_days,
    )


def module_plan(module: Module, role_ids: Collection[str], rules: Rules,
                today: date | None = None) -> ModulePlan | None:
    """None when no version of the module was in effect on ``today`` (nothing to complete yet)."""
    required = _module_material_version(module, role_ids, today)
    if required == _NOT_IN_EFFECT:
        return None
    effective = (module.effective_date if required is None
                 else _version_date(module.history, required, module.version, module.effective_date))
    return ModulePlan(
        id=module.id,
        title=module.title,
        required=required,
        effective=effective,
        deadline=deadline_rule(module.deadline_days(rules.training_deadline_days), module.deadline_counts,
                               rules.closed_days),
        recurrence_months=module.recurrence_months,
        in_person=module.in_person_required,
        due_soon=timedelta(days=rules.due_soon_days),
    )


def cert_plan(cert_types: Sequence[CertificationType], rules: Rules) -> CertPlan:
    if not cert_types:
        raise ValueError("a certification requirement needs at least one certification type")
    if len({t.requirement_id for t in cert_types}) > 1:
        raise ValueError(f"certification types of different requirements: {[t.id for t in cert_types]}")
    deadlines: list[DeadlineRule] = []
    for t in cert_types:
        rule = deadline_rule(t.deadline_days(rules.training_deadline_days), t.deadline_counts, rules.closed_days)
        if rule not in deadlines:
            deadlines.append(rule)
    return CertPlan(
        id=cert_types[0].requirement_id,
        title=" or ".join(t.name for t in cert_types),
        type_ids=tuple(t.id for t in cert_types),
        names={t.id: t.name for t in cert_types} if len(cert_types) > 1 else {},
        due_soon={t.id: timedelta(days=t.due_soon_days if t.due_soon_days is not None else rules.due_soon_days)
                  for t in cert_types},
        deadlines=tuple(deadlines),
    )


Plans = tuple[tuple[PolicyPlan, ...], tuple[ModulePlan, ...], tuple[CertPlan, ...]]


def plans_for(items: Iterable[Requirement], role_ids: Collection[str], rules: Rules, today: date) -> Plans:
    """The plans of these requirements as of ``today``, by kind: items with no version in effect yet
    are left out, and required versions are those in force on that day."""
    policies: list[PolicyPlan] = []
    modules: list[ModulePlan] = []
    certs: list[CertPlan] = []
    for _kind, item in items:
        if isinstance(item, Policy):
            if (policy := policy_plan(item, role_ids, rules, today)) is not None:
                policies.append(policy)
        elif isinstance(item, Module):
            if (module := module_plan(item, role_ids, rules, today)) is not None:
                modules.append(module)
        else:
            certs.append(cert_plan(item, rules))
    return tuple(policies), tuple(modules), tuple(certs)
