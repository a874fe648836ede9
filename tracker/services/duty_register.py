"""Office duties in the evidence pack: their status on the pack's date, every completion on file,
and the attached files, each named by its SHA-256 so the register and the file can be matched."""

from __future__ import annotations

from datetime import date

from portal.model import Catalogue
from tracker.services import duties, duty_files
from tracker.services.exports import to_csv
from tracker.storage.db import db, iso_utc
from tracker.storage.models import DutyAttachment

STATUS_COLUMNS = ("duty_id", "kind", "title", "policy_id", "owner_role", "location", "status", "due_date",
                  "last_done", "detail")
COMPLETION_COLUMNS = ("completion_id", "duty_id", "location", "completed_on", "recorded_by_name",
                      "recorded_by_email", "recorded_at_utc", "note", "attachment_name", "attachment_sha256")
FOLDER = "office-duties"


def status_csv(catalogue: Catalogue, as_of: date) -> str:
    return to_csv(STATUS_COLUMNS, ((r.schedule.duty_id, r.schedule.kind, r.schedule.title, r.schedule.policy_id,
                                    r.schedule.owner, r.location_id or "", r.status.status.value,
                                    r.status.due_date.isoformat(),
                                    r.status.last_done.isoformat() if r.status.last_done else "", r.status.detail)
                                   for r in duties.compute(catalogue, as_of)))


def completions_csv(as_of: date) -> str:
    return to_csv(COMPLETION_COLUMNS, ((c.id, c.duty_id, c.location_id or "", c.completed_on.isoformat(),
                                        c.recorded_by.staff.name, c.recorded_by.email, iso_utc(c.recorded_at), c.note,
                                        c.attachment_name, c.attachment_sha256 or "")
                                       for c in reversed(duties.completions(known_on=as_of))))


def pack_entries(catalogue: Catalogue, as_of: date) -> list[tuple[str, bytes, str]]:
    """(path, bytes, one line for the README) of each office duty file of the evidence pack."""
    entries = [
        (f"{FOLDER}/status.csv", status_csv(catalogue, as_of).encode("utf-8"),
         "Office duties (recurring checks our policies assign, and each policy's review) at each place, with "
         "their status on the pack's date under the schedule then in force, due date and last completion."),
        (f"{FOLDER}/completions.csv", completions_csv(as_of).encode("utf-8"),
         "Register of office duty completions entered by the pack's date: when each duty was done, where, who "
         "recorded it and when (UTC), the note, and the attachment's name and SHA-256. Append-only."),
    ]
    hashes = sorted({c.attachment_sha256 for c in duties.completions(known_on=as_of) if c.attachment_sha256})
    for sha256 in hashes:
        found = db.session.get(DutyAttachment, sha256)
        if found is not None:
            entries.append((f"{FOLDER}/attachments/{sha256}.{duty_files.EXTENSIONS[found.content_type]}", found.data,
                            "A file attached to an office duty completion, named by its SHA-256."))
    return entries
