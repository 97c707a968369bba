"""Transactions that begin at their first write (PostgreSQL).

Accepting an inquiry reads (the person it is about) and then, usually, writes one statement (the
batch: the inquiry and every row it causes). PostgreSQL runs a single statement atomically on its
own, so such a unit needs neither ``BEGIN`` nor ``COMMIT``: two of the five round trips of an API
request. :func:`begin_at_first_write` gives the session a connection that runs statements
outside a transaction until the first one that may write; that statement, and everything after
it, runs in an ordinary transaction that the session's commit ends, as before.

What may run outside is declared, never guessed: a statement run through SQLAlchemy (an ORM
flush, a query, a ``SELECT ... FOR UPDATE``) opens the transaction first unless it carries the
execution option :data:`OUTSIDE_TRANSACTION` (a plain read; ``nextval``, which no rollback
undoes anyway), and so does a :class:`~intake.core.prepared.PreparedSQL` unless its caller says
``outside_transaction=True``. The one write that may run alone is the last one, when the
caller knows nothing else will follow it before the commit (:func:`nothing_to_flush`).

READ COMMITTED gives each statement its own snapshot whether or not a transaction is open, so a
read before the ``BEGIN`` sees what it would have seen inside it; it takes no lock either way.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

# The execution option that marks a session connection whose transaction waits for a write.
BEGIN_AT_FIRST_WRITE = "intake_begin_at_first_write"
# The execution option of a statement that may run before that transaction begins.
OUTSIDE_TRANSACTION = "intake_outside_transaction"


def begin_at_first_write(session: Session) -> bool:
    """Give ``session`` a connection whose transaction begins at its first write.

    Only on PostgreSQL, only when the session has not begun yet (a transaction already open
    stays as it is) and is bound to an engine (a session bound to a connection, as the test
    suite's are, lives in that connection's transaction); returns whether it did. The
    session's commit and rollback end the transaction as usual; a unit whose only write ran
    alone has nothing left to commit.
    """
    if session.in_transaction():
        return False
    bind = session.get_bind()
    if not isinstance(bind, Engine) or bind.dialect.name != "postgresql":
        return False
    session.connection(
        execution_options={"isolation_level": "AUTOCOMMIT", BEGIN_AT_FIRST_WRITE: True}
    )
    return True


def open_transaction(connection: Connection) -> None:
    """Begin the transaction of a connection from :func:`begin_at_first_write` before its next
    statement, if it has not begun yet (any other connection is left as it is)."""
    if not connection.get_execution_options().get(BEGIN_AT_FIRST_WRITE):
        return
    driver = connection.connection.driver_connection
    if driver is not None and driver.autocommit:
        # psycopg sends BEGIN before the next statement, as on any connection; the session's
        # commit sends COMMIT, and the pool restores autocommit's setting when it takes it back.
        driver.autocommit = False


def nothing_to_flush(session: Session) -> bool:
    """Whether ``session``'s unit of work holds nothing to write (no new, changed or deleted
    objects). A caller whose commit writes anything else as well (audit rows held back, say)
    checks that too before it calls a statement the unit's only write."""
    return not (session.new or session.dirty or session.deleted)


def _open_before_statement(
    connection: Connection,
    _cursor: Any,
    _statement: str,
    _parameters: Any,
    context: Any,
    _executemany: bool,
) -> None:
    # SQLAlchemy's own executions always come with a context; PreparedSQL passes none and
    # decides for itself.
    if context is not None and not context.execution_options.get(OUTSIDE_TRANSACTION):
        open_transaction(connection)


def install(engine: Engine) -> None:
    """Let ``engine``'s connections defer their BEGIN (PostgreSQL engines; once per engine)."""
    if not event.contains(engine, "before_cursor_execute", _open_before_statement):
        event.listen(engine, "before_cursor_execute", _open_before_statement)
