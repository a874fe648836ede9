"""The demo's history: what each person of the demo practice did, and when, over about 14 months.

The planner walks every person's requirements and decides, with seeded random choices, when they
signed, completed training or handed in cards: policies signed on time, late and not at all, one
signed under an earlier version that a typo fix did not replace, quiz completions (a few failed
first), one in-person bloodborne pathogens session, certifications expiring in the next 30, 60
and 90 days, some lapsed, cards awaiting verification and one rejected before a clearer copy was
verified. Each decision is an Event: a moment and the write to replay then (tracker.services.demo_seed).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from portal.model import Catalogue, CertificationType, Module, Policy, required_version
from tracker.services import acknowledgements, certification_cards, demo_cards, training_sessions
from tracker.services import certifications as certification_records
from tracker.services import training as training_records
from tracker.services.acknowledgements import Origin
from tracker.services.demo_practice import (
    DEMO_USER_AGENT,
    EXPIRY_DAYS,
    EXPIRY_PATTERN,
    PROFILES,
    SEED,
    SESSION_SUMMARY,
    SESSION_TRAINER,
    STAFF_EMAIL,
    VERIFIED_NOTE,
    WINDOW_DAYS,
    DemoPerson,
)
from tracker.services.uploads import Upload
from tracker.storage.models import CertificationRecord, PolicyVersion, Staff, User

# A card handed in: (staff id, certification type id, issue date).
CardKey = tuple[int, str, date]


def first_in_effect(module: Module) -> date:
    """When the module's first version took effect: its oldest history entry, else its effective date."""
    return min((revision.date for revision in module.history), default=module.effective_date)


@dataclass(order=True)

class Event:
    """One write of the demo's history; events sort by moment, then by the order they were planned."""

    moment: datetime
    order: int
    action: Callable[[], object] = field(compare=False)  # what it returns is not needed


