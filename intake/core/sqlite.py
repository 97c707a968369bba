"""SQLite that does not lock: the settings of the embedded default, and sweeps that step aside.

Three processes share the embedded database (web, worker, beat) and the embedded broker. What
keeps them from failing with "database is locked":

* WAL journal: readers and the writer do not block each other (with the old rollback journal a
  long read held up every commit);
* ``BEGIN IMMEDIATE``: every transaction takes the write lock when it starts, waiting up to the
  busy timeout for its turn. A deferred transaction that reads first and writes later cannot
  wait: when another connection wrote in between, SQLite answers SQLITE_BUSY at once, whatever
  the busy timeout says (the usual cause of "database is locked"). Transactions are short, and
  none stays open while a message is sent, so taking turns costs little;
* a periodic sweep that still finds the database busy skips its beat quietly; the next beat
  finds the same rows, because they are in the database.
"""

from __future__ import annotations

import fcntl
import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from intake.extensions import db

log = logging.getLogger(__name__)

# How long a transaction waits for the write lock before giving up. Transactions last
# milliseconds; this is room for a burst of them queueing up, well past any single one.
BUSY_TIMEOUT_SECONDS = 30
_BUSY_CODES = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}

T = TypeVar("T")


def on_connect(dbapi_connection: Any) -> None:
    """Per-connection settings: our own transactions, WAL, foreign keys, a busy timeout."""
    # pysqlite's own transaction handling defers BEGIN, which breaks savepoints; the
    # SQLAlchemy documentation's recipe takes it over (see begin_immediately).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
        # Stored in the file, so this only changes anything on the first connection ever.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def begin_immediately(connection: Any) -> None:
    """Start every transaction holding the write lock (waiting for it up to the busy timeout)."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def is_database_locked(error: BaseException) -> bool:
    """Whether ``error`` is SQLite saying another connection holds the lock."""
    original = getattr(error, "orig", error)
    if not isinstance(original, sqlite3.OperationalError):
        return False
    code = getattr(original, "sqlite_errorcode", None)
    if code is not None:
        # Extended codes (SQLITE_BUSY_SNAPSHOT = 517...) keep the primary code in the low byte.
        return (int(code) & 0xFF) in _BUSY_CODES
    message = str(original).lower()
    return "database is locked" in message or "database table is locked" in message


def skip_when_locked(name: str, sweep: Callable[[], T], skipped: T) -> T:
    """Run a periodic sweep; if SQLite is busy, roll back and return ``skipped`` instead.

    A sweep is repeated every few seconds and works only from rows in the database, so missing
    one beat loses nothing; failing it would only fill the log. Other errors still raise.
    """
    try:
        return sweep()
    except OperationalError as exc:
        if not is_database_locked(exc):
            raise
        db.session.rollback()
        log.debug("%s skipped this beat: the database was busy", name)
        return skipped


def sqlite_broker_path(broker_url: str) -> Path | None:
    """The file of the embedded broker (``sqla+sqlite:///...``), or None for any other broker."""
    if not broker_url.startswith("sqla+sqlite"):
        return None
    database = make_url(broker_url.removeprefix("sqla+")).database
    if not database or database == ":memory:":
        return None
    return Path(database)


def prepare_sqlite_broker(
    broker_url: str, transport_options: dict[str, Any], queue: str = "celery"
) -> dict[str, Any]:
    """Put the embedded broker's file in WAL mode, declare its queue once; return its options.

    Kombu's SQLAlchemy transport opens the broker with pysqlite's five-second default; web
    threads publishing while the worker polls and beat sends can wait longer than that.
    """
    path = sqlite_broker_path(broker_url)
    if path is None:
        return transport_options
    connect_args = {**transport_options.get("connect_args", {}), "timeout": BUSY_TIMEOUT_SECONDS}
    options = {**transport_options, "connect_args": connect_args}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
        finally:
            connection.close()
    except sqlite3.Error as exc:  # the broker still works in its old journal mode
        log.warning("could not switch the embedded broker to WAL: %s", type(exc).__name__)
    _declare_broker_queue(broker_url, options, path, queue)
    return options


def _declare_broker_queue(broker_url: str, options: dict[str, Any], path: Path, queue: str) -> None:
    """Create the broker's tables and queue row while holding a lock file.

    Kombu creates both on first use, guarded by a lock that only spans threads: web, worker and
    beat starting at once (``make run``) can each find no queue row and insert one, and all but
    the first fail with "UNIQUE constraint failed: kombu_queue.name".
    """
    if _broker_queue_exists(path, queue):
        return
    from kombu import Connection  # only the embedded default needs it at start-up

    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if _broker_queue_exists(path, queue):
                return
            with Connection(broker_url, transport_options=options) as broker:
                broker.default_channel.queue_declare(queue=queue)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _broker_queue_exists(path: Path, queue: str) -> bool:
    try:
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS)
        try:
            row = connection.execute(
                "SELECT 1 FROM kombu_queue WHERE name = ?", (queue,)
            ).fetchone()
        finally:
            connection.close()
    except sqlite3.Error:  # no tables yet
        return False
    return row is not None
