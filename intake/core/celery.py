"""Celery wired the Flask way: every task runs inside the application context.

Settings come from ``app.config["CELERY"]``. Tasks take ids only and are acknowledged late, so a
worker that dies mid-task leaves the message for another worker.
"""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from flask import Flask

from intake.core.sqlite import prepare_sqlite_broker


def celery_init_app(app: Flask) -> Celery:
    """Create the Celery app bound to ``app`` and store it in ``app.extensions["celery"]``."""

    class FlaskTask(Task):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.import_name, task_cls=FlaskTask)
    celery_app.config_from_object(app.config["CELERY"])
    # The embedded broker is a SQLite file shared by web, worker and beat: WAL and a longer
    # busy timeout, like the database (intake.core.sqlite).
    celery_app.conf.broker_transport_options = prepare_sqlite_broker(
        str(celery_app.conf.broker_url),
        dict(celery_app.conf.broker_transport_options or {}),
        str(celery_app.conf.task_default_queue or "celery"),
    )
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app
