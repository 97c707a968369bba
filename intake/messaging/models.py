"""Messaging tables: the on-call rota, alerts with their escalation state, deliveries (one send on
one channel, with a unique idempotency key) and unsubscribe tokens.

State changes on alerts and deliveries are compare-and-set (``UPDATE ... WHERE status = old``),
in the manner of healthchecks.io, so two workers can never both win the same transition.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intake.auth.models import User
from intake.core.types import UTCDateTime, utcnow
from intake.extensions import Model
from intake.vocabulary import DEFAULT_LANGUAGE, AlertStatus, DeliveryChannel, DeliveryStatus


class OnCallShift(Model):
    """Who is on call between two instants (stored in UTC), with a fallback person."""

    __tablename__ = "on_call_shifts"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_on_call_shifts_window", "starts_at", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    fallback_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    fallback_user: Mapped[User | None] = relationship(foreign_keys=[fallback_user_id])


OPEN_ALERT_STATUSES = (AlertStatus.PENDING, AlertStatus.SENT, AlertStatus.ESCALATED)


class Alert(Model):
    """The on-call alert for one P0/P1 inquiry and where its escalation stands.

    ``round`` counts the waves sent: 0 the person on call, 1 the fallback, 2 and later everyone
    (clinicians and admins). ``next_action_at`` is when the beat sweep looks at it again; the
    wait lives here, never in a Celery ETA.

    Once a P0 alert stops (acknowledged, or the inquiry claimed), the *contact watch* starts:
    ``contact_next_at`` is when the sweep checks that someone reached the person; if nobody has
    by then, it pages again, the claimer, then the fallback, then everyone (``contact_round``
    counts those waves), until a contact that reached the person is logged.
    ``contact_closed_reason`` says why the watch ended; ``contact_next_at`` is then empty.
    """

    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alerts_due", "status", "next_action_at"),
        Index("ix_alerts_contact_due", "contact_next_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id"), unique=True)
    priority: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(12), default=AlertStatus.PENDING.value)
    round: Mapped[int] = mapped_column(default=-1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    next_action_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_reason: Mapped[str | None] = mapped_column(String(20))
    contact_next_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    contact_round: Mapped[int] = mapped_column(default=-1, server_default=text("-1"))
    contact_closed_reason: Mapped[str | None] = mapped_column(String(20))


# Delivery statuses are a shared vocabulary (intake.vocabulary.DeliveryStatus).


SENDABLE_STATUSES = (
    DeliveryStatus.QUEUED.value,
    DeliveryStatus.RETRY.value,
    DeliveryStatus.HELD.value,
)
# What the failed-sends page lists: sends that need a person's attention.
ATTENTION_STATUSES = (DeliveryStatus.FAILED.value, DeliveryStatus.HELD.value)


class DeliveryProblem(StrEnum):
    """Why a delivery is held or failed without a provider's answer (stored as the answer)."""

    # No transport is configured for its channel in this process: held, looked at again later.
    NO_TRANSPORT = "no_transport"
    # What it was about was deleted: failed, never tried again.
    SUBJECT_MISSING = "subject_missing"


class MessageKind(StrEnum):
    STAFF_ALERT = "staff_alert"
    # A claimed P0 with no contact that reached the person within its target.
    CONTACT_OVERDUE = "contact_overdue"
    ACKNOWLEDGEMENT = "acknowledgement"
    FOLLOW_UP = "follow_up"


# The delivery channels are a shared vocabulary (the label tables and the transports use it).
Channel = DeliveryChannel


class Delivery(Model):
    """One send of one message on one channel to one recipient.

    The recipient is a reference (a staff user, the inquiry's person, the webhook), never an
    address: addresses are read, and decrypted, only at the moment of sending. ``provider_answer``
    keeps the server's code and a short text with anything that looks like an address removed.

    What it is about is a reference too, ``subject_kind`` and ``subject_id`` (``alert`` 12,
    ``inquiry`` 7), not a foreign key per domain: messaging knows no domain's table, and a new
    domain's messages need no new column. The subject may since have been deleted; the
    kind's composer then says so and the delivery is failed and shown, never sent.
    ``wave`` numbers the paging wave a delivery belongs to (0 the first), when it belongs to one.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        Index("ix_deliveries_due", "status", "next_attempt_at"),
        Index("ix_deliveries_subject", "subject_kind", "subject_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(12))
    subject_kind: Mapped[str | None] = mapped_column(String(20))
    subject_id: Mapped[int | None] = mapped_column()
    wave: Mapped[int | None] = mapped_column()
    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recipient_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    language: Mapped[str] = mapped_column(String(5), default=DEFAULT_LANGUAGE.value)
    status: Mapped[str] = mapped_column(String(12), default=DeliveryStatus.QUEUED.value)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Not before this instant: a follow-up waits here for days, a retry for its backoff.
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # When a send task was last handed to the broker, so the sweep does not flood it.
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When a worker claimed it; a claim older than the lease means the worker died.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Which claim holds it (a random token per batch claim): only that claim may record the
    # outcome or renew the lease, so a worker whose rows were released cannot write over a
    # later claim.
    claim_token: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    provider_answer: Mapped[str | None] = mapped_column(String(300))

    recipient_user: Mapped[User | None] = relationship(foreign_keys=[recipient_user_id])


class UnsubscribeToken(Model):
    """An opaque link that lets a person stop our messages; only its hash is stored.

    A person has opted out when any of their tokens has been used.
    """

    __tablename__ = "unsubscribe_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    language: Mapped[str] = mapped_column(String(5), default=DEFAULT_LANGUAGE.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
