"""The on-call rota. Alerts, outbox rows and deliveries join this package with the workers issue."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intake.auth.models import User
from intake.core.types import UTCDateTime, utcnow
from intake.extensions import Model


class OnCallShift(Model):
    """Who is on call between two instants (stored in UTC), with a fallback person."""

    __tablename__ = "on_call_shifts"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_on_call_shifts_window", "starts_at", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    fallback_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    fallback_user: Mapped[User | None] = relationship(foreign_keys=[fallback_user_id])
