"""The content model: immutable objects built from validated YAML."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any, ClassVar, TypedDict

from portal.office_time import OfficeTime

ALL = "all"
CFR_PATTERN = re.compile(r"^(?P<title>\d+) (?:(?P<cfr>CFR)|U\.S\.C\.) (?P<section>(?P<part>\d+[a-z]*)(?(cfr)\.\d+[a-z]*|(?:-\d+[a-z]*)*))(?P<paragraphs>(\([A-Za-z0-9]+\))*)$")


@dataclass(frozen=True)
class Citation:
    rule: str
    note: str = ""
    decision: str | None = None
    rationale: str = ""

    @property
    def _match(self) -> re.Match:
        match = CFR_PATTERN.match(self.rule)
        if match is None:  # the schema guarantees the pattern; this guards hand-made objects
            raise ValueError(f"not a CFR citation: {self.rule!r}")
        return match

    @property
    def is_statute(self) -> bool:
        """True for a United States Code citation ('42 U.S.C. 1320a-7k(d)'), False for the CFR."""
        return self._match["cfr"] is None

    @property
    def section(self) -> str:
        """'45 CFR 164.308' for '45 CFR 164.308(a)(1)'; '42 U.S.C. 1320a-7k' for '42 U.S.C. 1320a-7k(d)'."""
        code = "U.S.C." if self.is_statute else "CFR"
        return f"{self._match['title']} {code} {self._match['section']}"

    @property
    def part(self) -> str:
        """'45 CFR 92' for '45 CFR 92.201(e)'; a statute's part is its section."""
        return self.section if self.is_statute else self.section.rsplit(".", 1)[0]

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(re.findall(r"\(([A-Za-z0-9]+)\)", self._match["paragraphs"]))

    @property
    def url(self) -> str:
        """The official text: the eCFR for a regulation, the US Code for a statute."""
        m = self._match
        if self.is_statute:
            return f"https://uscode.house.gov/view.xhtml?req=granuleid:USC-prelim-title{m['title']}-section{m['section']}"
        anchor = f"#p-{m['section']}{m['paragraphs']}" if m["paragraphs"] else ""
        return f"https://www.ecfr.gov/current/title-{m['title']}/section-{m['section']}{anchor}"

    def covers(self, rule: str) -> bool:
        """True if this citation names `rule` or a paragraph inside it."""
        return self.rule == rule or self.rule.startswith(rule + "(")


@dataclass(frozen=True)
class Revision:
    version: int
    date: date
    summary: str
    material_change: bool
    affected_roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Cooldown:
    """A pause to go over the module after ``after_failures`` failed quiz attempts in a row."""

    after_failures: int = 3
    minutes: int = 15


@dataclass(frozen=True)
class Settings:
    office_name: str
    acknowledgement_grace_days: int
    due_soon_days: int
    training_deadline_days: int
    review_warning_days: int = 90
    logo: str | None = None
    tracker_url: str = "http://127.0.0.1:5000"
    site_url: str | None = None
    contact: str = ""
    quiz_cooldown: Cooldown = Cooldown()
    office_time: OfficeTime = OfficeTime()


@dataclass(frozen=True)
class Location:
    id: str
    name: str
    address: str = ""


@dataclass(frozen=True)
class Role:
    id: str
    title: str
    description: str
    designation: bool = False


@dataclass(frozen=True)
class Category:
    id: str
    title: str
    description: str = ""


def _applies(targets: tuple[str, ...], role_ids: Collection[str]) -> bool:
    return ALL in targets or any(r in targets for r in role_ids)


class _Targeted:
    """Who and where a content item applies to: its roles (or 'all') and, when listed, its locations."""

    locations: tuple[str, ...]
    ROLES_FIELD: ClassVar[str]  # the field that lists the roles: applies_to, audience, required_for

    @property
    def target_roles(self) -> tuple[str, ...]:
        roles: tuple[str, ...] = getattr(self, self.ROLES_FIELD)
        return roles

    def applies_to_roles(self, role_ids: Collection[str]) -> bool:
        return _applies(self.target_roles, role_ids)

    def applies_at(self, location_id: str | None) -> bool:
        return not self.locations or location_id in self.locations


