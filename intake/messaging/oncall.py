"""Who is on call now."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from intake.auth.models import User
from intake.core.types import utcnow
from intake.extensions import db
from intake.messaging.models import OnCallShift


def shift_at(moment: datetime | None = None) -> OnCallShift | None:
    """The shift covering ``moment`` (now by default); the latest-starting wins on overlap."""
    at = moment or utcnow()
    return db.session.scalar(
        select(OnCallShift)
        .where(OnCallShift.starts_at <= at, OnCallShift.ends_at > at)
        .order_by(OnCallShift.starts_at.desc(), OnCallShift.id.desc())
        .limit(1)
    )


def add_shift(
    user: User, starts_at: datetime, duration: timedelta, fallback: User | None = None
) -> OnCallShift:
    """Add a shift to the session; the caller commits."""
    shift = OnCallShift(
        user=user, fallback_user=fallback, starts_at=starts_at, ends_at=starts_at + duration
    )
    db.session.add(shift)
    return shift
