"""The status of one requirement for one person on a day: a plan (tracker.rules.requirement_plans)
against the person's records (tracker.rules.records).

Everything here is a pure function of (requirement, records, today): no database, no Flask, no
clock. That keeps the rules testable to the day and lets an auditor ask for the state on any past
date (``today`` is an argument, and every record dated after it is ignored). The ``evaluate_*``
functions are the fast path the Evaluator runs once per requirement per person; the ``*_status``
functions below them give the same answers from content objects, and are what the tests pin down.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import TypeVar

from portal.model import CertificationType, Module, Policy
from tracker.rules.deadlines import deadline_on, recurrence_due
from tracker.rules.records import (
    IN_PERSON,
    Ack,
    CertRecord,
    Completion,
    ItemStatus,
    Person,
    Record,
    Rules,
    Status,
)
from tracker.rules.requirement_plans import (
    CertPlan,
    ModulePlan,
    PolicyPlan,
    cert_plan,
    module_plan,
    policy_plan,
)

_new_object = object.__new__
_set_attribute = object.__setattr__


def _item(kind: str, id: str, title: str, status: Status, due_date: date | None,
          satisfied_by: Record | None, detail: str) -> ItemStatus:
    """Build an ItemStatus without the frozen dataclass's per-field ``__init__`` (half the cost; this
    runs once per requirement per person). The result equals, hashes and stays frozen like one
    made by ``ItemStatus(...)``."""
    item = _new_object(ItemStatus)
    _set_attribute(item, "__dict__", {"kind": kind, "id": id, "title": title, "status": status,
                                      "due_date": due_date, "satisfied_by": satisfied_by, "detail": detail})
    return item


_ISO_DATES: dict[date, str] = {}


def _iso(day: date) -> str:
    """``day.isoformat()``, remembered: the same few thousand dates recur in every person's details."""
    text = _ISO_DATES.get(day)
    if text is None:
        if len(_ISO_DATES) >= 100_000:  # ~270 years of dates; a bound, not an expected size
            _ISO_DATES.clear()
        text = _ISO_DATES[day] = day.isoformat()
    return text


_COMPLIANT, _DUE_SOON, _PENDING, _OVERDUE = Status.COMPLIANT, Status.DUE_SOON, Status.PENDING, Status.OVERDUE

# --------------------------------------------------------------------------------------------
# Policies
# --------------------------------------------------------------------------------------------


def best_acknowledgements(acks: Iterable[Ack], today: date) -> dict[str, Ack]:
    """Per policy id, the acknowledgement with the highest version (latest signature on a tie)
    among those signed on or before ``today``."""
    best: dict[str, Ack] = {}
    for ack in acks:
        if ack.signed_on <= today:
            held = best.get(ack.policy_id)
            if held is None or ack.version > held.version or (
                    ack.version == held.version and ack.signed_on > held.signed_on):
                best[ack.policy_id] = ack
    return best


def evaluate_policy(plan: PolicyPlan, hire_date: date, best: Ack | None, today: date) -> ItemStatus:
    """``best``: the person's acknowledgement of this policy from :func:`best_acknowledgements`."""
    required = plan.required
    if best is not None and best.version >= required:
        return _item("policy", plan.id, plan.title, _COMPLIANT, None, best,
                     f"Version {best.version} acknowledged on {_iso(best.signed_on)}")
    due = plan.policy.acknowledgement_due(hire_date if hire_date > plan.effective else plan.effective,
                                          plan.office_grace_days)
    if best is not None:
        earlier = f"Version {best.version} acknowledged on {_iso(best.signed_on)}, but version {required} "
        if today > due:
            return _item("policy", plan.id, plan.title, _OVERDUE, due, None,
                         f"{earlier}was due by {_iso(due)}")
        return _item("policy", plan.id, plan.title, _PENDING, due, None, f"{earlier}is due by {_iso(due)}")
    if today > due:
        return _item("policy", plan.id, plan.title, _OVERDUE, due, None,
                     f"Version {required} not acknowledged; was due {_iso(due)}")
    return _item("policy", plan.id, plan.title, _PENDING, due, None,
                 f"Version {required} not yet acknowledged; due {_iso(due)}")


