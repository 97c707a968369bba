"""The messages a person who wrote in receives, registered with messaging when the app is built.

A person who wrote in with an email gets an acknowledgement at once (``acknowledgement``, from
its outbox row) and follow-ups later (``follow_up``). Messaging knows none of this: it looks the
kinds up in :mod:`intake.messaging.registry`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from intake.messaging.models import MessageKind
from intake.messaging.registry import KindSpec, SubjectMissing, register_kind

if TYPE_CHECKING:
    from flask import Flask


def schedule_messages_for(inquiry_id: int) -> None:
    """Schedule the person's acknowledgement and follow-ups for an inquiry's outbox row."""
    from intake.extensions import db
    from intake.messaging.followups import schedule_inquirer_messages
    from intake.public.models import Inquiry

    if db.session.get(Inquiry, inquiry_id) is None:
        raise SubjectMissing(inquiry_id)
    schedule_inquirer_messages(inquiry_id)


def init_app(_app: Flask) -> None:
    """Register the public side's message kinds (once per process; again is harmless)."""
    from intake.messaging.compose import compose_inquirer, follow_up_stop_reason

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
