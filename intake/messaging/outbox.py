"""The outbox: work to publish after a business transaction commits.

A row is added in the same transaction as the change that causes it, so it exists exactly when
that change does. :mod:`intake.messaging.relay` publishes it to Celery after commit, and a beat
sweep publishes whatever that missed (the broker was down, a message was lost).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from typing import cast

from sqlalchemy import (
    Index,
    Insert,
    Select,
    String,
    Table,
    Text,
    bindparam,
    func,
    insert,
    literal_column,
    select,
    union_all,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Mapped, Session, mapped_column

from intake.core.batch import InsertBatch
from intake.core.types import UTCDateTime, utcnow
from intake.extensions import Model, db


class OutboxKind(StrEnum):
    STAFF_ALERT = "staff_alert"
    ACKNOWLEDGEMENT = "acknowledgement"


class OutboxProblem(StrEnum):
    """Why an outbox row is still pending."""

    # No process that has run it knows its kind (a rolling deploy): kept and tried again later.
    UNKNOWN_KIND = "unknown_kind"
    # What it was about was deleted: kept, failed, never tried again.
    SUBJECT_MISSING = "subject_missing"


class OutboxMessage(Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_pending", "published_at", "available_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set by the sweep when it hands the row to the broker; the after-commit fast path cannot
    # write (its transaction is over), so a row it published still shows None here.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0)
    # Set, compare-and-set, by the worker that handled the row, in the same transaction as the
    # alert and deliveries it created: a row is handled once however often it is published.
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Why the row is not done yet, as a code (see OutboxProblem); shown on the failed-sends page
    # and cleared when the row is handled.
    last_error: Mapped[str | None] = mapped_column(String(40))
    # Set when the row can never be handled (its subject was deleted): the sweep leaves it, the
    # failed-sends page shows it. ``processed_at`` stays empty, since nothing was done.
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def add_to_outbox(kind: OutboxKind, target_type: str, target_id: int) -> OutboxMessage:
    """Add an outbox row to the current transaction (ids only, never personal data)."""
    message = OutboxMessage(kind=kind.value, target_type=target_type, target_id=target_id)
    db.session.add(message)
    return message


@lru_cache(maxsize=1)
def _insert_returning_ids() -> Insert:
    """Built once (building a statement costs more than running it from the compiled cache)."""
    table = cast(Table, OutboxMessage.__table__)
    return insert(table).returning(table.c.id, sort_by_parameter_order=True)


def _notify_on(session: Session) -> bool:
    from flask import current_app

    return bool(current_app.config.get("OUTBOX_NOTIFY")) and (
        session.get_bind().dialect.name == "postgresql"
    )


# Every column a new row gets, as parameters: a default SQLAlchemy would fill in per row makes
# a multi-row VALUES uncacheable (compiled again on each request).
_NOTIFY_COLUMNS = ("kind", "target_type", "target_id", "created_at", "available_at", "attempts")


@lru_cache(maxsize=8)
def _insert_and_notify(count: int) -> Select[int]:
    """``count`` outbox rows and one ``pg_notify`` naming their ids, in one statement built once
    per count (its parameters are ``kind_0``, ``target_type_0``, ..., ``kind_1``, ...).

    Each row is a single-row ``INSERT`` in a ``WITH`` of its own: SQLAlchemy does not cache a
    multi-row ``VALUES``, and compiling it again cost more than the whole publish it replaces.
    """
    from intake.messaging.wakeup import CHANNEL

    table = cast(Table, OutboxMessage.__table__)
    inserts = [
        insert(table)
        .values(
            {
                name: bindparam(f"{name}_{number}", type_=table.c[name].type)
                for name in _NOTIFY_COLUMNS
            }
        )
        .returning(table.c.id)
        .cte(f"new_outbox_{number}")
        for number in range(count)
    ]
    new_ids = union_all(*(select(row.c.id) for row in inserts)) if count > 1 else None
    new_rows = new_ids.subquery("new_outbox") if new_ids is not None else inserts[0]
    payload = select(
        func.string_agg(sql_cast(new_rows.c.id, Text), literal_column("','"))
    ).scalar_subquery()
    return (
        select(new_rows.c.id)
        .add_columns(func.pg_notify(CHANNEL, payload).label("woken"))
        .order_by(new_rows.c.id)
    )


def add_all_to_outbox(messages: Sequence[tuple[OutboxKind, str, int]]) -> list[int]:
    """Insert outbox rows (kind, target type, target id) in one statement of the current
    transaction, and have them published after it commits (ids only); return their ids."""
    # The relay imports this module; it is needed only once a row is written.
    from intake.messaging.relay import PROCESS_OUTBOX, publish_after_commit

    if not messages:
        return []
    session = db.session()
    if _notify_on(session):
        # One statement adds the rows and the wake-up for the workers' listener; PostgreSQL
        # delivers it at the commit, and never if the transaction rolls back.
        now = utcnow()
        params: dict[str, object] = {}
        for number, (kind, target_type, target_id) in enumerate(messages):
            params[f"kind_{number}"] = kind.value
            params[f"target_type_{number}"] = target_type
            params[f"target_id_{number}"] = target_id
            params[f"created_at_{number}"] = params[f"available_at_{number}"] = now
            params[f"attempts_{number}"] = 0
        return [
            int(row_id) for row_id in session.scalars(_insert_and_notify(len(messages)), params)
        ]
    ids = [
        int(outbox_id)
        for outbox_id in db.session.scalars(
            _insert_returning_ids(),
            [
                {"kind": kind.value, "target_type": target_type, "target_id": target_id}
                for kind, target_type, target_id in messages
            ],
        )
    ]
    for outbox_id in ids:
        publish_after_commit(session, PROCESS_OUTBOX, outbox_id)
    return ids


def add_outbox_to_batch(
    batch: InsertBatch, messages: Sequence[tuple[OutboxKind, str, int]]
) -> None:
    """:func:`add_all_to_outbox` as rows of the caller's :class:`InsertBatch`: written with the
    batch's statement, and the workers woken or the publish queued once it is written."""
    from intake.messaging.relay import PROCESS_OUTBOX, publish_after_commit

    if not messages:
        return
    table = cast(Table, OutboxMessage.__table__)
    now = utcnow()
    refs = [
        batch.add(
            table,
            {
                "kind": kind.value,
                "target_type": target_type,
                "target_id": target_id,
                "created_at": now,
                "available_at": now,
                "attempts": 0,
            },
            returning=True,
        )
        for kind, target_type, target_id in messages
    ]
    session = db.session()
    if _notify_on(session):
        from intake.messaging.wakeup import CHANNEL

        batch.notify(CHANNEL, refs)
        return

    def publish_once_committed(ids: dict[int, int]) -> None:
        for ref in refs:
            publish_after_commit(session, PROCESS_OUTBOX, ids[ref.index])

    batch.after_write(publish_once_committed)
