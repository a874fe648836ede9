"""Recording training and certifications: the rules shared by the web pages and the JSON API.

Like tracker.services.acknowledgements: each ``check_*`` function turns raw fields (form text or JSON values)
into checked input or raises :class:`Invalid` with one message per field, and each ``record_*``
function writes the record with its audit events in one transaction and commits. Nothing here
updates or deletes a row: a renewal, a correction or a second decision is a new row.

What the records must hold comes from the rules: a quiz attempt keeps the answers, score, time,
address and browser; an in-person session keeps what 29 CFR 1910.1030(h)(2) lists (dates, contents
or summary, names and qualifications of trainers, names and job titles of attendees); a late
reason keeps why and when, as OSHA's reading of "annually" asks; a certification counts once a
manager has verified it, saying how.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.model import Catalogue, CertificationType, Module
from tracker.rules.dates import iso_date
from tracker.rules.grading import Grade, check_answers, grade
from tracker.services import audit
from tracker.services import catalogue as served
from tracker.services.acknowledgements import Origin, StaleVersion
from tracker.storage.db import db, iso_utc, today, utcnow
from tracker.storage.models import (
    VERIFICATION_DECISIONS,
    CertificationRecord,
    CertificationVerification,
    LateReason,
    ModuleVersion,
    QuizAttempt,
    SessionAttendee,
    Staff,
    TrainingCompletion,
    TrainingSession,
    User,
)

# Control characters have no place in these fields (and PostgreSQL cannot store NUL); line breaks
# and tabs are allowed in the longer, multi-line ones.
ONE_LINE_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f]")
MULTI_LINE_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LONG_TEXT_LIMIT = 5000
MAX_ID = 2**31 - 1  # the largest id a 32-bit integer column holds; anything above names no row

# Certification record states, as pages and the API show them.
AWAITING, VERIFIED, REJECTED, SUPERSEDED = "awaiting_verification", "verified", "rejected", "superseded"


class Invalid(ValueError):
    """Input that breaks a rule: {field: "what is wrong (what to do)"}; nothing was written."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))

    @property
    def details(self) -> list[str]:
        return [f"{field}: {message}" for field, message in self.errors.items()]


class UnknownModule(LookupError):
    pass


# --- Checking raw fields -------------------------------------------------------------------------


def text_field(fields: Mapping, name: str, errors: dict[str, str], limit: int = LONG_TEXT_LIMIT,
               required: bool = True, multiline: bool = False) -> str:
    """A text field, trimmed; an error when missing (if required), too long, or holding control characters."""
    raw = fields.get(name)
    value = "" if raw is None else str(raw).strip()
    if not multiline:
        value = " ".join(value.split())
    if required and not value:
        errors[name] = f"{name} is missing (fill it in)"
    elif (MULTI_LINE_FORBIDDEN if multiline else ONE_LINE_FORBIDDEN).search(value):
        errors[name] = f"{name} holds a control character (type it again without pasting)"
    elif len(value) > limit:
        errors[name] = f"{name} is longer than {limit} characters (shorten it)"
    return value


def date_field(fields: Mapping, name: str, errors: dict[str, str], required: bool = True) -> date | None:
    """A YYYY-MM-DD date; None when left empty and not required."""
    raw = fields.get(name)
    value = "" if raw is None else str(raw).strip()
    if not value:
        if required:
            errors[name] = f"{name} is missing (write it as YYYY-MM-DD)"
        return None
    day = iso_date(value)
    if day is None:
        errors[name] = f"{name} '{value[:20]}' is not a date (write it as YYYY-MM-DD, e.g. 2026-01-15)"
    return day