# --------------------------------------------------------------------------------------------
# Training modules
# --------------------------------------------------------------------------------------------


def _later(c: Completion, other: Completion) -> bool:
    """Newer by date; on the same day by version, then method, so ties do not depend on input order."""
    if c.completed_on != other.completed_on:
        return c.completed_on > other.completed_on
    return (c.version, c.method) > (other.version, other.method)


def evaluate_module(plan: ModulePlan, hire_date: date, completions: Iterable[Completion],
                    today: date) -> ItemStatus:
    """``completions``: this person's completions of this module (any date; later ones are skipped)."""
    required, in_person = plan.required, plan.in_person
    last = None
    older = None  # the newest completion that does not count, to explain why
    for c in completions:
        if c.completed_on > today:
            continue
        if (required is not None and c.version < required) or (in_person and c.method != IN_PERSON):
            if older is None or _later(c, older):
                older = c
        elif last is None or _later(c, last):
            last = c
    lapsed = None
    if last is not None:
        months = plan.recurrence_months
        if months is None:
            return _item("module", plan.id, plan.title, _COMPLIANT, None, last,
                         f"Completed on {_iso(last.completed_on)}; no renewal needed")
        due = recurrence_due(last.completed_on, months)
        if today <= due:
            if today < due - plan.due_soon:
                return _item("module", plan.id, plan.title, _COMPLIANT, due, last,
                             f"Completed on {_iso(last.completed_on)}; next due {_iso(due)}")
            return _item("module", plan.id, plan.title, _DUE_SOON, due, last,
                         f"Completed on {_iso(last.completed_on)}; renewal due {_iso(due)}")
        lapsed = f"Last completed on {_iso(last.completed_on)}; renewal was due {_iso(due)}"
    deadline = deadline_on(hire_date if hire_date > plan.effective else plan.effective, plan.deadline)
    if lapsed is not None:
        if today > deadline:
            return _item("module", plan.id, plan.title, _OVERDUE, due, None, lapsed)
        # lapsed before the person's own starter deadline: no worse off than never trained
        return _item("module", plan.id, plan.title, _PENDING, deadline, None,
                     f"{lapsed}; starter deadline {_iso(deadline)}")
    if today <= deadline:
        status, when = _PENDING, f"due {_iso(deadline)}"
    else:
        status, when = _OVERDUE, f"was due {_iso(deadline)}"
    if older is not None:
        why = ("was not an in-person session" if in_person and older.method != IN_PERSON
               else f"was of version {older.version}, before the material change in version {required}")
        return _item("module", plan.id, plan.title, status, deadline, None,
                     f"Completion on {_iso(older.completed_on)} {why}; {when}")
    return _item("module", plan.id, plan.title, status, deadline, None, f"Not completed; {when}")


# --------------------------------------------------------------------------------------------
# Certifications
# --------------------------------------------------------------------------------------------


def _cert_rank(record: CertRecord) -> tuple[bool, date, date, str]:
    """Orders records by how long they last: no expiry first, then the later expiry, then the later
    issue (then the type id, so that ties resolve the same way whatever the input order)."""
    expiry = record.expires_on
    return (expiry is None, expiry or record.issued_on, record.issued_on, record.type_id)


def best_cards(records: Iterable[CertRecord], today: date) -> dict[str, CertRecord]:
    """Per certification type id, the verified record issued on or before ``today`` that lasts longest."""
    best: dict[str, CertRecord] = {}
    for record in records:
        if record.verified and record.issued_on <= today:
            held = best.get(record.type_id)
            if held is None or _cert_rank(record) > _cert_rank(held):
                best[record.type_id] = record
    return best


