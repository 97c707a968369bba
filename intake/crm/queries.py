"""Read-only queries behind the staff pages: the pipeline list (keyset-paginated) and board, an
episode's inquiries and contact attempts, a person's duplicates and merges, my day, and the staff
home's counts. Nothing here writes or commits; nothing is decrypted but what a page shows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, func, or_, select, union_all
from sqlalchemy.orm import defer

from intake.auth.models import User
from intake.auth.permissions import Permission
from intake.crm import current_pipeline
from intake.crm.models import (
    DuplicateCandidate,
    Episode,
    EpisodeInquiry,
    Person,
    PersonMerge,
    Task,
)
from intake.crm.vocabulary import DuplicateStatus
from intake.extensions import db
from intake.messaging.models import Alert
from intake.public.models import Inquiry
from intake.triage.models import ContactAttempt, TriageCase
from intake.vocabulary import OPEN_CASE_STATUSES, AlertStatus, Priority

PAGE_SIZE = 50
BOARD_CARDS = 10
# Alerts still paging someone: nobody has acknowledged them yet.
UNACKNOWLEDGED_ALERTS = (AlertStatus.PENDING, AlertStatus.SENT, AlertStatus.ESCALATED)


@dataclass(frozen=True)
class PipelineFilter:
    """What the pipeline pages show: open episodes unless ``closed`` is asked for."""

    stage: str | None = None
    owner_id: int | None = None
    priority: str | None = None
    country: str | None = None
    language: str | None = None
    since: date | None = None
    closed: bool = False


@dataclass(frozen=True)
class EpisodeRow:
    episode: Episode
    person: Person
    reference: str
    priority: str | None


def _filtered(filters: PipelineFilter) -> Select[Episode, Person]:
    query = (
        select(Episode, Person)
        .join(Person, Person.id == Episode.person_id)
        # The list and the board show a name, never the contact details or a referral: those
        # are not read (every one would be decrypted).
        .options(
            defer(Person.email),
            defer(Person.phone),
            defer(Episode.referred_to),
            defer(Episode.referral_note),
        )
    )
    if filters.closed:
        query = query.where(Episode.closed_at.is_not(None))
    else:
        query = query.where(Episode.closed_at.is_(None))
    if filters.stage:
        query = query.where(Episode.stage == filters.stage)
    if filters.owner_id:
        query = query.where(Episode.owner_id == filters.owner_id)
    if filters.country:
        query = query.where(Person.country == filters.country)
    if filters.language:
        query = query.where(Person.language == filters.language)
    if filters.since:
        query = query.where(Episode.opened_at >= datetime.combine(filters.since, time.min))
    if filters.priority:
        query = query.where(
            select(EpisodeInquiry.inquiry_id)
            .join(TriageCase, TriageCase.inquiry_id == EpisodeInquiry.inquiry_id)
            .where(
                EpisodeInquiry.episode_id == Episode.id,
                TriageCase.priority == filters.priority,
            )
            .exists()
        )
    return query


def _decorate(pairs: Sequence[tuple[Episode, Person]]) -> list[EpisodeRow]:
    """Each episode with its first inquiry's reference and its most urgent priority (two queries
    for the whole page)."""
    ids = [episode.id for episode, _person in pairs]
    references: dict[int, str] = {}
    priorities: dict[int, str] = {}
    if ids:
        for episode_id, reference, priority in db.session.execute(
            select(EpisodeInquiry.episode_id, Inquiry.reference, TriageCase.priority)
            .join(Inquiry, Inquiry.id == EpisodeInquiry.inquiry_id)
            .outerjoin(TriageCase, TriageCase.inquiry_id == Inquiry.id)
            .where(EpisodeInquiry.episode_id.in_(ids))
            .order_by(Inquiry.received_at, Inquiry.id)
        ):
            references.setdefault(episode_id, reference)
            # P0 sorts before P1: the smallest code is the most urgent.
            if priority and (episode_id not in priorities or priority < priorities[episode_id]):
                priorities[episode_id] = priority
    return [
        EpisodeRow(episode, person, references.get(episode.id, ""), priorities.get(episode.id))
        for episode, person in pairs
    ]


def pipeline_page(
    filters: PipelineFilter, before_id: int | None = None, size: int = PAGE_SIZE
) -> tuple[list[EpisodeRow], int | None]:
    """One page of the list, newest episode first, and the id to continue before (keyset: no
    offset, so page 2,000 costs what page 1 does)."""
    query = _filtered(filters)
    if before_id:
        query = query.where(Episode.id < before_id)
    pairs = db.session.execute(query.order_by(Episode.id.desc()).limit(size + 1)).all()
    more = len(pairs) > size
    pairs = pairs[:size]
    next_before = pairs[-1][0].id if more and pairs else None
    return _decorate(pairs), next_before


@dataclass(frozen=True)
class BoardColumn:
    stage: str
    count: int
    rows: list[EpisodeRow]


def board(filters: PipelineFilter, cards: int | None = None) -> list[BoardColumn]:
    """One column per stage of the pipeline: how many episodes are there, and the newest
    ``cards`` (:data:`BOARD_CARDS`); the column links to the list for the rest."""
    cards = cards or BOARD_CARDS
    matching = _filtered(filters)
    counting = matching.with_only_columns(Episode.stage, func.count(Episode.id))
    if not (filters.country or filters.language) and matching.whereclause is not None:
        # Every episode has a person: with no filter on the person, count the episodes alone
        # (the open-stage index) instead of joining every open episode with its person.
        counting = select(Episode.stage, func.count(Episode.id)).where(matching.whereclause)
    counts = dict(db.session.execute(counting.group_by(Episode.stage)).all())
    shown = [
        stage
        for stage in current_pipeline().stages
        if (not filters.stage or filters.stage == stage) and counts.get(stage.value)
    ]
    by_stage: dict[str, list[EpisodeRow]] = defaultdict(list)
    if shown:
        # The newest cards of every column in one statement (a UNION of one limited read per
        # stage, each an index range scan), then loaded and decorated once for the whole board:
        # four queries however many stages, where a query per column made it eighteen.
        newest = [
            select(column.c.id)
            for column in (
                matching.with_only_columns(Episode.id)
                .where(Episode.stage == stage.value)
                .order_by(Episode.id.desc())
                .limit(cards)
                .subquery()
                for stage in shown
            )
        ]
        ids = union_all(*newest) if len(newest) > 1 else newest[0]
        pairs = db.session.execute(
            _filtered(filters).where(Episode.id.in_(ids)).order_by(Episode.id.desc())
        ).all()
        for row in _decorate(pairs):
            by_stage[row.episode.stage].append(row)
    return [
        BoardColumn(stage.value, counts.get(stage.value, 0), by_stage.get(stage.value, []))
        for stage in current_pipeline().stages
        if not filters.stage or filters.stage == stage
    ]


def owners() -> list[User]:
    """Staff who may own an episode (the same rule as reassigning: they work with people)."""
    users = db.session.scalars(select(User).order_by(User.display_name, User.id)).all()
    return [user for user in users if user.can(Permission.PERSON_VIEW)]


def episode_inquiries(episode: Episode) -> list[tuple[Inquiry, TriageCase | None]]:
    """The inquiries that opened or joined the episode, oldest first, with their triage cases."""
    return [
        (inquiry, case)
        for inquiry, case in db.session.execute(
            select(Inquiry, TriageCase)
            .join(EpisodeInquiry, EpisodeInquiry.inquiry_id == Inquiry.id)
            .outerjoin(TriageCase, TriageCase.inquiry_id == Inquiry.id)
            .where(EpisodeInquiry.episode_id == episode.id)
            .order_by(Inquiry.received_at, Inquiry.id)
        )
    ]


def contact_attempts(inquiry_ids: Iterable[int]) -> list[ContactAttempt]:
    ids = list(inquiry_ids)
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(ContactAttempt)
            .where(ContactAttempt.inquiry_id.in_(ids))
            .order_by(ContactAttempt.attempted_at.desc(), ContactAttempt.id.desc())
        )
    )


def episode_tasks(episode: Episode) -> list[Task]:
    """Open tasks first (soonest due first), then the done ones."""
    tasks = db.session.scalars(select(Task).where(Task.episode_id == episode.id)).all()
    return sorted(tasks, key=lambda t: (t.done_at is not None, t.due_at, t.id))


def person_episodes(person: Person) -> list[Episode]:
    return list(
        db.session.scalars(
            select(Episode)
            .where(Episode.person_id == person.id)
            .order_by(Episode.opened_at.desc(), Episode.id.desc())
        )
    )


def duplicate_candidates(person: Person) -> list[tuple[DuplicateCandidate, Person]]:
    """Open candidates involving ``person``, each with the other person."""
    rows = db.session.scalars(
        select(DuplicateCandidate)
        .where(
            DuplicateCandidate.status == DuplicateStatus.OPEN.value,
            or_(
                DuplicateCandidate.person_low_id == person.id,
                DuplicateCandidate.person_high_id == person.id,
            ),
        )
        .order_by(DuplicateCandidate.found_at.desc(), DuplicateCandidate.id.desc())
    ).all()
    return [
        (row, row.person_high if row.person_low_id == person.id else row.person_low) for row in rows
    ]


def merges_of(person: Person) -> list[PersonMerge]:
    """Merges into or out of ``person``, newest first."""
    return list(
        db.session.scalars(
            select(PersonMerge)
            .where(
                or_(
                    PersonMerge.source_person_id == person.id,
                    PersonMerge.target_person_id == person.id,
                )
            )
            .order_by(PersonMerge.merged_at.desc(), PersonMerge.id.desc())
        )
    )


def day_bounds(now: datetime, timezone: str) -> tuple[datetime, datetime]:
    """The start and end of today in the clinic's zone, as aware times."""
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    start = datetime.combine(today, time.min, tzinfo=zone)
    return start, start + timedelta(days=1)


