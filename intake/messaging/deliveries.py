"""Deliveries: one send of one message on one channel, at least once and, by its claim, once.

A send first claims its row compare-and-set (``UPDATE ... SET status='sending' WHERE status IN
('queued', 'retry')``) and commits the claim, then talks to the provider, then records the answer.
However many times the task for a delivery arrives, only one claim succeeds. If a worker dies
between claim and answer, the row stays ``sending``; the sweep returns it to ``retry`` once its
lease (longer than the hard task time limit) is over.

Temporary failures are retried with exponential backoff by the sweep (the wait is a column, not
a Celery countdown); permanent failures, and temporary ones that use up every attempt, end as
``failed`` and appear on the admins' page.
"""

from __future__ import annotations

import logging
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
from intake.messaging.compose import compose, stop_reason
from intake.messaging.mail import reuse_smtp
from intake.messaging.models import (
    ATTENTION_STATUSES,
    SENDABLE_STATUSES,
    Delivery,
    DeliveryProblem,
    DeliveryStatus,
)
from intake.messaging.registry import SubjectMissing
from intake.messaging.transports import Outgoing, transport_for
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


def _claim(delivery_id: int) -> bool:
    now = utcnow()
    result = db.session.execute(
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.status.in_(SENDABLE_STATUSES),
            Delivery.next_attempt_at <= now,
        )
        .values(status=DeliveryStatus.SENDING.value, claimed_at=now, attempts=Delivery.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    claimed = result.rowcount == 1  # type: ignore[attr-defined]
    db.session.commit()
    return claimed


def _finish(delivery_id: int, *, add: Sequence[object] = (), **values: object) -> None:
    """Record the outcome, only if this worker still holds the claim.

    The ``UPDATE`` is the first statement of its transaction: on SQLite a transaction that reads
    before it writes fails at once with "database is locked" when another writer is active,
    while one that writes first waits its turn (``busy_timeout``).
    """
    result = db.session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == DeliveryStatus.SENDING.value)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:  # type: ignore[attr-defined]
        db.session.add_all(add)
    db.session.commit()


def send_delivery(delivery_id: int) -> str:
    """Claim, send and record one delivery; return what happened (a short code).

    Safe to call any number of times for the same id: only the call that wins the claim sends.
    No database transaction stays open while the provider is talking. What cannot be sent here
    is never dropped: a channel with no transport is held (and looked at again), a deleted
    subject is failed; both are logged with ids and codes and shown on the failed-sends page.
    """
    if not _claim(delivery_id):
        return "skipped"
    delivery = db.session.get(Delivery, delivery_id)
    if delivery is None:  # claimed a moment ago, so this cannot happen
        return "skipped"
    outgoing = Outgoing(delivery_id, delivery.idempotency_key, delivery.channel)
    attempts, subject = delivery.attempts, (delivery.subject_kind, delivery.subject_id)
    try:
        reason = stop_reason(delivery)
        if reason is not None:
            db.session.rollback()
            _finish(delivery_id, status=DeliveryStatus.CANCELLED.value, provider_answer=reason)
            return "cancelled"
        transport = transport_for(outgoing.channel)
        if transport is None:
            db.session.rollback()
            _hold(delivery_id, DeliveryProblem.NO_TRANSPORT)
            log.error(
                "delivery held id=%s channel=%s code=%s",
                delivery_id,
                outgoing.channel,
                DeliveryProblem.NO_TRANSPORT.value,
            )
            return "held"
        message = compose(delivery)
        db.session.rollback()  # end the reading transaction before any network I/O
        result = transport.send(outgoing, message)
    except SubjectMissing:
        db.session.rollback()
        _fail(delivery_id, DeliveryProblem.SUBJECT_MISSING.value)
        log.error(
            "delivery subject missing id=%s subject=%s:%s code=%s",
            delivery_id,
            subject[0],
            subject[1],
            DeliveryProblem.SUBJECT_MISSING.value,
        )
        return "failed"
    except PermanentSendError as exc:
        db.session.rollback()
        _fail(delivery_id, exc.answer)
        return "failed"
    except TemporarySendError as exc:
        db.session.rollback()
        return _retry_or_fail(delivery_id, attempts, exc.answer)
    except Exception as exc:  # a bug or a database hiccup: retried, bounded like the rest
        db.session.rollback()
        # No traceback: exception messages can carry addresses or message text.
        log.error("delivery %s raised %s", delivery_id, type(exc).__name__)
        return _retry_or_fail(delivery_id, attempts, f"error: {type(exc).__name__}")
    _finish(
        delivery_id,
        add=message.new_rows,
        status=DeliveryStatus.SENT.value,
        sent_at=utcnow(),
        provider_answer=scrub(result.answer),
    )
    log.info("delivery sent id=%s channel=%s", delivery_id, outgoing.channel)
    return DeliveryStatus.SENT.value


def send_deliveries(delivery_ids: Sequence[int]) -> dict[str, int]:
    """Send a batch of deliveries one by one (each claimed and recorded on its own, exactly as
    :func:`send_delivery`), over one SMTP connection; return how many ended how.

    A batch stops taking new ids once it has used half the task's soft time limit, so the hard
    limit never kills it mid-send; the ids it leaves are still enqueued, and the delivery sweep
    publishes them again (``REPUBLISH_AFTER_SECONDS``).
    """
    budget = float(current_app.config.get("CELERY", {}).get("task_soft_time_limit") or 90) / 2
    started = time.monotonic()
    outcomes: dict[str, int] = {}
    # One read drops the ids that are sent already (a republished message for a backlog): each
    # would otherwise cost a claim and a commit. The claim stays the guarantee for the rest.
    sendable = set(
        db.session.scalars(
            select(Delivery.id).where(
                Delivery.id.in_([int(delivery_id) for delivery_id in delivery_ids]),
                Delivery.status.in_(SENDABLE_STATUSES),
            )
        )
    )
    db.session.rollback()
    skipped = len(delivery_ids) - len(sendable)
    if skipped:
        outcomes["skipped"] = skipped
    with reuse_smtp():
        for delivery_id in (int(d) for d in delivery_ids if int(d) in sendable):
            if time.monotonic() - started > budget:
                outcomes["left"] = outcomes.get("left", 0) + 1
                continue
            outcome = send_delivery(int(delivery_id))
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


# A held delivery is looked at again this often: the transport may be a restart away.
HOLD_RECHECK = timedelta(minutes=15)


def _hold(delivery_id: int, problem: DeliveryProblem) -> None:
    """Keep the delivery unsent, neither sent nor failed; the attempt does not count."""
    _finish(
        delivery_id,
        status=DeliveryStatus.HELD.value,
        attempts=Delivery.attempts - 1,
        next_attempt_at=utcnow() + HOLD_RECHECK,
        enqueued_at=None,
        provider_answer=problem.value,
    )


def _fail(delivery_id: int, answer: str) -> None:
    _finish(
        delivery_id, status=DeliveryStatus.FAILED.value, failed_at=utcnow(), provider_answer=answer
    )
    log.warning("delivery failed id=%s", delivery_id)


def _retry_or_fail(delivery_id: int, attempts: int, answer: str) -> str:
    if attempts >= int(current_app.config["DELIVERY_MAX_ATTEMPTS"]):
        _fail(delivery_id, scrub(f"gave up after {attempts} attempts: {answer}"))
        return "failed"
    _finish(
        delivery_id,
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
        .values(status=DeliveryStatus.RETRY.value, next_attempt_at=now, enqueued_at=None)
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
