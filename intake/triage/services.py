"""Triage results and the staff queue: history of results, claims, contact attempts and
priority changes. Scoring itself is the pure rules package."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from flask import current_app
from sqlalchemy import exists, select

from intake.audit.services import record
from intake.audit.tags import AuditTag
from intake.auth.models import User
from intake.auth.permissions import Permission
from intake.core.types import utcnow
from intake.extensions import db
from intake.messaging.alerts import acknowledge_for_inquiry
from intake.public.models import Inquiry, InquiryQuarantine, QuarantineStatus
from intake.triage.events import contact_reached
from intake.triage.models import ContactAttempt, TriageCase, TriageFlag, TriageResult
from intake.triage.rules import TriageOutcome
from intake.vocabulary import OPEN_CASE_STATUSES, CaseStatus, ContactOutcome, Priority


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
        status=CaseStatus.NEW,
        priority=priority,
        received_at=inquiry.received_at,
        due_at=contact_due_at(inquiry.received_at, priority),
    )
    db.session.add(case)
    return case


# The queue -------------------------------------------------------------------------------

# The queue's status filter: a CaseStatus code, or one of these two.
STATUS_OPEN = "open"  # new and claimed (the default)
STATUS_ALL = "all"


@dataclass(frozen=True)
class QueueFilter:
    priority: str | None = None
    status: str | None = None  # STATUS_OPEN (default), a CaseStatus code, or STATUS_ALL
    country: str | None = None
    language: str | None = None
    assignee_id: int | None = None
    breached_only: bool = False


def queue(
    filters: QueueFilter, now: datetime, limit: int = 200, *, include_held: bool = False
) -> list[tuple[TriageCase, Inquiry]]:
    """Cases in the queue: most urgent priority first, then the longest waiting.

    Inquiries held as suspected automated (or set aside as such) are not in the queue; they
    have their own list (:mod:`intake.triage.quarantine`) until someone releases them.
    """
    query = select(TriageCase, Inquiry).join(Inquiry, Inquiry.id == TriageCase.inquiry_id)
    if not include_held:
        query = query.where(
            ~exists().where(
                InquiryQuarantine.inquiry_id == Inquiry.id,
                InquiryQuarantine.status != QuarantineStatus.RELEASED.value,
            )
        )
    status = filters.status or STATUS_OPEN
    if status == STATUS_OPEN:
        query = query.where(TriageCase.status.in_(OPEN_CASE_STATUSES))
    elif status != STATUS_ALL:
        query = query.where(TriageCase.status == status)
    if filters.priority in Priority.codes():
        query = query.where(TriageCase.priority == filters.priority)
    if filters.country:
        query = query.where(Inquiry.country == filters.country)
    if filters.language:
        query = query.where(Inquiry.language == filters.language)
    if filters.assignee_id is not None:
        query = query.where(TriageCase.assignee_id == filters.assignee_id)
    if filters.breached_only:
        query = query.where(TriageCase.reached_at.is_(None), TriageCase.due_at < now)
    query = query.order_by(TriageCase.priority, TriageCase.received_at, TriageCase.id).limit(limit)
    return [(case, inquiry) for case, inquiry in db.session.execute(query).all()]


def case_for(inquiry_id: int) -> TriageCase | None:
    return db.session.scalar(select(TriageCase).where(TriageCase.inquiry_id == inquiry_id))


class ClaimConflictError(RuntimeError):
    """Someone else claimed the case first."""


def claim(case: TriageCase, user_id: int) -> None:
    """Take a case. Claiming one already claimed by someone else raises :class:`ClaimConflictError`.

    The row's version column makes the update compare-and-set: of two simultaneous claims one
    commits and the other fails on flush.
    """
    if case.assignee_id is not None and case.assignee_id != user_id:
        raise ClaimConflictError("already claimed")
    if case.assignee_id == user_id:
        return
    case.assignee_id = user_id
    case.claimed_at = utcnow()
    if case.status == CaseStatus.NEW:
        case.status = CaseStatus.CLAIMED
    record(AuditTag.CASE_CLAIMED, target_type="inquiry", target_id=case.inquiry_id)
    db.session.flush()
    # Escalation stops the moment someone has the inquiry, not at the next sweep.
    acknowledge_for_inquiry(case.inquiry_id, user_id)


def log_contact_attempt(
    case: TriageCase, user_id: int, channel: str, outcome: str, note: str | None
) -> ContactAttempt:
    """Record one attempt; the first that reaches the person stops the clock."""
    attempt = ContactAttempt(
        inquiry_id=case.inquiry_id,
        user_id=user_id,
        channel=channel,
        outcome=outcome,
        attempted_at=utcnow(),
        note=note or None,
    )
    db.session.add(attempt)
    if case.assignee_id is None:
        case.assignee_id = user_id
        case.claimed_at = attempt.attempted_at
        acknowledge_for_inquiry(case.inquiry_id, user_id)
    if outcome == ContactOutcome.REACHED and case.reached_at is None:
        case.reached_at = attempt.attempted_at
        case.status = CaseStatus.CONTACTED
        # The CRM moves the episode to "contacted" on this, in this transaction.
        contact_reached.send(
            case, inquiry_id=case.inquiry_id, user_id=user_id, at=attempt.attempted_at
        )
    elif case.status == CaseStatus.NEW:
        case.status = CaseStatus.CLAIMED
    record(
        AuditTag.CONTACT_ATTEMPT_LOGGED,
        target_type="inquiry",
        target_id=case.inquiry_id,
        detail={"channel": channel, "outcome": outcome},
    )
    return attempt


def is_lowering(current: str, new: str) -> bool:
    """Whether moving a case from priority ``current`` to ``new`` makes it less urgent."""
    return Priority(new).is_lower_than(current)


class PriorityRefusal(StrEnum):
    """Why a priority change was refused."""

    NOT_A_CLINICIAN = "not_a_clinician"
    NO_REASON = "no_reason"


class PriorityChangeRefusedError(RuntimeError):
    """A priority change the rules forbid; nothing was recorded."""

    def __init__(self, refusal: PriorityRefusal) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal


def change_priority(case: TriageCase, new_priority: str, user_id: int, reason: str | None) -> None:
    """Record a manual priority as a new triage result; the old results stay.

    Anyone may raise a priority. Lowering one needs a clinician (the PRIORITY_LOWER permission,
    on an active account) and a reason; otherwise :class:`PriorityChangeRefusedError` is raised
    before anything is added to the session. The change keeps history, is audited under
    ``user_id`` and moves the contact clock to the new target. The caller commits.
    """
    reason = (reason or "").strip()
    lowering = is_lowering(case.priority, new_priority)
    if lowering:
        actor = db.session.get(User, user_id)
        if actor is None or not actor.can(Permission.PRIORITY_LOWER):
            raise PriorityChangeRefusedError(PriorityRefusal.NOT_A_CLINICIAN)
        if not reason:
            raise PriorityChangeRefusedError(PriorityRefusal.NO_REASON)
    previous = current_result(case.inquiry_id)
    result = TriageResult(
        inquiry_id=case.inquiry_id,
        priority=new_priority,
        ruleset=previous.ruleset if previous else "manual",
        changed_by_id=user_id,
        change_reason=reason or None,
        flags=[
            TriageFlag(
                code=flag.code,
                priority=flag.priority,
                reason=flag.reason,
                evidence=flag.evidence,
                third_party=flag.third_party,
            )
            for flag in (previous.flags if previous else [])
        ],
    )
    db.session.add(result)
    record(
        AuditTag.PRIORITY_LOWERED if lowering else AuditTag.PRIORITY_RAISED,
        target_type="inquiry",
        target_id=case.inquiry_id,
        actor_id=user_id,
        detail={"from": case.priority, "to": new_priority},
    )
    case.priority = new_priority
    case.due_at = contact_due_at(case.received_at, new_priority)


def results_history(inquiry_id: int) -> list[TriageResult]:
    return list(
        db.session.scalars(
            select(TriageResult)
            .where(TriageResult.inquiry_id == inquiry_id)
            .order_by(TriageResult.scored_at.desc(), TriageResult.id.desc())
        ).all()
    )


def attempts_for(inquiry_id: int) -> list[ContactAttempt]:
    return list(
        db.session.scalars(
            select(ContactAttempt)
            .where(ContactAttempt.inquiry_id == inquiry_id)
            .order_by(ContactAttempt.attempted_at)
        ).all()
    )


def rescore_open_cases(ruleset: str) -> int:
    """Score open inquiries again with the current rules; return how many got a new result.

    Only inquiries last scored by another rule set are touched, and each gets a new result (the
    old ones stay). Re-scoring can raise a priority, never lower it: lowering is a clinician's
    decision, so a lower score keeps the case's priority and records the new flags.
    """
    from intake.triage.rules import score

    changed = 0
    # Held inquiries are scored again too: a release must not bring back a stale priority.
    for case, inquiry in queue(
        QueueFilter(status=STATUS_OPEN), utcnow(), limit=10_000, include_held=True
    ):
        latest = current_result(inquiry.id)
        if latest is not None and latest.ruleset == ruleset:
            continue
        outcome = score(inquiry.answers)
        result = record_outcome(inquiry, outcome)
        if is_lowering(case.priority, result.priority):
            result.priority = case.priority
        elif result.priority != case.priority:
            record(
                AuditTag.PRIORITY_RAISED,
                target_type="inquiry",
                target_id=inquiry.id,
                detail={"from": case.priority, "to": result.priority, "by": "rescore"},
            )
            case.priority = result.priority
            case.due_at = contact_due_at(case.received_at, result.priority)
        changed += 1
    db.session.commit()
    return changed
