"""The whole beat schedule, in one place.

Long waits live in the database and these periodic sweeps claim what is due; no task is ever
scheduled with a long ETA or countdown.
"""

from __future__ import annotations

from typing import Any

BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "heartbeat": {
        "task": "workers.tasks.heartbeat",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
}
