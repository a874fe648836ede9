"""Helpers for the compliance state tests: archived versions to sign, records written as the services
write them (through the session, so the state hook sees them), and the two ways of judging."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import strategies as st
from sqlalchemy import delete, func, insert, select
from training_helpers import BBP, HIPAA

from tracker.services import compliance_state, served_catalogue
from tracker.services.compliance_status import current_statuses_by_staff, statuses_by_staff
from tracker.storage.db import db, today
from tracker.storage.models import (
    Acknowledgement,
    CertificationRecord,
    CertificationVerification,
    ComplianceState,
    ModuleVersion,
    PolicyVersion,
    Staff,
    StateChange,
    TrainingCompletion,
)

ALL_ROLES = ("clinician", "medical-assistant", "front-desk")
VERSIONS = (1, 2, 3, 4)


def archive_versions(app) -> None:
    """Versions 1 to 4 of every policy and module (copies of the synced rows), so that signatures and
    completions of older and newer versions than the required one can be written."""
    with app.app_context():
        for model, item in ((PolicyVersion, "policy_id"), (ModuleVersion, "module_id")):
            rows = list(db.session.scalars(select(model)))
            held = {(getattr(r, item), r.version) for r in rows}
            for row in rows:
                for version in VERSIONS:
                    if (getattr(row, item), version) not in held:
                        held.add((getattr(row, item), version))
                        copy = {c.key: getattr(row, c.key) for c in model.__table__.columns if c.key != "id"}
                        db.session.add(model(**{**copy, "version": version}))
        db.session.commit()


def version_ids(model) -> dict[tuple[str, int], int]:
    item = model.policy_id if model is PolicyVersion else model.module_id
    return {(i, v): n for n, i, v in db.session.execute(select(model.id, item, model.version))}


def sign(staff_id: int, version_id: int, user_id: int, days_ago: int) -> Acknowledgement:
    ack = Acknowledgement(staff_id=staff_id, policy_version_id=version_id, statement="I have read it",
                          signature_name="x", signed_at=datetime.now(UTC) - timedelta(days=days_ago, minutes=days_ago),
                          ip_address=None, user_agent="test", method="web", recorded_by_id=user_id)
    db.session.add(ack)
    return ack


def complete(staff_id: int, version_id: int, user_id: int, day: date, method: str,
             corrects: int | None = None) -> TrainingCompletion:
    completion = TrainingCompletion(staff_id=staff_id, module_version_id=version_id, completed_on=day, method=method,
                                    corrects_id=corrects, recorded_by_id=user_id)
    db.session.add(completion)
    return completion


def card(staff_id: int, type_id: str, user_id: int, issued_on: date, expires_on: date | None,
         corrects: int | None = None) -> CertificationRecord:
    record = CertificationRecord(staff_id=staff_id, type_id=type_id, issued_on=issued_on, expires_on=expires_on,
                                 corrects_id=corrects, submitted_by_id=user_id)
    db.session.add(record)
    return record


def decide(record_id: int, user_id: int, decision: str) -> CertificationVerification:
    verification = CertificationVerification(record_id=record_id, decision=decision, decided_by_id=user_id)
    db.session.add(verification)
    return verification


def both_ways(staff_ids, day: date):
    """(statuses from the stored state, statuses from every record) of these people on ``day``."""
    catalogue = served_catalogue.current()
    people = list(db.session.scalars(select(Staff).where(Staff.id.in_(list(staff_ids)))))
    return (current_statuses_by_staff(people, catalogue, day), statuses_by_staff(people, catalogue, day, known_on=day))


def state_rows() -> set[tuple]:
    """Every stored record row (lock rows left out), without its id."""
    s = ComplianceState
    return set(db.session.execute(select(s.staff_id, s.kind, s.item_id, s.variant, s.version, s.method, s.done_on,
                                         s.expires_on, s.signed_at, s.record_id).where(s.variant != "")).all())


def rebuilt_rows() -> set[tuple]:
    """The rows :func:`compliance_state.rebuild` makes from every record (committed)."""
    compliance_state.rebuild(db.session.connection())
    db.session.commit()
    return state_rows()


POLICIES = ("minimum-necessary", "visitor-log", "sharps-disposal")
MODULES = (HIPAA, BBP)
CARD_TYPES = ("bls", "cma-aama", "hep-b")

days_ago = st.integers(min_value=-2, max_value=800)  # a few records dated after today, which the rules skip
write = st.one_of(
    st.tuples(st.just("sign"), st.sampled_from(POLICIES), st.sampled_from(VERSIONS), days_ago),
    st.tuples(st.just("complete"), st.sampled_from(MODULES), st.sampled_from(VERSIONS),
              st.sampled_from(("quiz", "in_person")), days_ago),
    st.tuples(st.just("correct-completion"), st.integers(0, 20), days_ago),
    st.tuples(st.just("card"), st.sampled_from(CARD_TYPES), days_ago, st.none() | st.integers(-100, 900)),
    st.tuples(st.just("decide"), st.integers(0, 20), st.sampled_from(("verified", "verified", "rejected"))),
    st.tuples(st.just("correct-card"), st.integers(0, 20), days_ago, st.none() | st.integers(-100, 900)),
    st.tuples(st.just("commit")),
)


class Writer:
    """Applies generated writes for one person through the session, as the services would."""

    def __init__(self, staff_id: int, user: int):
        self.staff_id, self.user = staff_id, user
        self.policies, self.modules = version_ids(PolicyVersion), version_ids(ModuleVersion)
        self.signed: set[int] = set()
        self.completions: list[TrainingCompletion] = []
        self.cards: list = []

    def apply(self, step: tuple) -> None:
        kind, *args = step
        if kind == "commit":
            db.session.commit()
        elif kind == "sign":
            self._sign(*args)
        elif kind == "complete":
            module, version, method, ago = args
            self.completions.append(complete(self.staff_id, self.modules[module, version], self.user,
                                             today() - timedelta(days=ago), method))
        elif kind == "correct-completion" and self.completions:
            original = self.completions[args[0] % len(self.completions)]
            self.completions.append(complete(self.staff_id, original.module_version_id, self.user,
                                             today() - timedelta(days=args[1]), original.method, original.id))
        elif kind == "card":
            self._card(*args)
        elif kind == "decide" and self.cards:
            decide(self.cards[args[0] % len(self.cards)].id, self.user, args[1])
        elif kind == "correct-card" and self.cards:
            original = self.cards[args[0] % len(self.cards)]
            self._card(original.type_id, args[1], args[2], original.id)
        db.session.flush()

    def _sign(self, policy: str, version: int, ago: int) -> None:
        version_id = self.policies[policy, version]
        if version_id not in self.signed:  # one signature per person and version
            self.signed.add(version_id)
            sign(self.staff_id, version_id, self.user, max(ago, 0))

    def _card(self, type_id: str, ago: int, lasts: int | None, corrects: int | None = None) -> None:
        issued = today() - timedelta(days=max(ago, 0))  # the card service refuses issue dates after today
        expires = None if lasts is None else issued + timedelta(days=lasts)
        self.cards.append(card(self.staff_id, type_id, self.user, issued, expires, corrects))


def log_restored_from_a_copy(staff_id: int) -> None:
    """The change log as a restored copy of the database might hold it: the newest id names another
    row (another token), in the session's transaction."""
    newest = db.session.scalar(select(func.max(StateChange.id)))
    db.session.execute(delete(StateChange).where(StateChange.id == newest))
    db.session.execute(insert(StateChange).values(id=newest, staff_id=staff_id, token="restored"))
