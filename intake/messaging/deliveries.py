"""Deliveries: one send of one message on one channel, at least once and, by its claim, once.

A send first claims its row compare-and-set (``UPDATE ... SET status='sending', claim_token=...
WHERE status IN ('queued', 'retry')``) and commits the claim, then talks to the provider, then
records the answer under that claim token. A worker claims up to :data:`CLAIM_BATCH` rows in one
statement and records each one right after its own send, so the database costs a few round
trips per message instead of about fifteen. However many times the task for a delivery arrives,
only one claim succeeds. If a worker dies between claim and answer, its rows stay ``sending``;
the sweep returns them to ``retry`` once their lease (``DELIVERY_LEASE_SECONDS``, longer than
the hard task time limit; a batch renews it while it sends) is over, and only the rows not yet
recorded as sent go out again.

Temporary failures are retried with exponential backoff by the sweep (the wait is a column, not
a Celery countdown); permanent failures, and temporary ones that use up every attempt, end as
``failed`` and appear on the admins' page.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import selectinload

from intake.audit.services import record
from intake.audit.tags import AuditTag
from intake.core.types import utcnow
from intake.extensions import db
from intake.messaging.channels import (
    PermanentSendError,
    SendError,
    TemporarySendError,
    scrub,
)
from intake.messaging.claims import claim
from intake.messaging.compose import Composed, compose, opt_outs_known, stop_reason
from intake.messaging.mail import reuse_smtp
from intake.messaging.models import (
    ATTENTION_STATUSES,
    SENDABLE_STATUSES,
    Delivery,
    DeliveryProblem,
    DeliveryStatus,
)
from intake.messaging.registry import SubjectMissing, find_kind
from intake.messaging.transports import Outgoing, Transport, transport_for
from intake.vocabulary import DEFAULT_LANGUAGE

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NewDelivery:
    """A delivery to add (see :func:`add_delivery` for what the fields mean)."""

    key: str
    kind: str
    channel: str
    subject_kind: str | None
    subject_id: int | None
    language: str = DEFAULT_LANGUAGE
    wave: int | None = None
    recipient_user_id: int | None = None
    recipient_person_id: int | None = None
    due_at: datetime | None = None


def _build(new: NewDelivery, now: datetime) -> Delivery:
    due = new.due_at or now
    return Delivery(
        idempotency_key=new.key,
        kind=str(new.kind),
        channel=str(new.channel),
        subject_kind=new.subject_kind,
        subject_id=new.subject_id,
        wave=new.wave,
        recipient_user_id=new.recipient_user_id,
        recipient_person_id=new.recipient_person_id,
        language=new.language,
        status=DeliveryStatus.QUEUED.value,
        next_attempt_at=due,
        enqueued_at=now if due <= now else None,
    )


def add_delivery(
    *,
    key: str,
    kind: str,
    channel: str,
    subject_kind: str | None,
    subject_id: int | None,
    language: str = DEFAULT_LANGUAGE,
    wave: int | None = None,
    recipient_user_id: int | None = None,
    recipient_person_id: int | None = None,
    due_at: datetime | None = None,
) -> Delivery | None:
    """Add a delivery to the session unless one with ``key`` exists; the caller commits.

    ``subject_kind`` and ``subject_id`` say what it is about (``"inquiry"``, 7), for the pages
    that list an inquiry's messages and for the kind's composer. A delivery due now is marked
    enqueued and published right after the commit; a later one waits in the table for the sweep.
    """
    if db.session.scalar(select(Delivery.id).where(Delivery.idempotency_key == key)) is not None:
        return None
    delivery = _build(
        NewDelivery(
            key=key,
            kind=kind,
            channel=channel,
            subject_kind=subject_kind,
            subject_id=subject_id,
            language=language,
            wave=wave,
            recipient_user_id=recipient_user_id,
            recipient_person_id=recipient_person_id,
            due_at=due_at,
        ),
        utcnow(),
    )
    db.session.add(delivery)
    return delivery


# One IN list per query stays well under SQLite's and PostgreSQL's parameter limits.
_KEY_CHUNK = 1000


def add_deliveries(items: Sequence[NewDelivery]) -> list[Delivery]:
    """Add many deliveries at once, skipping every key that exists already; the caller commits.

    What :func:`add_delivery` does for one, with one query for the existing keys per thousand
    (not one per row) and one batched insert at the next flush. The unique key stays the
    guarantee: a concurrent transaction that adds the same key makes this one fail at commit.
    """
    keys = list(dict.fromkeys(item.key for item in items))
    existing: set[str] = set()
    for start in range(0, len(keys), _KEY_CHUNK):
        chunk = keys[start : start + _KEY_CHUNK]
        existing.update(
            db.session.scalars(
                select(Delivery.idempotency_key).where(Delivery.idempotency_key.in_(chunk))
            )
        )
    now = utcnow()
    added: list[Delivery] = []
    for item in items:
        if item.key in existing:
            continue
        existing.add(item.key)  # a key twice in ``items`` is added once
        added.append(_build(item, now))
    db.session.add_all(added)
    return added


def backoff_seconds(attempts: int) -> int:
    """Exponential backoff: base, 2x base, 4x base ... capped at an hour."""
    base = int(current_app.config["DELIVERY_RETRY_BASE_SECONDS"])
    return int(min(base * 2 ** max(attempts - 1, 0), 3600))


# How many deliveries one statement claims. Each is still claimed before it is sent and recorded
# on its own right after; a worker killed mid-batch leaves at most this many rows to the lease.
CLAIM_BATCH = 25


def _lease() -> float:
    return float(current_app.config["DELIVERY_LEASE_SECONDS"])


def _claim_batch(delivery_ids: Sequence[int]) -> tuple[str, list[int]]:
    """Claim whichever of ``delivery_ids`` are sendable and due, in one statement, under a new
    claim token; commit the claim and return the token and the ids claimed (sorted).

    Compare-and-set, as for one: a row another worker claimed, sent, cancelled or held is not
    taken. On PostgreSQL the rows are first locked in id order, so two workers claiming
    overlapping batches queue behind each other instead of deadlocking; the second then finds
    the rows no longer sendable (READ COMMITTED re-reads them after the first commits).
    """
    token = secrets.token_hex(16)
    now = utcnow()
    due = and_(
        Delivery.id.in_(delivery_ids),
        Delivery.status.in_(SENDABLE_STATUSES),
        Delivery.next_attempt_at <= now,
    )
    if db.session.get_bind().dialect.name == "postgresql":
        locked = list(
            db.session.scalars(
                select(Delivery.id).where(due).order_by(Delivery.id).with_for_update()
            )
        )
        if not locked:
            db.session.commit()
            return token, []
        due = and_(Delivery.id.in_(locked), due)
    # SQLite: the UPDATE is the transaction's first statement, so it waits for the write lock.
    claimed = db.session.scalars(
        update(Delivery)
        .where(due)
        .values(
            status=DeliveryStatus.SENDING.value,
            claimed_at=now,
            claim_token=token,
            attempts=Delivery.attempts + 1,
        )
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return token, sorted(claimed)


def _renew(delivery_ids: Sequence[int], token: str) -> set[int]:
    """Start the lease again for the rows this claim still holds; return those ids (a row the
    stale-claim sweep released, or another claim took, is no longer ours and is not sent)."""
    if not delivery_ids:
        return set()
    held = db.session.scalars(
        update(Delivery)
        .where(
            Delivery.id.in_(delivery_ids),
            Delivery.status == DeliveryStatus.SENDING.value,
            Delivery.claim_token == token,
        )
        .values(claimed_at=utcnow())
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return set(held)


def _release(delivery_ids: Sequence[int], token: str) -> None:
    """Give back claimed rows this batch will not send (its time is up): they are due again at
    once for the sweep, and the attempt does not count."""
    if not delivery_ids:
        return
    db.session.execute(
        update(Delivery)
        .where(
            Delivery.id.in_(delivery_ids),
            Delivery.status == DeliveryStatus.SENDING.value,
            Delivery.claim_token == token,
        )
        .values(
            status=DeliveryStatus.RETRY.value,
            attempts=Delivery.attempts - 1,
            next_attempt_at=utcnow(),
            enqueued_at=None,
            claim_token=None,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _finish(delivery_id: int, token: str, *, add: Sequence[object] = (), **values: object) -> None:
    """Record the outcome, only if this claim still holds the row.

    The ``UPDATE`` is the first statement of its transaction: on SQLite a transaction that reads
    before it writes fails at once with "database is locked" when another writer is active,
    while one that writes first waits its turn (``busy_timeout``).
    """
    result = db.session.execute(
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.status == DeliveryStatus.SENDING.value,
            Delivery.claim_token == token,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:  # type: ignore[attr-defined]
        db.session.add_all(add)
    db.session.commit()


@dataclass
class _Prepared:
    """A claimed delivery read and composed, ready to go to its transport."""

    delivery_id: int
    outgoing: Outgoing
    attempts: int
    subject: tuple[str | None, int | None]
    transport: Transport
    message: Composed


def _preload(rows: Sequence[Delivery]) -> list[object]:
    """Let each kind load what its deliveries in the batch are about, one query per table;
    return what was loaded, for the caller to hold while it composes."""
    by_kind: dict[str, list[Delivery]] = {}
    for row in rows:
        by_kind.setdefault(row.kind, []).append(row)
    loaded: list[object] = []
    for kind, group in by_kind.items():
        spec = find_kind(kind)
        if spec is not None and spec.preload is not None:
            loaded.append(spec.preload(group))
    return loaded


def _prepare(delivery: Delivery, token: str) -> _Prepared | str:
    """Decide one claimed delivery before any network I/O: a prepared message, or the outcome
    code when it is not to be sent (the outcome is recorded after the reading transaction)."""
    delivery_id = delivery.id
    outgoing = Outgoing(delivery_id, delivery.idempotency_key, delivery.channel)
    attempts, subject = delivery.attempts, (delivery.subject_kind, delivery.subject_id)
    try:
        reason = stop_reason(delivery)
        if reason is not None:
            return _Outcome.cancel(reason)
        spec = find_kind(delivery.kind)
        wait = spec.defer_until(delivery) if spec and spec.defer_until else None
        if wait is not None:
            return _Outcome.defer(wait)
        transport = transport_for(outgoing.channel)
        if transport is None:
            log.error(
                "delivery held id=%s channel=%s code=%s",
                delivery_id,
                outgoing.channel,
                DeliveryProblem.NO_TRANSPORT.value,
            )
            return _Outcome.HOLD
        message = compose(delivery)
    except SubjectMissing:
        log.error(
            "delivery subject missing id=%s subject=%s:%s code=%s",
            delivery_id,
            subject[0],
            subject[1],
            DeliveryProblem.SUBJECT_MISSING.value,
        )
        return _Outcome.fail(DeliveryProblem.SUBJECT_MISSING.value)
    except PermanentSendError as exc:
        return _Outcome.fail(exc.answer)
    except TemporarySendError as exc:
        return _Outcome.retry(attempts, exc.answer)
    except Exception as exc:  # a bug or a database hiccup: retried, bounded like the rest
        db.session.rollback()
        # No traceback: exception messages can carry addresses or message text.
        log.error("delivery %s raised %s", delivery_id, type(exc).__name__)
        return _Outcome.retry(attempts, f"error: {type(exc).__name__}")
    return _Prepared(delivery_id, outgoing, attempts, subject, transport, message)


class _Outcome:
    """What to record for a claimed delivery that is not sent, encoded as a short string."""

    HOLD = "hold"
    _WHEN = "%Y-%m-%dT%H:%M:%S%z"

    @staticmethod
    def cancel(reason: str) -> str:
        return f"cancel|{reason}"

    @staticmethod
    def defer(until: datetime) -> str:
        return f"defer|{until.strftime(_Outcome._WHEN)}"

    @staticmethod
    def fail(answer: str) -> str:
        return f"fail|{answer}"

    @staticmethod
    def retry(attempts: int, answer: str) -> str:
        return f"retry|{attempts}|{answer}"

    @staticmethod
    def record(delivery_id: int, token: str, code: str) -> str:
        """Write the outcome ``code`` stands for; return the caller's outcome word."""
        if code == _Outcome.HOLD:
            _hold(delivery_id, token, DeliveryProblem.NO_TRANSPORT)
            return "held"
        what, _, rest = code.partition("|")
        if what == "cancel":
            _finish(delivery_id, token, status=DeliveryStatus.CANCELLED.value, provider_answer=rest)
            return "cancelled"
        if what == "fail":
            _fail(delivery_id, token, rest)
            return "failed"
        if what == "defer":
            _defer(delivery_id, token, datetime.strptime(rest, _Outcome._WHEN))
            return "deferred"
        attempts, _, answer = rest.partition("|")
        return _retry_or_fail(delivery_id, token, int(attempts), answer)


