"""What every sending channel shares: the outcome of one send and the two kinds of failure.

A channel raises :class:`TemporarySendError` when trying again later may work (SMTP 4xx, a
refused or dropped connection, a timeout, a webhook 5xx) and :class:`PermanentSendError` when it
will not (SMTP 5xx, a webhook 4xx, no address). Only temporary errors are retried.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ADDRESS = re.compile(r"<?[^\s<>@]+@[^\s<>@]+>?")
_DIGITS = re.compile(r"\+?\d[\d ().-]{6,}\d")


def scrub(text: str, limit: int = 250) -> str:
    """Drop anything that looks like an email address or phone number from a provider's answer.

    SMTP servers echo the recipient in their replies ("550 <someone@...> unknown"); the answer is
    kept for admins, the address must not be.
    """
    cleaned = _DIGITS.sub("[number]", _ADDRESS.sub("[address]", text))
    return " ".join(cleaned.split())[:limit]


@dataclass(frozen=True)
class SendResult:
    """The provider's answer to a successful send (a code and a short, scrubbed text)."""

    answer: str


class SendError(Exception):
    """A send did not happen; ``answer`` is the provider's scrubbed reply."""

    def __init__(self, answer: str) -> None:
        super().__init__(answer)
        self.answer = scrub(answer)


class TemporarySendError(SendError):
    """Worth retrying with backoff."""


class PermanentSendError(SendError):
    """Retrying will not help: the delivery is marked failed and shown to admins."""
