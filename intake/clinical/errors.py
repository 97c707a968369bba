"""Refusals of the clinical package: a stable code and a message for staff. Services raise them
before anything is changed; the use cases roll back; the views show the message, never a 500."""

from __future__ import annotations

from flask_babel.speaklater import LazyString

from intake.core.refusals import RefusalError


class ClinicalRefusalError(RefusalError):
    """A clinical action refused; ``code`` for the audit trail, ``message`` for the clinician."""


class SignedRecordError(ClinicalRefusalError):
    """A signed record cannot change: corrections are addenda."""


class SignatureRefusedError(ClinicalRefusalError):
    """The password or code did not prove who is signing."""

    status_code = 403


class InvalidContentError(ClinicalRefusalError):
    """The content is out of range, unknown or incomplete; ``problems`` are (field, code)."""

    status_code = 422

    def __init__(self, message: LazyString | str, problems: list[tuple[str, str]]):
        super().__init__("invalid_content", message)
        self.problems = problems