def _send_one(prepared: _Prepared, token: str) -> str:
    """Hand one prepared message to its transport and record the answer under the claim."""
    delivery_id = prepared.delivery_id
    try:
        result = prepared.transport.send(prepared.outgoing, prepared.message)
    except PermanentSendError as exc:
        db.session.rollback()
        _fail(delivery_id, token, exc.answer)
        return "failed"
    except TemporarySendError as exc:
        db.session.rollback()
        return _retry_or_fail(delivery_id, token, prepared.attempts, exc.answer)
    except Exception as exc:
        db.session.rollback()
        log.error("delivery %s raised %s", delivery_id, type(exc).__name__)
        return _retry_or_fail(delivery_id, token, prepared.attempts, f"error: {type(exc).__name__}")
    _finish(
        delivery_id,
        token,
        add=prepared.message.new_rows,
        status=DeliveryStatus.SENT.value,
        sent_at=utcnow(),
        provider_answer=scrub(result.answer),
    )
    log.info("delivery sent id=%s channel=%s", delivery_id, prepared.outgoing.channel)
    return DeliveryStatus.SENT.value


def _send_batch(
    delivery_ids: Sequence[int], outcomes: dict[str, int], deadline: float | None = None
) -> None:
    """Claim up to :data:`CLAIM_BATCH` deliveries in one statement, read and compose them
    together in one reading transaction, then send them one by one, recording each outcome
    (and committing it) right after its send.

    The claim is held under a lease (``DELIVERY_LEASE_SECONDS``); the batch renews it, for the
    rows it still holds, whenever a third of it has passed, and never sends a row it no longer
    holds. A worker killed mid-batch leaves its unsent rows ``sending``: the stale-claim sweep
    returns them after the lease and they are claimed again, each sent once. Past ``deadline``
    (monotonic) the rest are given back at once.
    """
    token, claimed = _claim_batch(delivery_ids)
    skipped = len(delivery_ids) - len(claimed)
    if skipped:
        outcomes["skipped"] = outcomes.get("skipped", 0) + skipped
    if not claimed:
        return
    renewed_at = time.monotonic()
    rows = list(
        db.session.scalars(
            select(Delivery)
            .where(Delivery.id.in_(claimed))
            .options(selectinload(Delivery.recipient_user))
            .order_by(Delivery.id)
        )
    )
    loaded = _preload(rows)
    people = {row.recipient_person_id for row in rows if row.recipient_person_id is not None}
    with opt_outs_known(people):
        prepared = [(row.id, _prepare(row, token)) for row in rows]
    del loaded, rows
    db.session.rollback()  # end the reading transaction before any network I/O
    held = set(claimed)
    for position, (delivery_id, ready) in enumerate(prepared):
        if deadline is not None and time.monotonic() > deadline:
            rest = [d for d, _ in prepared[position:] if d in held]
            _release(rest, token)
            outcomes["left"] = outcomes.get("left", 0) + len(rest)
            return
        if time.monotonic() - renewed_at > _lease() / 3:
            held = _renew([d for d, _ in prepared[position:] if d in held], token)
            renewed_at = time.monotonic()
        if delivery_id not in held:
            outcomes["skipped"] = outcomes.get("skipped", 0) + 1
            continue
        if isinstance(ready, str):
            outcome = _Outcome.record(delivery_id, token, ready)
        else:
            outcome = _send_one(ready, token)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1


