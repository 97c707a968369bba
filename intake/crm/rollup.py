"""The reports dashboard's rollup: its figures per date range, computed ahead and read as one row.

Computing the dashboard means aggregating every inquiry, case, episode and stage change of the
range (hundreds of milliseconds at 100,000 inquiries). Beat (:func:`refresh_due`, every 30
seconds) recomputes the figures of the ranges staff looked at recently, and only when the data
changed: it compares a fingerprint of the tables the reports read (row counts, highest ids and
the sums of the rows' version counters, which every ORM update raises), so a quiet night costs a
handful of index reads and no aggregation. Some figures also move with the clock alone (a
contact clock running out, a task becoming overdue): figures older than
:data:`MAX_AGE_SECONDS` are recomputed whatever the fingerprint says.

The page shows a range's rollup unless it is older than :data:`MAX_AGE_SECONDS` plus
``REPORTS_CACHE_SECONDS`` (beat not running); then, and for a range nobody asked for before, it
computes the figures itself and stores them. ``REPORTS_CACHE_SECONDS`` 0 turns the rollup off
(the tests' setting: every view computes). The figures are the same functions' output
(:func:`intake.crm.reports.dashboard`), kept as JSON: a rollup never counts differently from the
direct queries, which ``tests/crm/test_report_rollup.py`` checks after inquiries, stage moves and
merges.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from intake.auth.models import User
from intake.crm import current_pipeline, reports
from intake.crm.models import (
    Episode,
    EpisodeInquiry,
    InquirySubstance,
    ReportRollup,
    StageChange,
    Task,
)
from intake.extensions import db
from intake.public.models import Inquiry
from intake.triage.models import TriageCase

# Figures this old are recomputed even when the data did not change (clocks run out, tasks
# fall overdue, a name is corrected).
MAX_AGE_SECONDS = 300
# Beat keeps a range fresh for a day after someone last opened it, and forgets it after a week.
KEEP_FRESH = timedelta(days=1)
FORGET_AFTER = timedelta(days=7)
# At most this many ranges besides the default are kept fresh (the most recently opened): each
# costs a full aggregation per change, and staff trying many ranges must not make beat's pass
# grow with them. The others are recomputed by the page when it finds them too old.
KEEP_RANGES = 8
# The requested_at of a rollup is written at most this often (a view is otherwise read-only).
TOUCH_EVERY = timedelta(hours=1)


# The figures as JSON ---------------------------------------------------------------------------


def to_json(board: reports.Dashboard) -> dict[str, Any]:
    """The dashboard's figures as plain JSON (dates as ISO text)."""
    return {
        "period": [board.period.start.isoformat(), board.period.end.isoformat()],
        "weekly": {
            code: {
                "weeks": [week.isoformat() for week in table.weeks],
                "values": table.values,
                "counts": sorted(
                    [week.isoformat(), value, count]
                    for (week, value), count in table.counts.items()
                ),
            }
            for code, table in board.weekly.items()
        },
        "funnel": {
            "stages": [[stage, count] for stage, count in board.funnel.stages],
            "left_out": board.funnel.left_out,
            "close_reasons": board.funnel.closed,
        },
        "contact": [asdict(row) for row in board.contact],
        "owners": [asdict(row) for row in board.owners],
        "sources": [asdict(row) for row in board.sources],
    }


def from_json(figures: Mapping[str, Any]) -> reports.Dashboard:
    """The dashboard back from :func:`to_json`."""
    start, end = figures["period"]
    weekly = {}
    for code, table in figures["weekly"].items():
        weekly[code] = reports.WeeklyTable(
            code,
            [date.fromisoformat(week) for week in table["weeks"]],
            list(table["values"]),
            {(date.fromisoformat(week), value): int(n) for week, value, n in table["counts"]},
        )
    funnel = figures["funnel"]
    return reports.Dashboard(
        period=reports.ReportRange(date.fromisoformat(start), date.fromisoformat(end)),
        weekly=weekly,
        funnel=reports.Funnel(
            [(stage, int(count)) for stage, count in funnel["stages"]],
            dict(funnel["left_out"]),
            dict(funnel["close_reasons"]),
        ),
        contact=[reports.ContactTimes(**row) for row in figures["contact"]],
        owners=[reports.OwnerLoad(**row) for row in figures["owners"]],
        sources=[reports.SourceYield(**row) for row in figures["sources"]],
    )


