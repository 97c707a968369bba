"""Reachability checks for /healthz and the heartbeat the workers record."""

from __future__ import annotations

from typing import Any

from kombu import Connection
from sqlalchemy import select, text

from intake.core.models import WorkerHeartbeat
from intake.core.types import utcnow
from intake.extensions import db

HEARTBEAT_NAME = "beat"


def check_database() -> dict[str, Any]:
    """Run ``SELECT 1``; report the error class (never the message, which may hold a URL)."""
    try:
        db.session.execute(text("SELECT 1"))
        return {"ok": True, "backend": db.engine.dialect.name}
    except Exception as exc:  # any failure means "unreachable" here
        db.session.rollback()
        return {"ok": False, "error": type(exc).__name__}


def check_broker(broker_url: str) -> dict[str, Any]:
    """Open and close one broker connection with a short timeout."""
    transport = broker_url.split("://", 1)[0]
    try:
        with Connection(broker_url, connect_timeout=2) as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, timeout=2)
        return {"ok": True, "transport": transport}
    except Exception as exc:  # any failure means "unreachable" here
        return {"ok": False, "transport": transport, "error": type(exc).__name__}


def last_heartbeat_age_seconds() -> float | None:
    try:
        beat_at = db.session.scalar(
            select(WorkerHeartbeat.beat_at).where(WorkerHeartbeat.name == HEARTBEAT_NAME)
        )
    except Exception:  # the database check reports the failure
        db.session.rollback()
        return None
    return None if beat_at is None else round((utcnow() - beat_at).total_seconds(), 1)


def record_heartbeat(name: str = HEARTBEAT_NAME) -> WorkerHeartbeat:
    """Upsert the heartbeat row; the caller commits."""
    beat = db.session.get(WorkerHeartbeat, name)
    if beat is None:
        beat = WorkerHeartbeat(name=name, beats=0)
        db.session.add(beat)
    beat.beat_at = utcnow()
    beat.beats = (beat.beats or 0) + 1
    return beat
