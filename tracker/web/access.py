"""Who may open which page: the managers' pages, and records only their owner or a manager may see."""

from __future__ import annotations

from typing import Protocol, TypeVar

from flask import abort, current_app, flash, request
from flask_login import current_user

from tracker.services import served_catalogue


class OwnedRecord(Protocol):
    @property
    def staff_id(self) -> int: ...


Record = TypeVar("Record", bound=OwnedRecord)


def managers_only():
    """before_request of the managers' blueprints: staff get a 403, anonymous visitors the sign-in page."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not current_user.is_manager:
        abort(403, "These pages are for managers.")
    problem = current_app.extensions.get(served_catalogue.SYNC_PROBLEM)
    if problem and request.method == "GET":
        flash(problem, "error")
    return None


def own_or_managed(record: Record | None, what: str) -> Record:
    """The record if it is the signed-in person's own, or they are a manager; else a 404.

    Someone else's record looks like a missing one, so its id reveals nothing.
    """
    if record is None or (record.staff_id != current_user.staff_id and not current_user.is_manager):
        abort(404, f"There is no such {what}.")
    return record
