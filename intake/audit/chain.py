"""A keyed hash chain over the audit trail, sealed just after the fact.

Two MACs protect each row, both keyed with ``AUDIT_CHAIN_KEY``:

* its own MAC (``audit_events.row_hmac``), over its fields, written with the row in the same
  transaction as the change it records (DOMAIN.md, invariant 4). Computing it takes no lock, so
  requests that audit something commit side by side;
* its seal (``audit_seals``: the row's id, its place ``seq`` in the chain, 1, 2, 3, ... with no
  gaps, and ``HMAC(key, previous seal's HMAC + the row + seq)``), added a moment later by the
  sealer, :func:`seal_pending_on`. The sealer takes the chain head's lock once for a batch, checks
  each waiting row's own MAC, and seals the rows in id order after the head. It runs in the
  worker every couple of seconds (``seal-audit`` in ``workers/schedule.py``) and from
  ``flask audit seal``; two sealers take turns on the head's lock.

Why a separate table: the application's database role may only INSERT and SELECT on the trail
(``audit/roles.py``), and a seal written later cannot be an UPDATE of the row; ``audit_seals``
is append-only in the same way (triggers and grants), and only the head is ever updated.

What each MAC guards. Someone who can write to the database but does not hold the key cannot
change a row (both MACs break), remove one (a gap in ``seq``, or a seal without its row), slip
one in (no valid own MAC: the sealer refuses it and ``flask audit verify`` names it), or cut rows
from the end (the head no longer matches). :func:`verify_chain` names the first row where the
chain breaks, every row with a bad own MAC, and every row left unsealed for longer than
:data:`SEAL_BOUND` (a sealer that stopped); rows waiting less than that are only counted.

Rows added to a session are held back at flush and inserted in one statement when the session
commits, so a rolled-back savepoint takes its rows with it and each row gets its id at the
commit (which keeps the id order close to the commit order the sealer sees). Code that calls
:func:`intake.audit.services.record` needs to know none of this.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from flask import current_app
from sqlalchemy import (
    CTE,
    JSON,
    Connection,
    DateTime,
    Integer,
    Table,
    Text,
    Update,
    bindparam,
    column,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session, SessionTransaction

from intake.audit.models import AuditChainHead, AuditEvent, AuditSeal
from intake.core.batch import Fragment, InsertBatch
from intake.core.types import utcnow

GENESIS = "0" * 64
HEAD_ID = 1
_PENDING = "harbor.audit.pending"
_SEALING = "harbor.audit.sealing"

CHAINED_FIELDS = (
    "occurred_at",
    "actor_id",
    "tag",
    "target_type",
    "target_id",
    "ip_address",
    "user_agent",
    "detail",
)


def _canonical_time(value: datetime) -> str:
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def link_hmac(key: str, fields: Mapping[str, Any], seq: int, previous: str) -> str:
    """The HMAC of one row, given its fields, its sequence number and the previous row's HMAC."""
    payload = {name: fields[name] for name in CHAINED_FIELDS}
    payload["occurred_at"] = _canonical_time(fields["occurred_at"])
    payload["detail"] = fields["detail"] or {}
    payload["seq"] = seq
    payload["previous"] = previous
    message = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


def chain_key() -> str:
    key = current_app.config.get("AUDIT_CHAIN_KEY")
    if not key:
        raise RuntimeError("AUDIT_CHAIN_KEY is not set: audit rows cannot be written")
    return str(key)


def row_mac(key: str, fields: Mapping[str, Any]) -> str:
    """The MAC a row carries from the moment it is written: its fields, not its place."""
    return link_hmac(key, fields, 0, "row")


