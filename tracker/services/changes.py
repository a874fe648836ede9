"""What changed since the version of a policy a person last signed, for the signing page.

A material change asks people to sign again; they should see what is new without reading the whole
text side by side with the old one. The redline compares the archived text they signed with the
current one (both as synced, never the content folder's), and the history entries in between say
why. What they then sign is still the whole current text: this only helps them read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from portal.model import Revision
from portal.redline import Redline, redline
from tracker.services import served_catalogue
from tracker.storage.db import db
from tracker.storage.models import Acknowledgement, PolicyVersion, Staff


@dataclass(frozen=True)
class WhatChanged:
    """The version last signed, the revisions since (oldest first) and the redline to the current text."""

    signed: PolicyVersion
    signed_on: Acknowledgement
    current: PolicyVersion
    revisions: tuple[Revision, ...]
    redline: Redline


def last_signed(staff: Staff, policy_id: str) -> Acknowledgement | None:
    """This person's signature on the newest version of the policy they signed, if any."""
    return db.session.scalar(
        select(Acknowledgement).join(PolicyVersion, Acknowledgement.policy_version_id == PolicyVersion.id)
        .where(Acknowledgement.staff_id == staff.id, PolicyVersion.policy_id == policy_id)
        .order_by(PolicyVersion.version.desc(), Acknowledgement.signed_at.desc()).limit(1))


def revisions_between(policy_id: str, after: int, upto: int) -> tuple[Revision, ...]:
    """The served history entries of versions after ``after`` up to ``upto``, oldest first."""
    catalogue = served_catalogue.current()
    policy = catalogue.policies.get(policy_id) if catalogue else None
    if policy is None:
        return ()
    return tuple(sorted((r for r in policy.history if after < r.version <= upto), key=lambda r: r.version))


def since_last_signed(staff: Staff, current: PolicyVersion) -> WhatChanged | None:
    """What changed between the version this person last signed and ``current``; None when they
    never signed this policy, or signed this very text."""
    ack = last_signed(staff, current.policy_id)
    if ack is None:
        return None
    signed = ack.policy_version
    if signed.version >= current.version or signed.fingerprint == current.fingerprint:
        return None
    return WhatChanged(signed=signed, signed_on=ack, current=current,
                       revisions=revisions_between(current.policy_id, signed.version, current.version),
                       redline=redline(signed.markdown, current.markdown))