def id_value(value) -> int | None:
    """A row id from a form (text) or JSON (integer); None when it cannot name a row."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    else:
        return None
    return number if 1 <= number <= MAX_ID else None


def get_row(model, row_id) -> object | None:
    """``db.session.get`` for an id from a URL or a body, out-of-range ids finding nothing."""
    number = id_value(row_id)
    return db.session.get(model, number) if number is not None else None


def _raise_if(errors: dict[str, str]) -> None:
    if errors:
        raise Invalid(errors)


# --- Module versions -----------------------------------------------------------------------------


def current_module(module_id: str) -> tuple[Module, ModuleVersion]:
    """The module in the served catalogue (with its answer key) and the archived row of that version."""
    catalogue = served.current()
    module = catalogue.modules.get(module_id) if catalogue else None
    if module is None:
        raise UnknownModule(module_id)
    row = db.session.scalar(select(ModuleVersion).where(ModuleVersion.module_id == module_id,
                                                        ModuleVersion.version == module.version))
    return module, row


def requested_module(module_id: str, version: int | None, fingerprint: str | None) -> tuple[Module, ModuleVersion]:
    """The current module, if that is the version the quiz was loaded for; else StaleVersion saying why.

    Grading against the key of a version the person did not see would mark right answers wrong.
    """
    module, current = current_module(module_id)
    if version != current.version:
        archived = version is not None and 1 <= version <= MAX_ID and db.session.scalar(
            select(ModuleVersion.id).where(ModuleVersion.module_id == module_id, ModuleVersion.version == version))
        state = "has been superseded" if archived else "does not exist"
        raise StaleVersion([f"version {version} of this module {state}: the current version is "
                            f"{current.version}, effective {current.effective_date.isoformat()}"], current)
    if fingerprint != current.fingerprint:
        raise StaleVersion([f"the fingerprint does not match the archived text of version {version}: "
                            "the page is out of date or was altered"], current)
    return module, current


def version_in_effect(module_id: str, day: date) -> ModuleVersion:
    """The archived version of a module that was in effect on ``day`` (the first one if none was yet)."""
    versions = db.session.scalars(select(ModuleVersion).where(ModuleVersion.module_id == module_id)
                                  .order_by(ModuleVersion.version)).all()
    in_effect = [v for v in versions if v.effective_date <= day]
    return in_effect[-1] if in_effect else versions[0]


# --- Completions ---------------------------------------------------------------------------------


def _add_completion(staff_id: int, version: ModuleVersion, completed_on: date, method: str, user: User,
                    attempt_id: int | None = None, session_id: int | None = None) -> TrainingCompletion:
    completion = TrainingCompletion(staff_id=staff_id, module_version_id=version.id, completed_on=completed_on,
                                    method=method, attempt_id=attempt_id, session_id=session_id,
                                    recorded_by_id=user.id)
    db.session.add(completion)
    db.session.flush()
    audit.record(user.audit_name, "training_completion.recorded", f"training_completion:{completion.id}", {
        "staff_id": staff_id, "module_id": version.module_id, "version": version.version,
        "completed_on": completed_on.isoformat(), "method": method, "attempt_id": attempt_id,
        "session_id": session_id,
    })
    return completion


def completions_of(staff_id: int, module_id: str) -> list[TrainingCompletion]:
    """A person's completions of a module, newest first (corrected ones included, for the record)."""
    return list(db.session.scalars(
        select(TrainingCompletion).join(ModuleVersion)
        .where(TrainingCompletion.staff_id == staff_id, ModuleVersion.module_id == module_id)
        .order_by(TrainingCompletion.completed_on.desc(), TrainingCompletion.id.desc())))


# --- Quiz attempts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttemptResult:
    attempt: QuizAttempt
    grade: Grade
    completion: TrainingCompletion | None


def record_attempt(staff: Staff, module: Module, version: ModuleVersion, answers: Mapping[str, Iterable[str]],
                   origin: Origin, user: User) -> AttemptResult:
    """Grade and record a quiz attempt; a pass completes the module unless it needs an in-person session.

    ``module`` must be the catalogue's module of ``version`` (see requested_module). Raises
    grading.InvalidAnswers, writing nothing, when the answers name unknown questions or choices.
    """
    chosen = check_answers(module, answers)
    result = grade(module, chosen)
    attempt = QuizAttempt(
        staff_id=staff.id, module_version_id=version.id,
        answers={question_id: sorted(choice_ids) for question_id, choice_ids in chosen.items()},
        correct=result.correct, questions=result.questions, score=result.score, passed=result.passed,
        attempted_at=utcnow(), ip_address=origin.ip_address, user_agent=origin.user_agent,
    )
    db.session.add(attempt)
    db.session.flush()
    audit.record(user.audit_name, "quiz_attempt.recorded", f"quiz_attempt:{attempt.id}", {
        "staff_id": staff.id, "module_id": version.module_id, "version": version.version,
        "fingerprint": version.fingerprint, "answers": attempt.answers, "correct": result.correct,
        "questions": result.questions, "score": result.score, "passed": result.passed,
        "ip_address": attempt.ip_address, "method": origin.method,
    })
    completion = None
    if result.passed and not module.in_person_required:
        completion = _add_completion(staff.id, version, today(), "quiz", user, attempt_id=attempt.id)
    db.session.commit()
    return AttemptResult(attempt, result, completion)


