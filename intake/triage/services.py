"""Triage results and the staff queue: history of results, claims, contact attempts and
priority changes. Scoring itself is the pure rules package."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import cast

from flask import current_app
from sqlalchemy import (
    CTE,
    JSON,
    BindParameter,
    Boolean,
    ColumnElement,
    Insert,
    Integer,
    Table,
    Text,
    bindparam,
    column,
    exists,
    func,
    insert,
    literal,
    select,
    true,
    tuple_,
)
from sqlalchemy.orm import defer

from intake.audit.services import record
from intake.audit.tags import AuditTag
from intake.auth.models import User
from intake.auth.permissions import Permission
from intake.core.batch import Fragment, InsertBatch, json_row
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


def record_first_outcome(
    inquiry_id: int,
    received_at: datetime,
    outcome: TriageOutcome,
    batch: InsertBatch | None = None,
) -> None:
    """The automatic result of a new inquiry, its flags, and its case in the queue.

    What :func:`record_outcome` and :func:`open_case` add for a new inquiry, in plain statements
    (this runs on every inquiry received, and the unit of work costs more than the inserts):
    one statement on PostgreSQL, where the flags and the case are INSERTs in a WITH; three
    elsewhere. On PostgreSQL, with the use case's ``batch``, that WITH is part of the batch's
    one statement.
    """
    priority = outcome.priority.value
    result = {
        "inquiry_id": inquiry_id,
        "priority": priority,
        "ruleset": outcome.ruleset,
        "scored_at": utcnow(),
    }
    flags = [
        {
            "code": flag.code,
            "priority": flag.priority.value,
            "reason": flag.reason[:500],
            "evidence": flag.evidence or None,
            "third_party": flag.third_party,
        }
        for flag in outcome.flags
    ]
    case = {
        "inquiry_id": inquiry_id,
        "status": CaseStatus.NEW.value,
        "priority": priority,
        "received_at": received_at,
        "due_at": contact_due_at(received_at, priority),
        "version": 1,
    }
    dialect = db.session.get_bind().dialect
    if dialect.name == "postgresql":
        params: dict[str, object] = {f"result_{name}": value for name, value in result.items()}
        params.update({f"case_{name}": value for name, value in case.items()})
        if flags:
            # One JSON parameter for every flag (evidence encrypted by its column's type): a
            # parameter per field took an urgent inquiry's statement past psycopg's cache of
            # parsed statements (see intake.core.batch).
            params["flag_rows"] = [
                {"position": number, **json_row(_FLAGS, flag, dialect)}
                for number, flag in enumerate(flags)
            ]
        if batch is not None:
            batch.include(_first_outcome_fragment(bool(flags)), params)
        else:
            db.session.execute(_first_outcome_in_one(bool(flags)), params)
        return
    result_id = db.session.execute(_INSERT_RESULT, result).scalar_one()
    if flags:
        db.session.execute(_INSERT_FLAG, [{**flag, "result_id": result_id} for flag in flags])
    db.session.execute(_INSERT_CASE, case)


# Built once; the columns come from the parameters, so each compiles once per shape.
_RESULTS, _FLAGS, _CASES = (
    cast(Table, model.__table__) for model in (TriageResult, TriageFlag, TriageCase)
)
_INSERT_RESULT = insert(_RESULTS).returning(_RESULTS.c.id)
_INSERT_FLAG = insert(_FLAGS)
_INSERT_CASE = insert(_CASES)
_RESULT_COLUMNS = ("inquiry_id", "priority", "ruleset", "scored_at")
_FLAG_COLUMNS = ("code", "priority", "reason", "evidence", "third_party")
_CASE_COLUMNS = ("inquiry_id", "status", "priority", "received_at", "due_at", "version")


def _bound(table: Table, name: str, key: str) -> BindParameter[object]:
    return bindparam(key, type_=table.c[name].type)


@lru_cache(maxsize=4)
def _first_outcome_in_one(with_flags: bool) -> Insert:
    """The result, its flags and the case as one PostgreSQL statement, built once (with flags
    and without) with named parameters so SQLAlchemy compiles it once."""
    new_result, *new_flags = _first_outcome_ctes(with_flags)
    return (
        insert(_CASES)
        .values({name: _bound(_CASES, name, f"case_{name}") for name in _CASE_COLUMNS})
        .add_cte(new_result, *new_flags)
    )


@lru_cache(maxsize=4)
def _first_outcome_fragment(with_flags: bool) -> Fragment:
    """The same rows as a part of an :class:`InsertBatch`'s statement."""

    def build() -> list[CTE]:
        case = (
            insert(_CASES)
            .values({name: _bound(_CASES, name, f"case_{name}") for name in _CASE_COLUMNS})
            .cte("new_case")
        )
        return [*_first_outcome_ctes(with_flags), case]

    return Fragment(("triage_first_outcome", with_flags), build)


# The flags' fields as json_to_recordset reads them (evidence is already encrypted text).
_FLAG_RECORD_TYPES = {"third_party": Boolean}


