"""Database tables, one module per area; every model and constant can be imported from here.

Append-only by design: acknowledgements, staff records, archived content versions, content
snapshots and audit events are never deleted, and nothing but the staff form and CSV import
changes a staff record (each change leaving an audit event). Corrections are new records.
"""

from tracker.storage.models.accounts import (
    LINK_PURPOSES,
    AccountLink,
    RecoveryCode,
    ThrottleBucket,
    UserSession,
)
from tracker.storage.models.audit import AuditEvent
from tracker.storage.models.certifications import (
    VERIFICATION_DECISIONS,
    CertificationCard,
    CertificationRecord,
    CertificationVerification,
)
from tracker.storage.models.compliance import (
    STATE_KINDS,
    ComplianceSnapshot,
    ComplianceState,
    StateChange,
    StatusSheetHead,
    StatusSheetRow,
)
from tracker.storage.models.content import (
    METHODS,
    Acknowledgement,
    ArchivedVersion,
    ContentSnapshot,
    ModuleVersion,
    PolicyVersion,
)
from tracker.storage.models.duties import DutyAttachment, DutyCompletion, DutySchedule
from tracker.storage.models.people import (
    ACCOUNT_ROLES,
    FEED_SCOPES,
    MANAGER_ROLES,
    ApiToken,
    CalendarFeed,
    Location,
    Role,
    Staff,
    User,
)
from tracker.storage.models.quiz import QuizServing
from tracker.storage.models.training import (
    COMPLETION_METHODS,
    LateReason,
    QuizAttempt,
    SessionAttendee,
    TrainingCompletion,
    TrainingSession,
)

__all__ = [
    "ACCOUNT_ROLES", "COMPLETION_METHODS", "FEED_SCOPES", "MANAGER_ROLES", "METHODS", "VERIFICATION_DECISIONS",
    "Acknowledgement", "ApiToken", "ArchivedVersion", "AuditEvent", "CalendarFeed", "CertificationCard", "CertificationRecord",
    "CertificationVerification", "ContentSnapshot", "LateReason", "Location", "ModuleVersion", "PolicyVersion",
    "QuizAttempt", "QuizServing", "Role", "SessionAttendee", "Staff", "TrainingCompletion", "TrainingSession",
    "User", "ComplianceSnapshot", "ComplianceState", "STATE_KINDS", "StateChange", "StatusSheetHead", "StatusSheetRow", "DutyAttachment", "DutyCompletion", "DutySchedule", "LINK_PURPOSES", "AccountLink", "RecoveryCode", "ThrottleBucket", "UserSession",
]
