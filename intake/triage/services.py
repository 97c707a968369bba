"""Storing triage results. Scoring itself is the pure rules package; this keeps the history."""

from __future__ import annotations

from sqlalchemy import select

from intake.extensions import db
from intake.public.models import Inquiry
from intake.triage.models import TriageFlag, TriageResult
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
