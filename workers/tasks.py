"""Celery tasks. Each takes ids (never personal data) and calls a service.

Every messaging task is safe to run any number of times: the services claim their rows
compare-and-set. A database outage is retried with a short backoff; anything else is left to the
sweeps, which find the rows again in the database. A sweep that finds the embedded SQLite
database busy skips its beat instead of failing (the next beat finds the same rows).
"""

from __future__ import annotations

from celery import shared_task
from sqlalchemy.exc import OperationalError

from intake.aftercare import use_cases as aftercare
from intake.audit.services import seal_pending
from intake.core.health import record_heartbeat
from intake.core.sqlite import skip_when_locked
from intake.crm import use_cases as crm
from intake.extensions import db
from intake.messaging import alerts, deliveries, relay

# Short, bounded retries for a database that is briefly unreachable; never a long countdown.
_DB_RETRY = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 5,
    "ignore_result": True,
    "acks_late": True,
}


@shared_task(name="workers.tasks.heartbeat", ignore_result=True)
def heartbeat() -> int:
    """Record that the scheduler and a worker are alive; /healthz reports its age."""

    def beat() -> int:
        beats = record_heartbeat().beats
        db.session.commit()
        return beats

    return skip_when_locked("heartbeat", beat, 0)


@shared_task(name="workers.tasks.process_outbox", **_DB_RETRY)
def process_outbox(outbox_id: int) -> str:
    """Handle one outbox row (open an alert, schedule the person's messages)."""
    return relay.process_outbox(int(outbox_id))


@shared_task(name="workers.tasks.send_delivery", **_DB_RETRY)
def send_delivery(delivery_id: int) -> str:
    """Send one delivery, once, however often this task arrives."""
    return deliveries.send_delivery(int(delivery_id))


@shared_task(name="workers.tasks.send_deliveries", **_DB_RETRY)
def send_deliveries(delivery_ids: list[int]) -> dict[str, int]:
    """Send a batch of deliveries (ids only), each once, over one SMTP connection."""
    return deliveries.send_deliveries([int(delivery_id) for delivery_id in delivery_ids])


@shared_task(name="workers.tasks.seal_audit", ignore_result=True)
def seal_audit() -> int:
    """Give audit rows written since the last beat their place in the chain."""
    return skip_when_locked("seal_audit", lambda: seal_pending().sealed, 0)


@shared_task(name="workers.tasks.sweep_outbox", ignore_result=True)
def sweep_outbox() -> int:
    """Publish outbox rows the after-commit path missed."""
    return skip_when_locked("sweep_outbox", relay.sweep_outbox, 0)


@shared_task(name="workers.tasks.sweep_deliveries", ignore_result=True)
def sweep_deliveries() -> int:
    """Publish due deliveries (follow-ups, retries) and recover dead claims."""
    return skip_when_locked("sweep_deliveries", deliveries.sweep_deliveries, 0)


@shared_task(name="workers.tasks.sweep_alerts", ignore_result=True)
def sweep_alerts() -> dict[str, int]:
    """Escalate, stop or exhaust alerts whose wait is over."""
    return skip_when_locked("sweep_alerts", alerts.sweep_alerts, {})


@shared_task(name="workers.tasks.sweep_aftercare", ignore_result=True)
def sweep_aftercare() -> dict[str, int]:
    """Send the aftercare check-ins that came due, their reminders, and call silence missed."""
    return skip_when_locked("sweep_aftercare", aftercare.sweep, {})


@shared_task(name="workers.tasks.refresh_reports", ignore_result=True)
def refresh_reports() -> int:
    """Recompute the reports' day rollups when the data changed (the dashboard adds them up)."""
    return skip_when_locked("refresh_reports", crm.refresh_reports, 0)
