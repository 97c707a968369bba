"""The on-call rota: who is on call now, and the shifts an admin keeps in the staff area."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

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


def shifts_from(moment: datetime, limit: int = 200) -> list[OnCallShift]:
    """Shifts still running at or starting after ``moment``, in time order."""
    return list(
        db.session.scalars(
            select(OnCallShift)
            .where(OnCallShift.ends_at > moment)
            .order_by(OnCallShift.starts_at, OnCallShift.id)
            .limit(limit)
        ).all()
    )


def local_to_utc(local: datetime, timezone: str) -> datetime:
    """A wall-clock time in the clinic's zone (as typed in the rota form) as an aware UTC time."""
    return local.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def utc_to_local(moment: datetime, timezone: str) -> datetime:
    return moment.astimezone(ZoneInfo(timezone))


def remove_shift(shift: OnCallShift) -> None:
    """Delete a shift from the session; the caller commits."""
    db.session.delete(shift)
