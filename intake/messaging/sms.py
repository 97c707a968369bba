"""SMS and WhatsApp gateways: the outside world behind one small interface.

The default gateway only logs that a message would have gone out (the delivery key, never the
number or the text), so development and tests need no account anywhere. A real gateway
implements :class:`TextGateway`, is added to :data:`GATEWAYS`, and is chosen with
``SMS_PROVIDER``; the SMS and WhatsApp transports (:mod:`intake.messaging.transports`) use it.
"""

from __future__ import annotations

import logging
from typing import Protocol

from intake.messaging.channels import SendResult

log = logging.getLogger(__name__)


class TextGateway(Protocol):
    """Sends a short text on a channel ("sms" or "whatsapp") to a phone number."""

    def send(self, channel: str, to: str, body: str, delivery_key: str) -> SendResult: ...


# The name kept for code written against the first version of this interface.
TextProvider = TextGateway


class LoggingProvider:
    """Logs the delivery key and channel; sends nothing."""

    def send(self, channel: str, to: str, body: str, delivery_key: str) -> SendResult:
        log.info("text message via logging provider channel=%s delivery=%s", channel, delivery_key)
        return SendResult("logged")


GATEWAYS: dict[str, type[TextGateway]] = {"logging": LoggingProvider}
PROVIDERS = GATEWAYS


def gateway_named(name: str | None) -> TextGateway | None:
    """The gateway ``SMS_PROVIDER`` names, or None when no gateway has that name."""
    factory = GATEWAYS.get(name or "")
    return factory() if factory is not None else None
