"""The admissions reports: counts only, every one computed by the database with GROUP BY.

Each function reads aggregates for a date range (the day an inquiry arrived, or an episode
opened, in UTC) and returns small tables; nothing personal is read and nothing is decrypted, so
the dashboard and its CSV export show the same aggregates and nothing else.

The SQL is the same on SQLite and PostgreSQL except for two expressions compiled per dialect
(:class:`week_start`, :class:`seconds_between`). Percentiles use the nearest-rank definition
(the smallest value with at least p% of the values at or below it) through window functions, so
both databases give the same figure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Date

from intake.auth.models import User
from intake.crm import current_pipeline
from intake.crm.models import Episode, EpisodeInquiry, InquirySubstance, StageChange, Task
from intake.crm.vocabulary import NOT_COUNTED_REASONS, Stage
from intake.extensions import db
from intake.public.models import Inquiry
from intake.triage.models import TriageCase
from intake.vocabulary import Priority

# The longest range one report covers (about three years of weeks).
MAX_RANGE_DAYS = 3 * 366
DEFAULT_WEEKS = 12
# Shown for an inquiry without the dimension's value (no country given, no substance named).
NOT_GIVEN = ""


# Dialect-specific expressions ------------------------------------------------------------------


class week_start(FunctionElement[date]):  # noqa: N801  (an SQL function, named like one)
    """The Monday (UTC) of the week a timestamp falls in."""

    type = Date()
    inherit_cache = True
    name = "week_start"


@compiles(week_start, "postgresql")
def _week_start_pg(element: week_start, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = element.clauses
    return f"CAST(date_trunc('week', {compiler.process(column, **kw)} AT TIME ZONE 'UTC') AS DATE)"


@compiles(week_start, "sqlite")
def _week_start_sqlite(element: week_start, compiler: SQLCompiler, **kw: Any) -> str:
    # 'weekday 0' moves forward to the Sunday ending the week (or stays on it); six days back
    # is that week's Monday.
    (column,) = element.clauses
    return f"date({compiler.process(column, **kw)}, 'weekday 0', '-6 days')"


class day_of(FunctionElement[date]):  # noqa: N801
    """The day (UTC) a timestamp falls on."""

    type = Date()
    inherit_cache = True
    name = "day_of"


@compiles(day_of, "postgresql")
def _day_of_pg(element: day_of, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = element.clauses
    return f"CAST({compiler.process(column, **kw)} AT TIME ZONE 'UTC' AS DATE)"


@compiles(day_of, "sqlite")
def _day_of_sqlite(element: day_of, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = element.clauses
    return f"date({compiler.process(column, **kw)})"


class seconds_between(FunctionElement[int]):  # noqa: N801
    """Whole seconds from the first timestamp to the second."""

    type = Integer()
    inherit_cache = True
    name = "seconds_between"


@compiles(seconds_between, "postgresql")
def _seconds_pg(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(EXTRACT(EPOCH FROM ({end} - {start})) AS INTEGER)"


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(ROUND((julianday({end}) - julianday({start})) * 86400) AS INTEGER)"


def _as_date(value: Any) -> date:
    """A week from either database (PostgreSQL gives a date, SQLite its ISO text)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


