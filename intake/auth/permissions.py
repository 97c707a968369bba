"""Who may do what.

Permissions are ``scope:resource:action`` names; roles map to sets of them. Views declare what
they need with :func:`require_permission`; records are checked with :func:`require_access`.
Both mark the view so a test can prove that no staff endpoint is left unguarded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

from flask import abort
from flask_login import current_user

if TYPE_CHECKING:
    from intake.auth.access import FieldGroup, Guarded

F = TypeVar("F", bound=Callable[..., Any])


class Role(StrEnum):
    ADMIN = "admin"
    ADMISSIONS = "admissions"
    CLINICIAN = "clinician"


class Permission(StrEnum):
    STAFF_HOME_VIEW = "staff:home:view"
    ACCOUNT_SELF_MANAGE = "staff:account:manage"
    USERS_MANAGE = "admin:users:manage"
    AUDIT_VIEW = "admin:audit:view"
    API_KEYS_MANAGE = "admin:api_keys:manage"
    ONCALL_MANAGE = "admin:oncall:manage"
    DELIVERIES_VIEW_FAILED = "admin:deliveries:view"
    PERSON_VIEW = "crm:person:view"
    PERSON_EDIT = "crm:person:edit"
    # The admissions pipeline (issue 11): seeing episodes, working them (move, close, owner,
    # tasks, notes), and deciding who is the same person (merge, not the same, undo).
    EPISODE_VIEW = "crm:episode:view"
    EPISODE_MOVE = "crm:episode:move"
    PERSON_MERGE = "crm:person:merge"
    # Messages to the person from their episode, and where inquiries come from (referrers).
    MESSAGE_SEND = "crm:message:send"
    REFERRER_VIEW = "crm:referrer:view"
    REFERRER_MANAGE = "crm:referrer:manage"
    # Taking a referrer off the pick lists (and back): an administrator's decision.
    REFERRER_DEACTIVATE = "crm:referrer:deactivate"
    RECORDS_EXPORT = "crm:records:export"
    # The admissions reports: aggregates only. Admissions and admins see them; only admins
    # export them.
    REPORTS_VIEW = "crm:reports:view"
    REPORTS_EXPORT = "crm:reports:export"
    QUEUE_VIEW = "triage:queue:view"
    INQUIRY_CLAIM = "triage:inquiry:claim"
    # Taking down a phone call or a walk-in as an inquiry (with the caller's consent, asked
    # aloud): those who take consents, the admissions team and clinicians.
    INQUIRY_RECORD = "triage:inquiry:record"
    PRIORITY_RAISE = "triage:priority:raise"
    PRIORITY_LOWER = "triage:priority:lower"
    CLINICAL_READ = "clinical:record:read"
    CLINICAL_WRITE = "clinical:record:write"
    # Consent ledger, disclosures and break-glass (issue 12, intake/clinical/consents.py says
    # who holds which and why).
    CONSENT_VIEW = "clinical:consent:view"
    CONSENT_MANAGE = "clinical:consent:manage"
    DISCLOSURE_VIEW = "clinical:disclosure:view"
    DISCLOSURE_RECORD = "clinical:disclosure:record"
    BREAK_GLASS_REQUEST = "clinical:break_glass:request"
    BREAK_GLASS_REVIEW = "clinical:break_glass:review"


_EVERY_STAFF_MEMBER = frozenset({Permission.STAFF_HOME_VIEW, Permission.ACCOUNT_SELF_MANAGE})
_FRONT_DESK = frozenset(
    {
        Permission.PERSON_VIEW,
        Permission.PERSON_EDIT,
        Permission.QUEUE_VIEW,
        Permission.INQUIRY_CLAIM,
        Permission.PRIORITY_RAISE,
        Permission.EPISODE_VIEW,
        Permission.EPISODE_MOVE,
        Permission.MESSAGE_SEND,
        Permission.REFERRER_VIEW,
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: _EVERY_STAFF_MEMBER
    | _FRONT_DESK
    | {
        Permission.USERS_MANAGE,
        Permission.AUDIT_VIEW,
        Permission.API_KEYS_MANAGE,
        Permission.ONCALL_MANAGE,
        Permission.DELIVERIES_VIEW_FAILED,
        Permission.RECORDS_EXPORT,
        Permission.PERSON_MERGE,
        # An admin reads the "may tell" panel and answers a person's request for the accounting
        # of disclosures; clinical fields only through a reasoned, alerted break-glass grant.
        Permission.CONSENT_VIEW,
        Permission.DISCLOSURE_VIEW,
        Permission.BREAK_GLASS_REQUEST,
        Permission.REFERRER_MANAGE,
        Permission.REFERRER_DEACTIVATE,
        Permission.REPORTS_VIEW,
        Permission.REPORTS_EXPORT,
    },
    # Merging people is an admissions decision (and an admin's); clinicians work the episode.
    # The front desk takes and withdraws consents and reads what it may tell whom; it never
    # records a disclosure or reads what was disclosed (clinical content).
    Role.ADMISSIONS: _EVERY_STAFF_MEMBER
    | _FRONT_DESK
    | {
        Permission.PERSON_MERGE,
        Permission.CONSENT_VIEW,
        Permission.CONSENT_MANAGE,
        Permission.INQUIRY_RECORD,
        Permission.REFERRER_MANAGE,
        Permission.REPORTS_VIEW,
    },
    Role.CLINICIAN: _EVERY_STAFF_MEMBER
    | _FRONT_DESK
    | {
        Permission.PRIORITY_LOWER,
        Permission.CLINICAL_READ,
        Permission.CLINICAL_WRITE,
        Permission.CONSENT_VIEW,
        Permission.CONSENT_MANAGE,
        Permission.INQUIRY_RECORD,
        Permission.DISCLOSURE_VIEW,
        Permission.DISCLOSURE_RECORD,
        Permission.BREAK_GLASS_REVIEW,
    },
}


def permissions_for(roles: Iterable[Role | str]) -> frozenset[Permission]:
    """The union of the permissions of ``roles``; unknown role names grant nothing."""
    granted: set[Permission] = set()
    for role in roles:
        try:
            granted |= ROLE_PERMISSIONS[Role(role)]
        except ValueError:
            continue
    return frozenset(granted)


def deny(permission: Permission | str, detail: dict[str, object] | None = None) -> None:
    """Refuse with 403 and an audit row (for checks that depend on the request).

    Only the refusal is stored: whatever the request had pending is rolled back, not committed
    along with the audit row.
    """
    from intake.audit.services import record_refusal
    from intake.audit.tags import AuditTag

    record_refusal(AuditTag.ACCESS_DENIED, detail={"permission": str(permission), **(detail or {})})
    abort(403)


def _guarded(
    listed: frozenset[Permission], missing: Callable[[], Permission | None]
) -> Callable[[F], F]:
    """The one door every staff view goes through: anonymous users are sent to sign in; a user
    for whom ``missing()`` names a permission gets 403 and an audit row. ``listed`` is what the
    route-guard test reads."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                from intake.extensions import login_manager

                return login_manager.unauthorized()
            lacking = missing()
            if lacking is not None:
                deny(lacking)
            return view(*args, **kwargs)

        wrapper.required_permissions = listed  # type: ignore[attr-defined]
        return cast(F, wrapper)

    return decorator


