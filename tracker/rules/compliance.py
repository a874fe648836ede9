"""Compliance rules: who owes what, by when, and whether they are late.

Everything here is a pure function of (requirement, records, today): no database, no Flask, no
clock. The tracker reads a person's acknowledgements, completions and certification records from
its database and hands them in; this module only decides. That keeps the rules testable to the
day and lets an auditor ask for the state on any past date (``today`` is an argument, and every
record dated after it is ignored).

Statuses, in one line each:

- ``compliant``: done and not close to renewal;
- ``due_soon``: done, but a renewal or expiry falls within the warning window;
- ``pending``: not done yet, still inside its deadline;
- ``overdue``: not done (or lapsed) and the deadline has passed.

Every :class:`ItemStatus` keeps one invariant: it is overdue exactly when ``due_date`` is set
and ``today > due_date``. ``due_date`` is therefore always the last day on which the item is
*not* late: the acknowledgement or training deadline, the renewal date, or a card's expiry date.
``satisfied_by`` names the record that currently meets the requirement, and is set exactly when
the status is compliant or due soon; a lapsed record is described in ``detail`` instead.

For speed, :class:`Evaluator` precomputes what depends only on the catalogue and a person's roles
and location (required versions, effective dates, grouped certification types), so that
:func:`person_statuses` costs a few microseconds per requirement. The module-level functions give
the same answers and are what the tests pin down.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from portal.model import Catalogue, CertificationType, Module, Policy, Revision, required_version

__all__ = [
    "Ack",
    "CertRecord",
    "Completion",
    "Evaluator",
    "ItemStatus",
    "Person",
    "Rules",
    "Status",
    "Summary",
    "add_working_days",
    "certification_status",
    "deadline_after_hire",
    "is_active",
    "person_statuses",
    "policy_status",
    "recurrence_due",
    "requirements",
    "summarise",
    "training_status",
]

CALENDAR_DAYS = "calendar_days"
WORKING_DAYS = "working_days"
IN_PERSON = "in_person"

DAYS_PER_RECURRENCE_YEAR = 365


class Status(enum.StrEnum):
    COMPLIANT = "compliant"
    DUE_SOON = "due_soon"
    PENDING = "pending"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    role_ids: frozenset[str]
    location_id: str | None
    hire_date: date
    left_on: date | None = None


@dataclass(frozen=True)
class Ack:
    policy_id: str
    version: int
    signed_on: date


@dataclass(frozen=True)
class Completion:
    module_id: str
    version: int
    completed_on: date
    method: str  # "quiz" or "in_person"


@dataclass(frozen=True)
class CertRecord:
    type_id: str
    issued_on: date
    expires_on: date | None
    verified: bool = True


@dataclass(frozen=True)
class Rules:
    """The office settings the rules need (policies/office.yml, ``defaults:``)."""

    grace_days: int
    due_soon_days: int
    training_deadline_days: int

    @classmethod
    def from_settings(cls, settings) -> Rules:
        return cls(
            grace_days=settings.acknowledgement_grace_days,
            due_soon_days=settings.due_soon_days,
            training_deadline_days=settings.training_deadline_days,
        )


@dataclass(frozen=True)
class ItemStatus:
    kind: str  # "policy" | "module" | "certification"
    id: str  # policy id, module id, or certification requirement_id
    title: str
    status: Status
    due_date: date | None
    satisfied_by: Ack | Completion | CertRecord | None
    detail: str


@dataclass(frozen=True)
class Summary:
    counts: dict[Status, int]
    total: int
    rate: float


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start``; working days are Monday to Friday.

    ``start`` itself is day 0, so Friday + 1 is the next Monday, and Saturday + 1 is also Monday.
    ``days == 0`` returns ``start`` unchanged, even on a weekend.

    Public holidays are *not* skipped: which days a clinic closes varies by state and office. A
    setting listing the office's holidays could be added later; until then a deadline may fall on
    a holiday and is still that date.
    """
    if days < 0:
        raise ValueError(f"days must be zero or more, not {days}")
    if days == 0:
        return start
    weekday = start.weekday()
    if weekday > 4:  # a weekend start counts like the Friday before it
        start -= timedelta(days=weekday - 4)
        weekday = 4
    weeks, rest = divmod(days, 5)
    extra = rest + 2 if weekday + rest > 4 else rest
    return start + timedelta(days=7 * weeks + extra)


