"""Catalogue sync: archive every policy and module version from the content folder.

Runs at app start (unless TRACKER_SYNC_ON_START is off) and as ``flask --app tracker sync``. The
archive is append-only: a version once archived is never changed, because people signed that exact
text. Content that rewords an archived version without raising its number is refused, and the
whole sync is one transaction, so a refusal changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import markdown
from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute

from portal import load_catalogue
from portal.model import Catalogue, Module, Policy, Revision
from tracker.services import audit, duty_schedules, served_catalogue
from tracker.services.fingerprints import text_fields
from tracker.services.validation import Refused
from tracker.storage.db import db
from tracker.storage.models import (
    ArchivedVersion,
    ContentSnapshot,
    Location,
    ModuleVersion,
    PolicyVersion,
    Role,
)

MARKDOWN_EXTENSIONS = ["tables", "admonition", "attr_list"]
Item = TypeVar("Item", Policy, Module)
Setting = TypeVar("Setting", Location, Role)


class SyncRefused(Refused):
    """The content contradicts the archive; carries one message per contradiction."""


@dataclass
class SyncReport:
    policy_versions: list[str] = field(default_factory=list)  # "id@version" newly archived
    module_versions: list[str] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)  # ids added or changed
    roles: list[str] = field(default_factory=list)
    snapshot_id: int | None = None  # set when the served catalogue changed

    @property
    def changed(self) -> bool:
        return self.snapshot_id is not None

    def describe(self) -> str:
        if not self.changed:
            return "Catalogue already up to date: nothing archived."
        return (f"Catalogue synced: {len(self.policy_versions)} new policy version(s), "
                f"{len(self.module_versions)} new module version(s), {len(self.locations)} location(s) and "
                f"{len(self.roles)} role(s) added or changed (snapshot {self.snapshot_id}).")


def render_html(text: str) -> str:
    """Content Markdown as HTML. The content is the office's own, reviewed in the repository, so its
    HTML is trusted; the Content-Security-Policy still keeps any script in it from running."""
    return markdown.markdown(text, extensions=MARKDOWN_EXTENSIONS)


def _revision(history: tuple[Revision, ...], version: int) -> Revision | None:
    return next((r for r in history if r.version == version), None)


def _archived_fields(item: Policy | Module, text: str) -> dict[str, Any]:
    revision = _revision(item.history, item.version)
    return {
        "version": item.version, "fingerprint": item.fingerprint, "title": item.title,
        "markdown": text, "html": render_html(text), "effective_date": item.effective_date,
        # A module without history is its first version, which everyone must do.
        "material_change": revision.material_change if revision else True,
        "affected_roles": list(revision.affected_roles) if revision else [],
    }


def _archive(kind: str, items: Iterable[Item], table: type[ArchivedVersion], id_column: InstrumentedAttribute[str],
             make_row: Callable[[Item], ArchivedVersion], report_list: list[str], refusals: list[str],
             archived_rows: list[ArchivedVersion]) -> None:
    archived: dict[tuple[str, int], str] = {}
    newest: dict[str, int] = {}
    for item_id, version, fingerprint in db.session.execute(select(id_column, table.version, table.fingerprint)):
        archived[(item_id, version)] = fingerprint
        newest[item_id] = max(version, newest.get(item_id, version))
    for item in items:
        stored = archived.get((item.id, item.version))
        if newest.get(item.id, item.version) > item.version:
            refusals.append(
                f"{kind} {item.id} is at version {item.version} in {item.source}, but version "
                f"{newest[item.id]} is already archived: versions only go up. Give the text version "
                f"{newest[item.id] + 1} and add a history entry.")
        elif stored is None:
            row = make_row(item)
            row.fingerprint_source = text_fields(item)
            db.session.add(row)
            archived_rows.append(row)
            report_list.append(f"{item.id}@{item.version}")
        elif stored != item.fingerprint:
            refusals.append(
                f"{kind} {item.id} version {item.version} was reworded without raising its version: "
                f"{item.source} no longer matches the text archived as version {item.version} "
                f"(fingerprint {stored[:12]}, now {item.fingerprint[:12]}). People may have signed "
                f"the archived text, so it cannot change: raise version to {item.version + 1} and add "
                f"a history entry saying what changed.")


def _upsert(model: type[Setting], wanted: Mapping[str, Mapping[str, object]], changed: list[str]) -> None:
    existing = {row.id: row for row in db.session.scalars(select(model))}
    for item_id, values in wanted.items():
        row = existing.get(item_id)
        if row is None:
            db.session.add(model(id=item_id, **values))
            changed.append(item_id)
        elif any(getattr(row, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            changed.append(item_id)


def sync_catalogue(catalogue: Catalogue, actor: str) -> SyncReport:
    """Archive what is new in ``catalogue`` and commit, or raise SyncRefused and change nothing."""
    report = SyncReport()
    refusals: list[str] = []
    archived_rows: list[ArchivedVersion] = []
    audit.lock_chain()  # one sync at a time: workers starting together would archive twice
    _archive("policy", catalogue.policies.values(), PolicyVersion, PolicyVersion.policy_id,
             lambda p: PolicyVersion(policy_id=p.id, applies_to=list(p.applies_to), **_archived_fields(p, p.body)),
             report.policy_versions, refusals, archived_rows)
    _archive("module", catalogue.modules.values(), ModuleVersion, ModuleVersion.module_id,
             lambda m: ModuleVersion(module_id=m.id, audience=list(m.audience), **_archived_fields(m, m.content)),
             report.module_versions, refusals, archived_rows)
    if refusals:
        db.session.rollback()
        raise SyncRefused(refusals)
    _upsert(Location, {loc.id: {"name": loc.name, "address": loc.address} for loc in catalogue.locations.values()},
            report.locations)
    _upsert(Role, {role.id: {"title": role.title, "designation": role.designation} for role in catalogue.roles.values()},
            report.roles)
    duties = duty_schedules.archive(catalogue)  # what each office duty asks from now on
    data, digest = served_catalogue.snapshot_of(catalogue)
    latest = db.session.scalar(select(ContentSnapshot).order_by(ContentSnapshot.id.desc()).limit(1))
    if latest is None or latest.digest != digest:
        snapshot = ContentSnapshot(digest=digest, catalogue=data)
        db.session.add(snapshot)
        db.session.flush()
        report.snapshot_id = snapshot.id
        audit.record(actor, "catalogue.synced", f"snapshot:{snapshot.id}", {
            "policy_versions": report.policy_versions, "module_versions": report.module_versions,
            "locations": report.locations, "roles": report.roles, "duties": duties, "digest": digest,
        }, records=archived_rows)
    db.session.commit()
    return report


def sync(content_dir: Path, actor: str) -> SyncReport:
    """Load the content folder and sync it. Raises portal.ContentError when the content is invalid."""
    return sync_catalogue(load_catalogue(content_dir), actor)
