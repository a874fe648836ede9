"""The catalogue the tracker serves, rebuilt from the archive rather than read from the content folder.

The content folder may be mid-edit or invalid at any moment; what staff read and sign must be what
was archived. Each sync that changes anything stores a snapshot of the whole catalogue (the portal's
model objects as JSON); pages and the API serve the latest snapshot. Policy bodies and module
contents are left out of the snapshot and filled in from the archived version they belong to, since
the fingerprint pins them to it.

Each process keeps the catalogue of the latest snapshot it has seen, so the compliance rules'
per-catalogue caches stay warm, and reloads it when a sync (another process, or the CLI) adds one.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import threading
import types
import typing
from collections.abc import Iterable, Mapping
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from flask import Flask, abort, current_app
from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import InstrumentedAttribute

from portal.model import (
    Catalogue,
    Category,
    CertificationType,
    Location,
    Module,
    Policy,
    Role,
    Settings,
)
from tracker.storage.db import db, plain
from tracker.storage.models import ContentSnapshot, ModuleVersion, PolicyVersion

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

# app.extensions key: why the start-up sync did not happen, shown to managers.
SYNC_PROBLEM = "tracker.sync_problem"
# What a command (or the demo seeder) says when there is no catalogue to work with.
NOT_SYNCED = "The catalogue has not been synced yet: run `flask --app tracker sync` first."



class _Archived(NamedTuple):
    """A kind of content whose text is archived in its own table rather than in the snapshot."""

    model: type[Policy] | type[Module]
    table: type[PolicyVersion] | type[ModuleVersion]
    id_column: InstrumentedAttribute[str]
    text_field: str


# Text fields archived in policy_versions / module_versions.markdown instead of the snapshot.
_ARCHIVED_TEXT = {"policies": _Archived(Policy, PolicyVersion, PolicyVersion.policy_id, "body"),
                  "modules": _Archived(Module, ModuleVersion, ModuleVersion.module_id, "content")}
_PLAIN: dict[str, type[DataclassInstance]] = {
    "locations": Location, "roles": Role, "categories": Category, "certifications": CertificationType}
Model = TypeVar("Model", bound="DataclassInstance")


def _plain(value: object) -> Any:
    """Model objects as JSON values: dataclasses to dicts, tuples and sets to lists, dates to text."""
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, frozenset | set):
        return sorted(_plain(v) for v in value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _typed(kind: Any, value: Any) -> Any:
    """The inverse of `_plain`, guided by the model's type annotations."""
    if value is None:
        return None
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (types.UnionType, typing.Union):
        return _typed(next(a for a in args if a is not type(None)), value)
    if origin is tuple:
        return tuple(_typed(args[0], v) for v in value)
    if origin is frozenset:
        return frozenset(_typed(args[0], v) for v in value)
    if kind is date:
        return date.fromisoformat(value)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _from_plain(kind, value)
    return value


def _from_plain(cls: type[Model], data: Mapping[str, Any]) -> Model:
    hints = _hints(cls)
    # Fields missing from an older snapshot take the model's default.
    return cls(**{f.name: _typed(hints[f.name], data[f.name]) for f in dataclasses.fields(cls) if f.name in data})


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    """A model's field types, worked out once: resolving them costs more than building the object,
    and a catalogue builds hundreds of each (a fresh worker's first page waited 0.16 s on it)."""
    return typing.get_type_hints(cls)


def snapshot_of(catalogue: Catalogue) -> tuple[dict[str, Any], str]:
    """The snapshot JSON of a catalogue (archived text left out) and its digest."""
    data: dict[str, Any] = {"settings": _plain(catalogue.settings)}
    for key in _PLAIN:
        data[key] = [_plain(item) for item in getattr(catalogue, key).values()]
    for key, (_model, _table, _id, text_field) in _ARCHIVED_TEXT.items():
        data[key] = [{k: v for k, v in _plain(item).items() if k != text_field}
                     for item in getattr(catalogue, key).values()]
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    return data, digest


def _index(items: Iterable[Any]) -> MappingProxyType[str, Any]:
    return MappingProxyType({item.id: item for item in items})


def from_snapshot(data: Mapping[str, Any]) -> Catalogue:
    parts: dict[str, Any] = {"settings": _from_plain(Settings, data["settings"])}
    for key, model in _PLAIN.items():
        parts[key] = _index(_from_plain(model, item) for item in data[key])
    for key, (model, table, id_column, text_field) in _ARCHIVED_TEXT.items():
        wanted = [(item["id"], item["version"]) for item in data[key]]
        texts: dict[tuple[str, int], str] = {}
        if wanted:
            rows = db.session.execute(select(id_column, table.version, table.markdown)
                                      .where(tuple_(id_column, table.version).in_(wanted)))
            texts = {(item_id, version): markdown for item_id, version, markdown in rows}
        parts[key] = _index(_from_plain(model, {**item, text_field: texts[(item["id"], item["version"])]})
                            for item in data[key])
    return Catalogue(**parts)


class _Cache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.snapshot_id: int | None = None
        self.catalogue: Catalogue | None = None


def init_app(app: Flask) -> None:
    app.extensions["tracker.services.served_catalogue"] = _Cache()


_LATEST_SNAPSHOT = select(func.max(ContentSnapshot.id))  # built once: most requests ask it


def current() -> Catalogue | None:
    """The catalogue of the latest snapshot; None before the first successful sync."""
    cache: _Cache = current_app.extensions["tracker.services.served_catalogue"]
    latest = plain(_LATEST_SNAPSHOT).scalar()
    if latest is None:
        return None
    with cache.lock:
        if cache.snapshot_id != latest:
            cache.catalogue = from_snapshot(db.session.get_one(ContentSnapshot, latest).catalogue)
            cache.snapshot_id = latest
            # The office's time zone decides "today" (tracker.storage.db.today) from now on.
            current_app.config["TRACKER_TIMEZONE"] = cache.catalogue.settings.office_time.timezone
        return cache.catalogue


def snapshot_id_of(catalogue: Catalogue) -> int | None:
    """The id of the snapshot ``catalogue`` was loaded from, if it is the one this worker serves (what
    derived data stored for it is labelled with); None for any other catalogue."""
    cache: _Cache = current_app.extensions["tracker.services.served_catalogue"]
    with cache.lock:
        return cache.snapshot_id if cache.catalogue is catalogue else None


class NotSynced(RuntimeError):
    """No catalogue has been synced yet, so there is nothing to check records against."""


def synced() -> Catalogue:
    """The served catalogue, or NotSynced before the first successful sync (for commands)."""
    found = current()
    if found is None:
        raise NotSynced(NOT_SYNCED)
    return found


def required() -> Catalogue:
    """The served catalogue, or a 503 page before the first successful sync (for pages and the API,
    whose users cannot run the sync themselves: the message says who can)."""
    found = current()
    if found is None:
        abort(503, "The policy library has not been loaded yet: the office manager needs to run "
                   "`flask --app tracker sync` and fix any problems it reports.")
    return found
