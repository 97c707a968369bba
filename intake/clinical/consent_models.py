"""Tables of the consent ledger, the disclosure log and break-glass grants.

A consent holds the elements 42 CFR Part 2 § 2.31 asks for and what GDPR Art. 7(1) needs to
prove it (who recorded it, when, and the exact text the person was shown, with its version and
hash). It is never edited or deleted: revoking it, or its expiry event happening, fills the
``ended_*`` columns. A disclosure row points at the consent that covered it, or records the
§ 2.51 medical-emergency facts instead. A break-glass grant is one admin's reasoned, time-limited
right to read one person's clinical fields.

Free text a person or staff member wrote is encrypted (it may name people, conditions, doctors);
codes are the vocabularies of :mod:`intake.vocabulary`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intake.core.types import UTCDateTime, utcnow
from intake.extensions import Model
from intake.security.fields import EncryptedText
from intake.vocabulary import ConsentEnd, ConsentScope, ConsentState

if TYPE_CHECKING:
    from intake.auth.models import User
    from intake.crm.models import Contact, Person


class Consent(Model):
    """One consent of one person for one purpose and recipient (the § 2.31 elements)."""

    __tablename__ = "consents"
    __table_args__ = (
        Index("ix_consents_person", "person_id", "purpose"),
        CheckConstraint("expires_at IS NULL OR expires_at > starts_at", name="expires_after_start"),
        CheckConstraint("expires_at IS NOT NULL OR expiry_event IS NOT NULL", name="has_expiry"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    purpose: Mapped[str] = mapped_column(String(20))
    scope: Mapped[str] = mapped_column(String(20))
    # (1) The patient's name, as on the signed consent.
    patient_name: Mapped[str] = mapped_column(EncryptedText())
    # (2) Who may disclose (the clinic, a named programme).
    disclosing_party: Mapped[str] = mapped_column(EncryptedText())
    # (3) What information, described specifically (how much and what kind).
    information: Mapped[str] = mapped_column(EncryptedText())
    # (4) To whom: a named contact of the person's, or a named person or organisation.
    recipient_contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    recipient_name: Mapped[str] = mapped_column(EncryptedText())
    recipient_organisation: Mapped[str | None] = mapped_column(EncryptedText())
    # (5) The purpose, in the consent's words.
    purpose_text: Mapped[str] = mapped_column(EncryptedText())
    # (6) The right to revoke and how (the words the person was given).
    revocation_text: Mapped[str] = mapped_column(EncryptedText())
    # (7) The expiry: a date, or an event (or both: whichever comes first).
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expiry_event: Mapped[str | None] = mapped_column(EncryptedText())
    # (8, 9) The signature (electronic allowed) and its date.
    signature_method: Mapped[str] = mapped_column(String(12))
    signed_name: Mapped[str] = mapped_column(EncryptedText())
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # How the person gave it (in person, on the phone, in writing...).
    given_via: Mapped[str] = mapped_column(String(12))
    # GDPR Art. 9(2)(a) explicit consent, provable (Art. 7(1)): the exact text shown, its
    # version and its SHA-256, who recorded it and when.
    explicit: Mapped[bool] = mapped_column(default=False)
    text_version: Mapped[str] = mapped_column(String(40))
    text_shown: Mapped[str] = mapped_column(EncryptedText())
    text_sha256: Mapped[str] = mapped_column(String(64))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The end: revoked (Art. 7(3): as easily as given) or the expiry event happened. Never
    # deleted, never edited otherwise.
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_kind: Mapped[str | None] = mapped_column(String(20))
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    end_channel: Mapped[str | None] = mapped_column(String(12))
    end_note: Mapped[str | None] = mapped_column(EncryptedText())

    person: Mapped[Person] = relationship()
    recipient_contact: Mapped[Contact | None] = relationship()
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])
    ended_by: Mapped[User | None] = relationship(foreign_keys=[ended_by_id])

    def state(self, at: datetime | None = None) -> ConsentState:
        """Where this consent stands at ``at`` (now by default)."""
        moment = at or utcnow()
        if self.ended_at is not None and self.ended_at <= moment:
            if self.end_kind == ConsentEnd.EVENT_OCCURRED:
                return ConsentState.ENDED
            return ConsentState.REVOKED
        if self.starts_at > moment:
            return ConsentState.PENDING
        if self.expires_at is not None and self.expires_at <= moment:
            return ConsentState.EXPIRED
        return ConsentState.LIVE

    def is_live(self, at: datetime | None = None) -> bool:
        return self.state(at) == ConsentState.LIVE

    def allows(self, scope: str) -> bool:
        """Whether this consent lets the clinic say as much as ``scope``."""
        return ConsentScope(scope).rank <= ConsentScope(self.scope).rank


class Disclosure(Model):
    """Information about a person that left the clinic: under a consent, or in an emergency.

    ``consent_id`` is set unless ``emergency``; an emergency row records what § 2.51(c) asks:
    who received it and their facility, who disclosed it, when, and the nature of the emergency.
    """

    __tablename__ = "disclosures"
    __table_args__ = (
        Index("ix_disclosures_person", "person_id", "disclosed_at"),
        CheckConstraint(
            "(emergency AND emergency_nature IS NOT NULL) OR "
            "(NOT emergency AND consent_id IS NOT NULL)",
            name="consent_or_emergency",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    consent_id: Mapped[int | None] = mapped_column(ForeignKey("consents.id"), index=True)
    emergency: Mapped[bool] = mapped_column(default=False)
    purpose: Mapped[str | None] = mapped_column(String(20))
    scope: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20))
    recipient_name: Mapped[str] = mapped_column(EncryptedText())
    recipient_facility: Mapped[str | None] = mapped_column(EncryptedText())
    # What was disclosed, described (the accounting shows it).
    information: Mapped[str] = mapped_column(EncryptedText())
    emergency_nature: Mapped[str | None] = mapped_column(EncryptedText())
    disclosed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    disclosed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The § 2.32 notice went with it (always, for what this application sends or prints).
    notice_included: Mapped[bool] = mapped_column(default=True)

    consent: Mapped[Consent | None] = relationship()
    disclosed_by: Mapped[User] = relationship()


class BreakGlassGrant(Model):
    """An admin's emergency access to one person's clinical fields, until ``expires_at`` (or
    ``ended_at``, when they close it early); reviewed afterwards by a clinician."""

    __tablename__ = "break_glass_grants"
    __table_args__ = (
        Index("ix_break_glass_live", "user_id", "person_id", "expires_at"),
        Index("ix_break_glass_review", "reviewed_at", "granted_at"),
        CheckConstraint("expires_at > granted_at", name="expires_after_grant"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    reason: Mapped[str] = mapped_column(EncryptedText())
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_note: Mapped[str | None] = mapped_column(EncryptedText())

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])

    def is_live(self, at: datetime | None = None) -> bool:
        moment = at or utcnow()
        return self.ended_at is None and self.granted_at <= moment < self.expires_at
