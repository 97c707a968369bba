"""Rows several domain services add to one transaction, written together.

A use case that stores one thing with many consequences (an inquiry, its episode link, its
source, its outbox rows) lets each domain service *describe* its rows in an :class:`InsertBatch`
it owns, and writes the batch once: on PostgreSQL one statement, a ``WITH`` of single-row
``INSERT``s (one round trip, compiled once per shape of batch); elsewhere one ``INSERT`` per row
in the order they were added. Nothing here commits; the use case does.

A row may refer to the id of a row added before it with :class:`Ref` (the inquiry's id, which
its link and its source need); the batch returns the ids of the rows added with
``returning=True``. :meth:`InsertBatch.notify` adds a PostgreSQL ``pg_notify`` naming the ids of
some rows, delivered when the transaction commits and never when it rolls back.

Every column a row needs is given by the service (Python-side defaults are not applied inside a
``WITH``, and a default SQLAlchemy fills in per row would make the statement uncacheable).

A wide row can travel as one JSON parameter (``add(..., as_record=True)``, read back with
``json_populate_record``): psycopg parses a statement again on every execution when it has more
than 50 parameters or 4,096 characters (``MAX_CACHED_STATEMENT_PARAMS`` and ``_LENGTH``), and a
parameter per column of a wide row (the inquiry's nineteen) takes a batch over both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    CTE,
    JSON,
    Select,
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
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from intake.core.prepared import prepared


@dataclass(frozen=True)
class Ref:
    """The id of the batch's row number ``index`` (as :meth:`InsertBatch.add` returned it)."""

    index: int


@dataclass(frozen=True)
class Fragment:
    """A domain's part of a batch's ``WITH`` on PostgreSQL: ``build()`` returns its CTEs, whose
    parameters have names of the domain's own (a prefix no other part uses). ``key`` says
    which statement shape it builds; equal keys must build the same CTEs (the statement is
    cached by them)."""

    key: tuple[Any, ...]
    build: Callable[[], list[CTE]] = field(compare=False, hash=False)


@dataclass(frozen=True)
class _Row:
    table: Table
    values: dict[str, Any]
    returning: bool
    as_record: bool = False


# (table, its column names in order, whether the id comes back, which columns are Refs to which
# row, whether the row travels as one JSON parameter)
_Shape = tuple[tuple[Table, tuple[str, ...], bool, tuple[tuple[str, int], ...], bool], ...]


@dataclass
class InsertBatch:
    """Rows to insert in one go; see the module's docstring."""

    rows: list[_Row] = field(default_factory=list)
    _notify: tuple[str, tuple[int, ...]] | None = None
    _after_write: list[Callable[[dict[int, int]], None]] = field(default_factory=list)
    _fragments: list[tuple[Fragment, dict[str, Any]]] = field(default_factory=list)

    def add(
        self,
        table: Table,
        values: dict[str, Any],
        *,
        returning: bool = False,
        as_record: bool = False,
    ) -> Ref:
        """Add one row (every column it needs; :class:`Ref` values for earlier rows' ids).

        ``as_record``: on PostgreSQL the row is one JSON parameter of the statement instead of
        one parameter per column (for wide rows; its values may not be :class:`Ref`)."""
        for value in values.values():
            if isinstance(value, Ref):
                if as_record:
                    raise ValueError("a row added as_record cannot refer to other rows")
                if not self.rows[value.index].returning:
                    raise ValueError("a Ref must name a row added with returning=True")
        self.rows.append(_Row(table, dict(values), returning, as_record))
        return Ref(len(self.rows) - 1)

    def notify(self, channel: str, rows: list[Ref]) -> None:
        """On PostgreSQL, ``pg_notify(channel, "id,id")`` with the ids of ``rows`` (added with
        ``returning=True``) in the batch's statement. Elsewhere nothing: callers that rely on it
        check the dialect."""
        self._notify = (channel, tuple(ref.index for ref in rows))

    def include(self, fragment: Fragment, params: dict[str, Any]) -> None:
        """On PostgreSQL, add a domain's own data-modifying ``WITH`` parts to the batch's
        statement (``fragment`` builds them, with parameter names of its own). Only for
        PostgreSQL: a service checks the dialect and writes its rows itself elsewhere."""
        self._fragments.append((fragment, params))

    def after_write(self, callback: Callable[[dict[int, int]], None]) -> None:
        """Call ``callback`` with the ids once the rows are written (a service that needs its
        rows' ids, to publish them after the commit for example)."""
        self._after_write.append(callback)

    def write(self, session: Session, *, only_write: bool = False) -> dict[int, int]:
        """Insert every row in the caller's transaction; return ``{row number: id}`` for the
        rows added with ``returning=True``. The batch is empty afterwards.

        ``only_write`` says nothing else will be written before the commit: on a connection
        whose transaction begins at its first write (:mod:`intake.core.first_write`), the
        batch's one statement then runs alone, atomic by itself, with no BEGIN or COMMIT."""
        rows, self.rows = self.rows, []
        notify, self._notify = self._notify, None
        callbacks, self._after_write = self._after_write, []
        fragments, self._fragments = self._fragments, []
        if fragments or (rows and session.get_bind().dialect.name == "postgresql"):
            ids = _write_in_one(session, rows, notify, fragments, only_write)
        else:
            ids = self._insert(session, rows) if rows else {}
        for callback in callbacks:
            callback(ids)
        return ids

    @staticmethod
    def _insert(session: Session, rows: list[_Row]) -> dict[int, int]:
        ids: dict[int, int] = {}
        for number, row in enumerate(rows):
            values = {
                name: ids[value.index] if isinstance(value, Ref) else value
                for name, value in row.values.items()
            }
            statement = _single_insert(row.table, row.returning)
            result = session.execute(statement, values)
            if row.returning:
                ids[number] = int(result.scalar_one())
        return ids


