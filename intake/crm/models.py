"""CRM tables: people and their contacts, episodes with their stage history, duplicate
candidates and merges, the assignment rotation, tasks, messages sent from a case, and where
inquiries come from (referral sources, referrers, outbound referrals).

Personal fields are encrypted; email and phone are blind-indexed so lookups never decrypt.
Stage, reason and kind columns hold the codes of :mod:`intake.crm.vocabulary`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intake.auth.access import PERSON_FIELD_PERMISSIONS, FieldGroup, GuardedRecord
from intake.auth.models import User
from intake.auth.permissions import Permission
from intake.core.types import UTCDateTime, utcnow
from intake.crm.vocabulary import Disclosure, DuplicateStatus, Relationship
from intake.extensions import Model
from intake.security.fields import EncryptedText
from intake.vocabulary import DEFAULT_LANGUAGE

if TYPE_CHECKING:
    from intake.public.models import Inquiry


class Person(GuardedRecord, Model):
    """The prospective client. Created by an inquiry; the same person writing again (same email
    and same name) is linked, any other exact match becomes a duplicate candidate."""

    __tablename__ = "people"
    field_permissions: ClassVar[Mapping[FieldGroup, Permission]] = PERSON_FIELD_PERMISSIONS

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    name: Mapped[str | None] = mapped_column(EncryptedText())
    email: Mapped[str | None] = mapped_column(EncryptedText())
    phone: Mapped[str | None] = mapped_column(EncryptedText())
    email_index: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_index: Mapped[str | None] = mapped_column(String(64), index=True)
    language: Mapped[str] = mapped_column(String(5), default=DEFAULT_LANGUAGE.value)
    country: Mapped[str | None] = mapped_column(String(2))
    # Set while this record is merged into another (the merge row says what moved); an unmerge
    # clears it. A merged record is kept, never deleted.
    merged_into_id: Mapped[int | None] = mapped_column(index=True)

    inquiries: Mapped[list[Inquiry]] = relationship(
        back_populates="person", order_by="Inquiry.received_at"
    )

    def __repr__(self) -> str:
        return f"<Person {self.id}>"


class Contact(GuardedRecord, Model):
    """Someone linked to a person who is not the person: a mother, a partner, a doctor."""

    __tablename__ = "contacts"
    field_permissions: ClassVar[Mapping[FieldGroup, Permission]] = PERSON_FIELD_PERMISSIONS

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    relation: Mapped[str] = mapped_column(String(20), default=Relationship.UNKNOWN.value)
    name: Mapped[str | None] = mapped_column(EncryptedText())
    email: Mapped[str | None] = mapped_column(EncryptedText())
    phone: Mapped[str | None] = mapped_column(EncryptedText())
    email_index: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_index: Mapped[str | None] = mapped_column(String(64), index=True)
    may_be_told: Mapped[str] = mapped_column(String(20), default=Disclosure.ACKNOWLEDGE_ONLY.value)
    # The inquiry this contact sent, when they reached out for the person.
    inquiry_id: Mapped[int | None] = mapped_column(ForeignKey("inquiries.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    person: Mapped[Person] = relationship()
    inquiry: Mapped[Inquiry | None] = relationship()


class Episode(Model):
    """One journey towards care. ``stage`` is where it stands; ``closed_at`` ends it early with
    a reason. Moves are compare-and-set on ``version``: of two simultaneous moves one wins."""

    __tablename__ = "episodes"
    __table_args__ = (
        Index("ix_episodes_person_open", "person_id", "closed_at"),
        Index("ix_episodes_stage", "stage", "closed_at"),
        Index("ix_episodes_owner", "owner_id", "closed_at"),
        # The board (counts per stage, newest cards per column) and the list by stage: open
        # episodes only.
        Index(
            "ix_episodes_open_stage",
            "stage",
            "id",
            postgresql_where=text("closed_at IS NULL"),
            sqlite_where=text("closed_at IS NULL"),
        ),
        # Reports: open episodes per owner (an index-only read instead of every episode).
        Index(
            "ix_episodes_open_owner",
            "owner_id",
            postgresql_where=text("closed_at IS NULL"),
            sqlite_where=text("closed_at IS NULL"),
        ),
        # Reports: episodes by the day they opened (the funnel).
        Index("ix_episodes_opened_at", "opened_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    stage: Mapped[str] = mapped_column(String(20))
    stage_entered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    close_reason: Mapped[str | None] = mapped_column(String(30))
    # When closed as "referred elsewhere": to whom (an organisation or professional) and a note.
    referred_to: Mapped[str | None] = mapped_column(EncryptedText())
    referral_note: Mapped[str | None] = mapped_column(EncryptedText())
    version: Mapped[int] = mapped_column(default=1)

    person: Mapped[Person] = relationship()
    owner: Mapped[User | None] = relationship()
    history: Mapped[list[StageChange]] = relationship(
        back_populates="episode", order_by="StageChange.id"
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Episode {self.id}>"


class EpisodeInquiry(Model):
    """Which episode an inquiry opened or joined (one episode per inquiry)."""

    __tablename__ = "episode_inquiries"

    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id"), primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"), index=True)

    episode: Mapped[Episode] = relationship()
    inquiry: Mapped[Inquiry] = relationship()


class InquirySubstance(Model):
    """A substance an inquiry named, as its code (``intake.vocabulary.SUBSTANCES``), kept beside
    the encrypted answers so reports can count inquiries by substance in SQL. Codes only: the
    person's own words stay encrypted in the answers."""

    __tablename__ = "inquiry_substances"

    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id"), primary_key=True)
    substance: Mapped[str] = mapped_column(String(30), primary_key=True)