def attempts_of(staff_id: int, module_id: str) -> list[QuizAttempt]:
    """A person's attempts at a module's quiz, newest first."""
    return list(db.session.scalars(
        select(QuizAttempt).join(ModuleVersion)
        .where(QuizAttempt.staff_id == staff_id, ModuleVersion.module_id == module_id)
        .order_by(QuizAttempt.attempted_at.desc(), QuizAttempt.id.desc())))


def completion_of_attempt(attempt_id: int) -> TrainingCompletion | None:
    return db.session.scalar(select(TrainingCompletion).where(TrainingCompletion.attempt_id == attempt_id))


# --- In-person sessions --------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionInput:
    module_id: str
    held_on: date
    content_summary: str
    trainer_name: str
    trainer_qualifications: str
    location_id: str | None
    attendees: tuple[Staff, ...]


def job_title_of(staff: Staff, catalogue: Catalogue) -> str:
    """The job title to record for an attendee: the staff record's, else the titles of their roles."""
    if staff.job_title:
        return staff.job_title
    return ", ".join(catalogue.roles[r].title if r in catalogue.roles else r for r in staff.roles)


def _attendees(raw, held_on: date | None, errors: dict[str, str]) -> tuple[Staff, ...]:
    values = raw if isinstance(raw, list | tuple) else []
    if not values:
        errors["attendee_ids"] = "attendee_ids is empty (choose everyone who attended)"
        return ()
    found, problems = {}, []
    for value in values:
        staff = get_row(Staff, value)
        if staff is None:
            problems.append(f"there is no staff record {str(value)[:20]!r}")
        elif held_on is not None and not staff.active_on(held_on):
            problems.append(f"{staff.name} had left on {staff.left_on.isoformat()}, before the session")
        else:
            found[staff.id] = staff
    if problems:
        errors["attendee_ids"] = "; ".join(problems) + " (choose people from the staff list)"
    return tuple(found.values())


def check_session(fields: Mapping, catalogue: Catalogue) -> SessionInput:
    """Check a session's fields: module_id, held_on, content_summary, trainer_name,
    trainer_qualifications, location_id (optional), attendee_ids (staff ids)."""
    errors: dict[str, str] = {}
    module_id = text_field(fields, "module_id", errors, limit=80)
    if module_id and "module_id" not in errors and module_id not in catalogue.modules:
        errors["module_id"] = f"there is no module '{module_id}' (choose one from the list)"
    held_on = date_field(fields, "held_on", errors)
    if held_on is not None and held_on > today():
        errors["held_on"] = (f"held_on {held_on.isoformat()} is in the future "
                             "(record a session once it has been held)")
    summary = text_field(fields, "content_summary", errors, multiline=True)
    trainer = text_field(fields, "trainer_name", errors, limit=TrainingSession.__table__.c.trainer_name.type.length)
    qualifications = text_field(fields, "trainer_qualifications", errors, multiline=True)
    location_id = text_field(fields, "location_id", errors, limit=80, required=False) or None
    if location_id and "location_id" not in errors and location_id not in catalogue.locations:
        errors["location_id"] = f"there is no location '{location_id}' (choose one from the list, or none)"
    attendees = _attendees(fields.get("attendee_ids"), held_on, errors)
    _raise_if(errors)
    return SessionInput(module_id=module_id, held_on=held_on, content_summary=summary, trainer_name=trainer,
                        trainer_qualifications=qualifications, location_id=location_id, attendees=attendees)