# The range -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRange:
    """From ``start`` to ``end``, both days included (UTC)."""

    start: date
    end: date

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=UTC)

    @property
    def end_before(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC)

    def weeks(self) -> list[date]:
        """Every Monday from the start's week to the end's, so empty weeks show as zero."""
        first = self.start - timedelta(days=self.start.weekday())
        return [first + timedelta(weeks=n) for n in range((self.end - first).days // 7 + 1)]


def default_range(today: date) -> ReportRange:
    """The last twelve whole weeks and this one."""
    monday = today - timedelta(days=today.weekday())
    return ReportRange(monday - timedelta(weeks=DEFAULT_WEEKS), today)


def _received_in(column: Any, period: ReportRange) -> ColumnElement[bool]:
    return and_(column >= period.start_at, column < period.end_before)


# Inquiries per week ----------------------------------------------------------------------------


# Each dimension: the column counted and how to reach it from ``inquiries``. A new dimension
# (the referrer, when referrers exist) is one more entry.
@dataclass(frozen=True)
class Dimension:
    code: str
    column: Callable[[], Any]
    join: Callable[[Select[Any]], Select[Any]] = lambda query: query
    # The table counted and its arrival time (the triage case carries the inquiry's own, so the
    # priority table reads one table, not two).
    base: Callable[[], Any] = lambda: Inquiry
    received: Callable[[], Any] = lambda: Inquiry.received_at


DIMENSIONS: dict[str, Dimension] = {
    "source": Dimension("source", lambda: Inquiry.source),
    "country": Dimension("country", lambda: Inquiry.country),
    "language": Dimension("language", lambda: Inquiry.language),
    "substance": Dimension(
        "substance",
        lambda: InquirySubstance.substance,
        lambda query: query.outerjoin(InquirySubstance, InquirySubstance.inquiry_id == Inquiry.id),
    ),
    "priority": Dimension(
        "priority",
        lambda: TriageCase.priority,
        base=lambda: TriageCase,
        received=lambda: TriageCase.received_at,
    ),
}


@dataclass
class WeeklyTable:
    """Counts per week (rows) and value (columns); an inquiry naming two substances counts
    under both, so the substance table's rows may add up to more than the inquiries."""

    dimension: str
    weeks: list[date]
    values: list[str]
    counts: dict[tuple[date, str], int] = field(default_factory=dict)

    def count(self, week: date, value: str) -> int:
        return self.counts.get((week, value), 0)

    def total(self, value: str) -> int:
        return sum(count for (_week, key), count in self.counts.items() if key == value)


def weekly(dimension: str, period: ReportRange) -> WeeklyTable:
    """Inquiries received per week in ``period``, by ``dimension`` (a key of DIMENSIONS)."""
    spec = DIMENSIONS[dimension]
    week = week_start(spec.received())
    value = func.coalesce(spec.column(), literal(NOT_GIVEN))
    query = spec.join(
        select(week.label("week"), value.label("value"), func.count().label("n")).select_from(
            spec.base()
        )
    )
    rows = db.session.execute(
        query.where(_received_in(spec.received(), period)).group_by(week, value)
    ).all()
    table = WeeklyTable(dimension, period.weeks(), [])
    totals: dict[str, int] = {}
    for row in rows:
        key = str(row.value)
        table.counts[(_as_date(row.week), key)] = int(row.n)
        totals[key] = totals.get(key, 0) + int(row.n)
    # Most frequent first; the order of equal ones is by code, so it never changes between runs.
    table.values = sorted(totals, key=lambda key: (-totals[key], key))
    return table


# The funnel ------------------------------------------------------------------------------------


@dataclass
class Funnel:
    """Episodes opened in the range that reached each stage (or a later one), and how many were
    left out because they closed as a duplicate or as not a real inquiry."""

    stages: list[tuple[str, int]]
    left_out: dict[str, int]
    closed: dict[str, int]

    @property
    def counted(self) -> int:
        return self.stages[0][1] if self.stages else 0


def furthest_stages(pipeline: Any, *conditions: Any) -> Any:
    """Each counted episode's furthest stage as a position in ``pipeline`` (subquery of
    episode_id, furthest), for the episodes matching ``conditions``.

    Every stage an episode stood in: its history and where it is now (for an episode without
    history). Both halves are filtered before the union, so only the wanted episodes are read.
    Episodes closed as a duplicate or not a real inquiry are left out. The reports page and the
    day rollups both read it."""
    position = {stage.value: index for index, stage in enumerate(pipeline.stages)}
    counted = or_(
        Episode.close_reason.is_(None),
        Episode.close_reason.not_in([reason.value for reason in NOT_COUNTED_REASONS]),
    )
    reached = union_all(
        select(StageChange.episode_id.label("episode_id"), StageChange.to_stage.label("stage"))
        .join(Episode, Episode.id == StageChange.episode_id)
        .where(*conditions, counted),
        select(Episode.id.label("episode_id"), Episode.stage.label("stage")).where(
            *conditions, counted
        ),
    ).subquery()
    return (
        select(
            reached.c.episode_id,
            func.max(case(position, value=reached.c.stage, else_=-1)).label("furthest"),
        )
        .group_by(reached.c.episode_id)
        .subquery()
    )


def funnel(period: ReportRange) -> Funnel:
    """The conversion funnel by stage (:class:`Funnel`)."""
    pipeline = current_pipeline()
    in_range = _received_in(Episode.opened_at, period)
    furthest = furthest_stages(pipeline, in_range)
    per_position: dict[int | None, int] = dict(
        db.session.execute(
            select(furthest.c.furthest, func.count()).group_by(furthest.c.furthest)
        ).all()
    )
    stages = []
    for index, stage in enumerate(pipeline.stages):
        stages.append(
            (
                stage.value,
                sum(n for pos, n in per_position.items() if pos is not None and pos >= index),
            )
        )
    closed_rows = db.session.execute(
        select(Episode.close_reason, func.count())
        .where(in_range, Episode.close_reason.is_not(None))
        .group_by(Episode.close_reason)
    ).all()
    closed = {str(reason): int(n) for reason, n in closed_rows}
    left_out = {reason: n for reason, n in closed.items() if reason in NOT_COUNTED_REASONS}
    return Funnel(stages, left_out, closed)


# Time to first contact -------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactTimes:
    """One priority's first-contact figures; seconds are ``None`` when nobody was reached."""

    priority: str
    target_minutes: int
    received: int
    reached: int
    decided: int
    within_target: int
    median_seconds: int | None
    p90_seconds: int | None

    @property
    def share_within(self) -> float | None:
        return self.within_target / self.decided if self.decided else None


def contact_times(
    period: ReportRange, now: datetime, targets: Mapping[str, int]
) -> list[ContactTimes]:
    """Time from arrival to the first contact that reached the person, per priority: median and
    90th percentile, and the share reached within target.

    The triage contact clock's definition: an inquiry's clock stops at the first attempt that
    reaches the person (``reached_at``) and is due at ``due_at`` (arrival plus
    ``CONTACT_TARGET_<P>_MINUTES``). The share counts the inquiries whose outcome is known:
    reached, or not reached with the clock already run out; clocks still running are left out.
    """
    in_range = _received_in(TriageCase.received_at, period)
    waited = seconds_between(TriageCase.received_at, TriageCase.reached_at)
    ranked = (
        select(
            TriageCase.priority.label("priority"),
            waited.label("seconds"),
            func.row_number().over(partition_by=TriageCase.priority, order_by=waited).label("rank"),
            func.count().over(partition_by=TriageCase.priority).label("n"),
        )
        .where(in_range, TriageCase.reached_at.is_not(None))
        .subquery()
    )
    # Nearest rank: the smallest value whose rank r satisfies r / n >= p.
    percentiles = {
        row.priority: (row.median, row.p90)
        for row in db.session.execute(
            select(
                ranked.c.priority,
                func.min(case((ranked.c.rank * 100 >= ranked.c.n * 50, ranked.c.seconds))).label(
                    "median"
                ),
                func.min(case((ranked.c.rank * 100 >= ranked.c.n * 90, ranked.c.seconds))).label(
                    "p90"
                ),
            ).group_by(ranked.c.priority)
        )
    }
    reached = TriageCase.reached_at.is_not(None)
    counts = {
        row.priority: row
        for row in db.session.execute(
            select(
                TriageCase.priority,
                func.count().label("received"),
                func.count(TriageCase.reached_at).label("reached_count"),
                func.sum(case((or_(reached, TriageCase.due_at < now), 1), else_=0)).label(
                    "decided"
                ),
                func.sum(case((TriageCase.reached_at <= TriageCase.due_at, 1), else_=0)).label(
                    "within"
                ),
            )
            .where(in_range)
            .group_by(TriageCase.priority)
        )
    }
    result = []
    for priority in Priority:
        row = counts.get(priority.value)
        median, p90 = percentiles.get(priority.value, (None, None))
        result.append(
            ContactTimes(
                priority=priority.value,
                target_minutes=int(targets.get(priority.value, 24 * 60)),
                received=int(row.received) if row else 0,
                reached=int(row.reached_count) if row else 0,
                decided=int(row.decided or 0) if row else 0,
                within_target=int(row.within or 0) if row else 0,
                median_seconds=None if median is None else int(median),
                p90_seconds=None if p90 is None else int(p90),
            )
        )
    return result


# Open work per owner ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OwnerLoad:
    owner_id: int | None
    name: str
    open_episodes: int
    open_tasks: int
    overdue_tasks: int


def open_work(now: datetime) -> list[OwnerLoad]:
    """Open episodes, open tasks and overdue tasks per owner, as they stand now (the range does
    not apply: this is today's work). ``owner_id`` None is the unassigned episodes."""
    episodes = dict(
        db.session.execute(
            select(Episode.owner_id, func.count())
            .where(Episode.closed_at.is_(None))
            .group_by(Episode.owner_id)
        ).all()
    )
    tasks = {
        row.owner_id: row
        for row in db.session.execute(
            select(
                Task.owner_id,
                func.count().label("open"),
                func.sum(case((Task.due_at < now, 1), else_=0)).label("overdue"),
            )
            .where(Task.done_at.is_(None))
            .group_by(Task.owner_id)
        )
    }
    owner_ids = {owner for owner in (*episodes, *tasks) if owner is not None}
    names = dict(
        db.session.execute(select(User.id, User.display_name).where(User.id.in_(owner_ids))).all()
        if owner_ids
        else []
    )
    loads = [
        OwnerLoad(
            owner_id,
            str(names.get(owner_id, "")),
            int(episodes.get(owner_id, 0)),
            int(tasks[owner_id].open) if owner_id in tasks else 0,
            int(tasks[owner_id].overdue or 0) if owner_id in tasks else 0,
        )
        for owner_id in owner_ids
    ]
    loads.sort(key=lambda load: (-load.open_episodes, load.name, load.owner_id or 0))
    if None in episodes:
        loads.append(OwnerLoad(None, "", int(episodes[None]), 0, 0))
    return loads


# Referral-source yield -------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceYield:
    value: str
    inquiries: int
    reached: int
    admitted: int

    @property
    def admitted_share(self) -> float | None:
        return self.admitted / self.inquiries if self.inquiries else None


# What a source's yield is grouped by. A referrer dimension is one more entry: its column and
# the join from ``inquiries`` to it.
YIELD_DIMENSIONS: dict[str, Dimension] = {"source": DIMENSIONS["source"]}


def yield_counts(spec: Any, *leading: Any) -> tuple[Any, Any]:
    """The source-yield query (inquiries, people reached, admitted) per value of ``spec``,
    with ``leading`` columns first (the day rollups add the day), and the value column to
    group by. Episodes whose history reached "admitted" are joined once each; inquiries whose
    episode closed as a duplicate or not a real inquiry are left out. The reports page and the
    day rollups both read it, so their figures cannot drift apart."""
    value = func.coalesce(spec.column(), literal(NOT_GIVEN))
    admitted_episodes = (
        select(StageChange.episode_id.label("episode_id"))
        .where(StageChange.to_stage == Stage.ADMITTED.value)
        .distinct()
        .subquery()
    )
    not_counted = [reason.value for reason in NOT_COUNTED_REASONS]
    query = spec.join(
        select(
            *leading,
            value.label("value"),
            func.count().label("inquiries"),
            func.count(TriageCase.reached_at).label("reached_count"),
            func.count(admitted_episodes.c.episode_id).label("admitted_count"),
        )
        .select_from(Inquiry)
        .outerjoin(TriageCase, TriageCase.inquiry_id == Inquiry.id)
        .outerjoin(EpisodeInquiry, EpisodeInquiry.inquiry_id == Inquiry.id)
        .outerjoin(Episode, Episode.id == EpisodeInquiry.episode_id)
        .outerjoin(admitted_episodes, admitted_episodes.c.episode_id == Episode.id)
    )
    counted = or_(Episode.close_reason.is_(None), Episode.close_reason.not_in(not_counted))
    return query.where(counted), value


def source_yield(period: ReportRange, dimension: str = "source") -> list[SourceYield]:
    """Per source: inquiries received in the range, how many reached the person, and how many
    belong to an episode that was admitted (its history reached the admitted stage). Inquiries
    whose episode closed as a duplicate or not a real inquiry are left out."""
    query, value = yield_counts(YIELD_DIMENSIONS[dimension])
    rows = db.session.execute(
        query.where(_received_in(Inquiry.received_at, period)).group_by(value)
    ).all()
    result = [
        SourceYield(
            str(row.value), int(row.inquiries), int(row.reached_count), int(row.admitted_count or 0)
        )
        for row in rows
    ]
    result.sort(key=lambda item: (-item.inquiries, item.value))
    return result


# The whole dashboard ---------------------------------------------------------------------------


@dataclass
class Dashboard:
    period: ReportRange
    weekly: dict[str, WeeklyTable]
    funnel: Funnel
    contact: list[ContactTimes]
    owners: list[OwnerLoad]
    sources: list[SourceYield]


def dashboard(period: ReportRange, now: datetime, targets: Mapping[str, int]) -> Dashboard:
    """Every table of the reports page for ``period``."""
    if db.session.get_bind().dialect.name == "postgresql":
        # These queries cost enough for PostgreSQL's JIT to compile them, which takes longer
        # than running them at this size (tens of milliseconds each); off for this transaction.
        db.session.execute(text("SET LOCAL jit = off"))
    return Dashboard(
        period=period,
        weekly={code: weekly(code, period) for code in DIMENSIONS},
        funnel=funnel(period),
        contact=contact_times(period, now, targets),
        owners=open_work(now),
        sources=source_yield(period),
    )
