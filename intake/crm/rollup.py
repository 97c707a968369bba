"""The reports dashboard's rollup: its figures per day, so any date range is a sum of days.

Computing the dashboard for a range means aggregating every inquiry, case, episode and stage
change in it (about 300 ms at 100,000 inquiries, whatever range). Beat (:func:`refresh_due`,
every 30 seconds) keeps one row of figures per day (UTC, the reports' day) and one per week (the
sum of its days, from its Monday) in ``report_days``, recomputed only when the data changed: it
compares a fingerprint of the tables the reports read (row counts, highest ids and the sums of
the rows' version counters, which every ORM update raises), so a quiet night costs a handful of
index reads and no aggregation; when they differ it aggregates every day in one pass (grouped by
day, about 1.5 s at 100,000 inquiries) and rewrites the days and weeks whose figures changed. As
a safety net the days are recomputed at least every :data:`MAX_AGE_SECONDS`.

A range's figures are then added up from its whole weeks and the days at its ends (a year is
about 60 rows; :func:`stored_days`, :func:`combine`), exactly as the direct queries
(:func:`intake.crm.reports.dashboard`) count them:

* inquiries per week, by dimension: each day's counts per value, added into its week (UTC
  Mondays, as the direct query groups them);
* the funnel: each day's episodes (by the day they opened) per furthest stage, and per close
  reason; the stages' order is applied when reading, so a changed pipeline cannot mix orders;
* time to first contact: per priority the day's counts, the waits of the people reached in
  seconds (sorted, packed as 32-bit integers in base64, which JSON parses as one string rather
  than a number at a time), and for the people not reached the number whose clock had run out
  when the day was computed and the due times of the clocks still running then (a clock that
  runs out later counts from that moment, as the direct query does); the range's nearest-rank
  median and 90th percentile are read from all of its days' waits: exact, not estimated;
* source yield: per source the inquiries, people reached and inquiries admitted later;
* open work per owner is today's work, whatever the range: read directly (index-only, a few
  milliseconds).

The page reads the days while beat keeps them (:func:`is_current`); without beat (its last pass
older than :data:`MAX_AGE_SECONDS` plus ``REPORTS_CACHE_SECONDS``) it computes the range
directly. ``REPORTS_CACHE_SECONDS`` 0 turns the rollup off (the tests' setting: every view
computes). ``tests/crm/test_report_rollup.py`` checks that a range added up from its days equals
the direct queries, for ranges of every shape, after every kind of change.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from array import array
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, delete, func, literal, or_, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from intake.auth.models import User
from intake.crm import current_pipeline, reports
from intake.crm.models import (
    Episode,
    EpisodeInquiry,
    InquirySubstance,
    ReportDay,
    ReportRefresh,
    StageChange,
    Task,
)
from intake.crm.vocabulary import NOT_COUNTED_REASONS
from intake.extensions import db
from intake.public.models import Inquiry
from intake.triage.models import TriageCase
from intake.vocabulary import Priority

# The days are recomputed at least this often even when the fingerprint did not change (a
# change the version counters do not show, such as a bulk update).
MAX_AGE_SECONDS = 300
# The one row of report_refreshes.
REFRESH_ROW = 1
# A week's row (keyed by its Monday) sums its seven days: a long range reads a row a week.
WEEK = 7


# What the data looks like ----------------------------------------------------------------------


def fingerprint(targets: Mapping[str, int]) -> str:
    """A digest that changes whenever a figure of the reports can change through the data: a
    row added or removed in a table the reports read, an ORM update of an episode or a triage
    case (their version counters only grow), a stage move, a task added or done; and the
    pipeline's configuration and the contact targets. One statement of index-only counts."""
    parts = [
        select(func.count()).select_from(Inquiry),
        select(func.max(Inquiry.id)),
        select(func.count()).select_from(InquirySubstance),
        select(func.count()).select_from(TriageCase),
        select(func.sum(TriageCase.version)),
        select(func.count()).select_from(Episode),
        select(func.sum(Episode.version)),
        select(func.count()).select_from(EpisodeInquiry),
        select(func.count()).select_from(StageChange),
        select(func.max(StageChange.id)),
        select(func.count()).select_from(Task),
        select(func.count(Task.done_at)),
        select(func.max(Task.id)),
        select(func.count()).select_from(User),
    ]
    row = db.session.execute(select(*(part.scalar_subquery() for part in parts))).one()
    config = [stage.value for stage in current_pipeline().stages], sorted(targets.items())
    digest = hashlib.sha256(json.dumps([list(row), config], default=str).encode())
    return digest.hexdigest()


