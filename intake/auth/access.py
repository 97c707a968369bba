"""Object-level checks: may this user see this part of this record?

A record is read in *field groups*: its existence and identity, how to reach the person, what
they wrote at intake, and what clinicians wrote. Each guarded model says, per group, which
permission reading it needs (``field_permissions``); a record may also refuse one user for
reasons of its own (``access_refusal``: an ethical wall, a break-glass that has not been
declared), which is why the check receives the record and not only its class.

A group the record does not declare is refused: a new kind of field is hidden until someone
decides who may read it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any, ClassVar, Protocol

from intake.auth.permissions import Permission


class FieldGroup(StrEnum):
    """The parts of a record that can be shown or withheld separately."""

    # That the record exists: its reference, dates, stage or status.
    RECORD = "record"
    # How to reach the person: name, email, phone.
    CONTACT = "contact"
    # What the person wrote and ticked when they reached out.
    INTAKE = "intake"
    # What clinicians recorded: assessments, notes, their outcomes.
    CLINICAL = "clinical"


class Reader(Protocol):
    """Whoever asks: a staff user (``User``), or Flask-Login's anonymous user."""

    is_authenticated: bool

    def can(self, permission: Permission) -> bool: ...


class Guarded(Protocol):
    """A record that says which permission each of its field groups needs."""

    field_permissions: ClassVar[Mapping[FieldGroup, Permission]]

    def access_refusal(self, reader: Any, group: FieldGroup) -> str | None: ...


class GuardedRecord:
    """Mixin for models read by staff: declare ``field_permissions``; override
    ``access_refusal`` when some records are closed to some readers."""

    field_permissions: ClassVar[Mapping[FieldGroup, Permission]] = {}

    def access_refusal(self, reader: Any, group: FieldGroup) -> str | None:
        """Why this record refuses ``reader`` this group (a short code), or None."""
        return None


# People and their inquiries: the front desk reads identity, contact and intake; only
# clinicians read what clinicians write.
PERSON_FIELD_PERMISSIONS: Mapping[FieldGroup, Permission] = {
    FieldGroup.RECORD: Permission.PERSON_VIEW,
    FieldGroup.CONTACT: Permission.PERSON_VIEW,
    FieldGroup.INTAKE: Permission.PERSON_VIEW,
    FieldGroup.CLINICAL: Permission.CLINICAL_READ,
}


# Emergency grants (break-glass): a reader without a group's permission may still read that group
# of one record while a grant of theirs is live. The clinical package registers the check
# (intake.clinical.break_glass), so this module knows no grant table.
EmergencyGrant = Callable[[Any, Any, FieldGroup], bool]
_EMERGENCY_GRANTS: list[EmergencyGrant] = []


def register_emergency_grant(check: EmergencyGrant) -> None:
    """Add a check ``(reader, record, group) -> bool`` that can open one group of one record."""
    if check not in _EMERGENCY_GRANTS:
        _EMERGENCY_GRANTS.append(check)


def _granted(reader: Reader, record: Guarded, group: FieldGroup) -> bool:
    return any(check(reader, record, group) for check in _EMERGENCY_GRANTS)


def refusal(reader: Reader, record: Guarded, group: FieldGroup) -> str | None:
    """Why ``reader`` may not read ``group`` of ``record`` (a code for the audit row), or None."""
    permission = record.field_permissions.get(group)
    if permission is None:
        return "group_not_declared"
    if not reader.is_authenticated:
        return "missing_permission"
    if not reader.can(permission) and not _granted(reader, record, group):
        return "missing_permission"
    return record.access_refusal(reader, group)


def may_read(reader: Reader, record: Guarded, group: FieldGroup = FieldGroup.RECORD) -> bool:
    """Whether ``reader`` may read ``group`` of ``record``; templates use it to leave out a part."""
    return refusal(reader, record, group) is None
