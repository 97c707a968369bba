"""Channels as transports: one class per channel, one interface, chosen from configuration.

In the manner of healthchecks.io's ``hc/api/transports.py``: the sender (:mod:`deliveries`) asks
for the transport of a delivery's channel and calls :meth:`Transport.send`; it never switches on
the channel. :func:`install` registers one transport per channel that the configuration sets up,
when the app is built (``messaging.init_app``). A channel without a transport (no webhook URL, no
SMS gateway, a channel a newer version added) is not a failure to swallow: the delivery is held
with the code ``no_transport``, logged (ids and codes only), shown on the failed-sends page and
looked at again later.

A transport raises :class:`TemporarySendError` when trying again may work and
:class:`PermanentSendError` when it will not; what it returns is the provider's answer.
Transports read their settings (server, URL, secret) when they send, so a settings change in a
running process (or a test) is seen at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from flask import current_app

from intake.messaging.channels import PermanentSendError, SendResult
from intake.messaging.models import Channel
from intake.messaging.sms import TextGateway, gateway_named

if TYPE_CHECKING:
    from flask import Flask

    from intake.messaging.compose import Composed

log = logging.getLogger(__name__)

_EXTENSION = "harbor_transports"


@dataclass(frozen=True)
class Outgoing:
    """The delivery being sent, as the transport needs it: plain values, read before the
    sender ended its database transaction (no query runs while a provider is talking)."""

    delivery_id: int
    key: str
    channel: str


class Transport:
    """Sends one composed message on one channel."""

    channel: ClassVar[str]

    def configured(self) -> bool:
        """Whether this transport can send at all right now (its settings are present)."""
        return True

    def send(self, delivery: Outgoing, message: Composed) -> SendResult:
        raise NotImplementedError


class EmailTransport(Transport):
    """SMTP to ``MAIL_SERVER``:``MAIL_PORT``."""

    channel = Channel.EMAIL.value

    def configured(self) -> bool:
        return bool(current_app.config.get("MAIL_SERVER"))

    def send(self, delivery: Outgoing, message: Composed) -> SendResult:
        from intake.messaging.mail import build_email, send_email

        if not message.email_to:
            raise PermanentSendError("no email address")
        return send_email(
            build_email(
                to=message.email_to,
                subject=message.subject,
                text=message.text,
                html=message.html,
                message_key=delivery.key,
                unsubscribe_url=message.unsubscribe_url,
            )
        )


class WebhookTransport(Transport):
    """A signed JSON POST to ``ALERT_WEBHOOK_URL``."""

    channel = Channel.WEBHOOK.value

    def configured(self) -> bool:
        url = current_app.config.get("ALERT_WEBHOOK_URL")
        return bool(url) and str(url).startswith(("https://", "http://"))

    def send(self, delivery: Outgoing, message: Composed) -> SendResult:
        from intake.messaging.webhooks import post_webhook

        return post_webhook(message.payload, delivery.key)


class _TextTransport(Transport):
    def __init__(self, gateway: TextGateway) -> None:
        self.gateway = gateway

    def send(self, delivery: Outgoing, message: Composed) -> SendResult:
        if not message.phone_to:
            raise PermanentSendError("no phone number")
        return self.gateway.send(self.channel, message.phone_to, message.text, delivery.key)


class SmsTransport(_TextTransport):
    channel = Channel.SMS.value


class WhatsAppTransport(_TextTransport):
    channel = Channel.WHATSAPP.value


def transports_from_config(config: dict[str, object]) -> dict[str, Transport]:
    """One transport per channel the configuration sets up.

    Email and the webhook are always registered (whether they are set up is read at each send,
    see :meth:`Transport.configured`); SMS and WhatsApp only when ``SMS_PROVIDER`` names a
    gateway this version has.
    """
    found: dict[str, Transport] = {
        Channel.EMAIL.value: EmailTransport(),
        Channel.WEBHOOK.value: WebhookTransport(),
    }
    gateway = gateway_named(str(config.get("SMS_PROVIDER") or "logging"))
    if gateway is not None:
        found[Channel.SMS.value] = SmsTransport(gateway)
        found[Channel.WHATSAPP.value] = WhatsAppTransport(gateway)
    else:
        # The name is configuration, not personal data.
        log.warning(
            "no text gateway named %r: SMS and WhatsApp sends will be held",
            config.get("SMS_PROVIDER"),
        )
    return found


def install(app: Flask) -> None:
    """Register the app's transports (``messaging.init_app`` calls this)."""
    app.extensions[_EXTENSION] = transports_from_config(app.config)


def register_transport(app: Flask, transport: Transport) -> None:
    """Add or replace the transport of ``transport.channel`` (a new channel, or a test)."""
    app.extensions.setdefault(_EXTENSION, {})[transport.channel] = transport


def unregister_transport(app: Flask, channel: str) -> None:
    """Take a channel's transport away: its deliveries are held until one is registered."""
    app.extensions.get(_EXTENSION, {}).pop(channel, None)


def transport_for(channel: str) -> Transport | None:
    """The current app's transport for ``channel``, or None when it has none that can send."""
    transport = current_app.extensions.get(_EXTENSION, {}).get(channel)
    if transport is None or not transport.configured():
        return None
    return transport
