"""Recording acknowledgements: the signing rules shared by the web form and the JSON API.

What makes a signature defensible: an authenticated person, the exact document (id, version,
fingerprint of the archived text), the statement they agreed to, an explicit act (checkbox and
typed name), a UTC time, their address and browser, and an audit event written with it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import and_, bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from tracker.services import audit, compliance_state, served_catalogue, versions
from tracker.storage.db import column_length, db, iso_utc, plain, utcnow
from tracker.storage.models import Acknowledgement, PolicyVersion, Staff

STATEMENT = "I have read this policy and will follow it"


class SignatureMismatch(ValueError):
    pass


def _served_version(policy_id: str) -> int | None:
    catalogue = served_catalogue.current()
    policy = catalogue.policies.get(policy_id) if catalogue else None
    return policy.version if policy else None


def current_version(policy_id: str) -> PolicyVersion:
    """The archived row of the policy's version in the served catalogue (UnknownPolicy if none)."""
    return versions.current(versions.POLICY, policy_id, _served_version(policy_id))


def requested_version(policy_id: str, version: int | None, fingerprint: str | None) -> PolicyVersion:
    """The current version, if that is what the request names; else StaleVersion saying why."""
    return versions.requested(versions.POLICY, policy_id, _served_version(policy_id), version, fingerprint)


def normalise_name(name: str) -> str:
    """Names compared as people read them: Unicode NFC, case folded, spaces collapsed."""
    folded = unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())
    return " ".join(folded.split())


def check_signature(staff: Staff, signature_name: str) -> None:
    if not normalise_name(signature_name):
        raise SignatureMismatch("Type your full name to sign.")
    if len(signature_name.strip()) > column_length(Acknowledgement, "signature_name"):
        raise SignatureMismatch("The name you typed is too long: type it once, as on your staff record.")
    if normalise_name(signature_name) != normalise_name(staff.name):
        raise SignatureMismatch(f"The name you typed does not match the name on your staff record "
                                f"({staff.name}). Type it as shown; ask the office manager if it is wrong.")


def existing(staff: Staff, version: PolicyVersion) -> Acknowledgement | None:
    return db.session.scalar(select(Acknowledgement).where(Acknowledgement.staff_id == staff.id,
                                                           Acknowledgement.policy_version_id == version.id))


@dataclass(frozen=True)
class Origin:
    """Where a signature (or a quiz attempt) came from; tracker.http.client.request_origin reads it
    off a request, so this module never sees one."""

    ip_address: str | None
    user_agent: str
    method: str  # "web" or "api"


def acknowledge(staff: Staff, version: PolicyVersion, signature_name: str, origin: Origin,
                user: Signer) -> tuple[Acknowledgement, bool]:
    """Record that ``staff`` signed ``version``; returns (record, created).

    Signing the same version again returns the first record unchanged. Two signatures racing past
    the lookup meet the unique constraint on (staff_id, policy_version_id); the loser rolls back
    and returns the winner's record.
    """
    check_signature(staff, signature_name)
    return _record(staff, version, signature_name, origin, user, existing(staff, version))


# What a signature's checks and answer read of a version: not its text (markdown, html), which a
# signature never needs and which is most of the row.
_VERSION_FIELDS = ("id", "policy_id", "version", "fingerprint", "title", "effective_date")
_ACK_FIELDS = tuple(column.key for column in Acknowledgement.__table__.columns)


def current_and_existing(staff: Staff, policy_id: str) -> tuple[PolicyVersion, Acknowledgement | None] | None:
    """The served version of a policy and ``staff``'s signature of it if any, in one query; None when
    no version of it is served (or, in a moment of a sync, archived). Both come back as detached
    objects holding the columns read: nothing in a signature changes them."""
    served = _served_version(policy_id)
    if served is None:
        return None
    row = plain(_CURRENT_AND_EXISTING, {"staff_id": staff.id, "policy_id": policy_id, "version": served}).first()
    if row is None:
        return None
    version = PolicyVersion(**dict(zip(_VERSION_FIELDS, row[:len(_VERSION_FIELDS)], strict=True)))
    found = dict(zip(_ACK_FIELDS, row[len(_VERSION_FIELDS):], strict=True))
    return version, Acknowledgement(**found) if found["id"] is not None else None


# Built once: every signature through the API runs it.
_CURRENT_AND_EXISTING = (
    select(*(PolicyVersion.__table__.c[name] for name in _VERSION_FIELDS), *Acknowledgement.__table__.columns)
    .outerjoin(Acknowledgement, and_(Acknowledgement.policy_version_id == PolicyVersion.id,
                                     Acknowledgement.staff_id == bindparam("staff_id")))
    .where(PolicyVersion.policy_id == bindparam("policy_id"), PolicyVersion.version == bindparam("version")))


