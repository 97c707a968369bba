"""The outbox relay: publish work to Celery after the transaction that caused it commits.

Two paths lead to the broker, and both publish ids only:

* the fast path: a session listener notes every new :class:`OutboxMessage` (and every delivery
  due at once) as it is flushed, and publishes them right after ``COMMIT``; nothing is published
  for a transaction that rolls back;
* the sweep (beat, every few seconds): claims rows that are still unprocessed a little later (the
  broker was down, a message was lost), ``FOR UPDATE SKIP LOCKED`` on PostgreSQL and a
  compare-and-set update everywhere, so two sweeps never claim the same row.

Handling a row is idempotent: the worker marks it processed compare-and-set, in the same
transaction as the alert and deliveries it creates, so publishing a row twice is harmless. What
to do with a row is looked up in :mod:`intake.messaging.registry` by its kind; the relay itself
knows no kind.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import Connection, and_, event, or_, select, update
from sqlalchemy.orm import Session, SessionTransaction

from intake.audit.services import record
from intake.audit.tags import AuditTag
from intake.core.types import utcnow
from intake.extensions import db
from intake.messaging.claims import claim
from intake.messaging.models import Delivery
from intake.messaging.outbox import OutboxMessage, OutboxProblem
from intake.messaging.registry import SubjectMissing, find_kind

log = logging.getLogger(__name__)

PROCESS_OUTBOX = "workers.tasks.process_outbox"
SEND_DELIVERY = "workers.tasks.send_delivery"
# Many deliveries due at once (a sweep's batch) travel as lists of ids, this many a message.
SEND_DELIVERIES = "workers.tasks.send_deliveries"
SEND_BATCH = 100
# A row that failed this often is left for a person to look at rather than retried forever.
OUTBOX_MAX_ATTEMPTS = 20
_PENDING_KEY = "harbor_publish_after_commit"
# Publishing must not hold up a web request when the broker is down: one quick retry, then the
# sweep takes over.
_QUICK_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


# Publishing ----------------------------------------------------------------------------------
def publish(task_name: str, record_id: int) -> bool:
    """Send one task (by name, with one id) to the broker; False when the broker is unreachable."""
    celery = current_app.extensions["celery"]
    try:
        celery.send_task(task_name, args=[record_id], retry=True, retry_policy=_QUICK_RETRY)
    except Exception as exc:  # any broker failure: the row stays in the database for the sweep
        log.warning(
            "publish failed task=%s id=%s error=%s", task_name, record_id, type(exc).__name__
        )
        return False
    return True


def publish_many(task_name: str, record_ids: Sequence[int]) -> int:
    """Publish ``task_name`` for each of ``record_ids``; return how many ids reached the broker.

    Deliveries go as :data:`SEND_DELIVERIES` messages of up to :data:`SEND_BATCH` ids (still
    ids only), over one producer connection; a single id goes as :func:`publish` sends it. An id
    whose message is lost stays in the database for the sweep, like any failed publish.
    """
    ids = [int(record_id) for record_id in record_ids]
    if task_name != SEND_DELIVERY or len(ids) <= 1:
        return sum(1 for record_id in ids if publish(task_name, record_id))
    celery = current_app.extensions["celery"]
    sent = 0
    try:
        with celery.producer_or_acquire() as producer:
            for start in range(0, len(ids), SEND_BATCH):
                chunk = ids[start : start + SEND_BATCH]
                celery.send_task(
                    SEND_DELIVERIES,
                    args=[chunk],
                    producer=producer,
                    retry=True,
                    retry_policy=_QUICK_RETRY,
                )
                sent += len(chunk)
    except Exception as exc:  # the rest stay in the database for the sweep
        log.warning(
            "publish failed task=%s ids=%s error=%s",
            SEND_DELIVERIES,
            len(ids) - sent,
            type(exc).__name__,
        )
    return sent


def publish_after_commit(session: Session, task_name: str, record_id: int) -> None:
    """Queue a publish for when ``session``'s transaction commits (dropped on rollback)."""
    session.info.setdefault(_PENDING_KEY, []).append((task_name, record_id))