def figures_hash(figures: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(figures, sort_keys=True).encode()).hexdigest()


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


# Reading and storing ---------------------------------------------------------------------------


def stored(period: reports.ReportRange) -> ReportRollup | None:
    """The rollup of ``period``, if one was computed."""
    return db.session.scalar(
        select(ReportRollup).where(
            ReportRollup.range_start == period.start, ReportRollup.range_end == period.end
        )
    )


def touch(rollup: ReportRollup, now: datetime) -> None:
    """Note that staff opened the range (at most once an hour: a view is otherwise a read)."""
    if rollup.requested_at < now - TOUCH_EVERY:
        rollup.requested_at = now


def compute(
    period: reports.ReportRange, now: datetime, targets: Mapping[str, int]
) -> tuple[reports.Dashboard, dict[str, Any]]:
    """The figures of ``period`` from the direct queries, and as JSON."""
    board = reports.dashboard(period, now, targets)
    return board, to_json(board)


# Stored by a page without the data's fingerprint (taking it costs as much as a query of the
# dashboard): beat's next pass recomputes the range once and records it.
UNKNOWN_FINGERPRINT = ""


def save(
    period: reports.ReportRange,
    figures: dict[str, Any],
    mark: str,
    now: datetime,
    *,
    requested: bool,
) -> None:
    """Store the figures of ``period`` (insert, or replace what is there). Two web workers
    storing the same new range at once is not an error: the later one updates the row."""
    values = {
        "figures": figures,
        "figures_hash": figures_hash(figures),
        "fingerprint": mark,
        "computed_at": now,
    }
    dialect = db.session.get_bind().dialect.name
    maker = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = maker(ReportRollup).values(
        range_start=period.start, range_end=period.end, requested_at=now, **values
    )
    updated = dict(values)
    if requested:
        updated["requested_at"] = now
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=[ReportRollup.range_start, ReportRollup.range_end], set_=updated
        )
    )


def is_current(rollup: ReportRollup, now: datetime, grace_seconds: int) -> bool:
    """Whether a page may show the rollup: beat recomputes it as soon as the data changes and at
    least every :data:`MAX_AGE_SECONDS`, so one older than that and ``grace_seconds``
    (``REPORTS_CACHE_SECONDS``) means beat is not keeping it, and the page computes the figures
    itself."""
    return (now - rollup.computed_at).total_seconds() <= MAX_AGE_SECONDS + grace_seconds


def refresh_due(now: datetime, targets: Mapping[str, int]) -> int:
    """Beat's pass: recompute the ranges staff opened within :data:`KEEP_FRESH` (the
    :data:`KEEP_RANGES` latest, and the default range, so the first view of the day finds it)
    whose data changed or whose figures are older than :data:`MAX_AGE_SECONDS`; forget ranges
    nobody opened for :data:`FORGET_AFTER`. The caller commits. Returns how many ranges were
    recomputed."""
    db.session.execute(delete(ReportRollup).where(ReportRollup.requested_at < now - FORGET_AFTER))
    default = reports.default_range(now.date())
    wanted: dict[tuple[date, date], ReportRollup | None] = {(default.start, default.end): None}
    for viewed in db.session.scalars(
        select(ReportRollup)
        .where(
            ReportRollup.requested_at >= now - KEEP_FRESH,
            or_(ReportRollup.range_start != default.start, ReportRollup.range_end != default.end),
        )
        .order_by(ReportRollup.requested_at.desc(), ReportRollup.id.desc())
        .limit(KEEP_RANGES)
    ):
        wanted[(viewed.range_start, viewed.range_end)] = viewed
    if wanted[(default.start, default.end)] is None:
        wanted[(default.start, default.end)] = stored(default)
    mark = fingerprint(targets)
    recomputed = 0
    for (start, end), rollup in sorted(wanted.items(), key=lambda item: item[0]):
        if (
            rollup is not None
            and rollup.fingerprint == mark
            and (now - rollup.computed_at).total_seconds() < MAX_AGE_SECONDS
        ):
            continue
        period = reports.ReportRange(start, end)
        figures = to_json(reports.dashboard(period, now, targets))
        save(period, figures, mark, now, requested=False)
        recomputed += 1
    return recomputed
