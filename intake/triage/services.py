"""Storing triage results. Scoring itself is the pure rules package; this keeps the history."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from intake.extensions import db
from intake.public.models import Inquiry
from intake.triage.models import TriageCase, TriageFlag, TriageResult
from intake.triage.rules import TriageOutcome


def record_outcome(inquiry: Inquiry, outcome: TriageOutcome) -> TriageResult:
    """Add a new result for ``inquiry`` (earlier results are kept, never edited)."""
    result = TriageResult(
        inquiry_id=inquiry.id,
        priority=outcome.priority.value,
        ruleset=outcome.ruleset,
        flags=[
            TriageFlag(
                code=flag.code,
                priority=flag.priority.value,
                reason=flag.reason[:500],
                evidence=flag.evidence or None,
                third_party=flag.third_party,
            )
            for flag in outcome.flags
        ],
    )
    db.session.add(result)
    return result


def current_result(inquiry_id: int) -> TriageResult | None:
    """The latest result for an inquiry."""
    return db.session.scalar(
        select(TriageResult)
        .where(TriageResult.inquiry_id == inquiry_id)
        .order_by(TriageResult.scored_at.desc(), TriageResult.id.desc())
        .limit(1)
    )


def contact_due_at(received_at: datetime, priority: str) -> datetime:
    """When the first contact is due for an inquiry of ``priority`` received at ``received_at``."""
    minutes = current_app.config["CONTACT_TARGET_MINUTES"].get(priority, 24 * 60)
    return received_at + timedelta(minutes=minutes)


def open_case(inquiry: Inquiry, priority: str) -> TriageCase:
    """Put a new inquiry in the queue with its contact clock running."""
    case = TriageCase(
        inquiry_id=inquiry.id,
        status="new",
        priority=priority,
        received_at=inquiry.received_at,
        due_at=contact_due_at(inquiry.received_at, priority),
    )
    db.session.add(case)
    return case