def _after_flush(session: Session, _context: Any) -> None:
    for obj in session.new:
        if isinstance(obj, OutboxMessage):
            publish_after_commit(session, PROCESS_OUTBOX, obj.id)
        elif isinstance(obj, Delivery) and obj.enqueued_at is not None:
            # enqueued_at is set at creation for deliveries that are due now.
            publish_after_commit(session, SEND_DELIVERY, obj.id)


def visible_to_workers(session: Session) -> bool:
    """Whether this commit made the rows durable, so a worker can read them.

    Not when the session was joined into an outer transaction that is still open (its
    ``commit`` only released a savepoint): publishing then would hand workers ids they cannot
    see. If the outer transaction commits later, the sweep publishes the rows.
    """
    bind = session.get_bind()
    return not (isinstance(bind, Connection) and bind.in_transaction())


def _after_commit(session: Session) -> None:
    pending: list[tuple[str, int]] = session.info.pop(_PENDING_KEY, [])
    if not pending or not has_app_context() or not visible_to_workers(session):
        return
    # Deliveries are published together (a sweep adds hundreds in one commit); outbox rows one
    # by one, in the order they were flushed.
    sends = [record_id for task_name, record_id in pending if task_name == SEND_DELIVERY]
    for task_name, record_id in pending:
        if task_name != SEND_DELIVERY:
            publish(task_name, record_id)
    publish_many(SEND_DELIVERY, sends)


def _after_soft_rollback(session: Session, previous: SessionTransaction) -> None:
    # A rolled-back savepoint may hide some rows; publishing their ids is harmless (the task
    # finds nothing). A rolled-back transaction publishes nothing.
    if not previous.nested:
        session.info.pop(_PENDING_KEY, None)


_LISTENERS: tuple[tuple[str, Callable[..., None]], ...] = (
    ("after_flush", _after_flush),
    ("after_commit", _after_commit),
    ("after_soft_rollback", _after_soft_rollback),
)


def install() -> None:
    """Attach the publish-after-commit listeners to every session (once per process)."""
    for name, listener in _LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


# Processing ----------------------------------------------------------------------------------
# A row whose kind this process does not know is looked at again after a back-off that doubles
# from REPUBLISH_AFTER_SECONDS up to this cap, never given up on: the process that knows the kind
# may be a deploy away.
UNKNOWN_KIND_MAX_WAIT = timedelta(minutes=15)


def process_outbox(outbox_id: int) -> str:
    """Handle one outbox row once, whatever the number of times it is delivered.

    The compare-and-set on ``processed_at`` is the claim; the row lock it takes (or SQLite's
    write lock) makes a concurrent duplicate wait and then find the row processed. The claim is
    undone when the row cannot be handled here, so nothing is marked done that was not done:
    a kind this process does not know stays pending (and is tried again later), a deleted
    subject is marked failed; both are shown on the failed-sends page.
    """
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == outbox_id,
            OutboxMessage.processed_at.is_(None),
            OutboxMessage.failed_at.is_(None),
        )
        .values(processed_at=utcnow(), last_error=None)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        return "skipped"
    message = db.session.get(OutboxMessage, outbox_id)
    assert message is not None  # noqa: S101  (just claimed it in this transaction)
    kind, target_id, attempts = message.kind, message.target_id, message.attempts
    spec = find_kind(kind)
    if spec is None or spec.handle_outbox is None:
        db.session.rollback()
        _hold_unknown_kind(outbox_id, attempts)
        log.error("outbox row of unknown kind kept id=%s kind=%s", outbox_id, kind)
        return "unknown-kind"
    try:
        spec.handle_outbox(target_id)
    except SubjectMissing:
        db.session.rollback()
        _mark_failed(outbox_id, OutboxProblem.SUBJECT_MISSING)
        log.error("outbox row subject missing id=%s kind=%s target=%s", outbox_id, kind, target_id)
        return "subject-missing"
    db.session.commit()
    return "processed"


