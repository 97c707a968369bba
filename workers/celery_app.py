"""The worker and beat entry point: ``celery -A workers.celery_app worker`` (or ``beat``)."""

from __future__ import annotations

from intake import create_app
from workers import quiet_logs
from workers.schedule import BEAT_SCHEDULE

# Before Celery logs anything: the periodic sweeps' bookkeeping lines go to DEBUG.
quiet_logs.install()

flask_app = create_app()
celery = flask_app.extensions["celery"]
celery.conf.beat_schedule = BEAT_SCHEDULE
celery.conf.include = ["workers.tasks"]

import workers.tasks  # noqa: E402,F401  (registers the tasks with this app)