def record_session(data: SessionInput, catalogue: Catalogue, user: User) -> TrainingSession:
    """Record a held session, copying each attendee's name and job title as they are today, and
    an in-person completion for each attendee dated the day it was held."""
    version = version_in_effect(data.module_id, data.held_on)
    session = TrainingSession(
        module_version_id=version.id, held_on=data.held_on, content_summary=data.content_summary,
        trainer_name=data.trainer_name, trainer_qualifications=data.trainer_qualifications,
        location_id=data.location_id, recorded_by_id=user.id, recorded_at=utcnow())
    db.session.add(session)
    db.session.flush()
    attendees = [SessionAttendee(session_id=session.id, staff_id=s.id, name=s.name,
                                 job_title=job_title_of(s, catalogue)) for s in data.attendees]
    db.session.add_all(attendees)
    audit.record(user.audit_name, "training_session.recorded", f"training_session:{session.id}", {
        "module_id": version.module_id, "version": version.version, "held_on": data.held_on.isoformat(),
        "content_summary": data.content_summary, "trainer_name": data.trainer_name,
        "trainer_qualifications": data.trainer_qualifications, "location_id": data.location_id,
        "attendees": [{"staff_id": a.staff_id, "name": a.name, "job_title": a.job_title} for a in attendees],
    })
    for staff in data.attendees:
        _add_completion(staff.id, version, data.held_on, "in_person", user, session_id=session.id)
    db.session.commit()
    return session


def sessions() -> list[TrainingSession]:
    """Every session, most recently held first."""
    return list(db.session.scalars(
        select(TrainingSession).options(selectinload(TrainingSession.attendees),
                                        selectinload(TrainingSession.module_version))
        .order_by(TrainingSession.held_on.desc(), TrainingSession.id.desc())))


def session_completions(session_id: int) -> dict[int, int]:
    """Completion id per attendee's staff id for a session."""
    rows = db.session.execute(select(TrainingCompletion.staff_id, TrainingCompletion.id)
                              .where(TrainingCompletion.session_id == session_id))
    return dict(rows.all())


# --- Late reasons --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LateReasonInput:
    module_id: str
    reason: str
    expected_on: date | None
    completion_id: int | None


def check_late_reason(fields: Mapping, staff: Staff, module_id: str) -> LateReasonInput:
    """Check a late reason's fields: reason, expected_on (optional), completion_id (optional, one of
    this person's completions of this module: the late one the reason explains)."""
    errors: dict[str, str] = {}
    reason = text_field(fields, "reason", errors, multiline=True)
    expected_on = date_field(fields, "expected_on", errors, required=False)
    completion_id = None
    raw = fields.get("completion_id")
    if raw not in (None, ""):
        completion = get_row(TrainingCompletion, raw)
        if completion is None or completion.staff_id != staff.id or completion.module_version.module_id != module_id:
            errors["completion_id"] = "that is not one of this person's completions of this module (choose one from the list)"
        else:
            completion_id = completion.id
    _raise_if(errors)
    return LateReasonInput(module_id=module_id, reason=reason, expected_on=expected_on, completion_id=completion_id)


def record_late_reason(staff: Staff, data: LateReasonInput, user: User) -> LateReason:
    """Record why a person's training is (or was) late and when it will happen; earlier reasons stay."""
    late = LateReason(staff_id=staff.id, module_id=data.module_id, completion_id=data.completion_id,
                      reason=data.reason, expected_on=data.expected_on, recorded_by_id=user.id,
                      recorded_at=utcnow())
    db.session.add(late)
    db.session.flush()
    audit.record(user.audit_name, "late_reason.recorded", f"late_reason:{late.id}", {
        "staff_id": staff.id, "module_id": data.module_id, "reason": data.reason,
        "expected_on": data.expected_on.isoformat() if data.expected_on else None,
        "completion_id": data.completion_id,
    })
    db.session.commit()
    return late


def late_reasons_of(staff_id: int, module_id: str) -> list[LateReason]:
    """A person's late reasons for a module, newest first."""
    return list(db.session.scalars(
        select(LateReason).where(LateReason.staff_id == staff_id, LateReason.module_id == module_id)
        .order_by(LateReason.recorded_at.desc(), LateReason.id.desc())))


