"""One transaction, as few round trips to PostgreSQL as its reads allow.

psycopg's pipeline mode sends statements without waiting for each one's answer. Inside
:func:`one_flight`, a statement whose result is read (a ``SELECT``, a ``RETURNING``) is followed
by a sync, so its rows are there when SQLAlchemy looks (it reads ``cursor.description`` at
once); every other statement (inserts nothing reads back) goes out with the next one that waits,
and the last of them with ``COMMIT``. ``BEGIN`` goes out with the first statement. An accepted
inquiry costs four round trips this way instead of seven. Errors surface at the next sync or at
the commit, inside the block, as the same exceptions. On SQLite (or another driver) the block
runs as it is, and so it does when the session works inside a transaction it does not own (a
savepoint of a caller's transaction, as in the tests): a failed ``RELEASE SAVEPOINT`` in a
pipeline would leave SQLAlchemy unable to roll back to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine.interfaces import DBAPICursor, ExecutionContext
from sqlalchemy.orm import Session

_PIPELINE = "harbor.pipeline"


@contextmanager
def one_flight(session: Session) -> Iterator[None]:
    """Run the block's statements, and the commit that may end it, in pipeline mode."""
    connection = session.connection()
    start = getattr(connection.connection.driver_connection, "pipeline", None)
    joined = isinstance(session.get_bind(), Connection) or session.in_nested_transaction()
    if connection.dialect.name != "postgresql" or start is None or joined:
        yield
        return
    _install(connection.engine)
    # The DBAPI connection's own info: the session lets go of ``connection`` at the commit.
    info = connection.info
    with start() as pipeline:
        info[_PIPELINE] = pipeline
        try:
            yield
        finally:
            info.pop(_PIPELINE, None)


def _needs_rows(context: ExecutionContext) -> bool:
    compiled: Any = getattr(context, "compiled", None)
    if compiled is None:  # plain SQL text: it may return rows
        return True
    if compiled.isinsert or compiled.isupdate or compiled.isdelete:
        return bool(compiled.effective_returning)
    return True


def _execute(
    cursor: DBAPICursor, statement: str, parameters: Any, context: ExecutionContext
) -> bool | None:
    pipeline = context.root_connection.info.get(_PIPELINE)
    if pipeline is None:
        return None  # not in a flight: SQLAlchemy executes as usual
    cursor.execute(statement, parameters)
    if _needs_rows(context):
        pipeline.sync()
    return True


def _install(engine: Engine) -> None:
    if not event.contains(engine, "do_execute", _execute):
        event.listen(engine, "do_execute", _execute)
