"""The whole beat schedule, in one place.

Long waits live in the database and these periodic sweeps claim what is due; no task is ever
scheduled with a long ETA or countdown. Each sweep expires before the next one is sent, so a
stalled worker never comes back to a pile of them.
"""

from __future__ import annotations

from typing import Any

BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "heartbeat": {
        "task": "workers.tasks.heartbeat",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    # Audit rows are written unsealed (no lock on the request path); this seals them in a batch.
    "seal-audit": {
        "task": "workers.tasks.seal_audit",
        "schedule": 2.0,
        "options": {"expires": 1.5},
    },
    # Outbox rows left unpublished (the broker was down when the inquiry was stored).
    "sweep-outbox": {
        "task": "workers.tasks.sweep_outbox",
        "schedule": 5.0,
        "options": {"expires": 4},
    },
    # Follow-ups that came due, retries whose backoff is over, sends whose worker died.
    "sweep-deliveries": {
        "task": "workers.tasks.sweep_deliveries",
        "schedule": 10.0,
        "options": {"expires": 9},
    },
    # Escalation: P0 waits 5 minutes, so a 10-second sweep is precise enough.
    "sweep-alerts": {
        "task": "workers.tasks.sweep_alerts",
        "schedule": 10.0,
        "options": {"expires": 9},
    },
    # Aftercare check-ins: due rows in the database, claimed every minute (never an ETA).
    "sweep-aftercare": {
        "task": "workers.tasks.sweep_aftercare",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # The reports dashboard's figures, recomputed ahead when the data changed (crm/rollup.py).
    "refresh-reports": {
        "task": "workers.tasks.refresh_reports",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
}
