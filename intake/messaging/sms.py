"""SMS and WhatsApp behind one small provider interface.

The default provider only logs that a message would have gone out (the delivery id, never the
number or the text), so development and tests need no account anywhere. A real provider
implements :class:`TextProvider` and is chosen with ``SMS_PROVIDER``.
"""

from __future__ import annotations

import logging
from typing import Protocol

from flask import current_app

from intake.messaging.channels import PermanentSendError, SendResult

log = logging.getLogger(__name__)


class TextProvider(Protocol):
    """Sends a short text on a channel ("sms" or "whatsapp") to a phone number."""

    def send(self, channel: str, to: str, body: str, delivery_key: str) -> SendResult: ...


class LoggingProvider:
    """Logs the delivery key and channel; sends nothing."""

    def send(self, channel: str, to: str, body: str, delivery_key: str) -> SendResult:
        log.info("text message via logging provider channel=%s delivery=%s", channel, delivery_key)
        return SendResult("logged")


PROVIDERS: dict[str, type[LoggingProvider]] = {"logging": LoggingProvider}


def provider() -> TextProvider:
    """The provider named by ``SMS_PROVIDER``."""
    name = current_app.config.get("SMS_PROVIDER", "logging")
    try:
        return PROVIDERS[name]()
    except KeyError as exc:
        raise PermanentSendError(f"unknown SMS provider {name!r}") from exc