def my_day(user_id: int, now: datetime, timezone: str) -> tuple[list[Task], list[Task]]:
    """The user's open tasks: overdue (due before now) and the rest due today."""
    _start, end = day_bounds(now, timezone)
    tasks = db.session.scalars(
        select(Task)
        .where(Task.owner_id == user_id, Task.done_at.is_(None), Task.due_at < end)
        .order_by(Task.due_at, Task.id)
    ).all()
    overdue = [task for task in tasks if task.due_at < now]
    today = [task for task in tasks if task.due_at >= now]
    return overdue, today


def episode_references(episode_ids: Iterable[int]) -> dict[int, str]:
    ids = list(set(episode_ids))
    references: dict[int, str] = {}
    if not ids:
        return references
    for episode_id, reference in db.session.execute(
        select(EpisodeInquiry.episode_id, Inquiry.reference)
        .join(Inquiry, Inquiry.id == EpisodeInquiry.inquiry_id)
        .where(EpisodeInquiry.episode_id.in_(ids))
        .order_by(Inquiry.received_at, Inquiry.id)
    ):
        references.setdefault(episode_id, reference)
    return references


@dataclass(frozen=True)
class HomeCounts:
    open_by_priority: dict[str, int]
    breached: int
    unacknowledged_alerts: int
    my_overdue_tasks: int


