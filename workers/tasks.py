"""Celery tasks. Each takes ids (never personal data) and calls a service."""

from __future__ import annotations

from celery import shared_task

from intake.core.health import record_heartbeat
from intake.extensions import db


@shared_task(name="workers.tasks.heartbeat", ignore_result=True)
def heartbeat() -> int:
    """Record that the scheduler and a worker are alive; /healthz reports its age."""
    beat = record_heartbeat()
    db.session.commit()
    return beat.beats
