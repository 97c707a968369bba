"""The messages a person who wrote in receives, registered with messaging when the app is built.

A person who wrote in with an email gets an acknowledgement at once (``acknowledgement``, from
its outbox row) and follow-ups later (``follow_up``): deliveries about the inquiry, written
together when the outbox row is handled. A follow-up waits in the table until its
``next_attempt_at`` (for example 24 and 72 hours after the inquiry) and the sweep publishes it;
whether it still goes out is decided at that moment: not if the team has reached the person,
the inquiry is closed, or the person opted out.

What they say lives here, with who receives them and when they stop being wanted: messaging
knows none of it and looks the kinds up in :mod:`intake.messaging.registry`. The texts are
``templates/email/<kind>.<lang>.txt|html``; they never name the clinic's purpose in the sender,
subject or preview.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import select

from intake.core.types import utcnow
from intake.crm.models import Person
from intake.extensions import db
from intake.helplines import CLINIC_CONTACT, help_for
from intake.messaging.compose import (
    Composed,
    new_unsubscribe_link,
    opted_out,
    render_message,
)
from intake.messaging.deliveries import add_delivery
from intake.messaging.models import Channel, Delivery, MessageKind
from intake.messaging.registry import KindSpec, SubjectMissing, register_kind
from intake.public.models import Inquiry
from intake.triage.models import TriageCase

if TYPE_CHECKING:
    from flask import Flask

# What the person's messages are about: their inquiry.
SUBJECT = "inquiry"


def follow_up_hours() -> list[int]:
    """``FOLLOW_UP_HOURS`` ("24,72") as whole hours, ascending; blanks and junk ignored."""
    raw = str(current_app.config.get("FOLLOW_UP_HOURS") or "")
    hours = {int(part) for part in raw.replace(" ", "").split(",") if part.isdigit()}
    return sorted(hour for hour in hours if hour > 0)


def schedule_inquirer_messages(inquiry_id: int) -> list[Delivery]:
    """Add the acknowledgement and the follow-ups for an inquiry; the caller commits."""
    inquiry = db.session.get(Inquiry, inquiry_id)
    if inquiry is None:
        return []
    person = inquiry.person
    if not person.email or opted_out(person.id):
        return []
    added = []
    common = {
        "channel": Channel.EMAIL,
        "subject_kind": SUBJECT,
        "subject_id": inquiry.id,
        "recipient_person_id": person.id,
        "language": inquiry.language,
    }
    first = add_delivery(
        key=f"ack:{inquiry.id}:email",
        kind=MessageKind.ACKNOWLEDGEMENT,
        **common,  # type: ignore[arg-type]
    )
    added.append(first)
    for hours in follow_up_hours():
        added.append(
            add_delivery(
                key=f"follow_up:{inquiry.id}:{hours}h:email",
                kind=MessageKind.FOLLOW_UP,
                due_at=inquiry.received_at + timedelta(hours=hours),
                **common,  # type: ignore[arg-type]
            )
        )
    return [delivery for delivery in added if delivery is not None]


def schedule_messages_for(inquiry_id: int) -> None:
    """Schedule the person's acknowledgement and follow-ups for an inquiry's outbox row."""
    if db.session.get(Inquiry, inquiry_id) is None:
        raise SubjectMissing(inquiry_id)
    schedule_inquirer_messages(inquiry_id)


def _inquiry_of(delivery: Delivery) -> Inquiry | None:
    if delivery.subject_kind != SUBJECT or delivery.subject_id is None:
        return None
    return db.session.get(Inquiry, delivery.subject_id)


def compose_inquirer(delivery: Delivery) -> Composed:
    """The acknowledgement or a follow-up, in the person's language, with an unsubscribe link."""
    inquiry = _inquiry_of(delivery)
    person = (
        db.session.get(Person, delivery.recipient_person_id)
        if delivery.recipient_person_id
        else None
    )
    if inquiry is None or person is None:
        raise SubjectMissing(delivery.subject_id)
    language = delivery.language
    unsubscribe_url, token_row = new_unsubscribe_link(person.id, language)
    context = {
        "reference": inquiry.reference,
        "country_help": help_for(inquiry.country, language),
        "language": language,
        "clinic": CLINIC_CONTACT.in_language(language),
        "unsubscribe_url": unsubscribe_url,
        "sent_on": utcnow().date().isoformat(),
    }
    rendered = render_message(delivery.kind, language, context)
    return Composed(
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        email_to=person.email,
        phone_to=person.phone,
        unsubscribe_url=unsubscribe_url,
        new_rows=(token_row,),
    )


def follow_up_stop_reason(delivery: Delivery) -> str | None:
    """A follow-up is not sent once the team reached the person or closed the inquiry."""
    if delivery.subject_kind != SUBJECT or delivery.subject_id is None:
        return None
    case = db.session.scalar(select(TriageCase).where(TriageCase.inquiry_id == delivery.subject_id))
    if case is None:
        return None
    return case.messages_stop_reason()


def init_app(_app: Flask) -> None:
    """Register the public side's message kinds (once per process; again is harmless)."""
    register_kind(
        KindSpec(
            name=MessageKind.ACKNOWLEDGEMENT.value,
            handle_outbox=schedule_messages_for,
            compose=compose_inquirer,
        )
    )
    register_kind(
        KindSpec(
            name=MessageKind.FOLLOW_UP.value,
            compose=compose_inquirer,
            stop_reason=follow_up_stop_reason,
        )
    )
