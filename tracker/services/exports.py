"""CSV exports for managers and auditors, each as of a day.

- the compliance matrix, one row per person and requirement (tracker.services.matrix);
- each policy's acknowledgement register: who signed which archived version, when, from where;
- training records in the layout of 29 CFR 1910.1030(h)(2): date, contents or summary, trainer's
  name and qualifications, attendee's name and job title (quiz completions too, with no trainer);
- certification records with their latest verification decision.

A past day lists only what had been recorded by the end of it (tracker.services.compliance_status.recorded_before),
so an export for an auditor's date is the register as it stood then. The record queries here are
also what the person page shows behind each status.

Files are UTF-8 with a byte-order mark, which spreadsheet programs need to read accents right. Any
text cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage
return, or a Unicode look-alike of one of them such as a fullwidth ＝) gets a leading apostrophe: names and notes are typed by people, and a CSV opened in a
spreadsheet must never execute what someone typed.
"""

from __future__ import annotations

import csv
import functools
import io
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from portal.model import Catalogue
from tracker.services.compliance_status import recorded_before
from tracker.services.matrix import Matrix
from tracker.services.sheet_pages import Matched
from tracker.services.status_sheet import NOT_OWED, STATUS_OF, Sheet, SheetRow
from tracker.services.training_sessions import job_title_of
from tracker.storage.db import db, iso_utc
from tracker.storage.models import (
    Acknowledgement,
    CertificationRecord,
    CertificationVerification,
    Location,
    PolicyVersion,
    QuizAttempt,
    Staff,
    TrainingCompletion,
    TrainingSession,
    User,
)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CsvRow = tuple[object, ...]
BOM = "\ufeff"

MATRIX_COLUMNS = ("staff_id", "staff_name", "staff_email", "job_title", "location", "roles", "kind",
                  "requirement_id", "requirement_title", "status", "due_date", "days_overdue", "detail")
ACKNOWLEDGEMENT_COLUMNS = ("staff_name", "staff_email", "job_title", "location", "policy_id", "version",
                           "fingerprint", "statement", "typed_name", "signed_at_utc", "ip_address",
                           "user_agent", "method")
TRAINING_COLUMNS = ("training_date", "module_id", "module_title", "module_version", "content_summary",
                    "trainer_name", "trainer_qualifications", "attendee_name", "attendee_job_title", "method",
                    "session_id", "quiz_attempt_id", "quiz_score", "completion_id", "corrected_by_completion_id",
                    "self_recorded")
CERTIFICATION_COLUMNS = ("staff_name", "staff_email", "type_id", "type_name", "number", "issuer", "issued_on",
                         "expires_on", "verified_by", "verified_at_utc", "decision", "status", "record_id",
                         "corrects_record_id", "self_verified")

QUIZ_SUMMARY = "Self-paced online module with a graded quiz (no live trainer)."


# Characters some spreadsheets read as = + - @ too: fullwidth and small forms (which NFKC folds to
# them), and minus signs and dashes, which it leaves alone.
FORMULA_LOOKALIKES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2796\u2795\ufe63\uff0d")


def neutralise(value: object) -> str:
    """A cell's text, with a leading apostrophe if a spreadsheet would read it as a formula."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return "'" + text if _starts_a_formula(text[:1]) else text


@functools.lru_cache(maxsize=4096)  # every cell of every export asks: each first character is judged once
def _starts_a_formula(first: str) -> bool:
    return bool(first) and (first in FORMULA_LOOKALIKES or unicodedata.normalize("NFKC", first)[:1] in _FORMULA_FIRST)


_FORMULA_FIRST = frozenset(FORMULA_STARTS)
CHUNK_ROWS = 2000
LINE_END = "\r\n"


def csv_chunks(columns: Iterable[str], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """The CSV text in pieces of a few thousand rows, BOM and header first: a large export streams.
    Every cell goes through :func:`neutralise`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=LINE_END)
    out.write(BOM)
    writer.writerow(columns)
    for n, row in enumerate(rows, 1):
        writer.writerow(map(neutralise, row))
        if n % CHUNK_ROWS == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def csv_cell(text: str) -> str:
    """``text`` as a cell of a CSV row, as csv.writer writes it there: quoted only where it must be."""
    if not text:
        return ""
    out = io.StringIO()
    csv.writer(out, lineterminator=LINE_END).writerow((text,))
    return out.getvalue().removesuffix(LINE_END)


