"""What the messaging pages do, one transaction each.

The messaging services (rota, alerts, deliveries, follow-ups) leave committing to their caller,
so workers and other services can combine them. Each function here is the unit of work of one
request: it calls them, audits, and commits. Views call exactly one of these and never commit.
"""

from __future__ import annotations

from datetime import datetime

from intake.audit.services import record
from intake.audit.tags import AuditTag
from intake.auth.models import User
from intake.extensions import db
from intake.messaging.alerts import acknowledge
from intake.messaging.deliveries import requeue
from intake.messaging.models import OnCallShift, UnsubscribeToken
from intake.messaging.oncall import add_shift, remove_shift
from intake.messaging.relay import retry_held
from intake.messaging.unsubscribe import unsubscribe


def add_rota_shift(
    user: User, starts: datetime, ends: datetime, fallback: User | None = None
) -> OnCallShift:
    """Put ``user`` on call from ``starts`` to ``ends`` (UTC), audited. Commits."""
    shift = add_shift(user, starts, ends - starts, fallback=fallback)
    db.session.flush()
    record(
        AuditTag.ONCALL_SHIFT_ADDED,
        target_type="on_call_shift",
        target_id=shift.id,
        detail={"user_id": user.id, "fallback_user_id": fallback.id if fallback else None},
    )
    db.session.commit()
    return shift


def remove_rota_shift(shift: OnCallShift) -> None:
    """Take a shift off the rota, audited. Commits."""
    shift_id = shift.id
    remove_shift(shift)
    record(AuditTag.ONCALL_SHIFT_REMOVED, target_type="on_call_shift", target_id=shift_id)
    db.session.commit()


def acknowledge_alert(alert_id: int, user_id: int) -> bool:
    """``user_id`` takes the alert, so nobody else is paged for it. Commits when it does.

    False, with nothing stored, when the alert was already acknowledged or closed.
    """
    if not acknowledge(alert_id, user_id):
        return False
    db.session.commit()
    return True


def requeue_failed_delivery(delivery_id: int, user_id: int) -> bool:
    """Give a failed delivery fresh attempts; it is sent after the commit. Commits when it does.

    False, with nothing stored, when the delivery is not (or no longer) failed.
    """
    if not requeue(delivery_id, user_id):
        return False
    db.session.commit()
    return True


def retry_held_work(outbox_id: int, user_id: int) -> bool:
    """Try a held outbox row again (say, after the deploy that knows its kind); it is handed to
    a worker after the commit. Commits when it does; False, with nothing stored, when the row
    is not (or no longer) held."""
    if not retry_held(outbox_id, user_id):
        return False
    db.session.commit()
    return True


def opt_out(token_row: UnsubscribeToken) -> None:
    """Stop every message to the token's person (nothing changes the second time). Commits."""
    unsubscribe(token_row)
    db.session.commit()
