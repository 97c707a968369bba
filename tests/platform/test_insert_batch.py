"""The use case's InsertBatch: rows from several services written together, ids referred to
across rows, nothing left behind by a rollback (on SQLite row by row, on PostgreSQL one
statement)."""

from __future__ import annotations

from typing import cast

from flask import Flask
from sqlalchemy import Table, func, select

from intake.core.batch import InsertBatch
from intake.core.types import utcnow
from intake.extensions import db
from intake.messaging.outbox import OutboxMessage

OUTBOX = cast(Table, OutboxMessage.__table__)


def _row(target_id: object) -> dict[str, object]:
    now = utcnow()
    return {
        "kind": "staff_alert",
        "target_type": "batch-test",
        "target_id": target_id,
        "created_at": now,
        "available_at": now,
        "attempts": 0,
    }


def test_a_batch_writes_its_rows_with_ids_referred_across_rows(app: Flask) -> None:
    with app.app_context():
        batch = InsertBatch()
        first = batch.add(OUTBOX, _row(7), returning=True)
        second = batch.add(OUTBOX, _row(first), returning=True)
        batch.add(OUTBOX, _row(second))
        written: list[dict[int, int]] = []
        batch.after_write(written.append)
        ids = batch.write(db.session())
        assert set(ids) == {first.index, second.index} and written == [ids]
        rows = db.session.execute(
            select(OutboxMessage.id, OutboxMessage.target_id)
            .where(OutboxMessage.target_type == "batch-test")
            .order_by(OutboxMessage.target_id)
        ).all()
        targets = sorted(target for _id, target in rows)
        assert targets == sorted([7, ids[first.index], ids[second.index]])
        assert ids[first.index] in {row_id for row_id, _target in rows}
        assert batch.write(db.session()) == {}  # written once; the batch is empty after


def test_a_rolled_back_batch_leaves_nothing(app: Flask) -> None:
    with app.app_context():
        batch = InsertBatch()
        batch.add(OUTBOX, _row(1), returning=True)
        batch.add(OUTBOX, _row(2))
        batch.write(db.session())
        db.session.rollback()
        count = db.session.scalar(
            select(func.count()).where(OutboxMessage.target_type == "batch-test")
        )
        assert count == 0
