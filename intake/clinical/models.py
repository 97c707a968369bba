"""Clinical records: notes and assessments (drafted, then signed), every saved version, the
addenda that correct a signed record, and the clinician's review decisions.

A note and an assessment share one table (``clinical_records``, single-table inheritance on
``kind``): both are drafted, signed the same way and corrected the same way. Content is an
encrypted JSON document; the SHA-256 of its canonical form (:mod:`intake.clinical.signing`) is
stored when it is signed. Signed rows are guarded twice: the services refuse to change them,
and a database trigger (migration 0016) refuses any change to their signature columns.

Every model here declares its field groups (:mod:`intake.auth.access`): reading any of it needs
``clinical:record:read``, so admissions staff are refused (403, audited) whatever the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intake.auth.access import FieldGroup, GuardedRecord
from intake.auth.models import User
from intake.auth.permissions import Permission
from intake.core.types import UTCDateTime, utcnow
from intake.crm.models import Episode
from intake.extensions import Model
from intake.security.fields import EncryptedJSON, EncryptedText
from intake.vocabulary import RecordKind, RecordStatus

# Everything a clinician writes is clinical: even that a record exists (its kind and dates
# say something about the person's care).
CLINICAL_FIELD_PERMISSIONS: Mapping[FieldGroup, Permission] = {
    FieldGroup.RECORD: Permission.CLINICAL_READ,
    FieldGroup.CLINICAL: Permission.CLINICAL_READ,
}


class ClinicalRecord(GuardedRecord, Model):
    """A clinical note or an assessment of an episode. A draft may be saved again (each save is
    a new :class:`RecordVersion`); once signed, nothing of it changes."""

    __tablename__ = "clinical_records"
    __table_args__ = (Index("ix_clinical_records_episode", "episode_id", "created_at"),)
    field_permissions: ClassVar[Mapping[FieldGroup, Permission]] = CLINICAL_FIELD_PERMISSIONS

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(10), default=RecordStatus.DRAFT.value)
    content: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON())
    # The number of the latest saved version (1 for the first save).
    revision: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sign_method: Mapped[str | None] = mapped_column(String(10))
    # SHA-256 (hex) of the canonical JSON of what was signed (intake.clinical.signing).
    content_hash: Mapped[str | None] = mapped_column(String(64))

    episode: Mapped[Episode] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    signed_by: Mapped[User | None] = relationship(foreign_keys=[signed_by_id])
    versions: Mapped[list[RecordVersion]] = relationship(
        back_populates="record", order_by="RecordVersion.number"
    )
    addenda: Mapped[list[Addendum]] = relationship(
        back_populates="record", order_by="Addendum.created_at"
    )

    __mapper_args__ = {"polymorphic_on": kind}

    @property
    def is_signed(self) -> bool:
        return self.status == RecordStatus.SIGNED

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id}>"


class ClinicalNote(ClinicalRecord):
    """A clinical note: ``content`` is ``{"body": text}``."""

    __mapper_args__ = {"polymorphic_identity": RecordKind.NOTE.value}


class Assessment(ClinicalRecord):
    """A structured assessment: substance history, screens, the six dimensions and the level of
    care (the shape is :func:`intake.clinical.rules.check_assessment`'s)."""

    __mapper_args__ = {"polymorphic_identity": RecordKind.ASSESSMENT.value}


class RecordVersion(GuardedRecord, Model):
    """One saved version of a record, kept for good: drafts as they were saved, and the signed
    version. Written once, never changed (a trigger refuses updates of its number and hash)."""

    __tablename__ = "clinical_record_versions"
    __table_args__ = (UniqueConstraint("record_id", "number", name="uq_record_version"),)
    field_permissions: ClassVar[Mapping[FieldGroup, Permission]] = CLINICAL_FIELD_PERMISSIONS

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("clinical_records.id"))
    number: Mapped[int] = mapped_column()
    content: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON())
    content_hash: Mapped[str] = mapped_column(String(64))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    saved_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    signed: Mapped[bool] = mapped_column(default=False)

    record: Mapped[ClinicalRecord] = relationship(back_populates="versions")


class Addendum(GuardedRecord, Model):
    """A correction of a signed record: who, when, why and what; signed when written (the
    author re-enters their password or a code), never changed afterwards."""

    __tablename__ = "clinical_addenda"
    __table_args__ = (Index("ix_clinical_addenda_record", "record_id", "created_at"),)
    field_permissions: ClassVar[Mapping[FieldGroup, Permission]] = CLINICAL_FIELD_PERMISSIONS

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("clinical_records.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reason: Mapped[str] = mapped_column(EncryptedText())
    body: Mapped[str] = mapped_column(EncryptedText())
    sign_method: Mapped[str] = mapped_column(String(10))
    content_hash: Mapped[str] = mapped_column(String(64))

    record: Mapped[ClinicalRecord] = relationship(back_populates="addenda")
    author: Mapped[User] = relationship()


class ReviewDecisionRecord(GuardedRecord, Model):
    """A clinician's decision on reviewing an episode's intake: proceed to assessment, not
    appropriate (with the clinical reason) or referred elsewhere (the referral itself is on the
    episode, where admissions staff see to whom). The reason is clinical and encrypted."""

    __tablename__ = "clinical_review_decisions"
    __table_args__ = (Index("ix_clinical_review_decisions_episode", "episode_id", "decided_at"),)
    field_permissions: ClassVar[Mapping[FieldGroup, Permission]] = CLINICAL_FIELD_PERMISSIONS

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"))
    decision: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(EncryptedText())
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    decided_by: Mapped[User] = relationship()
