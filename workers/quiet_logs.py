"""Keep the periodic sweeps out of the INFO log unless they did something.

Beat sends each sweep every few seconds and the worker logs every run ("Scheduler: Sending due
task", "Task ... received", "Task ... succeeded"): about 600 INFO lines in 20 minutes, which
bury the start-up banner and anything that matters. Celery offers no per-task switch, so a
logging filter on the three Celery loggers that write those lines turns them into DEBUG lines:
shown with ``--loglevel DEBUG``, dropped otherwise. The sweeps themselves log one INFO line, with
counts and ids, when they did work. Failures (WARNING and above) are never touched.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from workers.schedule import BEAT_SCHEDULE

# The loggers behind beat's "Sending due task", the worker's "received" and the "succeeded"
# lines.
CELERY_ROUTINE_LOGGERS = ("celery.beat", "celery.worker.strategy", "celery.app.trace")


def periodic_task_names() -> frozenset[str]:
    return frozenset(str(entry["task"]) for entry in BEAT_SCHEDULE.values())


class PeriodicTaskNoiseFilter(logging.Filter):
    """Demote Celery's INFO bookkeeping lines about periodic tasks to DEBUG."""

    def __init__(self, task_names: Iterable[str]) -> None:
        super().__init__()
        self.task_names = frozenset(task_names)

    def _about_periodic_task(self, record: logging.LogRecord) -> bool:
        # The worker's lines carry the task in ``extra={"data": {...}}``; beat's in its args.
        data = getattr(record, "data", None)
        if isinstance(data, dict) and data.get("name") in self.task_names:
            return True
        args = record.args if isinstance(record.args, tuple) else ()
        return any(isinstance(arg, str) and arg in self.task_names for arg in args)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.INFO or not self._about_periodic_task(record):
            return True
        record.levelno = logging.DEBUG
        record.levelname = logging.getLevelName(logging.DEBUG)
        # Logger filters run after the logger's level check, so decide here as that check would.
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)


def install() -> PeriodicTaskNoiseFilter:
    """Attach the filter to Celery's routine loggers (once per process); return it."""
    for existing in logging.getLogger(CELERY_ROUTINE_LOGGERS[0]).filters:
        if isinstance(existing, PeriodicTaskNoiseFilter):
            return existing
    noise_filter = PeriodicTaskNoiseFilter(periodic_task_names())
    for name in CELERY_ROUTINE_LOGGERS:
        logging.getLogger(name).addFilter(noise_filter)
    return noise_filter