class Planner:
    """Collects the events of everyone's history; one random generator, seeded, for the whole demo."""

    def __init__(self, catalogue: Catalogue, day: date, manager: User):
        self.catalogue, self.today, self.manager = catalogue, day, manager
        self.rng = random.Random(SEED)
        self.window_start = day - timedelta(days=WINDOW_DAYS)
        self.events: list[Event] = []
        self.expiry_turn = 0
        self.submitted: dict[CardKey, CertificationRecord] = {}  # filled in as the cards are written
        self.cards_handed_in: dict[int, int] = {}  # new hires' cards so far
        self.rejected = False

    # --- helpers ---

    def add(self, day: date, action: Callable[[], object], hour: int | None = None, later: bool = False) -> None:
        """An event on a past working day (weekends move back to Friday, or on to Monday when
        ``later``), at a time during office hours."""
        day = _next_working_day(day) if later else _working_day(day)
        if day >= self.today:
            return
        clock = time(hour if hour is not None else self.rng.randint(8, 16), self.rng.randint(0, 59))
        moment = datetime.combine(day, clock).astimezone().astimezone(UTC)
        self.events.append(Event(moment, len(self.events), action))

    def delay(self, profile: str, deadline_days: int) -> int | None:
        """Days after an item falls due to this person until they do it; None: not done."""
        never, usual, late = PROFILES[profile]
        if self.rng.random() < never:
            return None
        if self.rng.random() < late:
            return deadline_days + self.rng.randint(3, 45)
        return self.rng.randint(0, min(usual, max(deadline_days, 1)))

    def start(self, staff: Staff) -> date:
        return max(staff.hire_date, self.window_start)

    def last_day(self, staff: Staff) -> date:
        return min(staff.left_on - timedelta(days=1), self.today) if staff.left_on else self.today

    # --- policies ---

    def policies(self, staff: Staff, profile: str, policy: Policy, versions: dict[int, PolicyVersion]) -> None:
        in_effect = {r.version: (policy.effective_date if r.version == policy.version else r.date)
                     for r in policy.history} or {policy.version: policy.effective_date}
        grace = policy.acknowledgement_days(self.catalogue.settings.acknowledgement_grace_days)
        changes = sorted(d for d in in_effect.values() if d > self.start(staff))
        first = max(self.start(staff), min(in_effect.values()))
        signed = self._older_version_before_window(staff, profile, policy, in_effect, versions)
        for trigger in [first, *changes]:
            needed = required_version(policy.history, policy.version, policy.effective_date, policy.applies_to,
                                      staff.roles, trigger) if policy.history else policy.version
            if needed is None or (signed is not None and signed >= needed) or trigger > self.last_day(staff):
                continue
            if signed is not None and needed == policy.version and self._shows_what_changed(staff, policy):
                return
            wait = self.delay(profile, grace)
            if wait is None:
                return
            day = trigger + timedelta(days=wait)
            version = max((v for v, d in in_effect.items() if d <= day), default=None)
            if version is None or day >= self.last_day(staff):
                return
            self.add(day, self._sign(staff, versions[version]))
            signed = version

    @staticmethod
    def _shows_what_changed(staff: Staff, policy: Policy) -> bool:
        """The demo's front-desk sign-in leaves the changes whose earlier text the library keeps unsigned,
        so whoever tries the demo can sign one again after seeing what changed."""
        return staff.email == STAFF_EMAIL and any(v < policy.version for v, _text in policy.earlier_bodies)

    def _older_version_before_window(self, staff: Staff, profile: str, policy: Policy, in_effect: dict[int, date],
                                     versions: dict[int, PolicyVersion]) -> int | None:
        """Once the current version took effect before the demo's window, a few people still hold a
        signature of the version before it (kept valid by a non-material change)."""
        current = in_effect[policy.version]
        previous = policy.version - 1
        if previous not in in_effect or current > self.start(staff) or profile == "new" or self.rng.random() < 0.5:
            return None
        day = current - timedelta(days=self.rng.randint(15, 60))
        if day < max(staff.hire_date, in_effect[previous]):
            return None
        self.add(day, self._sign(staff, versions[previous]))
        return previous

    def _sign(self, staff: Staff, version: PolicyVersion) -> Callable[[], object]:
        return lambda: acknowledgements.acknowledge(staff, version, staff.name, _origin(staff), _account(staff))

    # --- training ---

    def modules(self, staff: Staff, profile: str, module: Module) -> None:
        if module.in_person_required:
            return  # done at the in-person session
        deadline = module.deadline_days(self.catalogue.settings.training_deadline_days)
        day = max(self.start(staff), first_in_effect(module))
        while True:
            wait = self.delay(profile, deadline)
            if wait is None:
                return
            day = day + timedelta(days=wait)
            if day >= self.last_day(staff):
                return
            self.add(day, self._quiz(staff, module, _working_day(day), fail_first=self.rng.random() < 0.08))
            if module.recurrence_months is None:
                return
            # the next round falls due a year on; a renewal comes a little before the due date
            day = day + timedelta(days=365 * module.recurrence_months // 12 - self.rng.randint(10, 30))
            deadline = 30

    def _quiz(self, staff: Staff, module: Module, day: date, fail_first: bool) -> Callable[[], None]:
        """The attempts of one quiz on ``day`` (the day its event is replayed)."""
        origin, user = _origin(staff), _account(staff)
        right = {q.id: sorted(q.answers) for q in module.questions}
        wrong = {q.id: [next(c.id for c in q.choices if c.id not in q.answers)] for q in module.questions}

        def attempt() -> None:
            version = training_records.version_in_effect(module.id, day)
            if fail_first:
                training_records.record_attempt(staff, module, version, wrong, origin, user)
            training_records.record_attempt(staff, module, version, right, origin, user)
        return attempt

    def session(self, module: Module, staff: list[Staff], absent: set[str]) -> None:
        """One in-person session, a dozen days after the module's first version took effect (or the window
        opened)."""
        held = _working_day(max(first_in_effect(module), self.window_start) + timedelta(days=12))
        attendees = [s for s in staff if module.applies_to_roles(s.roles) and s.hire_date <= held
                     and s.active_on(held) and s.name not in absent]
        if not attendees or held >= self.today:
            return
        fields = {"module_id": module.id, "held_on": held.isoformat(), "content_summary": SESSION_SUMMARY,
                  "trainer_name": SESSION_TRAINER[0], "trainer_qualifications": SESSION_TRAINER[1],
                  "location_id": attendees[0].location_id, "attendee_ids": [s.id for s in attendees]}

        def record() -> None:
            data = training_sessions.check_session(fields, self.catalogue)
            training_sessions.record_session(data, self.catalogue, self.manager)
        self.add(held + timedelta(days=1), record, hour=16)

    # --- certifications ---

    def certifications(self, staff: Staff, profile: str, group: list[CertificationType], index: int) -> None:
        cert = group[index % len(group)]
        if cert.validity_months == 1:
            self._monthly(staff, cert)
            return
        if profile == "new":
            self._new_hire_card(staff, cert)
            return
        if cert.validity_months is None:
            issued = staff.hire_date + timedelta(days=self.rng.randint(0, 5))
            self._card(staff, cert, issued, None, entered=max(issued, self.start(staff)))
            return
        scenario = "lapsed" if profile == "laggard" and self.rng.random() < 0.5 else self._next_expiry()
        low, high = EXPIRY_DAYS[scenario]
        expires = self.today + timedelta(days=self.rng.randint(low, high))
        issued = _months_before(expires, cert.validity_months)
        if issued > self.start(staff):  # renewed inside the window: the card before it is on file too
            earlier_expiry = issued + timedelta(days=self.rng.randint(0, 25))
            earlier = _months_before(earlier_expiry, cert.validity_months)
            self._card(staff, cert, earlier, earlier_expiry, entered=max(earlier, self.start(staff)))
        if issued >= self.today:
            return
        self._card(staff, cert, issued, expires, entered=max(issued, self.start(staff)) + timedelta(days=2))

    def _next_expiry(self) -> str:
        self.expiry_turn += 1
        return EXPIRY_PATTERN[self.expiry_turn % len(EXPIRY_PATTERN)]

    def _new_hire_card(self, staff: Staff, cert: CertificationType) -> None:
        """A recent hire hands in cards during their first days; one still awaits the manager's check."""
        issued = staff.hire_date - timedelta(days=self.rng.randint(90, 500))
        expires = _months_before(issued, -cert.validity_months) if cert.validity_months else None
        submitted = staff.hire_date + timedelta(days=self.rng.randint(1, 6))
        handed_in = self.cards_handed_in.get(staff.id, 0)
        self.cards_handed_in[staff.id] = handed_in + 1
        self._card(staff, cert, issued, expires, entered=submitted, verify=handed_in > 0)

    def _monthly(self, staff: Staff, cert: CertificationType) -> None:
        """A monthly check (the OIG exclusion list), run for everyone early each month."""
        month = self.start(staff).replace(day=1)
        while month < self.last_day(staff):
            run = month.replace(day=5)
            if staff.hire_date <= run < self.last_day(staff):
                self._card(staff, cert, run, _months_before(run, -1), entered=run, by_manager=True)
            month = _months_before(month, -1)

    def _card(self, staff: Staff, cert: CertificationType, issued: date, expires: date | None, entered: date,
              verify: bool = True, by_manager: bool = False) -> None:
        fields = {"type_id": cert.id, "number": f"{cert.id[:3].upper()}-{self.rng.randint(100000, 999999)}",
                  "issuer": cert.issuer, "issued_on": issued.isoformat(),
                  "expires_on": expires.isoformat() if expires else "", "note": ""}
        entered = _next_working_day(entered)  # never before the card's own date
        if by_manager or entered <= self.window_start + timedelta(days=7):
            # entered by the office manager, checked on the spot (rollout, monthly screenings)
            checked = {**fields, "verification_note": VERIFIED_NOTE}
            self.add(entered, lambda: certification_records.record_certification(
                staff, certification_records.check_certification(checked, self.catalogue, verified=True), self.manager),
                later=True)
            return
        rejected_first = verify and not self.rejected  # the first card a person hands in: sent back once
        self.rejected = self.rejected or rejected_first
        key = (staff.id, cert.id, issued)

        def submit() -> None:
            self.submitted[key] = certification_records.record_certification(
                staff, certification_records.check_certification(fields, self.catalogue), _account(staff))
            self._hand_in(key, staff, cert, fields)

        self.add(entered, submit, hour=8, later=True)
        if rejected_first:
            self.add(entered + timedelta(days=1), self._decide(key, "rejected", "The photo of the card is unreadable: "
                                                                                "upload a clearer copy."), later=True)
            self.add(entered + timedelta(days=2), lambda: self._hand_in(key, staff, cert, fields, " (clearer copy)"),
                     hour=8, later=True)
        if verify:
            self.add(entered + timedelta(days=3 if rejected_first else 1), self._decide(key, "verified", VERIFIED_NOTE),
                     later=True)

    def _hand_in(self, key: CardKey, staff: Staff, cert: CertificationType, fields: dict[str, str],
                 copy: str = "") -> None:
        """The scan of the card, uploaded with the record (or again, clearer, after a rejection)."""
        scan = demo_cards.demo_card(cert.name, staff.name, fields["number"], fields["issued_on"], fields["expires_on"],
                                    copy)
        certification_cards.add(self.submitted[key], Upload(f"{cert.id}-card.pdf", scan), _account(staff))

    def _decide(self, key: CardKey, decision: str, note: str) -> Callable[[], object]:
        return lambda: certification_records.verify_certification(self.submitted[key], decision, note, self.manager)


def _origin(staff: Staff) -> Origin:
    """Where a person's demo signatures and quizzes come from: their own address on the office network."""
    return Origin(ip_address=f"192.0.2.{10 + staff.id % 200}", user_agent=DEMO_USER_AGENT, method="web")


def _account(staff: Staff) -> User:
    if staff.user is None:
        raise ValueError(f"{staff.name} has no account: the demo gives everyone one")
    return staff.user


def _working_day(day: date) -> date:
    """Saturday and Sunday move back to the Friday before: nobody signs at the clinic at weekends."""
    return day - timedelta(days=max(day.weekday() - 4, 0))


def _next_working_day(day: date) -> date:
    return day + timedelta(days=7 - day.weekday()) if day.weekday() > 4 else day


def _months_before(day: date, months: int) -> date:
    return day - relativedelta(months=months)


def plan_history(catalogue: Catalogue, day: date, created: list[tuple[Staff, DemoPerson]], manager: User,
                 versions: dict[str, dict[int, PolicyVersion]]) -> list[Event]:
    """Every write of the demo's history, in the order to replay them."""
    planner = Planner(catalogue, day, manager)
    for index, (staff, person) in enumerate(created):
        found = catalogue.requirements_for(staff.roles, staff.location_id)
        for policy in found["policies"]:
            planner.policies(staff, person.profile, policy, versions[policy.id])
        for module in found["modules"]:
            planner.modules(staff, person.profile, module)
        groups: dict[str, list[CertificationType]] = {}
        for cert in found["certifications"]:
            groups.setdefault(cert.requirement_id, []).append(cert)
        for group in groups.values():
            planner.certifications(staff, person.profile, group, index)
    everyone = [staff for staff, _person in created]
    absent = {person.name for _staff, person in created if person.profile == "laggard"}
    for module in catalogue.modules.values():
        if module.in_person_required:
            planner.session(module, everyone, absent)
    return sorted(planner.events)
