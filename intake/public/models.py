"""Inquiries as received, and the keys of the websites that send them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intake.auth.access import PERSON_FIELD_PERMISSIONS, FieldGroup, GuardedRecord
from intake.auth.permissions import Permission
from intake.core.types import UTCDateTime, utcnow
from intake.extensions import Model
from intake.security.fields import EncryptedJSON, EncryptedText

if TYPE_CHECKING:
    # For the type checker only: the front door never imports a staff domain at run time (the
    # intake use case creates the person); SQLAlchemy finds Person by name in its registry.
    from intake.crm.models import Person


class Inquiry(GuardedRecord, Model):
    """One message as received. Never edited: triage and follow-up live in their own rows."""

    __tablename__ = "inquiries"
    # The reports count inquiries per week by source, country and language: all four in one
    # index, so those counts read the index alone.
    __table_args__ = (
        Index("ix_inquiries_received_report", "received_at", "source", "country", "language"),
    )
    field_permissions: ClassVar[Mapping[FieldGroup, Permission]] = PERSON_FIELD_PERMISSIONS

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    source: Mapped[str] = mapped_column(String(80))
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    language: Mapped[str] = mapped_column(String(5))
    country: Mapped[str | None] = mapped_column(String(2))
    for_whom: Mapped[str] = mapped_column(String(20))
    preferred_channel: Mapped[str | None] = mapped_column(String(10))
    safe_to_leave_message: Mapped[bool] = mapped_column(default=False)
    message: Mapped[str] = mapped_column(EncryptedText())
    best_time: Mapped[str | None] = mapped_column(EncryptedText())
    # Every answer exactly as given (the API.md shape), for clinicians and for re-scoring.
    answers: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON())
    consent_version: Mapped[str] = mapped_column(String(20))
    consent_text: Mapped[str] = mapped_column(String(2000))
    # A one-time form token or an API idempotency key: the same submission is stored once.
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    # SHA-256 of the canonical body sent under ``submission_key``: a key sent again with another
    # body is a different submission, never an echo of this one.
    submission_body_hash: Mapped[str | None] = mapped_column(String(64))
    # Set at receipt when the form looked automated (too fast, honeypot, bad one-time token).
    # It stays true after release: it records how the inquiry arrived, not a staff decision.
    suspected_automated: Mapped[bool] = mapped_column(default=False, server_default=false())

    person: Mapped[Person] = relationship(back_populates="inquiries")

    def __repr__(self) -> str:
        return f"<Inquiry {self.id}>"


class QuarantineStatus(StrEnum):
    HELD = "held"
    RELEASED = "released"
    DISCARDED = "discarded"


class InquiryQuarantine(Model):
    """Why an inquiry that looked automated is held out of the queue, and what staff decided.

    Nothing is deleted: a discarded inquiry keeps its row here and in ``inquiries``.
    """

    __tablename__ = "inquiry_quarantine"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id"), unique=True)
    # Comma-separated reason codes, e.g. ``too_fast,honeypot`` (see intake.public.services).
    reasons: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), default=QuarantineStatus.HELD.value, index=True)
    held_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def reason_codes(self) -> list[str]:
        return [code for code in self.reasons.split(",") if code]


class ApiKey(Model):
    """A website's key for the inquiry API. Only a hash of the secret part is stored."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def active(self) -> bool:
        return self.revoked_at is None