# --- Certifications ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificationInput:
    cert_type: CertificationType
    number: str
    issuer: str
    issued_on: date
    expires_on: date | None
    note: str
    verification_note: str | None = None  # set when the recording manager checked it: verified at once


def default_expiry(cert_type: CertificationType, issued_on: date) -> date | None:
    """The issue date plus the type's usual validity; None for one-time types, which never expire.

    The content model gives validity as a number of months only (a rule such as "counted from the
    end of the month", as for the CMA, is free text in ``validity_note``), so the card's own date,
    typed in, wins over this default.
    """
    if cert_type.validity_months is None:
        return None
    return issued_on + relativedelta(months=cert_type.validity_months)


def check_certification(fields: Mapping, catalogue: Catalogue, verified: bool = False) -> CertificationInput:
    """Check a certification record's fields: type_id, number, issuer, issued_on, expires_on
    (optional: defaults from the type's validity), note (optional); and, when a manager records it
    as ``verified``, verification_note (how it was checked)."""
    errors: dict[str, str] = {}
    type_id = text_field(fields, "type_id", errors, limit=80)
    cert_type = catalogue.certifications.get(type_id)
    if type_id and "type_id" not in errors and cert_type is None:
        errors["type_id"] = f"there is no certification type '{type_id}' (choose one from the list)"
    number = text_field(fields, "number", errors, required=False,
                        limit=CertificationRecord.__table__.c.number.type.length)
    issuer = text_field(fields, "issuer", errors, required=False,
                        limit=CertificationRecord.__table__.c.issuer.type.length)
    issued_on = date_field(fields, "issued_on", errors)
    expires_on = date_field(fields, "expires_on", errors, required=False)
    note = text_field(fields, "note", errors, required=False, multiline=True)
    verification_note = _decision_note(fields, "verification_note", errors) if verified else None
    if issued_on is not None and issued_on > today():
        errors["issued_on"] = f"issued_on {issued_on.isoformat()} is in the future (enter the date on the card)"
    elif issued_on is not None and expires_on is not None and expires_on < issued_on:
        errors["expires_on"] = (f"expires_on {expires_on.isoformat()} is before issued_on "
                                f"{issued_on.isoformat()} (check both dates)")
    _raise_if(errors)
    if expires_on is None:
        expires_on = default_expiry(cert_type, issued_on)
    return CertificationInput(cert_type=cert_type, number=number, issuer=issuer or cert_type.issuer,
                              issued_on=issued_on, expires_on=expires_on, note=note,
                              verification_note=verification_note)


def _decision_note(fields: Mapping, name: str, errors: dict[str, str]) -> str:
    """How a manager checked a record, or why it is rejected: required."""
    note = text_field(fields, name, errors, multiline=True)
    if name in errors and not note:
        errors[name] = f"{name} is missing (say how it was checked, e.g. the issuer's verification page)"
    return note


def check_decision_note(fields: Mapping, name: str = "note") -> str:
    errors: dict[str, str] = {}
    note = _decision_note(fields, name, errors)
    _raise_if(errors)
    return note


def corrections() -> dict[int, int]:
    """The id of the record correcting each corrected certification record."""
    rows = db.session.execute(select(CertificationRecord.corrects_id, CertificationRecord.id)
                              .where(CertificationRecord.corrects_id.is_not(None)))
    return dict(rows.all())


def correction_of(record: CertificationRecord) -> int | None:
    return db.session.scalar(select(CertificationRecord.id).where(CertificationRecord.corrects_id == record.id))


def record_state(record: CertificationRecord, corrected: Mapping[int, int]) -> str:
    """awaiting_verification, verified, rejected (by the latest decision) or superseded (corrected)."""
    if record.id in corrected:
        return SUPERSEDED
    decision = record.verification
    return decision.decision if decision is not None else AWAITING


def _require_manager(user: User) -> None:
    if not user.is_manager:
        raise PermissionError("only managers and admins verify certifications")


def _add_decision(record: CertificationRecord, decision: str, note: str, user: User) -> CertificationVerification:
    verification = CertificationVerification(record_id=record.id, decision=decision, note=note,
                                             decided_by_id=user.id, decided_at=utcnow())
    db.session.add(verification)
    db.session.flush()
    audit.record(user.audit_name, f"certification.{decision}", f"certification_record:{record.id}", {
        "verification_id": verification.id, "staff_id": record.staff_id, "type_id": record.type_id,
        "decision": decision, "note": note,
    })
    return verification