def deadline_after_hire(hire_date: date, days: int, counts: str = CALENDAR_DAYS) -> date:
    """``hire_date`` plus ``days`` calendar days or working days (``counts``); the deadline day itself
    is still on time."""
    if counts == CALENDAR_DAYS:
        return hire_date + timedelta(days=days)
    if counts == WORKING_DAYS:
        return add_working_days(hire_date, days)
    raise ValueError(f"deadline counts must be {CALENDAR_DAYS!r} or {WORKING_DAYS!r}, not {counts!r}")


def recurrence_due(completed_on: date, months: int) -> date:
    """The last day a recurring training may be repeated on time.

    12 months means 365 days: OSHA reads "at least annually" as within 365 days of the previous
    training (29 CFR 1910.1030(g)(2)(ii) and OSHA's 2007 interpretation), so a calendar year that
    happens to hold 29 February does not give an extra day. Multiples of 12 are 365 days per year
    (24 months = 730 days). Other month counts use calendar months (dateutil ``relativedelta``;
    31 January + 1 month = 28 or 29 February).
    """
    if months < 1:
        raise ValueError(f"months must be 1 or more, not {months}")
    years, rest = divmod(months, 12)
    if rest == 0:
        return completed_on + timedelta(days=DAYS_PER_RECURRENCE_YEAR * years)
    return _months_later(completed_on, months)


@functools.lru_cache(maxsize=65536)
def _months_later(start: date, months: int) -> date:
    """``start`` plus calendar months; cached, since relativedelta is slow and dates repeat."""
    return start + relativedelta(months=months)


# --------------------------------------------------------------------------------------------
# Versions
# --------------------------------------------------------------------------------------------


def _version_date(history: tuple[Revision, ...], version: int, current: int, effective: date) -> date:
    """When ``version`` took effect: the item's effective date for the current version, else the
    date of its history entry (falling back to the item's effective date if none is listed)."""
    if version == current:
        return effective
    for revision in history:
        if revision.version == version:
            return revision.date
    return effective


_NOT_IN_EFFECT = -1  # no version of the item was in effect yet on the day asked about


def _module_material_version(module: Module, role_ids, today: date | None = None) -> int | None:
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


# --------------------------------------------------------------------------------------------
# Plans: everything about one requirement that does not depend on the person's records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _PolicyPlan:
    id: str
    title: str
    required: int
    effective: date
    grace: timedelta


@dataclass(frozen=True, slots=True)
class _ModulePlan:
    id: str
    title: str
    required: int | None
    effective: date
    deadline: tuple[timedelta | None, int]  # see _deadline
    recurrence_months: int | None
    in_person: bool
    due_soon: timedelta


@dataclass(frozen=True, slots=True)
class _CertPlan:
    id: str
    title: str
    type_ids: tuple[str, ...]
    names: dict[str, str]  # type id -> name, shown when the group has alternatives
    due_soon: dict[str, timedelta]  # type id -> warning window
    deadlines: tuple[tuple[timedelta | None, int], ...]  # distinct deadlines over the types


def _deadline_rule(days: int, counts: str) -> tuple[timedelta | None, int]:
    """A deadline setting ready for :func:`_deadline`: (calendar timedelta, or None for working days; days)."""
    if counts not in (CALENDAR_DAYS, WORKING_DAYS):
        raise ValueError(f"deadline counts must be {CALENDAR_DAYS!r} or {WORKING_DAYS!r}, not {counts!r}")
    return (timedelta(days=days) if counts == CALENDAR_DAYS else None, days)


def _deadline(start: date, rule: tuple[timedelta | None, int]) -> date:
    """Same as ``deadline_after_hire(start, days, counts)`` for a rule from :func:`_deadline_rule`."""
    delta, days = rule
    return start + delta if delta is not None else add_working_days(start, days)


