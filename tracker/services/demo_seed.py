"""Seeding the demo: ``flask --app tracker seed-demo`` and ``python -m tracker.demo``.

Fills an empty tracker with the demo practice (tracker.services.demo_practice) and about fourteen
months of its records (tracker.services.demo_history).

Every record goes through the tracker's own write functions (tracker.services.acknowledgements,
training, training_sessions, certifications, people), so it is checked and audited like a real one. Those
functions stamp records with the current time; the seeder replays the past by pointing their
clock at each record's moment, in date order (the audit trail itself keeps the real time at which
the demo wrote each event). Dates are relative to today, so the demo never goes stale, and the
random choices are seeded, so two runs on the same day give the same records.

The content library keeps only each policy's current text. For policies whose history lists
earlier versions, the seeder archives stand-ins for those versions, clearly marked as such in
their text, so that the demo can show signatures of an earlier version.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from portal.fingerprint import fingerprint
from portal.model import Catalogue, Module, Policy, Revision
from tracker.services import (
    accounts,
    acknowledgements,
    audit,
    certification_cards,
    duties,
    people,
    served_catalogue,
    training_sessions,
)
from tracker.services import certifications as certification_records
from tracker.services import training as training_records
from tracker.services.demo_duties import plan_duties
from tracker.services.demo_history import plan_history
from tracker.services.demo_practice import (
    DEMO_ACTOR,
    KNOWN_PASSWORDS,
    MANAGER_EMAIL,
    PEOPLE,
    STAND_IN_NOTE,
    WINDOW_DAYS,
    DemoPerson,
    credentials,
)
from tracker.services.sync import render_html
from tracker.storage.db import UTCDateTime, db, local_time, today
from tracker.storage.models import ModuleVersion, PolicyVersion, Staff, User

# The clocks the replay sets: (module, name of the clock function the write functions there call).
_CLOCKED = ((acknowledgements, "utcnow"), (certification_cards, "utcnow"),
            *((module, name) for module in (training_records, training_sessions, certification_records, duties)
              for name in ("utcnow", "today")))


@contextmanager
def replayed_clock(moment: datetime) -> Iterator[None]:
    """The write functions see ``moment`` as the current time (their audit events keep the real one).

    Timestamps a function leaves to the column's default (the time of writing) get ``moment`` too,
    as the rows are inserted.
    """
    saved = [(module, name, getattr(module, name)) for module, name in _CLOCKED]
    fake = {"utcnow": lambda: moment, "today": lambda: local_time(moment).date()}

    def stamp_new_rows(session: Session, _context: object, _instances: object) -> None:
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


def _create_people(catalogue: Catalogue, day: date) -> tuple[list[tuple[Staff, DemoPerson]], User]:
    """Everyone of the demo practice, each with an account; returns them and the demo manager's account."""
    created: list[tuple[Staff, DemoPerson]] = []
    accounts: dict[str, User] = {}
    default_location = next(iter(catalogue.locations))
    for person in PEOPLE:
        roles = tuple(r for r in person.roles if r in catalogue.roles) or (next(iter(catalogue.roles)),)
        data = people.StaffData(
            name=person.name, email=person.address, job_title=person.job_title, roles=roles,
            location_id=person.location if person.location in catalogue.locations else default_location,
            hire_date=day - timedelta(days=person.hired_days_ago),
            left_on=day - timedelta(days=person.left_days_ago) if person.left_days_ago else None)
        staff = people.create_staff(data, DEMO_ACTOR)
        password = KNOWN_PASSWORDS.get(person.address)
        account = "manager" if person.address == MANAGER_EMAIL else "staff"
        accounts[person.address] = people.create_user(staff, account, password or secrets.token_urlsafe(24),
                                                      DEMO_ACTOR)
        created.append((staff, person))
    db.session.commit()
    return created, accounts[MANAGER_EMAIL]


def _earlier_text(item: Policy | Module, revision: Revision) -> str:
    """The version's own text where policies/archive/ keeps it; else the current text under a note saying so."""
    kept = dict(item.earlier_bodies) if isinstance(item, Policy) else {}
    if revision.version in kept:
        return kept[revision.version]
    return STAND_IN_NOTE.format(version=revision.version) + (item.body if isinstance(item, Policy) else item.content)


