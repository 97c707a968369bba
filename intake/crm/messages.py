"""Messages staff send a person from their episode: "we tried to reach you", "please call us
back", "appointment confirmation", by email or SMS, in the person's language.

The CRM registers one message kind (``case_message``) with :mod:`intake.messaging.registry`;
messaging knows nothing of it. A send is a :class:`CaseMessage` row (what, to whom, by whom)
and a messaging delivery about that row with the same idempotency key, both in the caller's
transaction: the form carries a one-time key, so a double-click or a second POST finds the row
and sends nothing more. The delivery is published after the commit and claimed before sending.

What is refused, before anything is stored: a person who unsubscribed, a person whose latest
inquiry did not say it is safe to leave them a message (the inquiry form's "It is safe to leave
a message" box, ``Inquiry.safe_to_leave_message``: without it staff leave no message at all),
a channel the person left no address for, an appointment without a time or in the past. The
same checks run again when the delivery is sent (the person may have unsubscribed meanwhile).

Texts live in ``templates/email/case_<template>.<lang>.txt|html``: each text file sets
``subject``, ``preview`` and ``text_message`` (the whole SMS, shown on a lock screen, so as
discreet as a subject). None of them names addiction, treatment or the clinic's purpose.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select
from sqlalchemy.orm import aliased

from intake.audit.services import record
from intake.audit.tags import AuditTag
from intake.core.types import utcnow
from intake.crm.errors import CrmRefusalError
from intake.crm.models import CaseMessage, Episode, EpisodeInquiry, Person
from intake.extensions import db
from intake.helplines import CLINIC_CONTACT
from intake.messaging.compose import (
    TEMPLATE_LANGUAGES,
    Composed,
    new_unsubscribe_link,
    opted_out,
    render_message,
)
from intake.messaging.deliveries import add_delivery
from intake.messaging.models import Delivery
from intake.messaging.registry import KindSpec, SubjectMissing, register_kind, register_subject
from intake.public.models import Inquiry
from intake.vocabulary import (
    CASE_MESSAGE_CHANNELS,
    DEFAULT_LANGUAGE,
    CaseMessageTemplate,
    DeliveryChannel,
    ForWhom,
)

if TYPE_CHECKING:
    from flask import Flask

# The message kind and the subject its deliveries point at (a CaseMessage row).
CASE_MESSAGE_KIND = "case_message"
SUBJECT = "case_message"

# The one-time key a form carries: what secrets.token_urlsafe makes, bounded.
SEND_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")

# Why a delivery stops at send time (stored as the provider answer, a code, never personal).
STOP_NOT_SAFE = "stopped: not safe to leave a message"


class MessageRefusedError(CrmRefusalError):
    """A message from the case that must not be sent; nothing is stored."""

    status_code = 422


def template_name(template: str) -> str:
    """The template files' name (``email/<name>.<lang>.txt``) of a case message template."""
    return f"case_{template}"


def latest_inquiry(person_id: int) -> Inquiry | None:
    """The person's most recent inquiry: what they said last about how to reach them."""
    return db.session.scalar(
        select(Inquiry)
        .where(Inquiry.person_id == person_id)
        .order_by(Inquiry.received_at.desc(), Inquiry.id.desc())
        .limit(1)
    )


def safe_to_message(person_id: int) -> bool:
    """Whether the person's latest inquiry said it is safe to leave them a message."""
    inquiry = latest_inquiry(person_id)
    return bool(inquiry is not None and inquiry.safe_to_leave_message)


def _wrote_for_themselves(person_id: int) -> bool:
    inquiry = latest_inquiry(person_id)
    return inquiry is not None and inquiry.for_whom == ForWhom.SELF


def _address(person: Person, channel: str) -> str | None:
    return person.email if channel == DeliveryChannel.EMAIL else person.phone


# What staff read on the episode before they try: the same reasons, said ahead of a send.
WARNINGS = {
    "opted_out": _l("This person asked us to stop sending them messages: none can be sent."),
    "not_safe": _l(
        "This person did not say it is safe to leave them a message: none can be sent. Reach "
        "them by phone without leaving a message."
    ),
    "no_email": _l("No email address: an email cannot be sent."),
    "no_phone": _l("No phone number: a text message cannot be sent."),
}


