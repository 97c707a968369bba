"""Outbox wake-ups over PostgreSQL ``LISTEN``/``NOTIFY``: the web request pays no broker trip.

With ``OUTBOX_NOTIFY`` on PostgreSQL, the statement that adds outbox rows also calls
``pg_notify`` with their ids (:func:`intake.messaging.outbox.add_all_to_outbox`). PostgreSQL
delivers a notification only when its transaction commits, and never for one that rolls back,
which is exactly the after-commit rule of the Celery publish it replaces.

:func:`listen` runs in each Celery worker's main process (``workers/celery_app.py``): it claims
the notified rows (``published_at``, ``FOR UPDATE SKIP LOCKED``, so two workers never both take
one) and publishes them to Celery, ids only, as the sweep does. Nothing is lost when no
listener runs (every worker down, a notification missed while reconnecting): the rows are in the
database, the listener publishes them as soon as it (re)connects, and the outbox sweep publishes
them after ``OUTBOX_GRACE_SECONDS`` in any case, as it does for a publish that failed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable

import psycopg
from flask import Flask
from sqlalchemy import ColumnElement, and_

from intake.core.types import utcnow
from intake.extensions import db
from intake.messaging.claims import claim
from intake.messaging.outbox import OutboxMessage

log = logging.getLogger(__name__)

CHANNEL = "harbor_outbox"
# How long a wait for notifications lasts before the loop looks at its stop flag again.
_POLL_SECONDS = 1.0
_RECONNECT_SECONDS = 2.0


def notify_enabled(app: Flask) -> bool:
    """Whether outbox rows wake the workers by NOTIFY (PostgreSQL and ``OUTBOX_NOTIFY``)."""
    if not app.config.get("OUTBOX_NOTIFY"):
        return False
    return str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql")


def parse_payload(payload: str) -> list[int]:
    """The outbox ids of one notification (``"12,13"``); anything else is ignored."""
    return [int(part) for part in payload.split(",") if part.strip().isdigit()]


def relay_notified(outbox_ids: Iterable[int]) -> list[int]:
    """Claim the notified rows nobody has published yet, commit, and publish each to Celery;
    return the ids published. A row another listener or the sweep took is left to it."""
    ids = sorted(set(outbox_ids))
    if not ids:
        return []
    return _claim_and_publish(OutboxMessage.id.in_(ids), len(ids))


def relay_unpublished(limit: int = 200) -> list[int]:
    """Claim and publish rows committed while no listener was listening (a worker starting, a
    connection lost), without waiting for the sweep's grace; return the ids published."""
    return _claim_and_publish(OutboxMessage.available_at <= utcnow(), limit)


def _claim_and_publish(which: ColumnElement[bool], limit: int) -> list[int]:
    """Claim up to ``limit`` unpublished, unfinished rows matching ``which``, commit, then
    publish each id."""
    # The relay's publish (Celery) is looked up at call time: tests replace it.
    from intake.messaging import relay

    claimed = claim(
        OutboxMessage,
        and_(
            which,
            OutboxMessage.published_at.is_(None),
            OutboxMessage.processed_at.is_(None),
            OutboxMessage.failed_at.is_(None),
        ),
        (OutboxMessage.id,),
        limit,
        published_at=utcnow(),
        attempts=OutboxMessage.attempts + 1,
    )
    db.session.commit()
    return [outbox_id for outbox_id in claimed if relay.publish(relay.PROCESS_OUTBOX, outbox_id)]


def _connect(app: Flask) -> psycopg.Connection[tuple[object, ...]]:
    with app.app_context():
        url = db.engine.url.set(drivername="postgresql")
    connection = psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)
    connection.execute(f"LISTEN {CHANNEL}")
    return connection


def listen(
    app: Flask, stop: threading.Event, on_listening: Callable[[], None] | None = None
) -> None:
    """Relay notified outbox rows until ``stop`` is set; reconnect after a lost connection.

    ``on_listening`` is called each time the ``LISTEN`` is in place (tests wait for it).
    """
    while not stop.is_set():
        try:
            with _connect(app) as connection:
                # What was committed before the LISTEN took effect got no listener: now it has.
                with app.app_context():
                    relay_unpublished()
                if on_listening is not None:
                    on_listening()
                while not stop.is_set():
                    # Each notification at once (an urgent alert waits on it); the timeout only
                    # brings the loop back to its stop flag.
                    for notice in connection.notifies(timeout=_POLL_SECONDS):
                        with app.app_context():
                            relay_notified(parse_payload(notice.payload))
                        if stop.is_set():
                            break
        except Exception as exc:  # the database went away: the sweep covers the gap
            log.warning("outbox listener error=%s", type(exc).__name__)
            stop.wait(_RECONNECT_SECONDS)


class Listener:
    """:func:`listen` on a daemon thread, for a worker process."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.stop = threading.Event()
        self.ready = threading.Event()
        self.thread = threading.Thread(
            target=listen,
            args=(app, self.stop, self.ready.set),
            name="outbox-listener",
            daemon=True,
        )

    def start(self) -> Listener:
        self.thread.start()
        return self

    def close(self, timeout: float = 5.0) -> None:
        self.stop.set()
        deadline = time.monotonic() + timeout
        self.thread.join(max(0.0, deadline - time.monotonic()))
