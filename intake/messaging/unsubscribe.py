"""Unsubscribing: a person's link stops every message to them.

The links are made when a message that carries one is composed
(:func:`intake.messaging.compose.new_unsubscribe_link`); whether a person opted out is checked
before every send (:func:`intake.messaging.compose.stop_reason`).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from sqlalchemy import delete, update

from intake.audit.services import record
from intake.audit.tags import AuditTag
from intake.core.types import utcnow
from intake.extensions import db
from intake.messaging.compose import hash_token, opted_out
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


def carry_opt_out(person_id: int) -> UnsubscribeToken | None:
    """Make ``person_id`` opted out because a record merged with it is (the stricter opt-out
    wins); the caller commits.

    The opt-out is a used token with no link (its secret is thrown away), so every check that
    asks :func:`intake.messaging.compose.opted_out` sees it, and removing exactly this row with
    :func:`withdraw_carried_opt_outs` gives the person back the state they had. Returns None,
    adding nothing, when the person already opted out themselves. Pending deliveries are not
    cancelled here: each is stopped when its turn comes, so an undone merge loses none.
    """
    if opted_out(person_id):
        return None
    row = UnsubscribeToken(
        token_hash=hash_token(secrets.token_urlsafe(24)), person_id=person_id, used_at=utcnow()
    )
    db.session.add(row)
    return row


def withdraw_carried_opt_outs(token_ids: Sequence[int]) -> None:
    """Remove the opt-outs :func:`carry_opt_out` added (an unmerge); the caller commits."""
    if token_ids:
        db.session.execute(
            delete(UnsubscribeToken)
            .where(UnsubscribeToken.id.in_(list(token_ids)))
            .execution_options(synchronize_session=False)
        )
