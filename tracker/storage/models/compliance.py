"""Compliance state shared by every worker: each person's latest relevant records, month-end counts, and
the log of whose records changed.

Both are derived from the append-only records and can be rebuilt from them at any time
(``flask --app tracker compliance rebuild-state``); neither is evidence. The rows hold records,
not statuses: a status still comes from the rules, from (requirement, these rows, the day), so a
new policy version or an edited role changes the statuses without touching these tables.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.storage.db import Model, UTCDateTime, utcnow

STATE_KINDS = ("acknowledgement", "completion", "certification")


class ComplianceState(Model):
    """A person's best record for one requirement item, as the rules would pick it.

    - ``acknowledgement``: per policy, the highest version signed (the latest signature on a tie),
      ``variant`` "best"; ``signed_at`` is kept rather than a date, since the signing day is the
      office's calendar day in the office's time zone of the day asked about.
    - ``completion``: per module, one row per (version, method) holding the latest completion of
      that version made that way (``variant`` "<version>/<method>"): what any required version or
      in-person rule needs.
    - ``certification``: per type, the verified record that lasts longest (``variant`` "best").
    Corrected records never count. ``record_id`` names the record a row came from. A row with an
    empty ``variant`` holds no record: writers of completions and cards lock it, so that two
    writers of one person's module or card type queue instead of overwriting each other.
    """

    __tablename__ = "compliance_state"
    __table_args__ = (UniqueConstraint("staff_id", "kind", "item_id", "variant"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    kind: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[str] = mapped_column(String(80))
    variant: Mapped[str] = mapped_column(String(40), default="")
    version: Mapped[int] = mapped_column(default=0)
    method: Mapped[str] = mapped_column(String(20), default="")
    done_on: Mapped[date | None] = mapped_column(Date)  # signed, completed or issued on
    expires_on: Mapped[date | None] = mapped_column(Date)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    record_id: Mapped[int | None]


class ComplianceSnapshot(Model):
    """Counts per status at a closed month's end, for everyone (``scope`` "*") or one location
    (``scope`` its id, "" for people with none): what the trend chart draws.

    Written once, on the first read after the month closed; recomputed only by the rebuild command.
    """

    __tablename__ = "compliance_snapshots"
    __table_args__ = (UniqueConstraint("month_end", "scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month_end: Mapped[date] = mapped_column(Date)
    scope: Mapped[str] = mapped_column(String(80))
    compliant: Mapped[int]
    due_soon: Mapped[int]
    pending: Mapped[int]
    overdue: Mapped[int]
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StateChange(Model):
    """A committed write that may change one person's statuses (``staff_id``), or everyone's (None).

    Each worker remembers today's statuses and, on its next read, recomputes only the people named
    here since then (tracker.services.matrix). Rows are appended under the audit chain's lock
    (tracker.services.compliance_state), so they commit in id order and no reader skips one; the
    random ``token`` tells a row from another with the same id in a database restored from a copy.
    """

    __tablename__ = "state_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int | None]
    token: Mapped[str] = mapped_column(String(16))


class StatusSheetRow(Model):
    """One person's statuses on the sheet's day (StatusSheetHead): what the dashboard, the matrix page
    and the trend's last point read instead of computing everyone (tracker.services.status_sheet).

    ``codes`` holds one letter per requirement of the catalogue, in the matrix's column order
    (tracker.services.status_sheet.CODES; "-" where the person owes nothing); ``dues`` the due dates
    of the cells those pages list (overdue, or running out soon) as JSON; ``details`` each owed cell's
    due date and detail, in column order, as JSON, for the matrix CSV (read only by it).
    """

    __tablename__ = "status_sheet"

    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True)
    codes: Mapped[str] = mapped_column(Text)
    dues: Mapped[str] = mapped_column(Text)
    details: Mapped[str] = mapped_column(Text)


class StatusSheetHead(Model):
    """What the status sheet is computed for: the day, the catalogue snapshot, and the newest change
    (StateChange) it has folded in. One row, ``id`` 1; a reader bringing the sheet up to date holds
    the sheet's lock (tracker.services.status_sheet.SHEET_LOCK_KEY), so two workers never interleave
    their writes."""

    __tablename__ = "status_sheet_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    snapshot_id: Mapped[int]
    change_id: Mapped[int]  # 0: the log was empty
    change_token: Mapped[str] = mapped_column(String(16))