def _unknown_kind_wait(attempts: int) -> timedelta:
    base = int(current_app.config["REPUBLISH_AFTER_SECONDS"])
    return min(timedelta(seconds=base * 2 ** min(attempts, 16)), UNKNOWN_KIND_MAX_WAIT)


def _hold_unknown_kind(outbox_id: int, attempts: int) -> None:
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == outbox_id, OutboxMessage.processed_at.is_(None))
        .values(
            last_error=OutboxProblem.UNKNOWN_KIND.value,
            available_at=utcnow() + _unknown_kind_wait(attempts),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _mark_failed(outbox_id: int, problem: OutboxProblem) -> None:
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == outbox_id, OutboxMessage.processed_at.is_(None))
        .values(last_error=problem.value, failed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def held_outbox_messages(limit: int = 200) -> Sequence[OutboxMessage]:
    """Outbox rows that need a person's attention, oldest first: a kind nobody has handled yet,
    a deleted subject, or a row the sweep gave up on after repeated errors."""
    return db.session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.processed_at.is_(None),
            or_(
                OutboxMessage.last_error.is_not(None),
                OutboxMessage.failed_at.is_not(None),
                OutboxMessage.attempts >= OUTBOX_MAX_ATTEMPTS,
            ),
        )
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
        .limit(limit)
    ).all()


def retry_held(outbox_id: int, actor_id: int | None = None) -> bool:
    """Give a held outbox row (unknown kind, deleted subject, or given up on) a fresh start,
    published after the commit; audited; the caller commits. False when it is not held."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == outbox_id,
            OutboxMessage.processed_at.is_(None),
            or_(
                OutboxMessage.last_error.is_not(None),
                OutboxMessage.failed_at.is_not(None),
                OutboxMessage.attempts >= OUTBOX_MAX_ATTEMPTS,
            ),
        )
        .values(
            last_error=None, failed_at=None, attempts=0, available_at=utcnow(), published_at=None
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    publish_after_commit(db.session(), PROCESS_OUTBOX, outbox_id)
    record(
        AuditTag.OUTBOX_RETRIED,
        target_type="outbox_message",
        target_id=outbox_id,
        actor_id=actor_id,
    )
    return True


def _due_condition(now: Any) -> Any:
    config = current_app.config
    grace = now - timedelta(seconds=config["OUTBOX_GRACE_SECONDS"])
    stale = now - timedelta(seconds=config["REPUBLISH_AFTER_SECONDS"])
    return and_(
        OutboxMessage.processed_at.is_(None),
        OutboxMessage.failed_at.is_(None),
        OutboxMessage.available_at <= now,
        # A row of an unknown kind is never given up on (its wait is capped instead).
        or_(
            OutboxMessage.attempts < OUTBOX_MAX_ATTEMPTS,
            OutboxMessage.last_error == OutboxProblem.UNKNOWN_KIND.value,
        ),
        or_(
            # Never published by the sweep: give the fast path a moment first.
            and_(OutboxMessage.published_at.is_(None), OutboxMessage.created_at <= grace),
            # Published a while ago and still not processed: the message was lost.
            OutboxMessage.published_at <= stale,
        ),
    )


def claim_due_outbox(limit: int = 200) -> list[int]:
    """Claim due rows in the current transaction and return their ids; the caller commits.

    See :mod:`intake.messaging.claims` for how two sweeps are kept apart.
    """
    now = utcnow()
    return claim(
        OutboxMessage,
        _due_condition(now),
        (OutboxMessage.id,),
        limit,
        published_at=now,
        attempts=OutboxMessage.attempts + 1,
    )


def sweep_outbox(limit: int = 200) -> int:
    """Publish every outbox row the fast path missed; return how many were published."""
    ids = claim_due_outbox(limit)
    db.session.commit()
    for outbox_id in ids:
        publish(PROCESS_OUTBOX, outbox_id)
    if ids:
        log.info("outbox sweep published=%s", len(ids))
    return len(ids)
