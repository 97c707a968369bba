"""The worker and beat entry point: ``celery -A workers.celery_app worker`` (or ``beat``)."""

from __future__ import annotations

from intake import create_app
from workers.schedule import BEAT_SCHEDULE

flask_app = create_app()
celery = flask_app.extensions["celery"]
celery.conf.beat_schedule = BEAT_SCHEDULE
celery.conf.include = ["workers.tasks"]

import workers.tasks  # noqa: E402,F401  (registers the tasks with this app)