def send_delivery(delivery_id: int) -> str:
    """Claim, send and record one delivery; return what happened (a short code).

    Safe to call any number of times for the same id: only the call that wins the claim sends.
    No database transaction stays open while the provider is talking. What cannot be sent here
    is never dropped: a channel with no transport is held (and looked at again), a deleted
    subject is failed; both are logged with ids and codes and shown on the failed-sends page.
    """
    outcomes: dict[str, int] = {}
    _send_batch([int(delivery_id)], outcomes)
    return next(iter(outcomes), "skipped")


def send_deliveries(delivery_ids: Sequence[int]) -> dict[str, int]:
    """Send a list of deliveries over one SMTP connection, claimed :data:`CLAIM_BATCH` at a
    time in one statement each (see :func:`_send_batch`); return how many ended how.

    A batch stops taking new ids once it has used half the task's soft time limit, so the hard
    limit never kills it mid-send; the ids it leaves are given back or were never claimed, and
    the delivery sweep publishes them again (``REPUBLISH_AFTER_SECONDS``).
    """
    budget = float(current_app.config.get("CELERY", {}).get("task_soft_time_limit") or 90) / 2
    deadline = time.monotonic() + budget
    outcomes: dict[str, int] = {}
    asked = list(dict.fromkeys(int(delivery_id) for delivery_id in delivery_ids))
    # One read drops the ids that are sent already (a republished message for a backlog): each
    # would otherwise cost a claim statement and a commit for nothing. The claim stays the
    # guarantee for the rest.
    sendable = set(
        db.session.scalars(
            select(Delivery.id).where(
                Delivery.id.in_(asked), Delivery.status.in_(SENDABLE_STATUSES)
            )
        )
    )
    db.session.rollback()
    ids = [delivery_id for delivery_id in asked if delivery_id in sendable]
    if len(ids) < len(asked):
        outcomes["skipped"] = len(asked) - len(ids)
    with reuse_smtp():
        for start in range(0, len(ids), CLAIM_BATCH):
            chunk = ids[start : start + CLAIM_BATCH]
            if time.monotonic() > deadline:
                outcomes["left"] = outcomes.get("left", 0) + len(chunk)
                continue
            _send_batch(chunk, outcomes, deadline)
    return outcomes


