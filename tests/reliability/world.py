"""A self-contained messaging world for the reliability tests: its own database (migrated),
its own broker (an own ``redis-server``, or the embedded SQLite broker), a real SMTP server,
and the settings shared by the test process and the worker processes it starts."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import flask_migrate
import pytest
from celery import Celery
from celery import _state as celery_state
from cryptography.fernet import Fernet
from flask import Flask

from intake import create_app
from intake.extensions import db, limiter
from tests.conftest import temporary_database
from tests.reliability.support import Inbox, OwnRedis, Worker, smtp_server


@dataclass
class World:
    app: Flask
    env: dict[str, str]
    inbox: Inbox
    redis: OwnRedis | None

    @property
    def celery(self) -> Celery:
        celery: Celery = self.app.extensions["celery"]
        return celery

    def worker(self, **kwargs: Any) -> Worker:
        return Worker(self.env, **kwargs)


@contextlib.contextmanager
def build_world(
    tmp_path_factory: pytest.TempPathFactory,
    *,
    own_redis: bool,
    label: str = "world",
    lease_seconds: int = 3,
    mail_timeout_seconds: int = 5,
) -> Iterator[World]:
    """A database, an SMTP server and (``own_redis``) a Redis of its own, and an app on them.

    ``lease_seconds`` is the delivery claim lease: short here so tests see a killed worker's
    claim released quickly; the bench passes the production value, and the production SMTP
    timeout (``mail_timeout_seconds``): on a loaded machine a 5 s wait for the server's answer
    to DATA can run out after the server accepted the message, and the retry is a duplicate."""
    instance = tmp_path_factory.mktemp(f"{label}-instance")
    previous_default = celery_state.default_app
    redis = OwnRedis() if own_redis else None
    with (
        temporary_database(tmp_path_factory, f"{label}-db") as database_url,
        smtp_server() as (
            inbox,
            smtp_port,
        ),
    ):
        if redis is not None:
            redis.start()
        broker = redis.url if redis else f"sqla+sqlite:///{Path(instance) / 'broker.sqlite'}"
        settings = {
            "SECRET_KEY": secrets.token_urlsafe(32),
            "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "BLIND_INDEX_KEY": secrets.token_urlsafe(32),
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(smtp_port),
            "MAIL_TIMEOUT_SECONDS": str(mail_timeout_seconds),
            "DELIVERY_LEASE_SECONDS": str(lease_seconds),
            "DELIVERY_RETRY_BASE_SECONDS": "1",
            "OUTBOX_GRACE_SECONDS": "1",
            "REPUBLISH_AFTER_SECONDS": "5",
        }
        env = {
            **os.environ,
            **settings,
            "HARBOR_ENV": "testing",
            "INSTANCE_PATH": str(instance),
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": broker,
            "REDIS_URL": redis.url if redis else "",
            "RATELIMIT_STORAGE_URI": redis.url if redis else "memory://",
        }
        overrides: dict[str, Any] = {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "REDIS_URL": redis.url if redis else None,
            "RATELIMIT_STORAGE_URI": redis.url if redis else "memory://",
            "CELERY": {"broker_url": broker},
            "SERVER_NAME": None,
            "FORM_MIN_FILL_SECONDS": 0,
            "SECRET_KEY": settings["SECRET_KEY"],
            "ENCRYPTION_KEYS": [settings["ENCRYPTION_KEYS"]],
            "BLIND_INDEX_KEY": settings["BLIND_INDEX_KEY"],
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": smtp_port,
            "MAIL_TIMEOUT_SECONDS": mail_timeout_seconds,
            "DELIVERY_LEASE_SECONDS": lease_seconds,
            "DELIVERY_RETRY_BASE_SECONDS": 1,
            "OUTBOX_GRACE_SECONDS": 1,
            "REPUBLISH_AFTER_SECONDS": 5,
        }
        # Flask-Limiter keeps one storage per Limiter, and the extension object is shared by every
        # app in this process: building this app points it at this world's Redis, which stops
        # with the world. Give the session app its storage back afterwards.
        limiter_state = (
            limiter._storage,
            limiter._limiter,
            limiter._storage_uri,
            dict(limiter._storage_options),
        )
        app = create_app("testing", overrides)
        import workers.tasks  # noqa: F401  (registers the tasks with this app's Celery)

        with app.app_context():
            flask_migrate.upgrade()
        try:
            yield World(app=app, env=env, inbox=inbox, redis=redis)
        finally:
            with app.app_context():
                db.engine.dispose()
            if redis is not None:
                redis.stop()
            # Other tests call tasks through Celery's default app: give it back.
            celery_state.set_default_app(previous_default)
            (
                limiter._storage,
                limiter._limiter,
                limiter._storage_uri,
                limiter._storage_options,
            ) = limiter_state
