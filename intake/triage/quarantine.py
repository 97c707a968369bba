"""Inquiries held because the form looked automated: the list staff review, release and discard.

An inquiry is held (see :func:`intake.usecases.accept_inquiry.accept_inquiry`) when the form was
sent faster than a person types, filled the hidden honeypot field, or carried a missing, forged
or reused one-time token. It is stored, scored and answered like any other and a P0/P1 alerts the
on-call clinician at once; being held only keeps it out of the normal queue until someone looks.
Releasing puts it in the queue; discarding closes it. Nothing is deleted and both are audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update

from intake.audit.services import record
from intake.audit.tags import AuditTag
from intake.core.types import utcnow
from intake.extensions import db
from intake.messaging.alerts import acknowledge_for_inquiry
from intake.messaging.outbox import OutboxKind, add_to_outbox
from intake.public.models import Inquiry, InquiryQuarantine, QuarantineStatus
from intake.triage.models import TriageCase
from intake.vocabulary import CaseStatus, CloseReason

EXCERPT_CHARACTERS = 300


class NotHeldError(RuntimeError):
    """The inquiry is not (or no longer) held: someone else released or discarded it first."""


@dataclass(frozen=True)
class HeldInquiry:
    """One row of the quarantine list."""

    inquiry: Inquiry
    entry: InquiryQuarantine
    case: TriageCase

    @property
    def excerpt(self) -> str:
        message = self.inquiry.message
        if len(message) <= EXCERPT_CHARACTERS:
            return message
        return message[:EXCERPT_CHARACTERS].rstrip() + "\u2026"


def held_inquiries(limit: int = 200) -> list[HeldInquiry]:
    """Inquiries waiting for a decision: most urgent first, then the longest waiting."""
    query = (
        select(InquiryQuarantine, Inquiry, TriageCase)
        .join(Inquiry, Inquiry.id == InquiryQuarantine.inquiry_id)
        .join(TriageCase, TriageCase.inquiry_id == Inquiry.id)
        .where(InquiryQuarantine.status == QuarantineStatus.HELD.value)
        .order_by(TriageCase.priority, Inquiry.received_at, Inquiry.id)
        .limit(limit)
    )
    return [
        HeldInquiry(inquiry=inquiry, entry=entry, case=case)
        for entry, inquiry, case in db.session.execute(query).all()
    ]


def held_count() -> int:
    """How many inquiries wait in quarantine (for a link's label)."""
    query = (
        select(func.count())
        .select_from(InquiryQuarantine)
        .where(InquiryQuarantine.status == QuarantineStatus.HELD.value)
    )
    return int(db.session.scalar(query) or 0)


def held_entry(inquiry_id: int) -> HeldInquiry | None:
    """The held inquiry ``inquiry_id``, or None when it is not held."""
    row = db.session.execute(
        select(InquiryQuarantine, Inquiry, TriageCase)
        .join(Inquiry, Inquiry.id == InquiryQuarantine.inquiry_id)
        .join(TriageCase, TriageCase.inquiry_id == Inquiry.id)
        .where(
            InquiryQuarantine.inquiry_id == inquiry_id,
            InquiryQuarantine.status == QuarantineStatus.HELD.value,
        )
    ).first()
    if row is None:
        return None
    entry, inquiry, case = row
    return HeldInquiry(inquiry=inquiry, entry=entry, case=case)


def record_list_viewed(rows: list[HeldInquiry]) -> None:
    """The list shows the people's own words: audit which inquiries it showed, then commit."""
    record(
        AuditTag.QUARANTINE_VIEWED,
        target_type="inquiry",
        detail={
            "shown": len(rows),
            "inquiries": ",".join(str(row.inquiry.id) for row in rows)[:500],
        },
    )
    db.session.commit()


def _decide(held: HeldInquiry, status: QuarantineStatus, user_id: int) -> None:
    """Compare-and-set: of two people deciding at once, one wins and the other is told."""
    result = db.session.execute(
        update(InquiryQuarantine)
        .where(
            InquiryQuarantine.id == held.entry.id,
            InquiryQuarantine.status == QuarantineStatus.HELD.value,
        )
        .values(status=status.value, decided_at=utcnow(), decided_by_id=user_id)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        raise NotHeldError("already decided")
    db.session.expire(held.entry)


def release(held: HeldInquiry, user_id: int) -> None:
    """Put a held inquiry in the normal queue; send the acknowledgement it was waiting for."""
    _decide(held, QuarantineStatus.RELEASED, user_id)
    if held.inquiry.answers.get("email"):
        add_to_outbox(OutboxKind.ACKNOWLEDGEMENT, "inquiry", held.inquiry.id)
    record(
        AuditTag.QUARANTINE_RELEASED,
        target_type="inquiry",
        target_id=held.inquiry.id,
        detail={"reasons": held.entry.reasons, "priority": held.case.priority},
    )
    db.session.commit()


def discard(held: HeldInquiry, user_id: int) -> None:
    """Close a held inquiry as automated. The rows stay; any open on-call alert stops."""
    _decide(held, QuarantineStatus.DISCARDED, user_id)
    case = held.case
    if case.status != CaseStatus.CLOSED:
        case.status = CaseStatus.CLOSED
        case.closed_at = utcnow()
        case.close_reason = CloseReason.DISCARDED_AUTOMATED
    acknowledge_for_inquiry(held.inquiry.id, user_id)
    record(
        AuditTag.QUARANTINE_DISCARDED,
        target_type="inquiry",
        target_id=held.inquiry.id,
        detail={"reasons": held.entry.reasons, "priority": case.priority},
    )
    db.session.commit()