def insert_events(session: Session, events: Sequence[AuditEvent]) -> None:
    """Insert ``events`` with their own MACs, in one statement and without any lock."""
    key = chain_key()
    rows = []
    for audit_event in events:
        if audit_event.occurred_at is None:
            audit_event.occurred_at = utcnow()
        if audit_event.detail is None:
            audit_event.detail = {}
        target = inspect(audit_event).info.pop("target", None)
        if target is not None:  # recorded before its target had an id (audit.services.record)
            audit_event.target_id = str(target.id)
        fields = {name: getattr(audit_event, name) for name in CHAINED_FIELDS}
        audit_event.row_hmac = row_mac(key, fields)
        rows.append({**fields, "row_hmac": audit_event.row_hmac})
    if rows:
        # Core, not the unit of work: the rows are final and nothing is read back.
        session.execute(_INSERT_EVENTS, rows if len(rows) > 1 else rows[0])


@dataclass(frozen=True)
class SealResult:
    """What one pass of the sealer did: rows sealed, and rows it refused (their own MAC fails)."""

    sealed: int
    refused: tuple[int, ...] = ()


def seal_pending_on(
    connection: Connection, key: str, *, limit: int | None = 1000, rescan: bool = False
) -> SealResult:
    """Seal committed, unsealed rows in id order, after the chain's head; the caller commits.

    The head's lock is taken first (a no-op UPDATE), so two sealers never chain onto the same
    head; the second one waits and then finds the first one's rows sealed. A row whose own MAC
    does not match was written or changed by someone without the key: it is left unsealed and
    ``flask audit verify`` names it. Only rows above the head's ``sealed_through_id`` are looked
    at (``rescan`` looks at every row); the mark moves up to rows at least
    :data:`SETTLED_AFTER` old, so a row whose transaction committed a little after a higher id's
    is still found.
    """
    if not rescan and not _anything_waiting(connection):
        # Most beats find nothing: no lock, no write transaction (SQLite has one writer).
        return SealResult(0)
    row = connection.execute(_LOCK_HEAD).one_or_none()
    if row is None:
        connection.execute(
            insert(_HEAD).values(id=HEAD_ID, last_seq=0, last_hmac=GENESIS, sealed_through_id=0)
        )
        seq, previous, floor = 0, GENESIS, 0
    else:
        seq, previous, floor = int(row[0]), str(row[1]), int(row[2])
    query = (
        select(_EVENTS.c.id, _EVENTS.c.row_hmac, *(_EVENTS.c[name] for name in CHAINED_FIELDS))
        .outerjoin(_SEALS, _SEALS.c.event_id == _EVENTS.c.id)
        .where(_SEALS.c.event_id.is_(None))
        .order_by(_EVENTS.c.id)
    )
    if not rescan:
        query = query.where(_EVENTS.c.id > floor)
    if limit is not None:
        query = query.limit(limit)
    seals, refused = [], []
    settled_before = utcnow() - SETTLED_AFTER
    new_floor = floor
    for event_row in connection.execute(query).mappings():
        fields = dict(event_row)
        if not hmac.compare_digest(str(fields["row_hmac"] or ""), row_mac(key, fields)):
            refused.append(int(fields["id"]))
            continue
        seq += 1
        previous = link_hmac(key, fields, seq, previous)
        seals.append({"event_id": fields["id"], "seq": seq, "hmac": previous})
        if not refused and _aware(fields["occurred_at"]) <= settled_before:
            new_floor = max(new_floor, int(fields["id"]))
    if seals:
        connection.execute(insert(_SEALS), seals)
    if seals or new_floor != floor:
        connection.execute(
            _move_head(), {"head_seq": seq, "head_hmac": previous, "floor": new_floor}
        )
    return SealResult(len(seals), tuple(refused))