def refusal(person: Person, channel: str) -> MessageRefusedError | None:
    """Why a message on ``channel`` must not go to ``person`` now, or None when it may."""
    if opted_out(person.id):
        return MessageRefusedError(
            "opted_out",
            _l("This person asked us to stop sending them messages. Nothing was sent."),
        )
    if not safe_to_message(person.id):
        return MessageRefusedError(
            "not_safe",
            _l(
                "This person did not say it is safe to leave them a message. Nothing was sent: "
                "reach them by phone without leaving a message."
            ),
        )
    if not _address(person, channel):
        if channel == DeliveryChannel.EMAIL:
            return MessageRefusedError(
                "no_email", _l("This person left no email address. Nothing was sent.")
            )
        return MessageRefusedError(
            "no_phone", _l("This person left no phone number for text messages. Nothing was sent.")
        )
    return None


def send_case_message(
    episode: Episode,
    template: str,
    channel: str,
    actor_id: int,
    send_key: str,
    *,
    appointment_at: datetime | None = None,
) -> tuple[CaseMessage, bool]:
    """Send the episode's person a message from a template, once per ``send_key``; audited.

    Returns the message and whether it is new: the same ``send_key`` again (a double-click, a
    second POST) returns the first message and sends nothing. Raises
    :class:`MessageRefusedError` (nothing stored) for what :func:`refusal` refuses, an unknown
    template or channel, a closed episode, or an appointment without a time or in the past.
    The caller commits.
    """
    if not SEND_KEY.match(send_key or ""):
        raise MessageRefusedError(
            "bad_key", _l("This form has expired. Reload the page and send again.")
        )
    key = f"case:{episode.id}:{send_key}"
    existing = db.session.scalar(select(CaseMessage).where(CaseMessage.idempotency_key == key))
    if existing is not None:
        return existing, False
    if template not in CaseMessageTemplate.codes():
        raise MessageRefusedError("unknown_template", _l("Choose a message from the list."))
    if channel not in CASE_MESSAGE_CHANNELS:
        raise MessageRefusedError("unknown_channel", _l("Choose email or text message."))
    if episode.closed_at is not None:
        raise MessageRefusedError(
            "episode_closed", _l("This episode is closed; no message is sent from it.")
        )
    if template == CaseMessageTemplate.APPOINTMENT:
        if appointment_at is None:
            raise MessageRefusedError(
                "appointment_missing", _l("Give the appointment's date and time.")
            )
        if appointment_at <= utcnow():
            raise MessageRefusedError(
                "appointment_past", _l("The appointment time is in the past.")
            )
    else:
        appointment_at = None
    person = episode.person
    if template == CaseMessageTemplate.APPOINTMENT and not _wrote_for_themselves(person.id):
        # The address on file came with an inquiry someone else sent for the person; that
        # sender may only be told the inquiry was received, not that an appointment exists.
        raise MessageRefusedError(
            "third_party",
            _l(
                "The latest inquiry was sent by someone else for this person: they may only be "
                "told it was received. Confirm the appointment with the person directly."
            ),
        )
    refused = refusal(person, channel)
    if refused is not None:
        raise refused
    language = person.language if person.language in TEMPLATE_LANGUAGES else DEFAULT_LANGUAGE
    message = CaseMessage(
        episode=episode,
        person_id=person.id,
        template=template,
        channel=channel,
        language=language,
        appointment_at=appointment_at,
        idempotency_key=key,
        sent_by_id=actor_id,
    )
    db.session.add(message)
    db.session.flush()
    add_delivery(
        key=key,
        kind=CASE_MESSAGE_KIND,
        channel=channel,
        subject_kind=SUBJECT,
        subject_id=message.id,
        language=language,
        recipient_person_id=person.id,
    )
    record(
        AuditTag.CASE_MESSAGE_SENT,
        target_type="episode",
        target_id=episode.id,
        actor_id=actor_id,
        detail={"message": message.id, "template": template, "channel": channel},
    )
    return message, True