@lru_cache(maxsize=64)
def _single_insert(table: Table, returning: bool) -> Any:
    statement = insert(table)
    return statement.returning(table.c.id) if returning else statement


def _write_in_one(
    session: Session,
    rows: list[_Row],
    notify: tuple[str, tuple[int, ...]] | None,
    fragments: list[tuple[Fragment, dict[str, Any]]],
    only_write: bool = False,
) -> dict[int, int]:
    shape: _Shape = tuple(
        (
            row.table,
            tuple(row.values),
            row.returning,
            tuple(
                (name, value.index) for name, value in row.values.items() if isinstance(value, Ref)
            ),
            row.as_record,
        )
        for row in rows
    )
    params: dict[str, Any] = {}
    dialect = session.get_bind().dialect
    for number, row in enumerate(rows):
        if row.as_record:
            params[f"b{number}_record"] = json_row(row.table, row.values, dialect)
            continue
        for name, value in row.values.items():
            if not isinstance(value, Ref):
                params[f"b{number}_{name}"] = value
    for _fragment, fragment_params in fragments:
        params.update(fragment_params)
    statement, returned = _statement(shape, notify, tuple(fragment for fragment, _ in fragments))
    if session.autoflush:  # as session.execute() would (the use case writes under no_autoflush)
        session.flush()
    # Compiled once per shape and run on the driver's connection (see intake.core.prepared).
    connection = session.connection()
    (result,) = prepared(statement, connection.dialect).rows(
        connection, params, outside_transaction=only_write
    )
    return {number: int(result[position]) for position, number in enumerate(returned)}


@lru_cache(maxsize=64)
def _statement(
    shape: _Shape, notify: tuple[str, tuple[int, ...]] | None, fragments: tuple[Fragment, ...]
) -> tuple[Select[Any], tuple[int, ...]]:
    """The ``WITH`` of a batch of this shape (built and compiled once per shape), and which
    rows' ids its one result row carries, in order."""
    ctes: list[CTE] = []
    for number, (table, columns, returning, refs, as_record) in enumerate(shape):
        if as_record:
            given = func.json_populate_record(
                literal_column(f"NULL::{table.name}"), bindparam(f"b{number}_record", type_=JSON)
            ).alias(f"b{number}_given")
            # Bare column names (no table prefix, no labels): the statement stays short.
            bare_names: list[Any] = [literal_column(name) for name in columns]
            chosen_columns = select(*bare_names).select_from(given)
            statement = insert(table).from_select(list(columns), chosen_columns)
        else:
            referred = dict(refs)
            values = {
                name: (
                    select(ctes[referred[name]].c.id).scalar_subquery()
                    if name in referred
                    else bindparam(f"b{number}_{name}", type_=table.c[name].type)
                )
                for name in columns
            }
            statement = insert(table).values(values)
        if returning:
            statement = statement.returning(table.c.id)
        ctes.append(statement.cte(f"b{number}"))
    returned = tuple(number for number, row in enumerate(shape) if row[2])
    # Each id as a scalar subquery: each CTE has one row, and no FROM list to cross-join.
    results: list[Any] = [
        select(ctes[number].c.id).scalar_subquery().label(f"id_{number}") for number in returned
    ]
    if notify is not None:
        channel, notified = notify
        chosen = [select(ctes[number].c.id.label("id")) for number in notified]
        named = (union_all(*chosen) if len(chosen) > 1 else chosen[0]).subquery("notified")
        payload = select(
            func.string_agg(sql_cast(named.c.id, Text), literal_column("','"))
        ).scalar_subquery()
        results.append(func.pg_notify(channel, payload).label("woken"))
    if not results:
        results.append(literal_column("1").label("written"))
    for fragment in fragments:
        ctes.extend(fragment.build())
    # Unreferenced data-modifying CTEs still run, once each (PostgreSQL's rule); add_cte renders
    # them whether or not the result names them.
    return select(*results).add_cte(*ctes), returned


def json_row(table: Table, values: dict[str, Any], dialect: Dialect) -> dict[str, Any]:
    """A row's values as ``json_populate_record`` (or ``json_to_recordset``) reads them: each
    column's own conversion
    applied first (a :class:`TypeDecorator` encrypts, for example), times in ISO 8601 with
    their offset."""
    record: dict[str, Any] = {}
    converters = _converters(table, dialect)
    for name, value in values.items():
        convert = converters[name]
        if convert is not None:
            value = convert(value, dialect)
        record[name] = value.isoformat() if isinstance(value, datetime) else value
    return record


@lru_cache(maxsize=64)
def _converters(table: Table, dialect: Dialect) -> dict[str, Callable[[Any, Dialect], Any] | None]:
    """Each column's own conversion for :func:`json_row` (a :class:`TypeDecorator`'s
    ``process_bind_param``, None for the others), looked up once per table."""
    return {
        column.key: column.type.process_bind_param
        if isinstance(column.type, TypeDecorator)
        else None
        for column in table.columns
    }