def home_counts(user_id: int, now: datetime) -> HomeCounts:
    """The staff home's numbers: open P0 and P1 inquiries, breached contact clocks, alerts nobody
    acknowledged, and the user's overdue tasks. Counts only: no record is read."""
    open_case = TriageCase.status.in_([status.value for status in OPEN_CASE_STATUSES])
    by_priority: dict[str, int] = defaultdict(int)
    for priority, count in db.session.execute(
        select(TriageCase.priority, func.count(TriageCase.id))
        .where(open_case, TriageCase.priority.in_([Priority.P0.value, Priority.P1.value]))
        .group_by(TriageCase.priority)
    ):
        by_priority[priority] = count
    breached = db.session.scalar(
        select(func.count(TriageCase.id)).where(
            open_case, TriageCase.reached_at.is_(None), TriageCase.due_at < now
        )
    )
    alerts = db.session.scalar(
        select(func.count(Alert.id)).where(
            Alert.status.in_([status.value for status in UNACKNOWLEDGED_ALERTS])
        )
    )
    overdue = db.session.scalar(
        select(func.count(Task.id)).where(
            and_(Task.owner_id == user_id, Task.done_at.is_(None), Task.due_at < now)
        )
    )
    return HomeCounts(dict(by_priority), breached or 0, alerts or 0, overdue or 0)