class StageChange(Model):
    """One step of an episode's history: from, to, who, when. The time spent in a stage is the
    gap to the next row. ``to_stage`` is ``closed`` when the episode closed."""

    __tablename__ = "stage_changes"
    __table_args__ = (
        Index("ix_stage_changes_episode", "episode_id", "changed_at"),
        # Reports: which episodes ever reached a stage (admitted, for a source's yield).
        Index("ix_stage_changes_to_stage", "to_stage", "episode_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"))
    from_stage: Mapped[str | None] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # What caused it: an inquiry, a contact attempt, a staff member's move, a close.
    cause: Mapped[str] = mapped_column(String(20))

    episode: Mapped[Episode] = relationship(back_populates="history")


class DuplicateCandidate(Model):
    """Two people who may be the same, with the reasons; staff merge them or say they are not.

    The pair is stored once (lower id first), so "not the same person" sticks: the pair is never
    proposed again.
    """

    __tablename__ = "duplicate_candidates"
    __table_args__ = (
        UniqueConstraint("person_low_id", "person_high_id", name="uq_duplicate_pair"),
        CheckConstraint("person_low_id < person_high_id", name="ordered_pair"),
        Index("ix_duplicate_candidates_status", "status", "found_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_low_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    person_high_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    # Comma-separated DuplicateReason codes, e.g. ``email,name``.
    reasons: Mapped[str] = mapped_column(String(60))
    name_score: Mapped[int | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(12), default=DuplicateStatus.OPEN.value)
    found_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    person_low: Mapped[Person] = relationship(foreign_keys=[person_low_id])
    person_high: Mapped[Person] = relationship(foreign_keys=[person_high_id])

    @property
    def reason_codes(self) -> list[str]:
        return [code for code in self.reasons.split(",") if code]


class PersonMerge(Model):
    """A merge as an event: ``source`` went into ``target``; ``moved`` lists the ids of every
    row that changed person, so an unmerge puts exactly those back."""

    __tablename__ = "person_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    target_person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("duplicate_candidates.id"))
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    merged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # {"episodes": [ids], "inquiries": [ids], "contacts": [ids]}: ids only, nothing personal.
    moved: Mapped[dict[str, Any]] = mapped_column(JSON())
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class AssignmentRotation(Model):
    """Whose turn it is: the last user handed a new episode, per rotation. Kept in the database
    (locked while a turn is taken) so two web workers never hand out the same turn and a Redis
    flush changes nothing."""

    __tablename__ = "assignment_rotations"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Task(Model):
    """A call, email, callback or follow-up due for someone on an episode."""

    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_owner_due", "owner_id", "done_at", "due_at"),
        # Reports: open and overdue tasks per owner, from the open tasks only.
        Index(
            "ix_tasks_open_owner",
            "owner_id",
            "due_at",
            postgresql_where=text("done_at IS NULL"),
            sqlite_where=text("done_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(EncryptedText())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    episode: Mapped[Episode] = relationship()


class CaseNote(Model):
    """A non-clinical note on an episode (clinical notes belong to the clinical package):
    encrypted text, its author and when. Notes are added, never edited."""

    __tablename__ = "case_notes"
    __table_args__ = (Index("ix_case_notes_episode", "episode_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(EncryptedText())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User | None] = relationship()


class CaseMessage(Model):
    """A message staff sent the person from an episode: which template, on which channel, by
    whom. The send itself is a messaging delivery about this row (``case_message``, id), with
    the same idempotency key; its status is the delivery's."""

    __tablename__ = "case_messages"
    __table_args__ = (Index("ix_case_messages_episode", "episode_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    template: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(12))
    language: Mapped[str] = mapped_column(String(5), default=DEFAULT_LANGUAGE.value)
    # The appointment's date and time (UTC) for the appointment confirmation.
    appointment_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # One per form shown: a second POST of the same form finds this row and sends nothing.
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    episode: Mapped[Episode] = relationship()


class Referrer(Model):
    """A named organisation or professional that sends people to the clinic (or that the clinic
    refers people to). An organisation's name is not personal and is kept in clear to list and
    sort; a professional's name and contact line are personal and encrypted. Kept minimal:
    nothing more is needed to thank them or call them back."""

    __tablename__ = "referrers"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    # The organisation (for a professional: where they work, optional).
    organisation: Mapped[str | None] = mapped_column(String(200))
    professional_name: Mapped[str | None] = mapped_column(EncryptedText())
    # One line: a phone number or an email address to reach them.
    contact: Mapped[str | None] = mapped_column(EncryptedText())
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def display_name(self) -> str:
        parts = [part for part in (self.professional_name, self.organisation) if part]
        return ", ".join(parts) or f"#{self.id}"


class ReferralSource(Model):
    """Where one inquiry came from, recorded when it arrived: the channel, the website's API
    source, and for the web form the landing page and campaign parameters it captured."""

    __tablename__ = "referral_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id"), unique=True)
    # Not indexed: sources are read by inquiry, never looked up by channel (migration 0022).
    channel: Mapped[str] = mapped_column(String(12))
    api_source: Mapped[str | None] = mapped_column(String(80))
    landing_page: Mapped[str | None] = mapped_column(String(300))
    utm_source: Mapped[str | None] = mapped_column(String(100))
    utm_medium: Mapped[str | None] = mapped_column(String(100))
    utm_campaign: Mapped[str | None] = mapped_column(String(100))
    utm_term: Mapped[str | None] = mapped_column(String(100))
    utm_content: Mapped[str | None] = mapped_column(String(100))


class EpisodeReferral(Model):
    """Who referred an episode's person and how they reached the clinic, as staff set it (a call
    or a visit the form cannot know of, a doctor who sent them)."""

    __tablename__ = "episode_referrals"

    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"), primary_key=True)
    referrer_id: Mapped[int | None] = mapped_column(ForeignKey("referrers.id"), index=True)
    channel: Mapped[str | None] = mapped_column(String(12))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    referrer: Mapped[Referrer | None] = relationship()
    episode: Mapped[Episode] = relationship()


class OutboundReferral(Model):
    """The clinic referred an episode's person elsewhere (the episode closed as "referred
    elsewhere"): to which referrer row, when, by whom."""

    __tablename__ = "outbound_referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"), unique=True)
    referrer_id: Mapped[int] = mapped_column(ForeignKey("referrers.id"), index=True)
    referred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    referred_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    referrer: Mapped[Referrer] = relationship()
    episode: Mapped[Episode] = relationship()


class ReportDay(Model):
    """The reports dashboard's figures for one day or week (UTC), computed ahead by beat
    (:mod:`intake.crm.rollup`): any date range's figures are the sum of its days, so the page
    reads one row a day instead of aggregating every inquiry. Counts, and the first-contact
    waits in seconds (exact percentiles need them), never a person."""

    __tablename__ = "report_days"

    # The first day, and how many days the row sums: 1, or 7 for a whole week (UTC, from its
    # Monday), so a long range reads a row a week and the days at its two ends.
    day: Mapped[date] = mapped_column(primary_key=True)
    span_days: Mapped[int] = mapped_column(primary_key=True)
    # The day's figures (:func:`intake.crm.rollup.compute_days`) and a hash of them: beat
    # rewrites only the days whose figures changed.
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    figures_hash: Mapped[str] = mapped_column(String(64))


class ReportRefresh(Model):
    """Beat's last pass over the day rollups: one row. The page reads the days while beat keeps
    them (``checked_at`` recent); the fingerprint says whether the data changed since."""

    __tablename__ = "report_refreshes"

    id: Mapped[int] = mapped_column(primary_key=True)
    # What the data looked like when the days were computed (:func:`rollup.fingerprint`).
    fingerprint: Mapped[str] = mapped_column(String(64))
    # When the days were computed (the contact clocks still running are judged against it).
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The last pass that found the data as the fingerprint says: the figures are right as of then.
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime())