def record_certification(staff: Staff, data: CertificationInput, user: User,
                         corrects: CertificationRecord | None = None) -> CertificationRecord:
    """Record a certification for ``staff``.

    Without a verification note it awaits a manager's verification (what staff submit). With one,
    the recording manager has checked it: it is verified at once, the note saying how. With
    ``corrects``, the new record replaces that one, which then no longer counts.
    """
    if data.verification_note is not None:
        _require_manager(user)
    if corrects is not None:
        audit.lock_chain()  # one writer at a time from here, so two corrections cannot both pass the check
        if corrects.staff_id != staff.id:
            raise Invalid({"corrects_id": "a correction must be for the same person as the record it corrects"})
        later = correction_of(corrects)
        if later is not None:
            raise Invalid({"corrects_id": f"record {corrects.id} was already corrected by record {later} "
                                          "(correct that one instead)"})
    record = CertificationRecord(
        staff_id=staff.id, type_id=data.cert_type.id, number=data.number, issuer=data.issuer,
        issued_on=data.issued_on, expires_on=data.expires_on, note=data.note,
        corrects_id=corrects.id if corrects else None, submitted_by_id=user.id, submitted_at=utcnow())
    db.session.add(record)
    db.session.flush()
    audit.record(user.audit_name, "certification.recorded", f"certification_record:{record.id}", {
        "staff_id": staff.id, "type_id": record.type_id, "number": record.number, "issuer": record.issuer,
        "issued_on": record.issued_on.isoformat(),
        "expires_on": record.expires_on.isoformat() if record.expires_on else None,
        "note": record.note, "corrects_id": record.corrects_id,
    })
    if data.verification_note is not None:
        _add_decision(record, "verified", data.verification_note, user)
    db.session.commit()
    return record


def verify_certification(record: CertificationRecord, decision: str, note: str, user: User) -> CertificationVerification:
    """A manager's decision on a record: a new verification row (the latest decision counts)."""
    _require_manager(user)
    if decision not in VERIFICATION_DECISIONS:
        raise Invalid({"decision": f"decision must be one of {', '.join(VERIFICATION_DECISIONS)}"})
    audit.lock_chain()  # as in record_certification: no decision on a record being corrected right now
    later = correction_of(record)
    if later is not None:
        raise Invalid({"decision": f"record {record.id} was corrected by record {later} (decide on that one)"})
    verification = _add_decision(record, decision, note, user)
    db.session.commit()
    return verification


def certification_records(staff_id: int | None = None, type_id: str | None = None) -> list[CertificationRecord]:
    """Certification records, newest first; optionally one person's, or of one type."""
    query = (select(CertificationRecord)
             .options(selectinload(CertificationRecord.verifications), selectinload(CertificationRecord.staff))
             .order_by(CertificationRecord.submitted_at.desc(), CertificationRecord.id.desc()))
    if staff_id is not None:
        query = query.where(CertificationRecord.staff_id == staff_id)
    if type_id:
        query = query.where(CertificationRecord.type_id == type_id)
    return list(db.session.scalars(query))


def certification_json(record: CertificationRecord, catalogue: Catalogue, corrected: Mapping[int, int]) -> dict:
    cert_type = catalogue.certifications.get(record.type_id)
    return {
        "id": record.id, "staff_id": record.staff_id, "staff_name": record.staff.name,
        "type_id": record.type_id, "type_name": cert_type.name if cert_type else record.type_id,
        "number": record.number, "issuer": record.issuer, "issued_on": record.issued_on.isoformat(),
        "expires_on": record.expires_on.isoformat() if record.expires_on else None, "note": record.note,
        "corrects_id": record.corrects_id, "state": record_state(record, corrected),
        "submitted_by": record.submitted_by_id, "submitted_at": iso_utc(record.submitted_at),
        "verifications": [{"decision": v.decision, "note": v.note, "decided_by": v.decided_by_id,
                           "decided_at": iso_utc(v.decided_at)} for v in record.verifications],
    }