def _first_outcome_ctes(with_flags: bool) -> list[CTE]:
    """The result and (with flags) its flags, as CTEs (parameters ``result_*`` and
    ``flag_rows``, a JSON list of the flags with their ``position``)."""
    new_result = (
        insert(_RESULTS)
        .values({name: _bound(_RESULTS, name, f"result_{name}") for name in _RESULT_COLUMNS})
        .returning(_RESULTS.c.id)
        .cte("new_result")
    )
    new_flags = []
    if with_flags:
        # One INSERT for all flags, in the rules' order (the queue shows the first flag).
        given = (
            func.json_to_recordset(bindparam("flag_rows", type_=JSON))
            .table_valued(
                column("position", Integer),
                *(column(name, _FLAG_RECORD_TYPES.get(name, Text)) for name in _FLAG_COLUMNS),
            )
            .render_derived("given_flags", with_types=True)
        )
        new_flags.append(
            insert(_FLAGS)
            .from_select(
                ["result_id", *_FLAG_COLUMNS],
                select(new_result.c.id, *(given.c[name] for name in _FLAG_COLUMNS))
                .select_from(new_result.join(given, true()))
                .order_by(given.c.position),
            )
            .cte("new_flags")
        )
    return [new_result, *new_flags]


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


# Rows on one page of the queue: the most urgent first, the rest a "next" link away.
QUEUE_PAGE = 50


@dataclass(frozen=True)
class QueuePosition:
    """Where a page of the queue starts: after this case in the queue's order."""

    priority: str
    received_at: datetime
    case_id: int


def queue_position(inquiry_id: int) -> QueuePosition | None:
    """The queue position of an inquiry's case (for the "next" link), or None if it has none."""
    row = db.session.execute(
        select(TriageCase.priority, TriageCase.received_at, TriageCase.id).where(
            TriageCase.inquiry_id == inquiry_id
        )
    ).first()
    return QueuePosition(row[0], row[1], row[2]) if row else None


def _matching(
    filters: QueueFilter, now: datetime, *, include_held: bool
) -> list[ColumnElement[bool]]:
    """The conditions of the cases the queue's filters select (one place for a page and the
    count of all pages)."""
    conditions: list[ColumnElement[bool]] = []
    if not include_held:
        conditions.append(
            ~exists().where(
                InquiryQuarantine.inquiry_id == Inquiry.id,
                InquiryQuarantine.status != QuarantineStatus.RELEASED.value,
            )
        )
    status = filters.status or STATUS_OPEN
    if status == STATUS_OPEN:
        conditions.append(TriageCase.status.in_(OPEN_CASE_STATUSES))
    elif status != STATUS_ALL:
        conditions.append(TriageCase.status == status)
    if filters.priority in Priority.codes():
        conditions.append(TriageCase.priority == filters.priority)
    if filters.country:
        conditions.append(Inquiry.country == filters.country)
    if filters.language:
        conditions.append(Inquiry.language == filters.language)
    if filters.assignee_id is not None:
        conditions.append(TriageCase.assignee_id == filters.assignee_id)
    if filters.breached_only:
        conditions.extend((TriageCase.reached_at.is_(None), TriageCase.due_at < now))
    return conditions


def queue(
    filters: QueueFilter,
    now: datetime,
    limit: int = 200,
    *,
    include_held: bool = False,
    after: QueuePosition | None = None,
) -> list[tuple[TriageCase, Inquiry]]:
    """Cases in the queue: most urgent priority first, then the longest waiting.

    Inquiries held as suspected automated (or set aside as such) are not in the queue; they
    have their own list (:mod:`intake.triage.quarantine`) until someone releases them.
    ``after`` continues the queue after a case (keyset: the next page costs what the first
    does, and a case claimed meanwhile never shifts the rows of the next page).
    """
    query = (
        select(TriageCase, Inquiry)
        .join(Inquiry, Inquiry.id == TriageCase.inquiry_id)
        # A queue row shows codes and times only: the person's words are not read (each would
        # be decrypted, three fields for each of up to 200 rows).
        .options(defer(Inquiry.message), defer(Inquiry.answers), defer(Inquiry.best_time))
        .where(*_matching(filters, now, include_held=include_held))
    )
    if after is not None:
        query = query.where(
            tuple_(TriageCase.priority, TriageCase.received_at, TriageCase.id)
            > tuple_(
                literal(after.priority, TriageCase.priority.type),
                literal(after.received_at, TriageCase.received_at.type),
                literal(after.case_id, TriageCase.id.type),
            )
        )
    query = query.order_by(TriageCase.priority, TriageCase.received_at, TriageCase.id).limit(limit)
    return [(case, inquiry) for case, inquiry in db.session.execute(query).all()]


def queue_count(filters: QueueFilter, now: datetime, *, include_held: bool = False) -> int:
    """How many cases the queue's filters select, on every page (the page shows 50 of them)."""
    query = (
        select(func.count())
        .select_from(TriageCase)
        .join(Inquiry, Inquiry.id == TriageCase.inquiry_id)
        .where(*_matching(filters, now, include_held=include_held))
    )
    return int(db.session.scalar(query) or 0)


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
