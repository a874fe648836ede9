"""Demo data: Riverside Family Medicine's staff and about fourteen months of their records.

``flask --app tracker seed-demo`` (and ``python -m tracker.demo``) fill an empty tracker with 25
people at both locations in every job role, a demo manager and a demo front-desk account with
known passwords, and records that give every status somewhere: policies signed on time, late and
not at all, one signed under an earlier version that a typo fix did not replace, quiz completions,
one in-person bloodborne pathogens session, certifications expiring in the next 30, 60 and 90
days, some lapsed, cards awaiting verification and one rejected before a clearer copy was
verified, and two recent hires still inside their deadlines.

Every record goes through the tracker's own write functions (tracker.services.acknowledgements,
tracker.services.training, tracker.services.people), so it is checked and audited like a real one. Those
functions stamp records with the current time; the seeder replays the past by pointing their
clock at each record's moment, in date order (the audit trail itself keeps the real time at which
the demo wrote each event). Dates are relative to today, so the demo never goes stale, and the
random choices are seeded, so two runs on the same day give the same records.

The content library keeps only each policy's current text. For policies whose history lists
earlier versions, the seeder archives stand-ins for those versions, clearly marked as such in
their text, so that the demo can show signatures of an earlier version.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import click
from dateutil.relativedelta import relativedelta
from flask.cli import with_appcontext
from sqlalchemy import event, func, select

from portal.fingerprint import fingerprint
from portal.model import Catalogue, CertificationType, Module, Policy, required_version
from tracker.services import acknowledgements, audit, people
from tracker.services import catalogue as served
from tracker.services import training as training_records
from tracker.services.acknowledgements import Origin
from tracker.services.sync import render_html
from tracker.storage.db import UTCDateTime, db, today
from tracker.storage.models import PolicyVersion, Staff, User

SEED = 19101030  # 29 CFR 1910.1030: any fixed number gives the same demo every run
WINDOW_DAYS = 425  # about 14 months of history
DEMO_ACTOR = "seed-demo"
DOMAIN = "riverside.example"
MANAGER_EMAIL, MANAGER_PASSWORD = f"manager@{DOMAIN}", "riverside-manager-demo"
STAFF_EMAIL, STAFF_PASSWORD = f"maya.patel@{DOMAIN}", "riverside-frontdesk-demo"
DEMO_USER_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0 Safari/537.36"
VERIFIED_NOTE = "Checked on the issuer's online verification page."
STAND_IN_NOTE = (
    "!!! note \"Demo archive\"\n    The content library keeps only the current text of this policy. This archived version "
    "{version} is a stand-in made by the demo seeder: it repeats the current text, so that the demo can show "
    "signatures of an earlier version.\n\n")

# Signing and training habits: (chance of never doing an item, usual delay in days, chance of being late)
PROFILES = {"diligent": (0.0, 6, 0.0), "typical": (0.02, 10, 0.12), "laggard": (0.15, 20, 0.5), "new": (0.0, 25, 0.0)}


@dataclass(frozen=True)
class DemoPerson:
    name: str
    job_title: str
    roles: tuple[str, ...]
    location: str
    hired_days_ago: int
    profile: str = "typical"
    left_days_ago: int | None = None
    email: str = ""

    @property
    def address(self) -> str:
        return self.email or f"{self.name.removeprefix('Dr. ').lower().replace(' ', '.').replace(chr(39), '')}@{DOMAIN}"


PEOPLE = (
    DemoPerson("Dana Whitfield", "Office manager", ("office-manager", "privacy-officer", "security-officer"),
               "main-street", 2200, "diligent", email=MANAGER_EMAIL),
    DemoPerson("Dr. Priya Raman", "Physician", ("clinician",), "main-street", 2900, "diligent"),
    DemoPerson("Dr. Marcus Bell", "Physician", ("clinician",), "main-street", 1100, "laggard"),
    DemoPerson("Elena Ortiz", "Nurse practitioner", ("clinician",), "main-street", 760),
    DemoPerson("Grace Kim", "Registered nurse", ("clinician",), "main-street", 1850, "diligent"),
    DemoPerson("Luis Ferreira", "Medical assistant", ("medical-assistant",), "main-street", 1500),
    DemoPerson("Tasha Brooks", "Medical assistant", ("medical-assistant",), "main-street", 540, "laggard"),
    DemoPerson("Kevin O'Neill", "Medical assistant", ("medical-assistant",), "main-street", 12, "new"),
    DemoPerson("Maya Patel", "Front desk receptionist", ("front-desk",), "main-street", 1080, email=STAFF_EMAIL),
    DemoPerson("Jordan Reyes", "Front desk receptionist", ("front-desk",), "main-street", 400),
    DemoPerson("Sofia Haddad", "Scheduling coordinator", ("front-desk",), "main-street", 20, "new"),
    DemoPerson("Ahmed Karim", "Billing specialist", ("billing-coding",), "main-street", 2300, "diligent"),
    DemoPerson("Rachel Stein", "Certified professional coder", ("billing-coding",), "main-street", 700),
    DemoPerson("Hannah Lee", "Billing and front office lead", ("billing-coding", "front-desk"), "main-street", 1400),
    DemoPerson("Paul Dubois", "Site supervisor", ("office-manager",), "northgate", 1460, "diligent"),
    DemoPerson("Dr. Samuel Okafor", "Physician", ("clinician",), "northgate", 2600),
    DemoPerson("Nina Alvarez", "Physician assistant", ("clinician",), "northgate", 380),
    DemoPerson("Beth Morgan", "Registered nurse", ("clinician",), "northgate", 1200),
    DemoPerson("Carlos Mendes", "Medical assistant", ("medical-assistant",), "northgate", 800),
    DemoPerson("Aisha Johnson", "Medical assistant", ("medical-assistant",), "northgate", 1900, "diligent"),
    DemoPerson("Tyler Nguyen", "Medical assistant", ("medical-assistant",), "northgate", 300, "laggard"),
    DemoPerson("Olivia Grant", "Front desk receptionist", ("front-desk",), "northgate", 820),
    DemoPerson("Ben Carter", "Front desk receptionist", ("front-desk",), "northgate", 190),
    DemoPerson("Lena Fischer", "Billing specialist", ("billing-coding",), "northgate", 1000),
    DemoPerson("Irene Walsh", "Front desk receptionist", ("front-desk",), "northgate", 1300, left_days_ago=150),
)
# Where current cards expire, by turns: enough in each of the dashboard's 30/60/90-day windows.
EXPIRY_PATTERN = ("fresh", "soon30", "fresh", "soon60", "fresh", "soon90", "fresh", "fresh", "soon30", "soon60")
EXPIRY_DAYS = {"soon30": (3, 28), "soon60": (33, 58), "soon90": (63, 88), "fresh": (120, 600), "lapsed": (-45, -5)}
SESSION_TRAINER = ("Dr. Amanda Cole", "MD, occupational medicine (Riverside Occupational Health); authorised OSHA "
                   "outreach trainer; 12 years training clinical staff on bloodborne pathogens")
SESSION_SUMMARY = ("Annual bloodborne pathogens training, 29 CFR 1910.1030(g)(2)(vii)(A)-(N): copy and explanation of "
                   "the standard; epidemiology and symptoms of bloodborne diseases; modes of transmission; our exposure "
                   "control plan and where to find it; tasks with exposure; engineering controls, work practices and "
                   "PPE; hepatitis B vaccine; emergencies and exposure incidents; post-exposure evaluation and "
                   "follow-up; signs, labels and colour coding; questions answered by the trainer in person.")


@dataclass(order=True)
class Event:
    moment: datetime
    order: int
    action: Callable[[], None] = field(compare=False)


# --------------------------------------------------------------------------------------------
# The clock the write functions read
# --------------------------------------------------------------------------------------------

_CLOCKED = ((acknowledgements, "utcnow"), (training_records, "utcnow"), (training_records, "today"))


@contextmanager
def replayed_clock(moment: datetime) -> Iterator[None]:
    """The write functions see ``moment`` as the current time (their audit events keep the real one).

    Timestamps a function leaves to the column's default (the time of writing) get ``moment`` too,
    as the rows are inserted.
    """
    saved = [(module, name, getattr(module, name)) for module, name in _CLOCKED]
    fake = {"utcnow": lambda: moment, "today": lambda: moment.astimezone().date()}

    def stamp_new_rows(session, _context, _instances) -> None:
        for row in session.new:
            for column in row.__table__.columns:
                if isinstance(column.type, UTCDateTime) and column.default is not None \
                        and getattr(row, column.name, None) is None:
                    setattr(row, column.name, moment)

    session = db.session()
    for module, name, _value in saved:
        setattr(module, name, fake[name])
    event.listen(session, "before_flush", stamp_new_rows)
    try:
        yield
    finally:
        event.remove(session, "before_flush", stamp_new_rows)
        for module, name, value in saved:
            setattr(module, name, value)


# --------------------------------------------------------------------------------------------
# Planning: what each person did and when
# --------------------------------------------------------------------------------------------


class Planner:
    def __init__(self, catalogue: Catalogue, day: date, manager: User):
        self.catalogue, self.today, self.manager = catalogue, day, manager
        self.rng = random.Random(SEED)
        self.window_start = day - timedelta(days=WINDOW_DAYS)
        self.events: list[Event] = []
        self.expiry_turn = 0
        self.submitted: dict[tuple, object] = {}  # (staff id, type id, issued) -> record, once written
        self.cards_handed_in: dict[int, int] = {}  # new hires' cards so far
        self.rejected = False

    # --- helpers ---

    def add(self, day: date, action: Callable[[], None], hour: int | None = None, later: bool = False) -> None:
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
        grace = policy.grace_days if policy.grace_days is not None else self.catalogue.settings.acknowledgement_grace_days
        changes = sorted(d for d in in_effect.values() if d > self.start(staff))
        first = max(self.start(staff), min(in_effect.values()))
        signed = self._older_version_before_window(staff, profile, policy, in_effect, versions)
        for trigger in [first, *changes]:
            needed = required_version(policy.history, policy.version, policy.effective_date, policy.applies_to,
                                      staff.roles, trigger) if policy.history else policy.version
            if needed is None or (signed is not None and signed >= needed) or trigger > self.last_day(staff):
                continue
            wait = self.delay(profile, grace)
            if wait is None:
                return
            day = trigger + timedelta(days=wait)
            version = max((v for v, d in in_effect.items() if d <= day), default=None)
            if version is None or day >= self.last_day(staff):
                return
            self.add(day, self._sign(staff, versions[version]))
            signed = version

    def _older_version_before_window(self, staff, profile, policy, in_effect, versions) -> int | None:
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

    def _sign(self, staff: Staff, version: PolicyVersion) -> Callable[[], None]:
        origin = Origin(ip_address=f"192.0.2.{10 + staff.id % 200}", user_agent=DEMO_USER_AGENT, method="web")
        return lambda: acknowledgements.acknowledge(staff, version, staff.name, origin, staff.user)

    # --- training ---

    def modules(self, staff: Staff, profile: str, module: Module) -> None:
        if module.in_person_required:
            return  # done at the in-person session
        deadline = module.deadline_days(self.catalogue.settings.training_deadline_days)
        day = max(self.start(staff), module.effective_date)
        while True:
            wait = self.delay(profile, deadline)
            if wait is None:
                return
            day = day + timedelta(days=wait)
            if day >= self.last_day(staff):
                return
            self.add(day, self._quiz(staff, module, fail_first=self.rng.random() < 0.08))
            if module.recurrence_months is None:
                return
            # the next round falls due a year on; a renewal comes a little before the due date
            day = day + timedelta(days=365 * module.recurrence_months // 12 - self.rng.randint(10, 30))
            deadline = 30

    def _quiz(self, staff: Staff, module: Module, fail_first: bool) -> Callable[[], None]:
        origin = Origin(ip_address=f"192.0.2.{10 + staff.id % 200}", user_agent=DEMO_USER_AGENT, method="web")
        right = {q.id: sorted(q.answers) for q in module.questions}
        wrong = {q.id: [next(c.id for c in q.choices if c.id not in q.answers)] for q in module.questions}

        def attempt() -> None:
            version = training_records.version_in_effect(module.id, training_records.today())
            if fail_first:
                training_records.record_attempt(staff, module, version, wrong, origin, staff.user)
            training_records.record_attempt(staff, module, version, right, origin, staff.user)
        return attempt

    def session(self, module: Module, staff: list[Staff], absent: set[str]) -> None:
        """One in-person session, a dozen days after the module took effect (or the window opened)."""
        held = _working_day(max(module.effective_date, self.window_start) + timedelta(days=12))
        attendees = [s for s in staff if module.applies_to_roles(s.roles) and s.hire_date <= held
                     and s.active_on(held) and s.name not in absent]
        if not attendees or held >= self.today:
            return
        fields = {"module_id": module.id, "held_on": held.isoformat(), "content_summary": SESSION_SUMMARY,
                  "trainer_name": SESSION_TRAINER[0], "trainer_qualifications": SESSION_TRAINER[1],
                  "location_id": attendees[0].location_id, "attendee_ids": [s.id for s in attendees]}

        def record() -> None:
            data = training_records.check_session(fields, self.catalogue)
            training_records.record_session(data, self.catalogue, self.manager)
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
            self.add(entered, lambda: training_records.record_certification(
                staff, training_records.check_certification(checked, self.catalogue, verified=True), self.manager),
                later=True)
            return
        rejected_first = verify and not self.rejected  # the first card a person hands in: sent back once
        self.rejected = self.rejected or rejected_first
        key = (staff.id, cert.id, issued)

        def submit() -> None:
            self.submitted[key] = training_records.record_certification(
                staff, training_records.check_certification(fields, self.catalogue), staff.user)

        self.add(entered, submit, hour=8, later=True)
        if rejected_first:
            self.add(entered + timedelta(days=1), self._decide(key, "rejected", "The photo of the card is unreadable: "
                                                                                "upload a clearer copy."), later=True)
        if verify:
            self.add(entered + timedelta(days=3 if rejected_first else 1), self._decide(key, "verified", VERIFIED_NOTE),
                     later=True)

    def _decide(self, key: tuple, decision: str, note: str) -> Callable[[], None]:
        return lambda: training_records.verify_certification(self.submitted[key], decision, note, self.manager)


def _working_day(day: date) -> date:
    """Saturday and Sunday move back to the Friday before: nobody signs at the clinic at weekends."""
    return day - timedelta(days=max(day.weekday() - 4, 0))


def _next_working_day(day: date) -> date:
    return day + timedelta(days=7 - day.weekday()) if day.weekday() > 4 else day


def _months_before(day: date, months: int) -> date:
    return day - relativedelta(months=months)


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def _create_people(catalogue: Catalogue, day: date) -> tuple[list[tuple[Staff, DemoPerson]], User, User]:
    created, manager, front_desk = [], None, None
    default_location = next(iter(catalogue.locations))
    for person in PEOPLE:
        roles = tuple(r for r in person.roles if r in catalogue.roles) or (next(iter(catalogue.roles)),)
        data = people.StaffData(
            name=person.name, email=person.address, job_title=person.job_title, roles=roles,
            location_id=person.location if person.location in catalogue.locations else default_location,
            hire_date=day - timedelta(days=person.hired_days_ago),
            left_on=day - timedelta(days=person.left_days_ago) if person.left_days_ago else None)
        staff = people.create_staff(data, DEMO_ACTOR)
        password = {MANAGER_EMAIL: MANAGER_PASSWORD, STAFF_EMAIL: STAFF_PASSWORD}.get(person.address)
        account = "manager" if person.address == MANAGER_EMAIL else "staff"
        user = people.create_user(staff, account, password or secrets.token_urlsafe(24), DEMO_ACTOR)
        manager = user if person.address == MANAGER_EMAIL else manager
        front_desk = user if person.address == STAFF_EMAIL else front_desk
        created.append((staff, person))
    db.session.commit()
    return created, manager, front_desk


def _archive_earlier_versions(catalogue: Catalogue) -> dict[str, dict[int, PolicyVersion]]:
    """Every archived policy version by policy and number, with stand-ins for earlier versions."""
    rows = db.session.scalars(select(PolicyVersion)).all()
    versions: dict[str, dict[int, PolicyVersion]] = {}
    for row in rows:
        versions.setdefault(row.policy_id, {})[row.version] = row
    for policy in catalogue.policies.values():
        for revision in policy.history:
            if revision.version == policy.version or revision.version in versions.get(policy.id, {}):
                continue
            text = STAND_IN_NOTE.format(version=revision.version) + policy.body
            stand_in = PolicyVersion(
                policy_id=policy.id, version=revision.version, title=policy.title, markdown=text,
                html=render_html(text), effective_date=revision.date, material_change=revision.material_change,
                affected_roles=list(revision.affected_roles), applies_to=list(policy.applies_to),
                fingerprint=fingerprint({"kind": "policy", "id": policy.id, "version": revision.version,
                                         "title": policy.title, "body": text}))
            db.session.add(stand_in)
            db.session.flush()
            audit.record(DEMO_ACTOR, "demo.version_archived", f"policy_version:{stand_in.id}", {
                "policy_id": policy.id, "version": revision.version, "fingerprint": stand_in.fingerprint,
                "note": "stand-in text for the demo"})
            versions.setdefault(policy.id, {})[revision.version] = stand_in
    db.session.commit()
    return versions


def _plan(catalogue: Catalogue, day: date, created, manager: User, versions) -> list[Event]:
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


def credentials() -> list[str]:
    return [f"Manager sign-in: {MANAGER_EMAIL} / {MANAGER_PASSWORD}",
            f"Staff sign-in (front desk): {STAFF_EMAIL} / {STAFF_PASSWORD}"]


def seed_demo() -> list[str]:
    """Fill an empty tracker with the demo; returns lines to show (what was done, how to sign in).

    Does nothing, and says so, when there are staff records already: the demo is for a new tracker.
    """
    existing = db.session.scalar(select(func.count()).select_from(Staff))
    demo_there = db.session.scalar(select(User.id).where(User.email == MANAGER_EMAIL)) is not None
    if existing:
        return [f"Demo data not added: the tracker already has {existing} staff record(s). The demo fills only an "
                "empty tracker."] + (credentials() if demo_there else [])
    catalogue = served.current()
    if catalogue is None:
        raise RuntimeError("The catalogue has not been synced yet: run `flask --app tracker sync` first.")
    day = today()
    created, manager, _front_desk = _create_people(catalogue, day)
    versions = _archive_earlier_versions(catalogue)
    events = _plan(catalogue, day, created, manager, versions)
    for step in events:
        with replayed_clock(step.moment):
            step.action()
    return [f"Demo data added: {len(created)} staff at {catalogue.settings.office_name}, {len(events)} recorded "
            f"events over the last {WINDOW_DAYS // 30} months."] + credentials()


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Fill an empty tracker with demo staff and records (prints the demo sign-ins)."""
    try:
        lines = seed_demo()
    except RuntimeError as error:
        raise click.ClickException(str(error)) from error
    for line in lines:
        click.echo(line)
