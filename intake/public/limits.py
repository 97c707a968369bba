"""How long a rate-limited visitor or website should wait, for the ``Retry-After`` header."""

from __future__ import annotations

import math
import time

from werkzeug.exceptions import TooManyRequests
from werkzeug.wrappers import Response

from intake.extensions import limiter


def retry_after_seconds(error: TooManyRequests) -> int:
    """Whole seconds until the breached limit's window resets (at least one).

    Flask-Limiter also writes this header after the request, keeping the later of its time and
    ours but rounding the difference down; one extra second keeps the answer above zero.
    """
    current = limiter.current_limit
    if current is not None:
        return max(1, math.ceil(current.reset_at - time.time())) + 1
    # The limit store is unreachable: the breached limit's whole window is a safe answer.
    breached = getattr(error, "limit", None)
    expiry = breached.limit.get_expiry() if breached is not None else 60
    return max(1, int(expiry))


def with_retry_after(response: Response, error: TooManyRequests) -> Response:
    response.headers["Retry-After"] = str(retry_after_seconds(error))
    return response
