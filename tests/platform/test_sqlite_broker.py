"""The embedded broker's queue is declared once, whoever starts first.

``make run`` starts web, worker and beat together; each used to let kombu create the broker's
queue row on first publish or poll, and two of them doing it at once failed with
"UNIQUE constraint failed: kombu_queue.name".
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.synchronize
import sqlite3
from pathlib import Path

from intake.core.sqlite import prepare_sqlite_broker

STARTERS = 6


def _start(url: str, barrier: multiprocessing.synchronize.Barrier) -> None:
    barrier.wait(timeout=30)
    options = prepare_sqlite_broker(url, {})
    from kombu import Connection

    with Connection(url, transport_options=options) as broker:
        broker.default_channel.queue_declare(queue="celery")


def _queue_rows(path: Path) -> list[tuple[str]]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT name FROM kombu_queue").fetchall()
    finally:
        connection.close()


def test_the_queue_exists_once_the_broker_is_prepared(tmp_path: Path) -> None:
    path = tmp_path / "broker.sqlite"
    prepare_sqlite_broker(f"sqla+sqlite:///{path}", {})

    assert _queue_rows(path) == [("celery",)]


def test_processes_starting_together_share_one_queue(tmp_path: Path) -> None:
    path = tmp_path / "broker.sqlite"
    url = f"sqla+sqlite:///{path}"
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(STARTERS)
    starters = [context.Process(target=_start, args=(url, barrier)) for _ in range(STARTERS)]
    for starter in starters:
        starter.start()
    for starter in starters:
        starter.join(timeout=60)

    assert [starter.exitcode for starter in starters] == [0] * STARTERS
    assert _queue_rows(path) == [("celery",)]


def test_other_brokers_are_left_alone(tmp_path: Path) -> None:
    options = {"visibility_timeout": 3600}

    assert prepare_sqlite_broker("redis://127.0.0.1:6379/0", options) is options
