"""Statements of the hot path compiled once and run on the driver's connection (PostgreSQL).

Every inquiry runs the same two statements (the person query, the batch). Through SQLAlchemy each
execution pays its per-execution machinery (the compiled cache's key, the execution context,
parameter processing per bind, the result's metadata): about 0.07 ms of CPU for a query that
PostgreSQL answers in less. A :class:`PreparedSQL` is compiled once per statement and dialect;
its fixed parameters (a ``LIMIT``, the stages of an ``IN``, a channel name) are rendered and
converted once, and each execution converts only the values it is given, with each column
type's own bind processing (a :class:`~sqlalchemy.types.TypeDecorator` encrypts, ``JSON``
wraps), runs the SQL text on the session's connection, in the session's transaction, and
converts the result columns as their types say (an encrypted column is decrypted).
psycopg prepares it on the server after a few executions, as it does for SQLAlchemy's.

What stays as it was: engine ``before_cursor_execute`` listeners still see the statement (the
bench counts statements with one); a driver error is raised as SQLAlchemy's own exception
(``IntegrityError``...), and a lost connection is invalidated as SQLAlchemy does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import exc
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from intake.core.first_write import open_transaction

# Where a pool connection keeps its cursor for prepared statements (``PoolProxiedConnection.info``
# lives as long as the driver connection).
_CURSOR = "intake.prepared.cursor"


class PreparedSQL:
    """``statement`` compiled for ``dialect`` (PostgreSQL; named parameters), ready to run."""

    __slots__ = ("fixed", "processors", "results", "sql", "tuples_ok")

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        if dialect.paramstyle != "pyformat":  # pragma: no cover - PostgreSQL drivers only
            raise ValueError("PreparedSQL needs a driver with named (pyformat) parameters")
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        required = [bind.key for bind in compiled.binds.values() if bind.required]
        # Expanding parameters (an IN of fixed values) are rendered now, with their values.
        state = compiled.construct_expanded_state(
            compiled.construct_params({name: None for name in required})
        )
        processors: dict[str, Callable[[Any], Any]] = {}
        for bind, name in compiled.bind_names.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None and name in state.parameters:
                processors[name] = process
        processors.update(state.processors)
        fixed: dict[str, Any] = {}
        for name, value in state.parameters.items():
            if name in required:
                continue
            given = processors.get(name)
            fixed[name] = given(value) if given is not None else value
        # Each result column's own conversion (an encrypted column is decrypted), by position.
        results: list[tuple[int, Callable[[Any], Any]]] = []
        for position, column in enumerate(getattr(statement, "selected_columns", ())):
            convert = column.type.dialect_impl(dialect).result_processor(dialect, None)
            if convert is not None:
                results.append((position, convert))
        self.results = tuple(results)
        from psycopg import pq  # here, not at the top: SQLite deployments never load psycopg

        self.tuples_ok = pq.ExecStatus.TUPLES_OK
        self.sql: str = state.statement
        self.fixed = fixed
        self.processors = {name: p for name, p in processors.items() if name in required}

    def rows(
        self,
        connection: Connection,
        params: Mapping[str, Any],
        *,
        outside_transaction: bool = False,
    ) -> list[tuple[Any, ...]]:
        """Run it on ``connection`` (the session's, in its transaction) with ``params`` (one
        value per required parameter) and return every row.

        ``outside_transaction`` says the statement may run before the transaction of a
        connection that begins at its first write (:mod:`intake.core.first_write`): a read, or
        the unit's one and only write. Otherwise that transaction begins first."""
        if not outside_transaction:
            open_transaction(connection)
        values = dict(self.fixed)
        processors = self.processors
        for name, value in params.items():
            process = processors.get(name)
            values[name] = process(value) if process is not None else value
        fairy = connection.connection  # the pool's connection; its driver connection below
        dispatch = connection.dispatch
        # One cursor per driver connection, kept with it: a cursor's adapters cache what each
        # parameter type dumps as, which a new cursor looks up again (about 15 us a statement).
        driver = fairy.driver_connection
        cursor = fairy.info.get(_CURSOR)
        if cursor is None or cursor.connection is not driver or cursor.closed:
            cursor = fairy.info[_CURSOR] = driver.cursor()  # type: ignore[union-attr]
        try:
            if dispatch.before_cursor_execute:
                dispatch.before_cursor_execute(connection, cursor, self.sql, values, None, False)
            cursor.execute(self.sql, values)
            # Whether the statement returned rows, read off the result's status: psycopg's
            # ``description`` builds a Column object per column on every call.
            result = cursor.pgresult
            found = (
                cursor.fetchall() if result is not None and result.status == self.tuples_ok else []
            )
        except Exception as error:
            dialect = connection.dialect
            dbapi_error = dialect.loaded_dbapi.Error
            if isinstance(error, dbapi_error):
                if dialect.is_disconnect(error, fairy.dbapi_connection, cursor):
                    connection.invalidate(error)
                raise exc.DBAPIError.instance(
                    self.sql, values, error, dbapi_error, dialect=dialect
                ) from error
            raise
        if not self.results:
            return list(found)
        converted = []
        for row in found:
            values_out = list(row)
            for position, convert in self.results:
                values_out[position] = convert(values_out[position])
            converted.append(tuple(values_out))
        return converted


@lru_cache(maxsize=128)
def prepared(statement: ClauseElement, dialect: Dialect) -> PreparedSQL:
    """The :class:`PreparedSQL` of a statement built once (per shape) and kept, for ``dialect``
    (compiled on first use)."""
    return PreparedSQL(statement, dialect)