def sign_requested(staff: Staff, user: Signer, policy_id: str, version: int | None, fingerprint: str | None,
                   signature_name: str, origin: Origin) -> tuple[Acknowledgement, bool]:
    """``requested_version`` then ``acknowledge``, as the API asks for them, in fewer round trips.

    Raises what they raise, in the same order: UnknownPolicy or StaleVersion, then SignatureMismatch.
    """
    pair = current_and_existing(staff, policy_id)
    if pair is None or (pair[0].version, pair[0].fingerprint) != (version, fingerprint):
        # Not the current version (or none is served): the full check says why; it returns only if
        # a sync made this the current version between the two reads.
        current = requested_version(policy_id, version, fingerprint)
        pair = (current, existing(staff, current))
    check_signature(staff, signature_name)
    current, found = pair
    if found is not None:  # its answer names both: they are in hand, not to be read again
        set_committed_value(found, "policy_version", current)
        set_committed_value(found, "staff", staff)
    return _record(staff, current, signature_name, origin, user, found)


class Signer(Protocol):
    """Who records a signature: a User, or an API token's identity (tracker.services.tokens.Bearer)."""

    @property
    def id(self) -> int: ...

    @property
    def audit_name(self) -> str: ...


# Built once: every signature runs it. A plain INSERT rather than an object for the session to flush:
# the unit of work's bookkeeping cost more than the statement, for a row nothing in the request changes.
_INSERT = insert(Acknowledgement).returning(Acknowledgement.id)


def _record(staff: Staff, version: PolicyVersion, signature_name: str, origin: Origin, user: Signer,
            found: Acknowledgement | None) -> tuple[Acknowledgement, bool]:
    if found is not None:
        return found, False
    values = {"staff_id": staff.id, "policy_version_id": version.id, "statement": STATEMENT,
              "signature_name": signature_name.strip(), "signed_at": utcnow(), "ip_address": origin.ip_address,
              "user_agent": origin.user_agent, "method": origin.method, "recorded_by_id": user.id}
    try:
        ack = _written(plain(_INSERT, values).scalar_one(), values, staff, version)
        compliance_state.acknowledged(db.session(), ack.id, staff.id)
        audit.record(user.audit_name, "acknowledgement.recorded", f"acknowledgement:{ack.id}", {
            "staff_id": staff.id, "policy_id": version.policy_id, "version": version.version,
            "fingerprint": version.fingerprint, "statement": ack.statement,
            "signature_name": ack.signature_name, "ip_address": ack.ip_address, "method": ack.method,
        }, records=[ack])
        _commit_keeping_values()
    except IntegrityError:
        db.session.rollback()
        found = existing(staff, version)
        if found is None:
            raise
        return found, False
    return ack, True


def _written(ack_id: int, values: dict[str, Any], staff: Staff, version: PolicyVersion) -> Acknowledgement:
    """The row just inserted, as a detached object holding what was written (the session never
    tracks it: nothing changes it, and a later query of the session reads it from the database)."""
    ack = Acknowledgement(id=ack_id, **values)
    set_committed_value(ack, "staff", staff)
    set_committed_value(ack, "policy_version", version)
    return ack


def _commit_keeping_values() -> None:
    """Commit without expiring what the request holds (the signer's and the version's rows): the
    answer is built from them, so reading them back (more queries) would only return the same."""
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


def ack_json(ack: Acknowledgement) -> dict[str, object]:
    version = ack.policy_version
    return {
        "id": ack.id, "staff_id": ack.staff_id, "staff_name": ack.staff.name,
        "policy_id": version.policy_id, "version": version.version, "fingerprint": version.fingerprint,
        "title": version.title, "statement": ack.statement, "signature_name": ack.signature_name,
        "signed_at": iso_utc(ack.signed_at), "ip_address": ack.ip_address,
        "user_agent": ack.user_agent, "method": ack.method, "recorded_by": ack.recorded_by_id,
    }


def register(policy_id: str) -> list[Acknowledgement]:
    """Every signature of every version of a policy, oldest first."""
    return list(db.session.scalars(
        select(Acknowledgement).join(PolicyVersion).where(PolicyVersion.policy_id == policy_id)
        .options(joinedload(Acknowledgement.staff), joinedload(Acknowledgement.policy_version))
        .order_by(Acknowledgement.signed_at, Acknowledgement.id)))


def is_archived(policy_id: str) -> bool:
    return db.session.scalar(select(PolicyVersion.id).where(PolicyVersion.policy_id == policy_id).limit(1)) is not None