def figures_hash(figures: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(figures, sort_keys=True).encode()).hexdigest()


# Every day's figures ---------------------------------------------------------------------------


def _day(value: Any) -> date:
    return reports._as_date(value)


def _empty_day() -> dict[str, Any]:
    return {
        "weekly": {code: {} for code in reports.DIMENSIONS},
        "furthest": {},
        "close_reasons": {},
        "contact": {},
        "sources": {},
    }


def _contact_of(day: dict[str, Any], priority: str) -> dict[str, Any]:
    contact: dict[str, Any] = day["contact"].setdefault(
        priority,
        {"received": 0, "people_reached": 0, "within": 0, "overdue": 0, "running": [], "waits": []},
    )
    return contact


def compute_days(now: datetime) -> dict[date, dict[str, Any]]:
    """Every day's figures (the days with any inquiry or episode), from grouped queries that
    count as :mod:`intake.crm.reports` does, grouped by day instead of filtered by range."""
    days: dict[date, dict[str, Any]] = {}

    def of(value: Any) -> dict[str, Any]:
        key = _day(value)
        if key not in days:
            days[key] = _empty_day()
        return days[key]

    # Inquiries per day and value, for each dimension.
    for code, spec in reports.DIMENSIONS.items():
        day = reports.day_of(spec.received())
        value = func.coalesce(spec.column(), literal(reports.NOT_GIVEN))
        query = spec.join(
            select(day.label("day"), value.label("value"), func.count().label("n")).select_from(
                spec.base()
            )
        )
        for row in db.session.execute(query.group_by(day, value)):
            of(row.day)["weekly"][code][str(row.value)] = int(row.n)

    # The funnel: each counted episode's furthest stage, by the day it opened.
    pipeline = current_pipeline()
    furthest = reports.furthest_stages(pipeline)
    opened = reports.day_of(Episode.opened_at)
    stage_codes = [stage.value for stage in pipeline.stages]
    for row in db.session.execute(
        select(opened.label("day"), furthest.c.furthest, func.count().label("n"))
        .join(Episode, Episode.id == furthest.c.episode_id)
        .group_by(opened, furthest.c.furthest)
    ):
        index = int(row.furthest)
        stage = stage_codes[index] if 0 <= index < len(stage_codes) else ""
        counts = of(row.day)["furthest"]
        counts[stage] = counts.get(stage, 0) + int(row.n)
    for row in db.session.execute(
        select(opened.label("day"), Episode.close_reason, func.count().label("n"))
        .where(Episode.close_reason.is_not(None))
        .group_by(opened, Episode.close_reason)
    ):
        of(row.day)["close_reasons"][str(row.close_reason)] = int(row.n)

    # Time to first contact, per day and priority.
    received = reports.day_of(TriageCase.received_at)
    is_reached = TriageCase.reached_at.is_not(None)
    for row in db.session.execute(
        select(
            received.label("day"),
            TriageCase.priority,
            func.count().label("received"),
            func.count(TriageCase.reached_at).label("reached_count"),
            func.sum(case((TriageCase.reached_at <= TriageCase.due_at, 1), else_=0)).label(
                "within"
            ),
            func.sum(case((and_(~is_reached, TriageCase.due_at < now), 1), else_=0)).label(
                "overdue"
            ),
        ).group_by(received, TriageCase.priority)
    ):
        contact = _contact_of(of(row.day), str(row.priority))
        contact["received"] = int(row.received)
        contact["people_reached"] = int(row.reached_count)
        contact["within"] = int(row.within or 0)
        contact["overdue"] = int(row.overdue or 0)
    # Clocks still running now: judged against the time of each later view.
    for row in db.session.execute(
        select(received.label("day"), TriageCase.priority, TriageCase.due_at)
        .where(~is_reached, TriageCase.due_at >= now)
        .order_by(TriageCase.due_at)
    ):
        _contact_of(of(row.day), str(row.priority))["running"].append(row.due_at.isoformat())
    waited = reports.seconds_between(TriageCase.received_at, TriageCase.reached_at)
    for row in db.session.execute(
        select(received.label("day"), TriageCase.priority, waited.label("seconds"))
        .where(is_reached)
        .order_by(waited)
    ):
        _contact_of(of(row.day), str(row.priority))["waits"].append(int(row.seconds))
    for figures in days.values():
        for contact in figures["contact"].values():
            contact["waits"] = pack(contact["waits"])

    # Source yield, per day the inquiries arrived.
    for code, spec in reports.YIELD_DIMENSIONS.items():
        if code != "source":  # one dimension today; more would be one more key per day
            continue
        day = reports.day_of(Inquiry.received_at)
        query, value = reports.yield_counts(spec, day.label("day"))
        for row in db.session.execute(query.group_by(day, value)):
            of(row.day)["sources"][str(row.value)] = [
                int(row.inquiries),
                int(row.reached_count),
                int(row.admitted_count or 0),
            ]
    return days


