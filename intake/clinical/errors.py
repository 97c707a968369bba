"""Refusals of the clinical package: a stable code and a message for staff. Services raise them
before anything is changed; the use cases roll back; the views show the message, never a 500."""

from __future__ import annotations

from flask_babel.speaklater import LazyString


class ClinicalRefusalError(Exception):
    """A clinical action refused; ``code`` for the audit trail, ``message`` for the clinician."""

    status_code = 409

    def __init__(self, code: str, message: LazyString | str, *, status_code: int | None = None):
        super().__init__(code)
        self.code = code
        self.message = message
        if status_code is not None:
            self.status_code = status_code

    def __str__(self) -> str:
        return self.code


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
