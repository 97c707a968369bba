"""Reading inquiries for staff pages: the audit row an opened record leaves behind, and the
one line of explanation a queue row may carry."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from intake.audit.services import record
from intake.audit.tags import AuditTag
from intake.extensions import db
from intake.public.models import Inquiry
from intake.triage.models import TriageFlag, TriageResult


def record_inquiry_viewed(inquiry: Inquiry, page: str) -> None:
    """Audit that the signed-in staff member is shown ``inquiry``'s personal data, and commit.

    Called by every page that shows the record (the inquiry page, and the same page shown again
    with a form error), so none shows a name, contact or message without its row. ``page`` says
    which view showed it (an endpoint name, no personal data).
    """
    record(
        AuditTag.PERSON_VIEWED,
        target_type="person",
        target_id=inquiry.person_id,
        detail={"inquiry": inquiry.id, "page": page},
    )
    db.session.commit()


@dataclass(frozen=True)
class TopFlag:
    """A flag's rule, without its evidence."""

    code: str
    priority: str
    reason: str


def top_flags(inquiry_ids: Iterable[int]) -> dict[int, TopFlag]:
    """The most urgent flag of each inquiry's latest result, by inquiry id.

    Queue rows show the flag's rule reason ("Describes a plan ... to end their life"), never its
    evidence: the quote is the person's own words and is read only on the audited inquiry page.
    The evidence column is not even read. Two queries whatever the number of rows.
    """
    ids = list(dict.fromkeys(inquiry_ids))
    if not ids:
        return {}
    latest: dict[int, int] = {}
    rows = db.session.execute(
        select(TriageResult.inquiry_id, TriageResult.id)
        .where(TriageResult.inquiry_id.in_(ids))
        .order_by(TriageResult.inquiry_id, TriageResult.scored_at.desc(), TriageResult.id.desc())
    ).all()
    for inquiry_id, result_id in rows:
        latest.setdefault(inquiry_id, result_id)
    inquiry_by_result = {result_id: inquiry_id for inquiry_id, result_id in latest.items()}
    flags = db.session.execute(
        select(TriageFlag.result_id, TriageFlag.code, TriageFlag.priority, TriageFlag.reason)
        .where(TriageFlag.result_id.in_(list(inquiry_by_result)))
        .order_by(TriageFlag.priority, TriageFlag.id)
    ).all()
    top: dict[int, TopFlag] = {}
    for result_id, code, priority, reason in flags:
        top.setdefault(inquiry_by_result[result_id], TopFlag(code, priority, reason))
    return top