def _policy_plan(policy: Policy, role_ids, rules: Rules, today: date | None = None) -> _PolicyPlan | None:
    """None when no version of the policy was in effect on ``today`` (nothing to sign yet)."""
    required = policy.last_material_version(role_ids, today)
    if required is None:
        return None
    grace = policy.grace_days if policy.grace_days is not None else rules.grace_days
    return _PolicyPlan(
        id=policy.id,
        title=policy.title,
        required=required,
        effective=_version_date(policy.history, required, policy.version, policy.effective_date),
        grace=timedelta(days=grace),
    )


def _module_plan(module: Module, role_ids, rules: Rules, today: date | None = None) -> _ModulePlan | None:
    """None when no version of the module was in effect on ``today`` (nothing to complete yet)."""
    required = _module_material_version(module, role_ids, today)
    if required == _NOT_IN_EFFECT:
        return None
    effective = (module.effective_date if required is None
                 else _version_date(module.history, required, module.version, module.effective_date))
    return _ModulePlan(
        id=module.id,
        title=module.title,
        required=required,
        effective=effective,
        deadline=_deadline_rule(module.deadline_days(rules.training_deadline_days), module.deadline_counts),
        recurrence_months=module.recurrence_months,
        in_person=module.in_person_required,
        due_soon=timedelta(days=rules.due_soon_days),
    )


def _cert_plan(cert_types: Sequence[CertificationType], rules: Rules) -> _CertPlan:
    if not cert_types:
        raise ValueError("a certification requirement needs at least one certification type")
    if len({t.requirement_id for t in cert_types}) > 1:
        raise ValueError(f"certification types of different requirements: {[t.id for t in cert_types]}")
    deadlines = []
    for t in cert_types:
        rule = _deadline_rule(t.deadline_days(rules.training_deadline_days), t.deadline_counts)
        if rule not in deadlines:
            deadlines.append(rule)
    return _CertPlan(
        id=cert_types[0].requirement_id,
        title=" or ".join(t.name for t in cert_types),
        type_ids=tuple(t.id for t in cert_types),
        names={t.id: t.name for t in cert_types} if len(cert_types) > 1 else {},
        due_soon={t.id: timedelta(days=t.due_soon_days if t.due_soon_days is not None else rules.due_soon_days)
                  for t in cert_types},
        deadlines=tuple(deadlines),
    )


# --------------------------------------------------------------------------------------------
# Evaluation of one plan against one person's records
# --------------------------------------------------------------------------------------------

_new_object = object.__new__
_set_attribute = object.__setattr__


def _item(kind: str, id: str, title: str, status: Status, due_date: date | None,
          satisfied_by, detail: str) -> ItemStatus:
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


def _eval_policy(plan: _PolicyPlan, hire_date: date, best: Ack | None, today: date) -> ItemStatus:
    """``best``: the person's acknowledgement of this policy with the highest version (latest
    signature on a tie) among those signed on or before ``today``."""
    required = plan.required
    if best is not None and best.version >= required:
        return _item("policy", plan.id, plan.title, _COMPLIANT, None, best,
                     f"Version {best.version} acknowledged on {_iso(best.signed_on)}")
    start = hire_date if hire_date > plan.effective else plan.effective
    due = start + plan.grace
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


def _best_ack(acks: Iterable[Ack], policy_id: str, today: date) -> Ack | None:
    best = None
    for ack in acks:
        if ack.policy_id != policy_id or ack.signed_on > today:
            continue
        if best is None or (ack.version, ack.signed_on) > (best.version, best.signed_on):
            best = ack
    return best


def _later(c: Completion, other: Completion) -> bool:
    """Newer by date; on the same day by version, then method, so ties do not depend on input order."""
    if c.completed_on != other.completed_on:
        return c.completed_on > other.completed_on
    return (c.version, c.method) > (other.version, other.method)


