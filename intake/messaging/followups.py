"""Messages to the person who wrote in: the acknowledgement at once, then follow-ups.

The acknowledgement and each follow-up are deliveries written together when the
acknowledgement outbox row is handled; a follow-up simply waits in the table until its
``next_attempt_at`` (for example 24 and 72 hours after the inquiry) and the sweep publishes it.
Whether it still goes out is decided at that moment: not if the team has reached the person,
the inquiry is closed, or the person opted out.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import update

from intake.audit.services import record
from intake.audit.tags import AuditTag
from intake.core.types import utcnow
from intake.extensions import db
from intake.messaging.compose import hash_token, opted_out
from intake.messaging.deliveries import add_delivery
from intake.messaging.models import (
    SENDABLE_STATUSES,
    Channel,
    Delivery,
    DeliveryStatus,
    MessageKind,
    UnsubscribeToken,
)
from intake.public.models import Inquiry

log = logging.getLogger(__name__)


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
        "inquiry_id": inquiry.id,
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


def find_unsubscribe_token(token: str) -> UnsubscribeToken | None:
    """The token row for a link, or None (the lookup is by hash; the link is 32 random chars)."""
    if not token or len(token) > 100:
        return None
    return db.session.query(UnsubscribeToken).filter_by(token_hash=hash_token(token)).first()


def unsubscribe(token_row: UnsubscribeToken) -> bool:
    """Stop every message to the token's person; audited; the caller commits.

    Returns False when the link had been used already (nothing changes the second time).
    """
    if token_row.used_at is not None:
        return False
    now = utcnow()
    token_row.used_at = now
    cancelled = db.session.execute(
        update(Delivery)
        .where(
            Delivery.recipient_person_id == token_row.person_id,
            Delivery.status.in_(SENDABLE_STATUSES),
        )
        .values(status=DeliveryStatus.CANCELLED.value, provider_answer="stopped: opted out")
        .execution_options(synchronize_session=False)
    )
    record(
        AuditTag.MESSAGES_OPTED_OUT,
        target_type="person",
        target_id=token_row.person_id,
        detail={"cancelled": int(cancelled.rowcount or 0)},  # type: ignore[attr-defined]
    )
    return True
