"""The one shape of a refusal: what a domain will not do, said before anything is changed.

Each domain subclasses :class:`RefusalError` (its use cases roll back on it, its views or error
handler show ``message``); the base only holds what they all carry.
"""

from __future__ import annotations

from flask_babel.speaklater import LazyString


class RefusalError(Exception):
    """A refused request: ``code`` for logs, tests and audit; ``message`` for people; ``field``
    the form field to blame, if any; ``status_code`` the page's status."""

    status_code = 409

    def __init__(
        self,
        code: str,
        message: LazyString | str,
        field: str | None = None,
        *,
        status_code: int | None = None,
    ) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.field = field
        if status_code is not None:
            self.status_code = status_code

    def __str__(self) -> str:
        # The code only: the message is a lazy string in the reader's language, rendered by a
        # view, and a log line must not need a request to print.
        return self.code
