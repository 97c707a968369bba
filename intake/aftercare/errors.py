"""Why an aftercare action was refused: a code for tests and logs, a sentence for people."""

from __future__ import annotations

from intake.core.refusals import RefusalError


class AftercareRefusedError(RefusalError):
    """Nothing was stored; ``message`` says why, calmly; ``field`` is the form field at fault."""

    status_code = 422
