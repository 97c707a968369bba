"""A keyed hash chain over the audit trail.

Every audit row gets the next sequence number and ``HMAC(key, previous HMAC + the row)``. Someone
who can write to the database but does not hold ``AUDIT_CHAIN_KEY`` cannot change, remove or slip
in a row without breaking the chain, and :func:`verify_chain` names the first row where it breaks.

When the chain is computed matters. Rows added to a session are held back at flush and sealed
when the session commits: the chain head's row is locked (an UPDATE, so PostgreSQL and SQLite both
take their write lock), the rows are numbered and hashed, and the lock is released by the commit
a moment later. Locking at commit, after every other row the transaction touches, keeps the lock
short and out of the way of other row locks (no deadlocks with the alert sweep, say). Code that
calls :func:`intake.audit.services.record` needs to know none of this.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, cast

from flask import current_app
from sqlalchemy import Table, Update, bindparam, insert, inspect, select, update
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session, SessionTransaction

from intake.audit.models import AuditChainHead, AuditEvent
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


def _chain_key() -> str:
    key = current_app.config.get("AUDIT_CHAIN_KEY")
    if not key:
        raise RuntimeError("AUDIT_CHAIN_KEY is not set: audit rows cannot be written")
    return str(key)


def seal(session: Session, events: Iterable[AuditEvent]) -> None:
    """Number, hash and insert ``events`` after the current head, holding the head's lock.

    Two statements whatever the number of rows: the lock that reads the head, then the rows and
    the new head together (one statement on PostgreSQL, where an INSERT can sit in a WITH).
    """
    key = _chain_key()
    # A no-op UPDATE takes the row lock (PostgreSQL) or the write lock (SQLite) before reading,
    # so two transactions can never chain onto the same head.
    row = session.execute(_LOCK_HEAD).one_or_none()
    if row is None:
        session.execute(insert(_HEAD).values(id=HEAD_ID, last_seq=0, last_hmac=GENESIS))
        seq, previous = 0, GENESIS
    else:
        seq, previous = int(row[0]), str(row[1])
    rows = []
    for audit_event in events:
        if audit_event.occurred_at is None:
            audit_event.occurred_at = utcnow()
        if audit_event.detail is None:
            audit_event.detail = {}
        target = inspect(audit_event).info.pop("target", None)
        if target is not None:  # recorded before its target had an id (audit.services.record)
            audit_event.target_id = str(target.id)
        seq += 1
        fields = {name: getattr(audit_event, name) for name in CHAINED_FIELDS}
        audit_event.chain_seq = seq
        audit_event.chain_hmac = previous = link_hmac(key, fields, seq, previous)
        rows.append({**fields, "chain_seq": seq, "chain_hmac": previous})
    if not rows:
        return
    # Core, not the unit of work: the rows are final, and a flush per commit costs more than
    # the rest of the sealing.
    params = {"head_seq": seq, "head_hmac": previous}
    if session.get_bind().dialect.name == "postgresql":
        for number, fields in enumerate(rows):
            params.update({f"{name}_{number}": value for name, value in fields.items()})
        session.execute(_rows_and_head(len(rows)), params)
    else:
        session.execute(insert(_EVENTS), rows)
        session.execute(_move_head(), params)


_SEALED_COLUMNS = (*CHAINED_FIELDS, "chain_seq", "chain_hmac")
_EVENTS = cast(Table, AuditEvent.__table__)
_HEAD = cast(Table, AuditChainHead.__table__)
# Core on the table, built once: this runs in every transaction that audits anything.
_LOCK_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == HEAD_ID)
    .values(last_seq=_HEAD.c.last_seq)
    .returning(_HEAD.c.last_seq, _HEAD.c.last_hmac)
)


def _move_head() -> Update:
    return (
        update(_HEAD)
        .where(_HEAD.c.id == HEAD_ID)
        .values(last_seq=bindparam("head_seq"), last_hmac=bindparam("head_hmac"))
    )


@lru_cache(maxsize=16)
def _rows_and_head(count: int) -> Update:
    """``count`` audit rows and the new head in one PostgreSQL statement (each row an INSERT in
    the WITH). Built once per row count with named parameters, so SQLAlchemy compiles it once;
    a multi-row VALUES would be compiled again on every commit."""
    rows = [
        insert(_EVENTS)
        .values(
            {name: bindparam(f"{name}_{n}", type_=_EVENTS.c[name].type) for name in _SEALED_COLUMNS}
        )
        .cte(f"sealed_{n}")
        for n in range(count)
    ]
    return _move_head().add_cte(*rows)


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


@sa_event.listens_for(Session, "before_commit")
def _seal_on_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: its rows are sealed with the outer transaction
    session.flush()  # everything else first, so the head's lock is the last one taken
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    session.info[_SEALING] = True
    try:
        seal(session, [audit_event for _, audit_event in pending])
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


@dataclass(frozen=True)
class ChainReport:
    """The outcome of :func:`verify_chain`: ``broken_id`` is the first row that fails."""

    checked: int
    broken_id: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None


def verify_chain(session: Session, key: str | None = None, batch_size: int = 1000) -> ChainReport:
    """Recompute the chain from the first row to the head; report the first broken link."""
    key = key or _chain_key()
    head = session.execute(
        select(AuditChainHead.last_seq, AuditChainHead.last_hmac).where(
            AuditChainHead.id == HEAD_ID
        )
    ).one_or_none()
    if head is None:
        return ChainReport(0, None, "the chain head is missing")
    head_seq, head_hmac = int(head[0]), str(head[1])
    columns = [getattr(AuditEvent, name) for name in CHAINED_FIELDS]
    # Rows committed after the head was read are beyond it and wait for the next check.
    rows = session.execute(
        select(AuditEvent.id, AuditEvent.chain_seq, AuditEvent.chain_hmac, *columns)
        .where(AuditEvent.chain_seq <= head_seq)
        .order_by(AuditEvent.chain_seq)
        .execution_options(yield_per=batch_size)
    )
    previous, expected, last_id = GENESIS, 1, None
    for row in rows:
        fields = dict(row._mapping)
        if fields["chain_seq"] != expected:
            return ChainReport(expected - 1, fields["id"], "a row before this one is missing")
        want = link_hmac(key, fields, expected, previous)
        if not hmac.compare_digest(want, str(fields["chain_hmac"])):
            return ChainReport(expected - 1, fields["id"], "this row was changed")
        previous, last_id, expected = want, fields["id"], expected + 1
    if expected - 1 != head_seq or not hmac.compare_digest(previous, head_hmac):
        return ChainReport(expected - 1, last_id, "rows after this one are missing")
    return ChainReport(expected - 1)
