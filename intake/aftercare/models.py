"""Aftercare tables: a plan per discharge, its scheduled check-ins, the links sent in them and
the replies.

A check-in row exists for every slot of the schedule that has been decided (the first four at
once, then one more each time the last one is answered or missed), unique per plan and slot; the
beat sweep claims due rows compare-and-set (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), so a
slot is sent once. Replies are encrypted like inquiries; links are stored as hashes only.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intake.auth.models import User
from intake.core.types import UTCDateTime, utcnow
from intake.crm.models import Episode, Person
from intake.extensions import Model
from intake.security.fields import EncryptedJSON, EncryptedText
from intake.vocabulary import DEFAULT_LANGUAGE, CheckInStatus, PlanStatus


class AftercarePlan(Model):
    """What was agreed at discharge: who follows the person, how and when to reach them.

    ``lead_id`` is the owner's lead, who hears of two check-ins missed in a row: chosen on the
    plan (default: the staff member ``AFTERCARE_LEAD_EMAIL`` names, else the plan's owner).
    ``current_gap_months`` is the gap the schedule last used (0 during the first days).
    """

    __tablename__ = "aftercare_plans"
    __table_args__ = (Index("ix_aftercare_plans_person", "person_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    channel: Mapped[str] = mapped_column(String(12))
    language: Mapped[str] = mapped_column(String(5), default=DEFAULT_LANGUAGE.value)
    timezone: Mapped[str] = mapped_column(String(64))
    quiet_start: Mapped[int] = mapped_column()
    quiet_end: Mapped[int] = mapped_column()
    starts_on: Mapped[date] = mapped_column(Date())
    # Support groups and outpatient referrals agreed (free text, encrypted).
    supports: Mapped[str | None] = mapped_column(EncryptedText())
    consent_text: Mapped[str] = mapped_column(String(2000))
    consent_recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    consent_recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The same consent in the clinical consent ledger (purpose ``aftercare_contact``), where its
    # withdrawal is recorded when the person stops the plan. A plain id, not a foreign key: on
    # SQLite a foreign key column cannot be added or dropped in place, and rebuilding this table
    # (which check-ins reference) with foreign keys on would fail; consents are never deleted
    # (the ledger keeps every row), so the id stays good.
    consent_id: Mapped[int | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(12), default=PlanStatus.ACTIVE.value)
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    stop_confirmed: Mapped[bool] = mapped_column(default=False)
    current_gap_months: Mapped[int] = mapped_column(default=0)
    missed_in_row: Mapped[int] = mapped_column(default=0)
    # The clinic's schedule when the plan was made, so a later change of defaults does not
    # move promises already made: {"first_days": [...], "max_gap_months": 3, ...}.
    schedule: Mapped[dict[str, Any]] = mapped_column(JSON())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    person: Mapped[Person] = relationship()
    episode: Mapped[Episode] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    lead: Mapped[User | None] = relationship(foreign_keys=[lead_id])
    checkins: Mapped[list[CheckIn]] = relationship(back_populates="plan", order_by="CheckIn.slot")


class CheckIn(Model):
    """One slot of a plan's schedule: when it is due (UTC, already inside the allowed hours),
    where it stands, and when the sweep looks at it next (a reminder, or calling it missed)."""

    __tablename__ = "aftercare_checkins"
    __table_args__ = (
        UniqueConstraint("plan_id", "slot", name="uq_aftercare_checkin_slot"),
        Index("ix_aftercare_checkins_due", "status", "due_at"),
        Index("ix_aftercare_checkins_next", "status", "next_action_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("aftercare_plans.id"))
    slot: Mapped[int] = mapped_column()
    local_date: Mapped[date] = mapped_column(Date())
    gap_months: Mapped[int] = mapped_column(default=0)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(12), default=CheckInStatus.SCHEDULED.value)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminders_sent: Mapped[int] = mapped_column(default=0)
    next_action_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(12))
    # The inquiry a worrying reply opened in triage, and the task a call request created.
    inquiry_id: Mapped[int | None] = mapped_column(ForeignKey("inquiries.id"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"))

    plan: Mapped[AftercarePlan] = relationship(back_populates="checkins")


class CheckInLink(Model):
    """A personal link sent in one message of a check-in: only its hash is stored. It works
    once (any of a check-in's links answers it), expires, and names nobody."""

    __tablename__ = "aftercare_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    checkin_id: Mapped[int] = mapped_column(ForeignKey("aftercare_checkins.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    checkin: Mapped[CheckIn] = relationship()


class CheckInReply(Model):
    """What the person answered, encrypted; read on the staff page only, audited."""

    __tablename__ = "aftercare_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_id: Mapped[int] = mapped_column(ForeignKey("aftercare_checkins.id"), unique=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # {"wellbeing": 1-5, "use": "yes"|"no", "cravings": 0-4, "sleep": 1-5, "mood": 1-5,
    #  "risky": "yes"|"no", "support": "yes"|"no", "call": true|false} or {"sms_word": "yes"}.
    answers: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON())
    free_text: Mapped[str | None] = mapped_column(EncryptedText())
    # Flag codes the monitor and the text raised (codes only, nothing the person wrote).
    flag_codes: Mapped[str] = mapped_column(String(300), default="")

    checkin: Mapped[CheckIn] = relationship()