def required_version(history: tuple[Revision, ...], current: int, effective: date, targets: tuple[str, ...],
                     role_ids: Collection[str], as_of: date | None = None) -> int | None:
    """The oldest version whose acknowledgement or completion still counts for these roles.

    That is the newest material change naming one of the roles (its affected_roles, by default
    everyone the item targets), else the first version: a typo fix asks nobody to sign again.
    With `as_of`, only versions in effect on that day count (the current version takes effect on
    the item's effective date, the others on their history date), so an auditor's past date is
    judged by the text in force then; None when no version was in effect yet.
    """
    def in_effect(revision: Revision) -> date:
        return effective if revision.version == current else revision.date

    live = sorted((r for r in history if as_of is None or in_effect(r) <= as_of),
                  key=lambda r: r.version, reverse=True)
    if not live:
        return None
    first = min(r.version for r in history)
    for revision in live:
        if revision.version == first or (
                revision.material_change and _applies(revision.affected_roles or targets, role_ids)):
            return revision.version
    return live[-1].version


@dataclass(frozen=True)
class Every:
    """How often an office duty recurs (one field set): ``weeks``, ``months`` or ``years`` after the
    last time it was done; once each calendar year ``on`` a day ("MM-DD"), or within
    ``days_after_year_end`` days after the previous year ended (60: 1 March, 29 February in leap years)."""

    weeks: int | None = None
    months: int | None = None
    years: int | None = None
    on: str | None = None
    days_after_year_end: int | None = None

    @property
    def fixed_yearly(self) -> bool:
        """Due by a day of each calendar year rather than a period after the last completion."""
        return self.on is not None or self.days_after_year_end is not None


@dataclass(frozen=True)
class Duty:
    """A recurring check a policy assigns to the office, done by its owner role."""

    id: str
    title: str
    owner: str
    every: Every
    frequency_basis: str  # whether the rule sets the frequency or the office chose it, and why
    evidence: str  # what to record as proof
    per_location: bool = False
    citations: tuple[Citation, ...] = ()


@dataclass(frozen=True)
class Policy(_Targeted):
    id: str
    title: str
    category: str
    summary: str
    version: int
    effective_date: date
    owner: str
    review_cycle_months: int
    next_review: date
    applies_to: tuple[str, ...]
    acknowledgement_required: bool
    grace_days: int | None
    body: str
    history: tuple[Revision, ...]
    fingerprint: str
    source: str
    citations: tuple[Citation, ...] = ()
    related_policies: tuple[str, ...] = ()
    related_modules: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    locations: tuple[str, ...] = ()
    duties: tuple[Duty, ...] = ()
    earlier_bodies: tuple[tuple[int, str], ...] = ()  # (version, body) from policies/archive/ (portal.archive)
    ROLES_FIELD: ClassVar[str] = "applies_to"

    @property
    def current_revision(self) -> Revision:
        return next(r for r in self.history if r.version == self.version)

    def last_material_version(self, role_ids: Collection[str] = (ALL,), as_of: date | None = None) -> int | None:
        """The oldest version whose acknowledgement still counts for these roles (see required_version)."""
        return required_version(self.history, self.version, self.effective_date, self.applies_to, role_ids, as_of)

    def acknowledgement_days(self, office_days: int) -> int:
        """Days staff have to acknowledge a version: the policy's own grace days (even 0), else the
        office's (``Settings.acknowledgement_grace_days``)."""
        return office_days if self.grace_days is None else self.grace_days

    def acknowledgement_due(self, starts: date, office_days: int) -> date:
        """The last day on which an acknowledgement is on time, for someone a version applies to from
        ``starts`` (the later of their hire date and the day the version took effect)."""
        return starts + timedelta(days=self.acknowledgement_days(office_days))

    def review_due(self, on: date, warning_days: int) -> bool:
        """Whether the periodic review is overdue on ``on`` or falls within ``warning_days`` of it."""
        return self.next_review <= on + timedelta(days=warning_days)


@dataclass(frozen=True)
class Choice:
    id: str
    text: str


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    prompt: str
    choices: tuple[Choice, ...]
    answers: frozenset[str]
    explanation: str
    topic: str = ""  # what to review when it is answered wrong


DAYS_AFTER_HIRE, AT_INITIAL_ASSIGNMENT = "days_after_hire", "at_initial_assignment"