def _eval_module(plan: _ModulePlan, hire_date: date, completions: Iterable[Completion],
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
    start = hire_date if hire_date > plan.effective else plan.effective
    deadline = _deadline(start, plan.deadline)
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


def _cert_rank(record: CertRecord) -> tuple:
    """Orders records by how long they last: no expiry first, then the later expiry, then the later
    issue (then the type id, so that ties resolve the same way whatever the input order)."""
    expiry = record.expires_on
    return (expiry is None, expiry or record.issued_on, record.issued_on, record.type_id)


def _better_cert(record: CertRecord, best: CertRecord | None) -> bool:
    """True if ``record`` outlasts ``best`` (see :func:`_cert_rank`)."""
    return best is None or _cert_rank(record) > _cert_rank(best)


def _sentence(label: str, rest: str) -> str:
    """``rest`` after the held type's name (in a group of alternatives), or capitalised alone."""
    return f"{label} {rest}" if label else rest[0].upper() + rest[1:]


def _eval_cert(plan: _CertPlan, hire_date: date, best: CertRecord | None, today: date) -> ItemStatus:
    """``best``: the record that outlasts all others among this person's verified records of the
    group's types issued on or before ``today``."""
    if best is not None:
        label = plan.names.get(best.type_id, "")
        expiry = best.expires_on
        if expiry is None:
            return _item("certification", plan.id, plan.title, _COMPLIANT, None, best,
                         _sentence(label, f"issued on {_iso(best.issued_on)}; does not expire"))
        if today <= expiry:
            status = _COMPLIANT if today < expiry - plan.due_soon[best.type_id] else _DUE_SOON
            return _item("certification", plan.id, plan.title, status, expiry, best,
                         _sentence(label, f"expires {_iso(expiry)}"))
    deadline = max(_deadline(hire_date, rule) for rule in plan.deadlines)
    if best is not None:
        lapsed = _sentence(label, f"expired on {_iso(best.expires_on)}")
        if today > deadline:
            return _item("certification", plan.id, plan.title, _OVERDUE, best.expires_on, None, lapsed)
        # expired before the person's own starter deadline: no worse off than holding none
        return _item("certification", plan.id, plan.title, _PENDING, deadline, None,
                     f"{lapsed}; a current one is due {_iso(deadline)}")
    if today > deadline:
        return _item("certification", plan.id, plan.title, _OVERDUE, deadline, None,
                     f"Not on file; was due {_iso(deadline)}")
    return _item("certification", plan.id, plan.title, _PENDING, deadline, None,
                 f"Not on file; due {_iso(deadline)}")


# --------------------------------------------------------------------------------------------
# Public rule functions
# --------------------------------------------------------------------------------------------


def policy_status(policy: Policy, person: Person, acks: Iterable[Ack], today: date,
                  rules: Rules) -> ItemStatus:
    """Whether ``person`` has acknowledged ``policy`` as of ``today``.

    - Required version: ``policy.last_material_version(person.role_ids)``. A non-material change
      (a typo fix) asks nobody to sign again; a material change asks only the roles it names
      (``affected_roles``, default everyone the policy applies to).
    - Compliant when the person acknowledged that version or a later one, signed on or before
      ``today``; acknowledgements of other policies and ones signed after ``today`` are ignored.
      ``satisfied_by`` is the highest version acknowledged.
    - Otherwise the deadline is the later of the hire date and the date the required version took
      effect (``policy.effective_date`` for the current version, else its history entry's date),
      plus the grace days (``policy.grace_days`` if set, even 0; else the office setting). It is
      *pending* up to and including the deadline and *overdue* from the next day. A version whose
      effective date is still ahead is pending with that later deadline.
    - There is no *due soon* for acknowledgements: *pending* already says "not done yet, still in
      time", and ``due_date`` lets reminders count down. *Due soon* is kept for renewals of
      something already done (training, certifications).
    """
    # Not in effect yet on ``today``: judged against the version that will be (pending until then).
    plan = _policy_plan(policy, person.role_ids, rules, today) or _policy_plan(policy, person.role_ids, rules)
    return _eval_policy(plan, person.hire_date, _best_ack(acks, policy.id, today), today)


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
    plan = _module_plan(module, person.role_ids, rules, today) or _module_plan(module, person.role_ids, rules)
    mine = [c for c in completions if c.module_id == module.id]
    return _eval_module(plan, person.hire_date, mine, today)


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
    plan = _cert_plan(cert_types, rules)
    ids = set(plan.type_ids)
    best = None
    for record in records:
        if record.type_id in ids and record.verified and record.issued_on <= today and _better_cert(record, best):
            best = record
    return _eval_cert(plan, person.hire_date, best, today)


def is_active(person: Person, today: date) -> bool:
    """Employed on ``today``: hired on or before it, and not left on or before it."""
    return person.hire_date <= today and (person.left_on is None or person.left_on > today)


def requirements(catalogue: Catalogue, person: Person, today: date) -> list[tuple[str, object]]:
    """What ``person`` must do, as ``(kind, item)`` pairs, as of ``today``.

    ``kind`` is ``"policy"`` (item: a :class:`Policy`), ``"module"`` (a :class:`Module`) or
    ``"certification"`` (a tuple of :class:`CertificationType` sharing one ``requirement_id``).
    An item applies when it targets one of the person's roles (or ``all``) *and* their location (or
    lists no locations). Policies count only when ``acknowledgement_required``. Order: policies,
    modules, certifications, each in catalogue order. Empty for someone not employed on ``today``
    (see :func:`is_active`).
    """
    return _evaluator(catalogue).requirements(person, today)


def person_statuses(catalogue: Catalogue, person: Person, acks: Iterable[Ack],
                    completions: Iterable[Completion], cert_records: Iterable[CertRecord],
                    today: date) -> list[ItemStatus]:
    """One :class:`ItemStatus` per requirement of ``person`` (order as :func:`requirements`).

    Empty when the person has left (``left_on <= today``) or is not hired yet (``hire_date >
    today``). The office settings come from ``catalogue.settings``. Pass this person's records
    only (they carry no person id); records of items outside the person's requirements are ignored.
    """
    return _evaluator(catalogue).statuses(person, acks, completions, cert_records, today)


def summarise(statuses: Iterable[ItemStatus]) -> Summary:
    """Counts per status (all four keys), the total, and the compliance rate.

    ``rate`` is the share of items that are *not overdue*: pending and due-soon items are still on
    time, so a new starter inside their deadlines scores 1.0 rather than being punished for
    deadlines that have not passed. With no items the rate is 1.0 (nothing is late).
    """
    counts = dict.fromkeys(Status, 0)
    for item in statuses:
        counts[item.status] += 1
    total = sum(counts.values())
    rate = 1.0 if total == 0 else (total - counts[Status.OVERDUE]) / total
    return Summary(counts=counts, total=total, rate=rate)


# --------------------------------------------------------------------------------------------
# Evaluator: the fast path
# --------------------------------------------------------------------------------------------


class Evaluator:
    """Evaluates many people against one catalogue quickly; same answers as the functions above.

    Caches, per (roles, location), the applicable requirements and their plans (required versions,
    effective dates, resolved grace and deadline settings). The catalogue is immutable, so the
    caches never go stale; build a new Evaluator for a new catalogue.
    """

    def __init__(self, catalogue: Catalogue, rules: Rules | None = None):
        self.catalogue = catalogue
        self.rules = rules if rules is not None else Rules.from_settings(catalogue.settings)
        self._items: dict[tuple[frozenset, str | None], tuple] = {}
        self._plans: dict[tuple[frozenset, str | None, date], tuple] = {}

    def requirement_items(self, role_ids, location_id: str | None) -> tuple[tuple[str, object], ...]:
        """:func:`requirements` for these roles and location, regardless of employment dates."""
        key = (frozenset(role_ids), location_id)
        items = self._items.get(key)
        if items is None:
            found = self.catalogue.requirements_for(key[0], location_id)
            groups: dict[str, list[CertificationType]] = {}
            for cert in found["certifications"]:
                groups.setdefault(cert.requirement_id, []).append(cert)
            items = (*(("policy", p) for p in found["policies"]),
                     *(("module", m) for m in found["modules"]),
                     *(("certification", tuple(g)) for g in groups.values()))
            self._items[key] = items
        return items

    def requirements(self, person: Person, today: date) -> list[tuple[str, object]]:
        """Same as :func:`requirements`: policies and modules with no version in effect on ``today``
        are left out."""
        if not is_active(person, today):
            return []
        policies, modules, _certs = self._plans_for(person.role_ids, person.location_id, today)
        live = {("policy", p.id) for p in policies} | {("module", m.id) for m in modules}
        return [(kind, item) for kind, item in self.requirement_items(person.role_ids, person.location_id)
                if kind == "certification" or (kind, item.id) in live]

    def _plans_for(self, role_ids, location_id, today: date):
        """Plans for these roles and location as of ``today``: items with no version in effect yet
        are left out, and required versions are those in force on that day."""
        roles = role_ids if isinstance(role_ids, frozenset) else frozenset(role_ids)
        key = (roles, location_id, today)
        plans = self._plans.get(key)
        if plans is None:
            if len(self._plans) >= 10_000:  # one entry per role mix and day asked about; a bound
                self._plans.clear()
            rules, policies, modules, certs = self.rules, [], [], []
            for kind, item in self.requirement_items(roles, location_id):
                if kind == "policy":
                    policies.append(_policy_plan(item, roles, rules, today))
                elif kind == "module":
                    modules.append(_module_plan(item, roles, rules, today))
                else:
                    certs.append(_cert_plan(item, rules))
            plans = (tuple(p for p in policies if p), tuple(m for m in modules if m), tuple(certs))
            self._plans[key] = plans
        return plans

    def statuses(self, person: Person, acks: Iterable[Ack], completions: Iterable[Completion],
                 cert_records: Iterable[CertRecord], today: date) -> list[ItemStatus]:
        """Same as :func:`person_statuses`, with this Evaluator's rules.

        Indexes the person's records once (best acknowledgement per policy, completions per module,
        longest-lasting verified card per type), then evaluates each cached plan: linear in records
        plus requirements.
        """
        if not is_active(person, today):
            return []
        policies, modules, certs = self._plans_for(person.role_ids, person.location_id, today)
        hire = person.hire_date

        best_ack: dict[str, Ack] = {}
        for ack in acks:
            if ack.signed_on <= today:
                held = best_ack.get(ack.policy_id)
                if held is None or ack.version > held.version or (
                        ack.version == held.version and ack.signed_on > held.signed_on):
                    best_ack[ack.policy_id] = ack
        by_module: dict[str, list[Completion]] = {}
        for c in completions:
            by_module.setdefault(c.module_id, []).append(c)
        best_cert: dict[str, CertRecord] = {}
        for record in cert_records:
            if record.verified and record.issued_on <= today:
                held = best_cert.get(record.type_id)
                if held is None or _cert_rank(record) > _cert_rank(held):
                    best_cert[record.type_id] = record

        out = [_eval_policy(plan, hire, best_ack.get(plan.id), today) for plan in policies]
        out += [_eval_module(plan, hire, by_module.get(plan.id, ()), today) for plan in modules]
        for plan in certs:
            best = None
            for type_id in plan.type_ids:
                record = best_cert.get(type_id)
                if record is not None and _better_cert(record, best):
                    best = record
            out.append(_eval_cert(plan, hire, best, today))
        return out


_last_evaluator: Evaluator | None = None


def _evaluator(catalogue: Catalogue) -> Evaluator:
    """The Evaluator of the most recently used catalogue, or a new one for a different catalogue.

    Keyed on identity (a Catalogue holds mappings, so it is not hashable); it keeps the last
    catalogue alive, which is the one the tracker serves anyway.
    """
    global _last_evaluator
    cached = _last_evaluator
    if cached is not None and cached.catalogue is catalogue:
        return cached
    cached = _last_evaluator = Evaluator(catalogue)
    return cached
