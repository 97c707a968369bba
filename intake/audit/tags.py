"""The closed list of things the audit trail records, named ``scope:resource:action``."""

from __future__ import annotations

from enum import StrEnum


class AuditTag(StrEnum):
    LOGIN_SUCCEEDED = "auth:login:succeeded"
    LOGIN_FAILED = "auth:login:failed"
    LOGIN_LOCKED = "auth:login:locked"
    LOGIN_RATE_LIMITED = "auth:login:rate_limited"
    LOGOUT = "auth:session:logout"
    SESSION_EXPIRED = "auth:session:expired"
    SESSION_REJECTED = "auth:session:rejected"
    CSRF_REJECTED = "auth:request:csrf_rejected"
    UNSAFE_REDIRECT_BLOCKED = "auth:request:unsafe_redirect"
    TWO_FACTOR_ENROLLED = "auth:2fa:enrolled"
    TWO_FACTOR_FAILED = "auth:2fa:failed"
    PASSWORD_CHANGED = "auth:password:changed"  # noqa: S105  (a tag, not a secret)
    PASSWORD_CHANGE_FAILED = "auth:password:change_failed"  # noqa: S105
    INVITE_ACCEPTED = "auth:invite:accepted"
    ACCESS_DENIED = "auth:permission:denied"
    USER_INVITED = "admin:user:invited"
    USER_CREATED = "admin:user:created"
    USER_DEACTIVATED = "admin:user:deactivated"
    USER_REACTIVATED = "admin:user:reactivated"
    USER_ROLES_CHANGED = "admin:user:roles_changed"
    USER_VIEWED = "admin:user:viewed"
    AUDIT_LOG_VIEWED = "admin:audit:viewed"
    INQUIRY_RECEIVED = "public:inquiry:received"
    INQUIRY_QUARANTINED = "public:inquiry:quarantined"
    QUARANTINE_VIEWED = "triage:quarantine:viewed"
    QUARANTINE_RELEASED = "triage:quarantine:released"
    QUARANTINE_DISCARDED = "triage:quarantine:discarded"
    API_KEY_CREATED = "admin:api_key:created"
    API_KEY_REVOKED = "admin:api_key:revoked"
    API_KEY_REJECTED = "public:api_key:rejected"
    KEYS_ROTATED = "admin:encryption:rotated"
    CASE_CLAIMED = "triage:case:claimed"
    CASE_CLOSED = "triage:case:closed"
    CONTACT_ATTEMPT_LOGGED = "triage:contact:logged"
    PRIORITY_RAISED = "triage:priority:raised"
    PRIORITY_LOWERED = "triage:priority:lowered"
    PERSON_VIEWED = "crm:person:viewed"
    PERSON_CHANGED = "crm:person:changed"
    RECORD_EXPORTED = "crm:record:exported"
    # The admissions CRM (issue 11).
    EPISODE_OPENED = "crm:episode:opened"
    EPISODE_JOINED = "crm:episode:joined"
    EPISODE_MOVED = "crm:episode:moved"
    EPISODE_CLOSED = "crm:episode:closed"
    EPISODE_ASSIGNED = "crm:episode:assigned"
    EPISODES_VIEWED = "crm:episode:list_viewed"
    CONTACT_ADDED = "crm:contact:added"
    DUPLICATE_PROPOSED = "crm:duplicate:proposed"
    DUPLICATE_REJECTED = "crm:duplicate:not_same"
    PERSON_MERGED = "crm:person:merged"
    PERSON_UNMERGED = "crm:person:unmerged"
    TASK_CREATED = "crm:task:created"
    TASK_COMPLETED = "crm:task:completed"
    CASE_NOTE_ADDED = "crm:note:added"
    PEOPLE_SEARCHED = "crm:person:searched"
    REPORTS_VIEWED = "crm:reports:viewed"
    REPORTS_EXPORTED = "crm:reports:exported"
    ONCALL_SHIFT_ADDED = "admin:oncall:shift_added"
    ONCALL_SHIFT_REMOVED = "admin:oncall:shift_removed"
    DELIVERY_REQUEUED = "admin:delivery:requeued"
    OUTBOX_RETRIED = "admin:outbox:retried"
    ALERT_ACKNOWLEDGED = "messaging:alert:acknowledged"
    MESSAGES_OPTED_OUT = "messaging:person:opted_out"
    # Sessions, lockout and recovery codes (issue 8).
    SESSIONS_ENDED = "auth:session:ended_all"
    RECOVERY_CODES_ISSUED = "auth:2fa:recovery_codes_issued"
    RECOVERY_CODE_USED = "auth:2fa:recovery_code_used"

    @property
    def scope(self) -> str:
        return self.value.split(":", 1)[0]
