"""Why an aftercare action was refused: a code for tests and logs, a sentence for people."""

from __future__ import annotations

from flask_babel import LazyString


class AftercareRefusedError(Exception):
    """Nothing was stored; ``message`` says why, calmly; ``field`` is the form field at fault."""

    status_code = 422

    def __init__(self, code: str, message: LazyString | str, field: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.field = field