def _anything_waiting(connection: Connection) -> bool:
    floor = connection.execute(select(_HEAD.c.sealed_through_id)).scalar()
    waiting = (
        select(_EVENTS.c.id)
        .outerjoin(_SEALS, _SEALS.c.event_id == _EVENTS.c.id)
        .where(_SEALS.c.event_id.is_(None), _EVENTS.c.id > (floor or 0))
        .limit(1)
    )
    return connection.execute(waiting).first() is not None


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# A transaction's audit rows get their ids at its commit, so a row is seldom invisible for longer
# than a commit takes; the sealer keeps looking below rows younger than this all the same.
SETTLED_AFTER = timedelta(minutes=10)
_EVENTS = cast(Table, AuditEvent.__table__)
_SEALS = cast(Table, AuditSeal.__table__)
_HEAD = cast(Table, AuditChainHead.__table__)
# Inline: no RETURNING of the new id, which nothing reads.
_INSERT_EVENTS = insert(_EVENTS).inline()
# Core on the table, built once.
_LOCK_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == HEAD_ID)
    .values(last_seq=_HEAD.c.last_seq)
    .returning(_HEAD.c.last_seq, _HEAD.c.last_hmac, _HEAD.c.sealed_through_id)
)


def _move_head() -> Update:
    return (
        update(_HEAD)
        .where(_HEAD.c.id == HEAD_ID)
        .values(
            last_seq=bindparam("head_seq"),
            last_hmac=bindparam("head_hmac"),
            sealed_through_id=bindparam("floor"),
        )
    )


def _innermost(session: Session) -> SessionTransaction | None:
    return session.get_nested_transaction() or session.get_transaction()


@sa_event.listens_for(Session, "before_flush")
def _hold_back_new_events(session: Session, _context: Any, _instances: Any) -> None:
    """New audit rows wait for the commit; they remember the (savepoint) transaction they
    belong to, so a rolled-back savepoint takes its audit rows with it."""
    if session.info.get(_SEALING):
        return
    new_events = [obj for obj in session.new if isinstance(obj, AuditEvent)]
    if not new_events:
        return
    new_events.sort(key=lambda obj: inspect(obj).insert_order or 0)
    transaction = _innermost(session)
    pending = session.info.setdefault(_PENDING, [])
    for audit_event in new_events:
        session.expunge(audit_event)
        pending.append((transaction, audit_event))


def hold(session: Session, audit_event: AuditEvent) -> None:
    """Keep a new audit row for the commit, in the transaction now going on (what
    :func:`_hold_back_new_events` does at a flush), without adding it to the session first:
    adding and then expunging it cost more than the row itself on the intake path.

    Rows still in the session (added before, not flushed yet) are held first, so rows keep the
    order they were recorded in. With no transaction begun yet the row is added to the session,
    which begins one, and is held back at the next flush as before."""
    transaction = _innermost(session)
    if transaction is None or session.info.get(_SEALING):
        session.add(audit_event)
        return
    _hold_back_new_events(session, None, None)
    session.info.setdefault(_PENDING, []).append((transaction, audit_event))


def has_waiting_rows(session: Session) -> bool:
    """Whether audit rows wait for ``session``'s commit (held back, or not flushed yet)."""
    return bool(session.info.get(_PENDING)) or any(
        isinstance(obj, AuditEvent) for obj in session.new
    )


@sa_event.listens_for(Session, "before_commit")
def _insert_on_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: its rows are sealed with the outer transaction
    session.flush()  # everything else first: the audit rows get their ids at the commit
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    session.info[_SEALING] = True
    try:
        insert_events(session, [audit_event for _, audit_event in pending])
    finally:
        session.info.pop(_SEALING, None)


