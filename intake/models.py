"""Imports every model module so the metadata (and Alembic) sees all tables."""

from intake.aftercare.models import AftercarePlan, CheckIn, CheckInLink, CheckInReply
from intake.audit.models import AuditChainHead, AuditEvent
from intake.auth.models import RecoveryCode, SignInThrottle, StaffSession, User, UserRole
from intake.clinical.consent_models import BreakGlassGrant, Consent, Disclosure
from intake.clinical.models import (
    Addendum,
    Assessment,
    ClinicalNote,
    ClinicalRecord,
    RecordVersion,
    ReviewDecisionRecord,
)
from intake.core.models import WorkerHeartbeat
from intake.crm.models import (
    AssignmentRotation,
    Contact,
    DuplicateCandidate,
    Episode,
    EpisodeInquiry,
    Person,
    PersonMerge,
    StageChange,
    Task,
)
from intake.messaging.models import Alert, Delivery, OnCallShift, UnsubscribeToken
from intake.messaging.outbox import OutboxMessage
from intake.public.models import ApiKey, Inquiry
from intake.triage.models import ContactAttempt, TriageCase, TriageFlag, TriageResult

__all__ = [
    "Addendum",
    "AftercarePlan",
    "Alert",
    "ApiKey",
    "Assessment",
    "AssignmentRotation",
    "AuditChainHead",
    "AuditEvent",
    "BreakGlassGrant",
    "CheckIn",
    "CheckInLink",
    "CheckInReply",
    "ClinicalNote",
    "ClinicalRecord",
    "Consent",
    "Contact",
    "ContactAttempt",
    "Delivery",
    "Disclosure",
    "DuplicateCandidate",
    "Episode",
    "EpisodeInquiry",
    "Inquiry",
    "OnCallShift",
    "OutboxMessage",
    "Person",
    "PersonMerge",
    "RecordVersion",
    "RecoveryCode",
    "ReviewDecisionRecord",
    "SignInThrottle",
    "StaffSession",
    "StageChange",
    "Task",
    "TriageCase",
    "TriageFlag",
    "TriageResult",
    "UnsubscribeToken",
    "User",
    "UserRole",
    "WorkerHeartbeat",
]
