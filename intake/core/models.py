"""Rows that belong to the system itself rather than to a domain."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from intake.core.types import UTCDateTime, utcnow
from intake.extensions import Model


class WorkerHeartbeat(Model):
    """The last time the scheduler's heartbeat task ran on a worker (shown by /healthz)."""

    __tablename__ = "worker_heartbeats"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    beats: Mapped[int] = mapped_column(default=0)
