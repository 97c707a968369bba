"""Triage results. A new result for every scoring or manual change; the latest is current."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intake.core.types import UTCDateTime, utcnow
from intake.extensions import Model
from intake.security.fields import EncryptedText
from intake.vocabulary import OPEN_CASE_STATUSES, CaseStatus

# The open cases, as SQL for the partial index (the queue's own condition, so the planner uses it).
_OPEN_CASES = "status IN ({})".format(
    ", ".join(f"'{status.value}'" for status in OPEN_CASE_STATUSES)
)


class TriageResult(Model):
    """One scoring or manual change; ``priority`` is an :class:`intake.vocabulary.Priority` code."""

    __tablename__ = "triage_results"
    __table_args__ = (Index("ix_triage_results_inquiry_scored", "inquiry_id", "scored_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id"))
    # Not indexed: nothing selects results by priority (the queue and reports read the case's).
    priority: Mapped[str] = mapped_column(String(2))
    ruleset: Mapped[str] = mapped_column(String(40))
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Null for the automatic rules; the staff member for a manual raise or lowering.
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    change_reason: Mapped[str | None] = mapped_column(EncryptedText())

    flags: Mapped[list[TriageFlag]] = relationship(
        back_populates="result", cascade="all, delete-orphan", order_by="TriageFlag.id"
    )


class TriageFlag(Model):
    """One reason for a priority: a stable code, a reason for staff, and the evidence."""

    __tablename__ = "triage_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("triage_results.id"), index=True)
    # Not indexed: flags are read by their result, never looked up by code (migration 0022).
    code: Mapped[str] = mapped_column(String(60))
    priority: Mapped[str] = mapped_column(String(2))
    reason: Mapped[str] = mapped_column(String(500))
    # Evidence quotes the person's own words, so it is encrypted like them.
    evidence: Mapped[str | None] = mapped_column(EncryptedText())
    third_party: Mapped[bool] = mapped_column(default=False)

    result: Mapped[TriageResult] = relationship(back_populates="flags")


class TriageCase(Model):
    """The queue state of one inquiry: who has it, when it is due, when the clock stopped.

    The inquiry itself is never edited; everything staff do to it lands here, in contact
    attempts, in new triage results, and in the audit trail. Changes are compare-and-set on
    ``version`` so two people claiming at once cannot both win. ``status`` is a
    :class:`intake.vocabulary.CaseStatus` code, ``priority`` a ``Priority`` one.
    """

    __tablename__ = "triage_cases"
    __table_args__ = (
        Index("ix_triage_cases_queue", "status", "due_at"),
        # The queue's order over open cases only (a small part of the table once a clinic has
        # run for a while): read in order, stopped at the page's limit, never sorted.
        Index(
            "ix_triage_cases_open_queue",
            "priority",
            "received_at",
            "id",
            postgresql_where=text(_OPEN_CASES),
            sqlite_where=text(_OPEN_CASES),
        ),
        # Reports: cases by arrival, with what the priorities per week and the time to first
        # contact read, so both read the index alone.
        Index("ix_triage_cases_received_report", "received_at", "priority", "reached_at", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id"), unique=True)
    status: Mapped[str] = mapped_column(String(12), default=CaseStatus.NEW.value)
    priority: Mapped[str] = mapped_column(String(2))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reached_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    close_reason: Mapped[str | None] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(default=1)

    def messages_stop_reason(self) -> str | None:
        """Why messages chasing this inquiry (staff alerts, the person's follow-ups) are no
        longer wanted: the team reached the person, or closed the inquiry; None otherwise."""
        if self.reached_at is not None or self.status == CaseStatus.CONTACTED:
            return "stopped: contact made"
        if self.closed_at is not None or self.status == CaseStatus.CLOSED:
            return "stopped: inquiry closed"
        return None

    __mapper_args__ = {"version_id_col": version}


class ContactAttempt(Model):
    """One try at reaching the person; the first that reaches them stops the contact clock.

    ``channel`` and ``outcome`` are :class:`intake.vocabulary.ContactChannel` and
    ``ContactOutcome`` codes.
    """

    __tablename__ = "contact_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    channel: Mapped[str] = mapped_column(String(12))
    outcome: Mapped[str] = mapped_column(String(16))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    note: Mapped[str | None] = mapped_column(EncryptedText())
