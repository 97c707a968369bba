"""Refusals: what the CRM will not do, each with a stable code and a message for staff.

Services raise these before anything is changed; the use cases roll back and the views (or the
error handler :func:`intake.crm.init_app` installs) show the message with a 409, never a 500.
"""

from __future__ import annotations

from flask_babel.speaklater import LazyString


class CrmRefusalError(Exception):
    """A request the CRM refuses; ``code`` for logs and audit, ``message`` for staff."""

    status_code = 409

    def __init__(self, code: str, message: LazyString | str) -> None:
        super().__init__(code)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        # The code only: the message is a lazy string in the reader's language, rendered by a
        # view, and a log line must not need a request to print.
        return self.code


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