def messages_of(episode: Episode) -> list[tuple[CaseMessage, Delivery | None]]:
    """The messages sent from an episode with their deliveries (status), newest first."""
    delivery = aliased(Delivery)
    rows = db.session.execute(
        select(CaseMessage, delivery)
        .outerjoin(
            delivery,
            and_(delivery.subject_kind == SUBJECT, delivery.subject_id == CaseMessage.id),
        )
        .where(CaseMessage.episode_id == episode.id)
        .order_by(CaseMessage.created_at.desc(), CaseMessage.id.desc())
    ).all()
    return [(row[0], row[1]) for row in rows]


def _reference(episode_id: int) -> str:
    return (
        db.session.scalar(
            select(Inquiry.reference)
            .join(EpisodeInquiry, EpisodeInquiry.inquiry_id == Inquiry.id)
            .where(EpisodeInquiry.episode_id == episode_id)
            .order_by(Inquiry.received_at, Inquiry.id)
            .limit(1)
        )
        or ""
    )


def _appointment_text(moment: datetime | None, language: str) -> str:
    if moment is None:
        return ""
    timezone = str(current_app.config["CLINIC_TIMEZONE"])
    written = format_datetime(
        moment, "EEEE d MMMM y, HH:mm", tzinfo=ZoneInfo(timezone), locale=language
    )
    # The clinic's city names the time zone in every language ("Zurich").
    return f"{written} ({timezone.split('/')[-1].replace('_', ' ')})"


def render_case_message(
    template: str, language: str, context: dict[str, object]
) -> tuple[str, str, str, str, str]:
    """Subject, preview, text, HTML and SMS of a case message in ``language``."""
    rendered = render_message(template_name(template), language, context)
    lang = language if language in TEMPLATE_LANGUAGES else DEFAULT_LANGUAGE
    module = current_app.jinja_env.get_template(
        f"email/{template_name(template)}.{lang}.txt"
    ).make_module(context)
    sms = " ".join(str(getattr(module, "text_message", "")).split())
    return rendered.subject, rendered.preview, rendered.text, rendered.html, sms


def compose_case_message(delivery: Delivery) -> Composed:
    """The message in the person's language: an email with an unsubscribe link, or an SMS."""
    message = db.session.get(CaseMessage, delivery.subject_id) if delivery.subject_id else None
    person = db.session.get(Person, message.person_id) if message is not None else None
    if message is None or person is None:
        raise SubjectMissing(delivery.subject_id)
    language = delivery.language
    unsubscribe_url, token_row = new_unsubscribe_link(person.id, language)
    context: dict[str, object] = {
        "reference": _reference(message.episode_id),
        "clinic": CLINIC_CONTACT.in_language(language),
        "appointment": _appointment_text(message.appointment_at, language),
        "unsubscribe_url": unsubscribe_url,
        "language": language,
    }
    subject, _preview, text, html, sms = render_case_message(message.template, language, context)
    if delivery.channel == DeliveryChannel.EMAIL:
        return Composed(
            subject=subject,
            text=text,
            html=html,
            email_to=person.email,
            unsubscribe_url=unsubscribe_url,
            new_rows=(token_row,),
        )
    return Composed(subject=subject, text=sms, phone_to=person.phone)


def case_message_stop_reason(delivery: Delivery) -> str | None:
    """At send time: not once the person's latest inquiry says messages are not safe."""
    if delivery.recipient_person_id is None:
        return None
    if not safe_to_message(delivery.recipient_person_id):
        return STOP_NOT_SAFE
    return None


def init_app(_app: Flask) -> None:
    """Register the CRM's message kind and where staff read about one (its episode)."""
    register_kind(
        KindSpec(
            name=CASE_MESSAGE_KIND,
            compose=compose_case_message,
            stop_reason=case_message_stop_reason,
        )
    )
    register_subject(SUBJECT, _episode_link)


def _episode_link(message_id: int) -> str | None:
    message = db.session.get(CaseMessage, message_id)
    if message is None:
        return None
    return url_for("crm.episode", episode_id=message.episode_id)
