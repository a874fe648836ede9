"""Recording certifications: records staff submit or managers enter, managers' decisions, corrections.

A certification counts once a manager has verified it, saying how. Nothing is edited: a renewal is
a new record, a decision a new verification row (the latest counts), a correction a new record
naming the one it replaces. Shared by the web pages and the API, like tracker.services.training.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.model import Catalogue, CertificationType
from tracker.services import accounts, audit
from tracker.services.validation import Invalid, date_field, raise_if, text_field
from tracker.storage.db import column_length, db, iso_utc, today, utcnow
from tracker.storage.models import (
    VERIFICATION_DECISIONS,
    CertificationRecord,
    CertificationVerification,
    Staff,
    User,
)

# Certification record states, as pages and the API show them.
AWAITING, VERIFIED, REJECTED, SUPERSEDED = "awaiting_verification", "verified", "rejected", "superseded"

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


def check_certification(fields: Mapping[str, Any], catalogue: Catalogue, verified: bool = False) -> CertificationInput:
    """Check a certification record's fields: type_id, number, issuer, issued_on, expires_on
    (optional: defaults from the type's validity), note (optional); and, when a manager records it
    as ``verified``, verification_note (how it was checked)."""
    errors: dict[str, str] = {}
    type_id = text_field(fields, "type_id", errors, limit=80)
    cert_type = catalogue.certifications.get(type_id)
    if type_id and "type_id" not in errors and cert_type is None:
        errors["type_id"] = f"there is no certification type '{type_id}' (choose one from the list)"
    number = text_field(fields, "number", errors, required=False, limit=column_length(CertificationRecord, "number"))
    issuer = text_field(fields, "issuer", errors, required=False, limit=column_length(CertificationRecord, "issuer"))
    issued_on = date_field(fields, "issued_on", errors)
    expires_on = date_field(fields, "expires_on", errors, required=False)
    note = text_field(fields, "note", errors, required=False, multiline=True)
    verification_note = _decision_note(fields, "verification_note", errors) if verified else None
    if issued_on is not None and issued_on > today():
        errors["issued_on"] = f"issued_on {issued_on.isoformat()} is in the future (enter the date on the card)"
    elif issued_on is not None and expires_on is not None and expires_on < issued_on:
        errors["expires_on"] = (f"expires_on {expires_on.isoformat()} is before issued_on "
                                f"{issued_on.isoformat()} (check both dates)")
    raise_if(errors)
    assert cert_type is not None and issued_on is not None  # else they are among the errors
    if expires_on is None:
        expires_on = default_expiry(cert_type, issued_on)
    return CertificationInput(cert_type=cert_type, number=number, issuer=issuer or cert_type.issuer,
                              issued_on=issued_on, expires_on=expires_on, note=note,
                              verification_note=verification_note)


def _decision_note(fields: Mapping[str, Any], name: str, errors: dict[str, str]) -> str:
    """How a manager checked a record, or why it is rejected: required."""
    note = text_field(fields, name, errors, multiline=True)
    if name in errors and not note:
        errors[name] = f"{name} is missing (say how it was checked, e.g. the issuer's verification page)"
    return note


def check_decision_note(fields: Mapping[str, Any], name: str = "note") -> str:
    errors: dict[str, str] = {}
    note = _decision_note(fields, name, errors)
    raise_if(errors)
    return note


def corrections() -> dict[int, int]:
    """The id of the record correcting each corrected certification record."""
    rows = db.session.execute(select(CertificationRecord.corrects_id, CertificationRecord.id)
                              .where(CertificationRecord.corrects_id.is_not(None)))
    return {corrected: correction for corrected, correction in rows if corrected is not None}


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


def _not_own(staff_id: int, user: User, field: str) -> None:
    """Separation of duties: nobody verifies their own certification, unless the office allows it."""
    if staff_id == user.staff_id and not accounts.self_verification_allowed():
        raise Invalid({field: "you cannot verify your own certification (ask another manager; an office with "
                              "one manager can allow it with TRACKER_ALLOW_SELF_VERIFICATION)"})


def _add_decision(record: CertificationRecord, decision: str, note: str, user: User) -> CertificationVerification:
    verification = CertificationVerification(record_id=record.id, decision=decision, note=note,
                                             decided_by_id=user.id, decided_at=utcnow())
    db.session.add(verification)
    db.session.flush()
    audit.record(user.audit_name, f"certification.{decision}", f"certification_record:{record.id}", {
        "verification_id": verification.id, "staff_id": record.staff_id, "type_id": record.type_id,
        "decision": decision, "note": note,
    }, records=[verification])
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
        _not_own(staff.id, user, "verification_note")
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
    }, records=[record])
    if data.verification_note is not None:
        _add_decision(record, "verified", data.verification_note, user)
    db.session.commit()
    return record


def verify_certification(record: CertificationRecord, decision: str, note: str, user: User) -> CertificationVerification:
    """A manager's decision on a record: a new verification row (the latest decision counts)."""
    _require_manager(user)
    _not_own(record.staff_id, user, "decision")
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


def certification_json(record: CertificationRecord, catalogue: Catalogue,
                       corrected: Mapping[int, int]) -> dict[str, object]:
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