def to_csv(columns: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    return "".join(csv_chunks(columns, rows))


def _location_name(staff: Staff) -> str:
    return staff.location.name if staff.location else ""


# --------------------------------------------------------------------------------------------
# The matrix
# --------------------------------------------------------------------------------------------


def matrix_csv(matrix: Matrix, catalogue: Catalogue) -> str:
    return "".join(matrix_csv_chunks(matrix, catalogue))


def matrix_csv_chunks(matrix: Matrix, catalogue: Catalogue) -> Iterator[str]:
    """The matrix as :func:`csv_chunks` would write it, line by line without csv.writer: 300,000
    rows at 2,000 staff repeat a person's cells in each of their rows and the same titles and details
    in everyone's, so each distinct text is neutralised and quoted once and the lines are joined."""
    people = ((_person(row.staff.id, row.staff.name, row.staff.email, row.staff.job_title, _location_name(row.staff),
                       row.staff.roles, catalogue),
               ((i.kind, i.id, i.title, i.status, i.due_date, i.detail) for i in row.picked)) for row in matrix.rows)
    return _matrix_chunks(matrix.as_of, people)


def sheet_csv_chunks(sheet: Sheet, found: Matched, catalogue: Catalogue) -> Iterator[str]:
    """The same file from a status sheet read with its details (tracker.services.status_sheet): the
    rows ``found`` for the filters, and the cells they pick of each."""
    query = select(Staff.id, Staff.email, Staff.job_title, Location.name).outerjoin(Location, Staff.location)
    contact = {staff_id: (email, job_title, location or "")
               for staff_id, email, job_title, location in db.session.execute(query)}
    columns = sheet.columns

    def cells(row: SheetRow) -> Iterator[MatrixCell]:
        owed = [n for n, code in enumerate(row.line.codes) if code != NOT_OWED]
        details = dict(zip(owed, row.line.cells or (), strict=True))
        for n in found.pick.columns(row):
            requirement, (due, detail) = columns[n], details[n]
            yield requirement.kind, requirement.id, requirement.title, STATUS_OF[row.line.codes[n]], due, detail

    people = ((_person(row.staff.id, row.staff.name, *contact[row.staff.id], row.staff.roles, catalogue), cells(row))
              for row in found.rows)
    return _matrix_chunks(sheet.as_of, people)


MatrixCell = tuple[str, str, str, str, date | None, str]  # kind, requirement id, title, status, due date, detail
Person = tuple[object, ...]  # the person's cells of a matrix line: id, name, email, job title, location, roles


def _person(staff_id: int, name: str, email: str, job_title: str, location: str, roles: Iterable[str],
            catalogue: Catalogue) -> Person:
    titles = "; ".join(catalogue.roles[r].title if r in catalogue.roles else r for r in roles or ())
    return staff_id, name, email, job_title, location, titles


def _matrix_chunks(as_of: date, people: Iterable[tuple[Person, Iterable[MatrixCell]]]) -> Iterator[str]:
    yield BOM + ",".join(map(csv_cell, MATRIX_COLUMNS)) + LINE_END
    lines: list[str] = []
    for line in _matrix_lines(as_of, people):
        lines.append(line)
        if len(lines) == CHUNK_ROWS:
            yield "".join(lines)
            lines.clear()
    yield "".join(lines)


def _matrix_lines(as_of: date, people: Iterable[tuple[Person, Iterable[MatrixCell]]]) -> Iterator[str]:
    """One CSV line per cell. Statuses (a StrEnum writes its value), ISO dates and day counts cannot
    start a formula or need quotes; every text goes through ``cell``."""
    texts: dict[str, str] = {}

    def cell(value: object) -> str:
        text = "" if value is None else str(value)
        found = texts.get(text)
        if found is None:
            found = texts[text] = csv_cell(neutralise(text))
        return found

    for fields, cells in people:
        person = ",".join(map(cell, fields))
        for kind, requirement_id, title, status, due, detail in cells:
            late = (as_of - due).days if status == "overdue" and due else ""
            yield (f"{person},{cell(kind)},{cell(requirement_id)},{cell(title)},{status},"
                   f"{due.isoformat() if due else ''},{late},{cell(detail)}{LINE_END}")


# --------------------------------------------------------------------------------------------
# Acknowledgements
# --------------------------------------------------------------------------------------------


def acknowledgements(known_on: date, policy_id: str | None = None,
                     staff_id: int | None = None) -> list[Acknowledgement]:
    """Signatures made by the end of ``known_on``, by policy, then oldest first."""
    query = (select(Acknowledgement).join(PolicyVersion)
             .options(joinedload(Acknowledgement.staff).joinedload(Staff.location),
                      joinedload(Acknowledgement.policy_version))
             .where(Acknowledgement.signed_at < recorded_before(known_on))
             .order_by(PolicyVersion.policy_id, Acknowledgement.signed_at, Acknowledgement.id))
    if policy_id is not None:
        query = query.where(PolicyVersion.policy_id == policy_id)
    if staff_id is not None:
        query = query.where(Acknowledgement.staff_id == staff_id)
    return list(db.session.scalars(query))


def acknowledgement_row(ack: Acknowledgement) -> CsvRow:
    version, staff = ack.policy_version, ack.staff
    return (staff.name, staff.email, staff.job_title, _location_name(staff), version.policy_id, version.version,
            version.fingerprint, ack.statement, ack.signature_name, iso_utc(ack.signed_at), ack.ip_address or "",
            ack.user_agent, ack.method)


def acknowledgements_csv(policy_id: str, known_on: date) -> str:
    return to_csv(ACKNOWLEDGEMENT_COLUMNS, (acknowledgement_row(a) for a in acknowledgements(known_on, policy_id)))


def signed_policy_ids(known_on: date) -> list[str]:
    """Every policy someone had signed (any version) by the end of ``known_on``."""
    return list(db.session.scalars(
        select(PolicyVersion.policy_id).join(Acknowledgement)
        .where(Acknowledgement.signed_at < recorded_before(known_on))
        .distinct().order_by(PolicyVersion.policy_id)))


def signed_versions(known_on: date) -> list[PolicyVersion]:
    """Every archived policy version someone had signed by the end of ``known_on``."""
    signed = (select(Acknowledgement.policy_version_id)
              .where(Acknowledgement.signed_at < recorded_before(known_on)))
    return list(db.session.scalars(select(PolicyVersion).where(PolicyVersion.id.in_(signed))
                                   .order_by(PolicyVersion.policy_id, PolicyVersion.version)))


# --------------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingRecords:
    completions: list[TrainingCompletion]
    attempts: dict[int, QuizAttempt]  # by id, for quiz completions
    corrected_by: dict[int, int]  # completion id -> id of the completion correcting it
    # Staff id of each account that recorded a completion: separation of duties flags a person's own
    # in-person attendance recorded by themselves (allowed only with TRACKER_ALLOW_SELF_VERIFICATION).
    recorders: dict[int, int] = field(default_factory=dict)


def training_records(known_on: date, staff_id: int | None = None) -> TrainingRecords:
    """Completions dated and recorded by the end of ``known_on``, oldest first, corrected ones included."""
    cutoff = recorded_before(known_on)
    query = (select(TrainingCompletion)
             .options(joinedload(TrainingCompletion.staff), joinedload(TrainingCompletion.module_version),
                      joinedload(TrainingCompletion.session).selectinload(TrainingSession.attendees))
             .where(TrainingCompletion.recorded_at < cutoff, TrainingCompletion.completed_on <= known_on)
             .order_by(TrainingCompletion.completed_on, TrainingCompletion.id))
    if staff_id is not None:
        query = query.where(TrainingCompletion.staff_id == staff_id)
    completions = list(db.session.scalars(query).unique())
    attempt_ids = [c.attempt_id for c in completions if c.attempt_id is not None]
    attempts = {a.id: a for a in db.session.scalars(select(QuizAttempt).where(QuizAttempt.id.in_(attempt_ids)))} \
        if attempt_ids else {}
    corrections = db.session.execute(
        select(TrainingCompletion.corrects_id, TrainingCompletion.id)
        .where(TrainingCompletion.corrects_id.is_not(None), TrainingCompletion.recorded_at < cutoff))
    corrected_by = {corrected: by for corrected, by in corrections if corrected is not None}
    recorder_ids = {c.recorded_by_id for c in completions}
    recorders = {row.id: row.staff_id for row in
                 db.session.execute(select(User.id, User.staff_id).where(User.id.in_(recorder_ids)))}
    return TrainingRecords(completions, attempts, corrected_by, recorders)


def training_row(completion: TrainingCompletion, found: TrainingRecords, catalogue: Catalogue) -> CsvRow:
    version, staff, session = completion.module_version, completion.staff, completion.session
    attempt = found.attempts.get(completion.attempt_id) if completion.attempt_id else None
    if session is not None:
        attendee = next((a for a in session.attendees if a.staff_id == staff.id), None)
        summary, trainer, qualifications = session.content_summary, session.trainer_name, \
            session.trainer_qualifications
        name = attendee.name if attendee else staff.name
        job_title = attendee.job_title if attendee else job_title_of(staff, catalogue)
    else:
        module = catalogue.modules.get(version.module_id)
        summary = f"{QUIZ_SUMMARY} {module.summary}" if module else QUIZ_SUMMARY
        trainer = qualifications = ""
        name, job_title = staff.name, job_title_of(staff, catalogue)
    return (completion.completed_on.isoformat(), version.module_id, version.title, version.version, summary,
            trainer, qualifications, name, job_title, completion.method, completion.session_id or "",
            completion.attempt_id or "", f"{attempt.score}%" if attempt else "", completion.id,
            found.corrected_by.get(completion.id, ""),
            "yes" if session is not None and found.recorders.get(completion.recorded_by_id) == staff.id else "")


def training_csv(known_on: date, catalogue: Catalogue) -> str:
    found = training_records(known_on)
    return to_csv(TRAINING_COLUMNS, (training_row(c, found, catalogue) for c in found.completions))


# --------------------------------------------------------------------------------------------
# Certifications
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificationState:
    record: CertificationRecord
    decision: CertificationVerification | None  # the latest made by the end of the day
    corrected_by: int | None
    status: str  # superseded, awaiting_verification, rejected, expired or valid


def certification_records(known_on: date, staff_id: int | None = None) -> list[CertificationState]:
    """Records submitted by the end of ``known_on``, with their state on that day, oldest first."""
    cutoff = recorded_before(known_on)
    query = (select(CertificationRecord)
             .options(joinedload(CertificationRecord.staff),
                      selectinload(CertificationRecord.verifications)
                      .joinedload(CertificationVerification.decided_by).joinedload(User.staff))
             .where(CertificationRecord.submitted_at < cutoff)
             .order_by(CertificationRecord.staff_id, CertificationRecord.issued_on, CertificationRecord.id))
    if staff_id is not None:
        query = query.where(CertificationRecord.staff_id == staff_id)
    corrections = dict(db.session.execute(
        select(CertificationRecord.corrects_id, CertificationRecord.id)
        .where(CertificationRecord.corrects_id.is_not(None), CertificationRecord.submitted_at < cutoff))
        .all())
    states = []
    for record in db.session.scalars(query):
        decisions = [v for v in record.verifications if cutoff is None or v.decided_at < cutoff]
        decision = decisions[-1] if decisions else None
        states.append(CertificationState(record, decision, corrections.get(record.id),
                                         _certification_status(record, decision, record.id in corrections,
                                                               known_on)))
    return states


def _certification_status(record: CertificationRecord, decision: CertificationVerification | None, corrected: bool,
                          day: date) -> str:
    if corrected:
        return "superseded"
    if decision is None:
        return "awaiting_verification"
    if decision.decision != "verified":
        return decision.decision
    return "expired" if record.expires_on is not None and record.expires_on < day else "valid"


def certification_row(state: CertificationState, catalogue: Catalogue) -> CsvRow:
    record, decision = state.record, state.decision
    cert_type = catalogue.certifications.get(record.type_id)
    decided_by = decision.decided_by.staff.name if decision else ""
    return (record.staff.name, record.staff.email, record.type_id, cert_type.name if cert_type else record.type_id,
            record.number, record.issuer, record.issued_on.isoformat(),
            record.expires_on.isoformat() if record.expires_on else "", decided_by,
            iso_utc(decision.decided_at) if decision else "", decision.decision if decision else "", state.status,
            record.id, record.corrects_id or "",
            "yes" if decision is not None and decision.decided_by.staff_id == record.staff_id else "")


def certifications_csv(known_on: date, catalogue: Catalogue) -> str:
    return to_csv(CERTIFICATION_COLUMNS,
                  (certification_row(s, catalogue) for s in certification_records(known_on)))
