"""Refusals: what the CRM will not do, each with a stable code and a message for staff.

Services raise these before anything is changed; the use cases roll back and the views (or the
error handler :func:`intake.crm.init_app` installs) show the message with a 409, never a 500.
"""

from __future__ import annotations

from intake.core.refusals import RefusalError


class CrmRefusalError(RefusalError):
    """A request the CRM refuses; ``code`` for logs and audit, ``message`` for staff."""


class MoveRefusedError(CrmRefusalError):
    """The pipeline table does not allow this move, or the episode is closed or busy."""


class CloseRefusedError(CrmRefusalError):
    """The episode cannot close now, or not for this reason without its details."""


class MergeRefusedError(CrmRefusalError):
    """A merge or an unmerge that would give a wrong result."""


class AssignmentRefusedError(CrmRefusalError):
    """The chosen owner cannot own episodes."""


class TaskRefusedError(CrmRefusalError):
    """A task that cannot be created or completed as asked."""

    status_code = 422


class NoteRefusedError(CrmRefusalError):
    """A case note that is empty or too long."""

    status_code = 422
