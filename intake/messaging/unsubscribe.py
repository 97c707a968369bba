"""Unsubscribing: a person's link stops every message to them.

The links are made when a message that carries one is composed
(:func:`intake.messaging.compose.new_unsubscribe_link`); whether a person opted out is checked
before every send (:func:`intake.messaging.compose.stop_reason`).
"""

from __future__ import annotations

from sqlalchemy import update

from intake.audit.services import record
from intake.audit.tags import AuditTag
from intake.core.types import utcnow
from intake.extensions import db
from intake.messaging.compose import hash_token
from intake.messaging.models import (
    SENDABLE_STATUSES,
    Delivery,
    DeliveryStatus,
    UnsubscribeToken,
)


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