@dataclass(frozen=True)
class Module(_Targeted):
    id: str
    title: str
    version: int
    effective_date: date
    summary: str
    audience: tuple[str, ...]
    deadline_days_after_hire: int | None
    deadline_counts: str
    recurrence_months: int | None
    pass_mark: int
    objectives: tuple[str, ...]
    content: str
    questions: tuple[Question, ...]
    fingerprint: str
    source: str
    recurrence_basis: str = ""
    in_person_required: bool = False
    related_policies: tuple[str, ...] = ()
    citations: tuple[Citation, ...] = ()
    tags: tuple[str, ...] = ()
    history: tuple[Revision, ...] = ()
    locations: tuple[str, ...] = ()
    initial_deadline: str = DAYS_AFTER_HIRE
    quiz_draw: int | None = None  # questions drawn for each attempt; None: all of them
    quiz_cooldown: Cooldown | None = None  # None: the office's setting
    ROLES_FIELD: ClassVar[str] = "audience"

    @property
    def due_at_initial_assignment(self) -> bool:
        """Due before the first task it covers, e.g. bloodborne pathogens (1910.1030(g)(2)(ii)(A))."""
        return self.initial_deadline == AT_INITIAL_ASSIGNMENT

    def deadline_days(self, default: int) -> int:
        """Days after hire to have it done: none when due at initial assignment (a person's roles count
        from their hire date), else its own setting, else the office default."""
        if self.due_at_initial_assignment:
            return 0
        return default if self.deadline_days_after_hire is None else self.deadline_days_after_hire


@dataclass(frozen=True)
class CertificationType(_Targeted):
    id: str
    name: str
    kind: str
    issuer: str
    validity_months: int | None
    required_for: tuple[str, ...]
    renewal: str
    source: str
    due_soon_days: int | None = None
    deadline_days_after_hire: int | None = None
    deadline_counts: str = "calendar_days"
    validity_note: str = ""
    origin: str = ""
    alternative_group: str | None = None
    citations: tuple[Citation, ...] = ()
    locations: tuple[str, ...] = ()
    ROLES_FIELD: ClassVar[str] = "required_for"

    @property
    def requirement_id(self) -> str:
        """What a person must hold: the alternative group, or this type alone."""
        return self.alternative_group or self.id

    def deadline_days(self, default: int) -> int:
        """Days after hire to have it done: its own setting, else the office default."""
        return default if self.deadline_days_after_hire is None else self.deadline_days_after_hire


def _frozen(mapping: dict[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping))


class Requirements(TypedDict):
    """What a role owes: policies to acknowledge, modules to complete, certifications to hold."""

    policies: list[Policy]
    modules: list[Module]
    certifications: list[CertificationType]


@dataclass(frozen=True)
class Catalogue:
    """Everything the content folder holds; consumed by the site and the tracker alike."""

    settings: Settings
    locations: Mapping[str, Location] = field(default_factory=lambda: _frozen({}))
    roles: Mapping[str, Role] = field(default_factory=lambda: _frozen({}))
    categories: Mapping[str, Category] = field(default_factory=lambda: _frozen({}))
    policies: Mapping[str, Policy] = field(default_factory=lambda: _frozen({}))
    modules: Mapping[str, Module] = field(default_factory=lambda: _frozen({}))
    certifications: Mapping[str, CertificationType] = field(default_factory=lambda: _frozen({}))

    def duties(self) -> list[tuple[Policy, Duty]]:
        """Every office duty with the policy that assigns it, by duty title."""
        return sorted(((p, d) for p in self.policies.values() for d in p.duties), key=lambda pd: pd[1].title)

    def policies_in(self, category_id: str) -> list[Policy]:
        return sorted((p for p in self.policies.values() if p.category == category_id), key=lambda p: p.title)

    def due_for_review(self, on: date) -> list[Policy]:
        """Policies due for review within the office's warning window on ``on``, the most overdue first."""
        warning = self.settings.review_warning_days
        return sorted((p for p in self.policies.values() if p.review_due(on, warning)),
                      key=lambda p: (p.next_review, p.title))

    def requirements_for(self, role_ids: Collection[str], location_id: str | None = None) -> Requirements:
        """Policies to acknowledge, modules to complete and certifications to hold for these roles."""
        def wanted(item: Policy | Module | CertificationType) -> bool:
            return item.applies_to_roles(role_ids) and item.applies_at(location_id)

        return Requirements(
            policies=[p for p in self.policies.values() if p.acknowledgement_required and wanted(p)],
            modules=[m for m in self.modules.values() if wanted(m)],
            certifications=[c for c in self.certifications.values() if wanted(c)],
        )

    def summary(self) -> dict[str, int]:
        return {
            "policies": len(self.policies),
            "categories": len({p.category for p in self.policies.values()}),
            "modules": len(self.modules),
            "questions": sum(len(m.questions) for m in self.modules.values()),
            "certifications": len(self.certifications),
            "roles": len(self.roles), "locations": len(self.locations),
        }