def _belongs_to(transaction: SessionTransaction | None, ended: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


@sa_event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    pending = session.info.get(_PENDING)
    if pending:
        session.info[_PENDING] = [
            (transaction, audit_event)
            for transaction, audit_event in pending
            if not _belongs_to(transaction, previous_transaction)
        ]


@sa_event.listens_for(Session, "after_transaction_end")
def _forget_on_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
        session.info.pop(_SEALING, None)


# How long a committed row may wait for its seal before ``flask audit verify`` calls it a problem.
SEAL_BOUND = timedelta(seconds=60)


@dataclass(frozen=True)
class ChainReport:
    """The outcome of :func:`verify_chain`: ``broken_id`` is the first row that fails;
    ``overdue`` the rows unsealed for longer than :data:`SEAL_BOUND`, ``forged`` the rows whose
    own MAC does not match, ``waiting`` how many rows are (briefly) waiting for their seal."""

    checked: int
    broken_id: int | None = None
    reason: str | None = None
    waiting: int = 0
    overdue: tuple[int, ...] = field(default=())
    forged: tuple[int, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.reason is None and not self.overdue and not self.forged


def verify_chain(session: Session, key: str | None = None, batch_size: int = 1000) -> ChainReport:
    """Recompute the chain from the first seal to the head and report the first broken link,
    then look at the rows without a seal: each must carry its own valid MAC and be younger than
    :data:`SEAL_BOUND`."""
    key = key or chain_key()
    head = session.execute(
        select(AuditChainHead.last_seq, AuditChainHead.last_hmac).where(
            AuditChainHead.id == HEAD_ID
        )
    ).one_or_none()
    if head is None:
        return ChainReport(0, None, "the chain head is missing")
    report = _verify_seals(session, key, int(head[0]), str(head[1]), batch_size)
    waiting, overdue, forged = _unsealed(session, key)
    return ChainReport(
        report.checked, report.broken_id, report.reason, waiting, tuple(overdue), tuple(forged)
    )


def _verify_seals(
    session: Session, key: str, head_seq: int, head_hmac: str, batch_size: int
) -> ChainReport:
    columns = [_EVENTS.c[name] for name in CHAINED_FIELDS]
    # Seals added after the head was read are beyond it and wait for the next check. An outer
    # join, so a seal whose row was deleted still shows where the row was.
    rows = session.execute(
        select(_SEALS.c.seq, _SEALS.c.hmac, _SEALS.c.event_id, _EVENTS.c.id, *columns)
        .select_from(_SEALS.outerjoin(_EVENTS, _EVENTS.c.id == _SEALS.c.event_id))
        .where(_SEALS.c.seq <= head_seq)
        .order_by(_SEALS.c.seq)
        .execution_options(yield_per=batch_size)
    )
    previous, expected, last_id, checked, missing = GENESIS, 1, None, 0, False
    for row in rows:
        fields = dict(row._mapping)
        if fields["seq"] != expected:
            missing = True  # the seal itself is gone
        if fields["id"] is None:
            missing = True  # the row is gone; its seal still links the chain on
        else:
            if missing:
                return ChainReport(checked, fields["id"], "a row before this one is missing")
            want = link_hmac(key, fields, int(fields["seq"]), previous)
            if not hmac.compare_digest(want, str(fields["hmac"])):
                return ChainReport(checked, fields["id"], "this row was changed")
            last_id, checked = fields["id"], checked + 1
        previous, expected = str(fields["hmac"]), int(fields["seq"]) + 1
    if missing or expected - 1 != head_seq or not hmac.compare_digest(previous, head_hmac):
        return ChainReport(checked, last_id, "rows after this one are missing")
    return ChainReport(checked)


def _unsealed(session: Session, key: str) -> tuple[int, list[int], list[int]]:
    rows = session.execute(
        select(_EVENTS.c.id, _EVENTS.c.row_hmac, *(_EVENTS.c[name] for name in CHAINED_FIELDS))
        .outerjoin(_SEALS, _SEALS.c.event_id == _EVENTS.c.id)
        .where(_SEALS.c.event_id.is_(None))
        .order_by(_EVENTS.c.id)
    ).mappings()
    overdue_before = utcnow() - SEAL_BOUND
    waiting, overdue, forged = 0, [], []
    for row in rows:
        if not hmac.compare_digest(str(row["row_hmac"] or ""), row_mac(key, dict(row))):
            forged.append(int(row["id"]))
        elif _aware(row["occurred_at"]) < overdue_before:
            overdue.append(int(row["id"]))
        else:
            waiting += 1
    return waiting, overdue, forged


# Into the use case's batch ---------------------------------------------------------------------
_BATCH_COLUMNS = (*CHAINED_FIELDS, "row_hmac")


def add_recorded_to_batch(session: Session, batch: InsertBatch) -> int:
    """Move the audit rows recorded so far in the session's current transaction into ``batch``,
    with their own MACs, so that they are written in the batch's one statement on PostgreSQL
    (elsewhere, or with nothing to move, they wait for the commit as usual); return how many.

    If a row's target has no id yet (a record the unit of work has not flushed) or a row belongs
    to an enclosing transaction (a rolled-back savepoint must not take it), every row waits for
    the commit, so that ids keep the order rows were recorded in (in the batch: one
    ``INSERT ... SELECT ... ORDER BY``).
    """
    if session.get_bind().dialect.name != "postgresql":
        return 0
    current = _innermost(session)
    # Rows an autoflush already held back, of this transaction; and rows not flushed yet.
    held = session.info.get(_PENDING) or []
    of_current = [audit_event for transaction, audit_event in held if transaction is current]
    in_session = sorted(
        (obj for obj in session.new if isinstance(obj, AuditEvent)),
        key=lambda obj: inspect(obj).insert_order or 0,
    )
    candidates = of_current + in_session
    if (
        not candidates
        or len(of_current) < len(held)  # rows of an enclosing transaction
        or not all(_target_known(audit_event) for audit_event in candidates)
    ):
        # All or nothing, so that the rows' ids keep the order they were recorded in.
        return 0
    movable = candidates
    session.info.pop(_PENDING, None)
    key = chain_key()
    rows: list[dict[str, Any]] = []
    for number, audit_event in enumerate(movable):
        if audit_event.occurred_at is None:
            audit_event.occurred_at = utcnow()
        if audit_event.detail is None:
            audit_event.detail = {}
        target = inspect(audit_event).info.pop("target", None)
        if target is not None:
            audit_event.target_id = str(target.id)
        fields = {name: getattr(audit_event, name) for name in CHAINED_FIELDS}
        audit_event.row_hmac = row_mac(key, fields)
        rows.append(
            {
                **fields,
                "occurred_at": _aware(fields["occurred_at"]).isoformat(),
                "row_hmac": audit_event.row_hmac,
                "position": number,
            }
        )
        if in_session and audit_event in in_session:
            session.expunge(audit_event)
    batch.include(_events_fragment(), {"audit_rows": rows})
    return len(movable)


def _target_known(audit_event: AuditEvent) -> bool:
    target = inspect(audit_event).info.get("target")
    return target is None or target.id is not None


def _events_fragment() -> Fragment:
    """The audit rows of a batch as one ``INSERT ... SELECT ... ORDER BY`` in its ``WITH``, so
    their ids follow the order they were recorded in. The rows travel as one JSON parameter,
    ``audit_rows`` (``json_to_recordset``): a parameter per field made the statement too many
    parameters for psycopg's cache of parsed queries, which then parsed it on every request."""
    return _EVENTS_FRAGMENT


def _build_events_ctes() -> list[CTE]:
    given = (
        func.json_to_recordset(bindparam("audit_rows", type_=JSON))
        .table_valued(
            column("position", Integer),
            *(column(name, _RECORDSET_TYPES.get(name, Text)) for name in _BATCH_COLUMNS),
        )
        .render_derived("given_events", with_types=True)
    )
    return [
        insert(_EVENTS)
        .from_select(
            list(_BATCH_COLUMNS),
            select(*(given.c[name] for name in _BATCH_COLUMNS)).order_by(given.c.position),
        )
        .cte("new_events")
    ]


# Columns of the recordset that are not text; occurred_at is read back exactly as it was MACed
# (ISO 8601 with microseconds and offset).
_RECORDSET_TYPES: dict[str, Any] = {
    "occurred_at": DateTime(timezone=True),
    "actor_id": Integer,
    "detail": JSON,
}
_EVENTS_FRAGMENT = Fragment(("audit_events",), _build_events_ctes)
