"""Staff list import from CSV: check every row first, then import all of them or none.

Columns (first line): name, email, job_title, roles, location, hire_date, left_on. ``roles`` holds
role ids separated by semicolons; dates are YYYY-MM-DD; ``left_on`` may be left out or empty. A
row whose e-mail is already on file updates that record, so the same file can be imported again.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from portal.model import Catalogue
from tracker.services import people
from tracker.services.people import StaffData
from tracker.services.validation import Invalid, Refused
from tracker.storage.db import db
from tracker.storage.models import Staff

COLUMNS = ("name", "email", "job_title", "roles", "location", "hire_date", "left_on")
OPTIONAL_COLUMNS = ("left_on",)
# A staff list, even of a large group practice, is far below these; a bigger file is the wrong file
# (an export of something else), refused at once instead of checked for minutes.
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 10_000


class ImportRejected(Refused):
    """The file has problems; nothing was imported. One ``FILE:LINE: ...`` line per problem."""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _text(path: Path, name: str) -> str:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ImportRejected([f"{name}: the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB, far more "
                              f"than a staff list (check that it is the right file, or split it)"])
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")  # spreadsheets often start UTF-8 CSV files with a BOM
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise ImportRejected([f"{name}:{line}: the file is not UTF-8 text "
                              "(save it from your spreadsheet as 'CSV UTF-8')"]) from error


def read_staff_csv(path: Path, catalogue: Catalogue, name: str | None = None) -> list[StaffData]:
    """Every row checked; raises ImportRejected listing every problem of every row."""
    name = name or str(path)
    reader = csv.DictReader(io.StringIO(_text(path, name), newline=""))
    header = reader.fieldnames or []
    problems = [f"{name}:1: missing column '{c}' (the first line must name the columns: {','.join(COLUMNS)})"
                for c in COLUMNS if c not in header and c not in OPTIONAL_COLUMNS]
    problems += [f"{name}:1: unknown column '{c}' (use only: {','.join(COLUMNS)})" for c in header if c not in COLUMNS]
    if problems:
        raise ImportRejected(problems)
    rows: list[StaffData] = []
    first_line: dict[str, int] = {}
    for row in _rows(reader, name):
        line = reader.line_num
        if None in row:
            problems.append(f"{name}:{line}: more values than columns (put a value holding a comma in quotes)")
            continue
        if not any((value or "").strip() for value in row.values()):
            continue  # a blank row, as spreadsheets leave at the end
        fields = {**row, "roles": (row["roles"] or "").split(";")}
        try:
            data = people.check_staff(fields, catalogue)
        except Invalid as invalid:
            problems += [f"{name}:{line}: {message}" for message in invalid.errors.values()]
            continue
        if data.email in first_line:
            problems.append(f"{name}:{line}: email {data.email} is also on line {first_line[data.email]} "
                            "(list each person once)")
            continue
        first_line[data.email] = line
        rows.append(data)
    if problems:
        raise ImportRejected(problems)
    return rows


def _rows(reader: csv.DictReader[str], name: str) -> Iterator[dict[str | Any, str | Any]]:
    """The reader's rows, or ImportRejected naming the line of a broken or oversized value (over the
    csv module's 128 KB; shorter ones get the staff rules' limits) or the row past MAX_ROWS."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            # the line being read when it failed, which the reader has not counted yet
            raise ImportRejected([f"{name}:{reader.line_num + 1}: a value there is far too long, or its "
                                  f"quotes are not closed ({error}); fix that row"]) from error
        if reader.line_num > MAX_ROWS + 1:
            raise ImportRejected([f"{name}:{reader.line_num}: more than {MAX_ROWS} rows, far more than a staff "
                                  "list (check that it is the right file, or split it)"])
        yield row


def import_staff(rows: list[StaffData], actor: str) -> ImportReport:
    """Create or update a staff record per row, matched by e-mail, in one transaction."""
    report = ImportReport()
    on_file = {s.email: s for s in db.session.scalars(select(Staff).where(Staff.email.in_([r.email for r in rows])))}
    for data in rows:
        staff = on_file.get(data.email)
        if staff is None:
            people.create_staff(data, actor)
            report.created += 1
        elif people.update_staff(staff, data, actor):
            report.updated += 1
        else:
            report.unchanged += 1
    db.session.commit()
    return report