def best_card_of(plan: CertPlan, cards: dict[str, CertRecord]) -> CertRecord | None:
    """The record that outlasts all others among ``cards`` (from :func:`best_cards`) of the plan's types."""
    best = None
    for type_id in plan.type_ids:
        record = cards.get(type_id)
        if record is not None and (best is None or _cert_rank(record) > _cert_rank(best)):
            best = record
    return best


def _sentence(label: str, rest: str) -> str:
    """``rest`` after the held type's name (in a group of alternatives), or capitalised alone."""
    return f"{label} {rest}" if label else rest[0].upper() + rest[1:]


def evaluate_certification(plan: CertPlan, hire_date: date, best: CertRecord | None, today: date) -> ItemStatus:
    """``best``: the person's record of the group from :func:`best_card_of`."""
    if best is None:
        deadline = max(deadline_on(hire_date, rule) for rule in plan.deadlines)
        if today > deadline:
            return _item("certification", plan.id, plan.title, _OVERDUE, deadline, None,
                         f"Not on file; was due {_iso(deadline)}")
        return _item("certification", plan.id, plan.title, _PENDING, deadline, None,
                     f"Not on file; due {_iso(deadline)}")
    label = plan.names.get(best.type_id, "")
    expiry = best.expires_on
    if expiry is None:
        return _item("certification", plan.id, plan.title, _COMPLIANT, None, best,
                     _sentence(label, f"issued on {_iso(best.issued_on)}; does not expire"))
    if today <= expiry:
        status = _COMPLIANT if today < expiry - plan.due_soon[best.type_id] else _DUE_SOON
        return _item("certification", plan.id, plan.title, status, expiry, best,
                     _sentence(label, f"expires {_iso(expiry)}"))
    lapsed = _sentence(label, f"expired on {_iso(expiry)}")
    deadline = max(deadline_on(hire_date, rule) for rule in plan.deadlines)
    if today > deadline:
        return _item("certification", plan.id, plan.title, _OVERDUE, expiry, None, lapsed)
    # expired before the person's own starter deadline: no worse off than holding none
    return _item("certification", plan.id, plan.title, _PENDING, deadline, None,
                 f"{lapsed}; a current one is due {_iso(deadline)}")


# --------------------------------------------------------------------------------------------
# The rules, one requirement at a time
# --------------------------------------------------------------------------------------------

_Plan = TypeVar("_Plan", PolicyPlan, ModulePlan)


def _in_force(plan_on: Callable[[date | None], _Plan | None], today: date, item_id: str) -> _Plan:
    """The plan in force on ``today`` or, before any version took effect, that of the version that
    will (judged pending until then)."""
    plan = plan_on(today) or plan_on(None)
    if plan is None:  # only content without a history gets here; the schema requires one
        raise ValueError(f"{item_id!r} has no version in its history")
    return plan


def policy_status(policy: Policy, person: Person, acks: Iterable[Ack], today: date,
                  rules: Rules) -> ItemStatus:
    """Whether ``person`` has acknowledged ``policy`` as of ``today``.

    - Required version: ``policy.last_material_version(person.role_ids)``. A non-material change
      (a typo fix) asks nobody to sign again; a material change asks only the roles it names
      (``affected_roles``, default everyone the policy applies to).
    - Compliant when the person acknowledged that version or a later one, signed on or before
      ``today``; acknowledgements of other policies and ones signed after ``today`` are ignored.
      ``satisfied_by`` is the highest version acknowledged.
    - Otherwise the deadline is :meth:`Policy.acknowledgement_due` from the later of the hire date
      and the date the required version took effect (``policy.effective_date`` for the current
      version, else its history entry's date): the grace days are ``policy.grace_days`` if set,
      even 0, else the office setting. It is *pending* up to and including the deadline and
      *overdue* from the next day. A version whose effective date is still ahead is pending with
      that later deadline.
    - There is no *due soon* for acknowledgements: *pending* already says "not done yet, still in
      time", and ``due_date`` lets reminders count down. *Due soon* is kept for renewals of
      something already done (training, certifications).
    """
    plan = _in_force(lambda day: policy_plan(policy, person.role_ids, rules, day), today, policy.id)
    return evaluate_policy(plan, person.hire_date, best_acknowledgements(acks, today).get(policy.id), today)