def pack(numbers: list[int]) -> str:
    """Whole numbers as base64 of little-endian signed 32-bit integers (a wait in seconds fits
    for 68 years)."""
    packed = array("i", numbers)
    if sys.byteorder == "big":
        packed.byteswap()
    return base64.b64encode(packed.tobytes()).decode("ascii")


def unpack(text: str, into: array[int]) -> None:
    """Add the numbers :func:`pack` wrote to ``into``."""
    start = len(into)
    into.frombytes(base64.b64decode(text))
    if sys.byteorder == "big":
        tail = into[start:]
        tail.byteswap()
        into[start:] = tail


# A range from its days -------------------------------------------------------------------------


def _nearest_rank(ordered: list[int], percent: int) -> int | None:
    """The smallest value with at least ``percent`` % of the values at or below it (the
    direct query's definition: the first rank r with r * 100 >= n * percent)."""
    if not ordered:
        return None
    rank = -(-len(ordered) * percent // 100)
    return ordered[max(rank, 1) - 1]


def combine(
    period: reports.ReportRange,
    days: Iterable[tuple[date, Mapping[str, Any]]],
    now: datetime,
    targets: Mapping[str, int],
) -> reports.Dashboard:
    """The dashboard of ``period`` added up from its days' figures (days outside it ignored),
    with today's open work read directly."""
    weeks = period.weeks()
    weekly = {code: reports.WeeklyTable(code, weeks, []) for code in reports.DIMENSIONS}
    furthest: dict[str, int] = {}
    closed: dict[str, int] = {}
    contact: dict[str, dict[str, Any]] = {}
    waits: dict[str, array[int]] = {}
    sources: dict[str, list[int]] = {}
    for day, figures in days:
        if not period.start <= day <= period.end:
            continue
        week = day - timedelta(days=day.weekday())
        for code, counts in figures["weekly"].items():
            table = weekly.get(code)
            if table is None:
                continue
            for value, n in counts.items():
                table.counts[(week, value)] = table.counts.get((week, value), 0) + n
        for stage, n in figures["furthest"].items():
            furthest[stage] = furthest.get(stage, 0) + n
        for reason, n in figures["close_reasons"].items():
            closed[reason] = closed.get(reason, 0) + n
        for priority, figure in figures["contact"].items():
            total = contact.setdefault(
                priority, {"received": 0, "people_reached": 0, "within": 0, "decided": 0}
            )
            total["received"] += figure["received"]
            total["people_reached"] += figure["people_reached"]
            total["within"] += figure["within"]
            running_out = sum(1 for due in figure["running"] if datetime.fromisoformat(due) < now)
            total["decided"] += figure["people_reached"] + figure["overdue"] + running_out
            unpack(figure["waits"], waits.setdefault(priority, array("i")))
        for value, (inquiries, reached, admitted) in figures["sources"].items():
            total_source = sources.setdefault(value, [0, 0, 0])
            total_source[0] += inquiries
            total_source[1] += reached
            total_source[2] += admitted

    for table in weekly.values():
        totals: dict[str, int] = {}
        for (_week, value), n in table.counts.items():
            totals[value] = totals.get(value, 0) + n
        table.values = sorted(totals, key=lambda key: (-totals[key], key))

    stages = current_pipeline().stages
    position = {stage.value: index for index, stage in enumerate(stages)}
    funnel = reports.Funnel(
        [
            (
                stage.value,
                sum(n for code, n in furthest.items() if position.get(code, -1) >= index),
            )
            for index, stage in enumerate(stages)
        ],
        {reason: n for reason, n in closed.items() if reason in NOT_COUNTED_REASONS},
        closed,
    )

    contact_rows = []
    for priority in Priority:
        figure_of: dict[str, Any] = contact.get(priority.value) or {}
        ordered = sorted(waits.get(priority.value, ()))
        contact_rows.append(
            reports.ContactTimes(
                priority=priority.value,
                target_minutes=int(targets.get(priority.value, 24 * 60)),
                received=figure_of.get("received", 0),
                reached=figure_of.get("people_reached", 0),
                decided=figure_of.get("decided", 0),
                within_target=figure_of.get("within", 0),
                median_seconds=_nearest_rank(ordered, 50),
                p90_seconds=_nearest_rank(ordered, 90),
            )
        )

    yields = [
        reports.SourceYield(value, inquiries, reached, admitted)
        for value, (inquiries, reached, admitted) in sources.items()
    ]
    yields.sort(key=lambda item: (-item.inquiries, item.value))
    return reports.Dashboard(
        period=period,
        weekly=weekly,
        funnel=funnel,
        contact=contact_rows,
        owners=reports.open_work(now),
        sources=yields,
    )


# Reading and storing ---------------------------------------------------------------------------


def state() -> ReportRefresh | None:
    """Beat's last pass, if there was one."""
    return db.session.get(ReportRefresh, REFRESH_ROW)


def is_current(refresh: ReportRefresh, now: datetime, grace_seconds: int) -> bool:
    """Whether a page may add up the days: beat checks the data every 30 seconds, so a last
    pass older than :data:`MAX_AGE_SECONDS` and ``grace_seconds`` (``REPORTS_CACHE_SECONDS``)
    means beat is not running, and the page computes the figures itself."""
    return (now - refresh.checked_at).total_seconds() <= MAX_AGE_SECONDS + grace_seconds


def _full_weeks(period: reports.ReportRange) -> tuple[date, date] | None:
    """The Mondays of the first and last whole weeks inside ``period``, if any."""
    first = period.start + timedelta(days=-period.start.weekday() % 7)
    last = period.end - timedelta(days=(period.end.weekday() + 1) % 7) - timedelta(days=6)
    return (first, last) if first <= last else None


def stored_days(period: reports.ReportRange) -> list[tuple[date, dict[str, Any]]]:
    """The figures ``period`` adds up: its whole weeks' rows (keyed by their Monday) and the
    days before and after them (a day or week without a row had no data)."""
    weeks = _full_weeks(period)
    in_range = and_(ReportDay.day >= period.start, ReportDay.day <= period.end)
    if weeks is None:
        wanted = and_(ReportDay.span_days == 1, in_range)
    else:
        first, last = weeks
        wanted = or_(
            and_(ReportDay.span_days == WEEK, ReportDay.day >= first, ReportDay.day <= last),
            and_(
                ReportDay.span_days == 1,
                in_range,
                or_(ReportDay.day < first, ReportDay.day > last + timedelta(days=6)),
            ),
        )
    return [
        (_day(day), figures)
        for day, figures in db.session.execute(
            select(ReportDay.day, ReportDay.figures).where(wanted)
        )
    ]


def from_days(
    period: reports.ReportRange, now: datetime, targets: Mapping[str, int]
) -> reports.Dashboard:
    """The dashboard of ``period`` from the stored days."""
    return combine(period, stored_days(period), now, targets)


def merge(figures: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Several days' figures as one (a week's): counts added, the clocks still running and the
    waits put together (the waits sorted again)."""
    merged = _empty_day()
    waits: dict[str, array[int]] = {}
    for day in figures:
        for code, counts in day["weekly"].items():
            target = merged["weekly"].setdefault(code, {})
            for value, n in counts.items():
                target[value] = target.get(value, 0) + n
        for key in ("furthest", "close_reasons"):
            for value, n in day[key].items():
                merged[key][value] = merged[key].get(value, 0) + n
        for priority, figure in day["contact"].items():
            contact = _contact_of(merged, priority)
            for key in ("received", "people_reached", "within", "overdue"):
                contact[key] += figure[key]
            contact["running"].extend(figure["running"])
            unpack(figure["waits"], waits.setdefault(priority, array("i")))
        for value, numbers in day["sources"].items():
            total = merged["sources"].setdefault(value, [0, 0, 0])
            for index, n in enumerate(numbers):
                total[index] += n
    for priority, contact in merged["contact"].items():
        contact["running"].sort(key=datetime.fromisoformat)
        contact["waits"] = pack(sorted(waits.get(priority, ())))
    return merged


def weeks_of(days: Mapping[date, dict[str, Any]]) -> dict[date, dict[str, Any]]:
    """Each week's figures (by its Monday) from its days'."""
    grouped: dict[date, list[dict[str, Any]]] = {}
    for day, figures in sorted(days.items()):
        grouped.setdefault(day - timedelta(days=day.weekday()), []).append(figures)
    return {monday: merge(figures) for monday, figures in grouped.items()}


def save_days(days: Mapping[date, dict[str, Any]]) -> int:
    """Write the days (and weeks) whose figures changed and remove the ones that no longer have
    any. Returns how many days were written or removed."""
    wanted = {(day, 1): figures for day, figures in days.items()}
    wanted.update({(monday, WEEK): figures for monday, figures in weeks_of(days).items()})
    known = {
        (_day(day), span): digest
        for day, span, digest in db.session.execute(
            select(ReportDay.day, ReportDay.span_days, ReportDay.figures_hash)
        )
    }
    dialect = db.session.get_bind().dialect.name
    maker = pg_insert if dialect == "postgresql" else sqlite_insert
    rows = []
    for (day, span), figures in wanted.items():
        digest = figures_hash(figures)
        if known.get((day, span)) != digest:
            rows.append({"day": day, "span_days": span, "figures": figures, "figures_hash": digest})
    for start in range(0, len(rows), 500):
        statement = maker(ReportDay).values(rows[start : start + 500])
        db.session.execute(
            statement.on_conflict_do_update(
                index_elements=[ReportDay.day, ReportDay.span_days],
                set_={
                    "figures": statement.excluded.figures,
                    "figures_hash": statement.excluded.figures_hash,
                },
            )
        )
    gone = [key for key in known if key not in wanted]
    for span in (1, WEEK):
        stale = [day for day, its_span in gone if its_span == span]
        if stale:
            db.session.execute(
                delete(ReportDay).where(ReportDay.span_days == span, ReportDay.day.in_(stale))
            )
    return sum(1 for row in rows if row["span_days"] == 1) + sum(
        1 for _day_gone, span in gone if span == 1
    )


def refresh_due(now: datetime, targets: Mapping[str, int]) -> int:
    """Beat's pass: when the data's fingerprint changed (or the days are older than
    :data:`MAX_AGE_SECONDS`), recompute every day and rewrite those whose figures changed;
    otherwise only note that the days are still right. The caller commits. Returns how many
    days were written or removed (0: nothing changed)."""
    mark = fingerprint(targets)
    refresh = state()
    if (
        refresh is not None
        and refresh.fingerprint == mark
        and (now - refresh.computed_at).total_seconds() < MAX_AGE_SECONDS
    ):
        refresh.checked_at = now
        return 0
    if db.session.get_bind().dialect.name == "postgresql":
        # Aggregations JIT compiles slower than it runs them at this size (see reports.py).
        db.session.execute(text("SET LOCAL jit = off"))
    changed = save_days(compute_days(now))
    if refresh is None:
        db.session.add(
            ReportRefresh(id=REFRESH_ROW, fingerprint=mark, computed_at=now, checked_at=now)
        )
    else:
        refresh.fingerprint, refresh.computed_at, refresh.checked_at = mark, now, now
    return changed