def require_permission(*permissions: Permission) -> Callable[[F], F]:
    """Decorate a view: the user must be logged in and hold every one of ``permissions``.

    Anonymous users are sent to the login page; a logged-in user without the permission gets 403
    and an audit row.
    """

    def missing() -> Permission | None:
        return next((p for p in permissions if not current_user.can(p)), None)

    return _guarded(frozenset(permissions), missing)


def require_permission_or_break_glass(permission: Permission) -> Callable[[F], F]:
    """Decorate a read-only view of one person's clinical record: the user holds ``permission``,
    or may break the glass (an admin in an emergency).

    The second kind of user only passes the door: the view must then call
    :func:`require_access` on the record, which lets them read it only under a live, reasoned
    grant for that person (``intake.clinical.break_glass``) and refuses them, audited,
    otherwise. The route is listed as guarded by ``permission``.
    """

    def missing() -> Permission | None:
        if current_user.can(permission) or current_user.can(Permission.BREAK_GLASS_REQUEST):
            return None
        return permission

    return _guarded(frozenset({permission}), missing)


def require_login(view: F) -> F:
    """Decorate a view that any signed-in staff member may use (sign-out, own account)."""
    return require_permission()(view)


def require_access(record_: Guarded, group: FieldGroup | None = None) -> None:
    """Object-level check: abort with 403 (and an audit row) unless the user may read ``group``
    (by default the record itself) of this record. The record is asked, not only its class, so
    one record can refuse one reader (intake.auth.access)."""
    from intake.auth.access import FieldGroup, refusal

    group = group or FieldGroup.RECORD
    reason = refusal(current_user, record_, group)
    if reason is not None:
        deny(
            record_.field_permissions.get(group, "none"),
            detail={
                "field_group": group.value,
                "record": type(record_).__name__,
                "record_id": getattr(record_, "id", None),
                "reason": reason,
            },
        )


def public(view: F) -> F:
    """Mark a view as deliberately open to anyone (checked by the route-guard test)."""
    view.is_public = True  # type: ignore[attr-defined]
    return view