# A held delivery is looked at again this often: the transport may be a restart away.
HOLD_RECHECK = timedelta(minutes=15)


def _hold(delivery_id: int, token: str, problem: DeliveryProblem) -> None:
    """Keep the delivery unsent, neither sent nor failed; the attempt does not count."""
    _finish(
        delivery_id,
        token,
        status=DeliveryStatus.HELD.value,
        attempts=Delivery.attempts - 1,
        next_attempt_at=utcnow() + HOLD_RECHECK,
        enqueued_at=None,
        provider_answer=problem.value,
    )


def _defer(delivery_id: int, token: str, until: datetime) -> None:
    """Not now (the recipient's quiet hours): due again at ``until``; the attempt does not
    count, and the retry keeps its place in the backoff."""
    _finish(
        delivery_id,
        token,
        status=DeliveryStatus.RETRY.value,
        attempts=Delivery.attempts - 1,
        next_attempt_at=until,
        enqueued_at=None,
    )
    log.info("delivery deferred id=%s", delivery_id)


def _fail(delivery_id: int, token: str, answer: str) -> None:
    _finish(
        delivery_id,
        token,
        status=DeliveryStatus.FAILED.value,
        failed_at=utcnow(),
        provider_answer=answer,
    )
    log.warning("delivery failed id=%s", delivery_id)