def training_status(module: Module, person: Person, completions: Iterable[Completion], today: date,
                    rules: Rules) -> ItemStatus:
    """Whether ``person`` has completed ``module`` as of ``today``.

    - A completion counts when it is of this module, dated on or before ``today``, of a version at
      or after the module's last material change for the person's roles (the newest history entry
      with ``material_change`` whose ``affected_roles``, default the audience, include one of the
      person's roles; else the first version; with no history any version counts), and, when
      ``in_person_required``, made in an in-person session (``method == "in_person"``): the rule
      needs a live trainer, 29 CFR 1910.1030(g)(2)(vii)(N); a quiz alone does not count.
    - With a counting completion, the newest one decides. A once-only module
      (``recurrence_months`` None) stays compliant. Otherwise the renewal date is
      :func:`recurrence_due` of its date (12 months = 365 days): compliant while
      ``today < due - due_soon_days``, due soon from then through the due date itself (day 365 is
      still "within 365 days"), overdue from the next day (day 366). The period counts from the
      completion date, not from the previous due date (Totara's "renew early, keep your days"):
      OSHA wants no more than 365 days between two trainings.
    - With none, the deadline is :func:`deadline_after_hire` from the later of the hire date and
      the date the required version took effect (the module's effective date for a new module), with
      ``deadline_days_after_hire`` (else the office's ``training_deadline_days``) counted as the
      module's ``deadline_counts``: a new module, or a material change, gives existing staff the
      same period a new starter gets (45 CFR 164.530(b)(2)(i)(B)-(C): "within a reasonable period").
      Pending through the deadline day, overdue after.
    - A lapsed completion never leaves someone worse off than having none: if it lapsed before the
      person's own starter deadline (training done before being hired), they are pending until
      that deadline.
    """
    plan = _in_force(lambda day: module_plan(module, person.role_ids, rules, day), today, module.id)
    mine = [c for c in completions if c.module_id == module.id]
    return evaluate_module(plan, person.hire_date, mine, today)


def certification_status(cert_types: Sequence[CertificationType], person: Person,
                         records: Iterable[CertRecord], today: date, rules: Rules) -> ItemStatus:
    """Whether ``person`` holds one certification requirement as of ``today``.

    ``cert_types`` is one requirement: the types sharing an ``alternative_group`` (any one of them
    meets it), or a single type. The status's id is their ``requirement_id``.

    - Records count when their type is in the group, they are verified, and issued on or before
      ``today``. Unverified records never count. Of those, the one that expires last decides (no
      expiry beats any date).
    - No expiry date: a one-time item, compliant for good. Otherwise the record's own
      ``expires_on`` is the expiry (the tracker fills it from ``validity_months`` when left blank):
      valid through that day, *due soon* from ``expires_on - due_soon_days``, overdue from the next
      day. ``due_soon_days`` is that of the type the person holds (else the office setting): in a
      group, a CMA holder is warned on the CMA's schedule.
    - Nothing on file: pending until :func:`deadline_after_hire` (``deadline_days_after_hire``, else
      the office's ``training_deadline_days``, counted per ``deadline_counts``) inclusive, then
      overdue. In a group whose types set different deadlines, the latest one applies: any of them
      would satisfy the requirement, so the person has until the most generous one.
    - As with training, an expired record never leaves someone worse off than having none: expiry
      before their starter deadline is pending until that deadline.
    """
    plan = cert_plan(cert_types, rules)
    return evaluate_certification(plan, person.hire_date, best_card_of(plan, best_cards(records, today)), today)
