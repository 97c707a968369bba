"""The worker and beat entry point: ``celery -A workers.celery_app worker`` (or ``beat``)."""

from __future__ import annotations

from celery import signals

from intake import create_app
from intake.extensions import db
from intake.messaging import wakeup
from workers import quiet_logs
from workers.schedule import BEAT_SCHEDULE

# Before Celery logs anything: the periodic sweeps' bookkeeping lines go to DEBUG.
quiet_logs.install()

flask_app = create_app()
celery = flask_app.extensions["celery"]
celery.conf.beat_schedule = BEAT_SCHEDULE
celery.conf.include = ["workers.tasks"]

import workers.tasks  # noqa: E402,F401  (registers the tasks with this app)

_listener: wakeup.Listener | None = None


# The outbox listener (intake.messaging.wakeup): in the worker's main process, once the pool
# has started (a thread must not exist when the pool forks), on PostgreSQL with OUTBOX_NOTIFY.
@signals.worker_ready.connect
def _start_outbox_listener(**_kwargs: object) -> None:
    global _listener
    if wakeup.notify_enabled(flask_app) and _listener is None:
        _listener = wakeup.Listener(flask_app).start()


@signals.worker_shutdown.connect
def _stop_outbox_listener(**_kwargs: object) -> None:
    if _listener is not None:
        _listener.close()


@signals.worker_process_init.connect
def _fresh_database_connections(**_kwargs: object) -> None:
    # A pool process forked after the listener connected must not share its parent's sockets.
    with flask_app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