def _stand_in(item: Policy | Module, revision: Revision) -> PolicyVersion | ModuleVersion:
    """An archived earlier version for the demo: its kept text, or a stand-in (see _earlier_text)."""
    kind = "policy" if isinstance(item, Policy) else "module"
    text = _earlier_text(item, revision)
    source = {"kind": kind, "id": item.id, "version": revision.version, "title": item.title, "body": text}
    fields = {"version": revision.version, "title": item.title, "markdown": text, "html": render_html(text),
              "effective_date": revision.date, "material_change": revision.material_change,
              "affected_roles": list(revision.affected_roles), "fingerprint": fingerprint(source),
              "fingerprint_source": source}
    if isinstance(item, Policy):
        return PolicyVersion(policy_id=item.id, applies_to=list(item.applies_to), **fields)
    return ModuleVersion(module_id=item.id, audience=list(item.audience), **fields)


def _archive_earlier_versions(catalogue: Catalogue) -> dict[str, dict[int, PolicyVersion]]:
    """Stand-ins for the earlier versions the content's history names but the archive lacks, so the demo
    can show signatures and completions of them; returns every archived policy version by id and number."""
    archived = {(row.policy_id, row.version) for row in db.session.scalars(select(PolicyVersion))}
    archived |= {(row.module_id, row.version) for row in db.session.scalars(select(ModuleVersion))}
    items: list[Policy | Module] = [*catalogue.policies.values(), *catalogue.modules.values()]
    for item in items:
        for revision in item.history:
            if revision.version == item.version or (item.id, revision.version) in archived:
                continue
            stand_in = _stand_in(item, revision)
            db.session.add(stand_in)
            db.session.flush()
            kind = "policy" if isinstance(item, Policy) else "module"
            audit.record(DEMO_ACTOR, "demo.version_archived", f"{kind}_version:{stand_in.id}", {
                f"{kind}_id": item.id, "version": revision.version, "fingerprint": stand_in.fingerprint,
                "note": "text from policies/archive" if STAND_IN_NOTE.splitlines()[0] not in stand_in.markdown
                else "stand-in text for the demo"}, records=[stand_in])
    db.session.commit()
    versions: dict[str, dict[int, PolicyVersion]] = {}
    for row in db.session.scalars(select(PolicyVersion)):
        versions.setdefault(row.policy_id, {})[row.version] = row
    return versions


@contextmanager
def values_kept_across_commits() -> Iterator[None]:
    """The session keeps what it holds when each replayed event commits, instead of reading it all back.

    The replay is the database's only writer, so nothing it holds goes stale; expiring everything at
    each of its two thousand commits made the next event reload the same people, versions and
    accounts, about a quarter of the seeding time.
    """
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        yield
    finally:
        session.expire_on_commit = expire
        session.expire_all()  # whatever runs next reads the database afresh


def demo_present() -> bool:
    """True once this database holds the demo practice (its manager's account)."""
    return db.session.scalar(select(User.id).where(User.email == MANAGER_EMAIL)) is not None


def seed_demo() -> list[str]:
    """Fill an empty tracker with the demo; returns lines to show (what was done, how to sign in).

    Does nothing, and says so, when there are staff records already: the demo is for a new tracker.
    Raises catalogue.NotSynced before the first sync.
    """
    existing = db.session.scalar(select(func.count()).select_from(Staff))
    if existing:
        return [f"Demo data not added: the tracker already has {existing} staff record(s). The demo fills only an "
                "empty tracker."] + (credentials() if demo_present() else [])
    catalogue = served_catalogue.synced()
    day = today()
    created, manager = _create_people(catalogue, day)
    versions = _archive_earlier_versions(catalogue)
    events = plan_history(catalogue, day, created, manager, versions) + plan_duties(day, manager)
    # The demo practice has a single manager, who checks their own cards.
    with accounts.one_manager_office(), values_kept_across_commits():
        for step in events:
            with replayed_clock(step.moment):
                step.action()
    return [f"Demo data added: {len(created)} staff at {catalogue.settings.office_name}, {len(events)} recorded "
            f"events over the last {WINDOW_DAYS // 30} months."] + credentials()
