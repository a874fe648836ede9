"""The archived version a request names: one guard for policies and training modules.

A signature, or a quiz graded against its answer key, must be about the text the person saw. The
page, link or API body they send names a version and its fingerprint; only the current archived
version, fingerprint and all, is accepted, else :class:`StaleVersion` says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import select

from tracker.storage.db import MAX_ID, db
from tracker.storage.models import ArchivedVersion, ModuleVersion, PolicyVersion

Version = TypeVar("Version", PolicyVersion, ModuleVersion)


class UnknownPolicy(LookupError):
    pass


class UnknownModule(LookupError):
    pass


class StaleVersion(Exception):
    """The version or fingerprint asked for is not the current, archived text."""

    def __init__(self, reasons: list[str], current: ArchivedVersion):
        self.reasons = reasons
        self.current = current
        super().__init__("; ".join(reasons))


@dataclass(frozen=True)
class Kind(Generic[Version]):
    """One kind of archived content, and how its messages name it."""

    noun: str  # "policy", "module"
    model: type[Version]
    unknown: type[LookupError]  # raised for an id the served catalogue does not hold
    sent_from: str  # what named the version: "the link", "the page"


POLICY = Kind("policy", PolicyVersion, UnknownPolicy, "the link")
MODULE = Kind("module", ModuleVersion, UnknownModule, "the page")


def archived(kind: Kind[Version], item_id: str, version: int) -> Version | None:
    """The archived row of one version of an item, if there is one."""
    if not 1 <= version <= MAX_ID:  # a number no integer column holds names no row
        return None
    model = kind.model
    return db.session.scalar(select(model).where(getattr(model, model.item_column) == item_id,
                                                 model.version == version))


def current(kind: Kind[Version], item_id: str, served_version: int | None) -> Version:
    """The archived row of the version the served catalogue holds (``served_version``; None when it
    holds no such item, which raises ``kind.unknown``)."""
    if served_version is None:
        raise kind.unknown(item_id)
    row = archived(kind, item_id, served_version)
    if row is None:  # the sync archives every version before it is served
        raise LookupError(f"{kind.noun} {item_id} version {served_version} is served but not archived")
    return row


def requested(kind: Kind[Version], item_id: str, served_version: int | None,
              version: int | None, fingerprint: str | None) -> Version:
    """The current version, if that is what the request names; else StaleVersion saying why."""
    row = current(kind, item_id, served_version)
    if version != row.version:
        state = ("has been superseded" if version is not None and archived(kind, item_id, version)
                 else "does not exist")
        raise StaleVersion([f"version {version} of this {kind.noun} {state}: the current version is "
                            f"{row.version}, effective {row.effective_date.isoformat()}"], row)
    if fingerprint != row.fingerprint:
        raise StaleVersion([f"the fingerprint does not match the archived text of version {version}: "
                            f"{kind.sent_from} is out of date or was altered"], row)
    return row
