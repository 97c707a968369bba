"""Claiming due rows so that two sweeps never take the same one.

PostgreSQL: ``SELECT ... FOR UPDATE SKIP LOCKED`` locks a batch and passes over rows another
sweep holds, then one ``UPDATE`` marks them. (Not a single ``UPDATE ... WHERE id IN (SELECT ...
LIMIT n FOR UPDATE SKIP LOCKED)``: PostgreSQL may evaluate that subquery more than once and
exceed the limit.) SQLite has no row locks: one ``UPDATE`` whose first act is to write, so it
waits for the database lock instead of failing, with the due condition repeated, so the claim
is compare-and-set.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from intake.extensions import db


def claim(model: Any, due: Any, order_by: tuple[Any, ...], limit: int, **values: Any) -> list[int]:
    """Set ``values`` on up to ``limit`` rows of ``model`` matching ``due``; return their ids.

    Runs in the caller's transaction; the caller commits (which releases the row locks).
    """
    candidates = select(model.id).where(due).order_by(*order_by).limit(limit)
    if db.session.get_bind().dialect.name == "postgresql":
        locked = list(db.session.scalars(candidates.with_for_update(skip_locked=True)).all())
        if not locked:
            return []
        target = model.id.in_(locked)
    else:
        target = model.id.in_(candidates.scalar_subquery())
    result = db.session.execute(
        update(model)
        .where(target, due)
        .values(**values)
        .returning(model.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(result.scalars().all())