def _retry_or_fail(delivery_id: int, token: str, attempts: int, answer: str) -> str:
    if attempts >= int(current_app.config["DELIVERY_MAX_ATTEMPTS"]):
        _fail(delivery_id, token, scrub(f"gave up after {attempts} attempts: {answer}"))
        return "failed"
    _finish(
        delivery_id,
        token,
        status=DeliveryStatus.RETRY.value,
        next_attempt_at=utcnow() + timedelta(seconds=backoff_seconds(attempts)),
        enqueued_at=None,
        provider_answer=answer,
    )
    log.info("delivery will retry id=%s attempts=%s", delivery_id, attempts)
    return "retry"


# The sweep -----------------------------------------------------------------------------------
def release_stale_claims() -> int:
    """Return deliveries whose worker died mid-send (claim older than the lease) to ``retry``."""
    now = utcnow()
    lease = timedelta(seconds=int(current_app.config["DELIVERY_LEASE_SECONDS"]))
    result = db.session.execute(
        update(Delivery)
        .where(Delivery.status == DeliveryStatus.SENDING.value, Delivery.claimed_at <= now - lease)
        .values(
            status=DeliveryStatus.RETRY.value,
            next_attempt_at=now,
            enqueued_at=None,
            claim_token=None,
        )
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def claim_due_deliveries(limit: int = 200) -> list[int]:
    """Mark due, unpublished deliveries as enqueued and return their ids; the caller commits."""
    now = utcnow()
    stale = now - timedelta(seconds=int(current_app.config["REPUBLISH_AFTER_SECONDS"]))
    due = and_(
        Delivery.status.in_(SENDABLE_STATUSES),
        Delivery.next_attempt_at <= now,
        or_(Delivery.enqueued_at.is_(None), Delivery.enqueued_at <= stale),
    )
    return claim(Delivery, due, (Delivery.next_attempt_at, Delivery.id), limit, enqueued_at=now)


def sweep_deliveries(limit: int = 200) -> int:
    """Recover dead claims, then publish every delivery that is due; return how many."""
    from intake.messaging.relay import SEND_DELIVERY, publish_many

    released = release_stale_claims()
    ids = claim_due_deliveries(limit)
    db.session.commit()
    publish_many(SEND_DELIVERY, ids)
    if ids or released:
        log.info("delivery sweep published=%s released=%s", len(ids), released)
    return len(ids)


# Reading and admin actions -------------------------------------------------------------------
def deliveries_about(subjects: Sequence[tuple[str, int]]) -> Sequence[Delivery]:
    """Every message sent or attempted about any of ``subjects`` (kind, id), oldest first."""
    if not subjects:
        return []
    return db.session.scalars(
        select(Delivery)
        .where(
            or_(
                *(
                    and_(Delivery.subject_kind == kind, Delivery.subject_id == subject_id)
                    for kind, subject_id in subjects
                )
            )
        )
        .options(selectinload(Delivery.recipient_user))
        .order_by(Delivery.next_attempt_at, Delivery.id)
    ).all()


def failed_deliveries(limit: int = 200) -> Sequence[Delivery]:
    """Failed and held sends that need a person's attention, newest first."""
    return db.session.scalars(
        select(Delivery)
        .where(Delivery.status.in_(ATTENTION_STATUSES))
        .options(selectinload(Delivery.recipient_user))
        .order_by(func.coalesce(Delivery.failed_at, Delivery.claimed_at).desc(), Delivery.id.desc())
        .limit(limit)
    ).all()


def requeue(delivery_id: int, actor_id: int | None = None) -> bool:
    """Give a failed or held delivery a fresh set of attempts (after, say, fixing an address or
    configuring its channel); the caller commits."""
    result = db.session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status.in_(ATTENTION_STATUSES))
        .values(
            status=DeliveryStatus.QUEUED.value,
            attempts=0,
            next_attempt_at=utcnow(),
            enqueued_at=utcnow(),
            failed_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    from intake.messaging.relay import SEND_DELIVERY, publish_after_commit

    publish_after_commit(db.session(), SEND_DELIVERY, delivery_id)
    record(
        AuditTag.DELIVERY_REQUEUED,
        target_type="delivery",
        target_id=delivery_id,
        actor_id=actor_id,
    )
    return True


__all__ = [
    "NewDelivery",
    "SendError",
    "add_deliveries",
    "add_delivery",
    "backoff_seconds",
    "deliveries_about",
    "failed_deliveries",
    "requeue",
    "send_deliveries",
    "send_delivery",
    "sweep_deliveries",
]
