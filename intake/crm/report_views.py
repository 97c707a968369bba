"""The reports page and its CSV export (on the CRM blueprint).

Aggregates only: the page and the export show counts per week, stage, priority, owner and
source, never a person. Both are audited (what range, never a person's data). A date range that
cannot be used is said back to staff with a 400, never a 500.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import defusedcsv.csv as safe_csv
from flask import abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from intake.audit.services import record_view
from intake.audit.tags import AuditTag
from intake.auth.permissions import Permission, require_permission
from intake.core.inputs import parse_date
from intake.core.labels import label
from intake.core.templating import country_label, language_label
from intake.core.types import utcnow
from intake.crm import charts, reports, rollup
from intake.crm.labels import CLOSE_REASON_LABELS, STAGE_LABELS
from intake.crm.views import bp
from intake.crm.vocabulary import CloseReason
from intake.extensions import talisman
from intake.triage.clock import describe_seconds

DIMENSION_TITLES: dict[str, LazyString] = {
    "source": _l("Inquiries per week by source"),
    "country": _l("Inquiries per week by country"),
    "language": _l("Inquiries per week by language"),
    "substance": _l("Inquiries per week by substance named"),
    "priority": _l("Inquiries per week by priority"),
}


def value_label(dimension: str, code: str) -> str:
    """The words for one value of a dimension (``not given`` for an empty one)."""
    if not code:
        return _("not given")
    if dimension == "country":
        return country_label(code)
    if dimension == "language":
        return language_label(code)
    return label(code, dimension)


def read_range(args: Any, today: date) -> tuple[reports.ReportRange | None, str | None]:
    """The range asked for (the default one when none is), or None and what is wrong with it."""
    fallback = reports.default_range(today)
    raw_from, raw_to = (args.get("from") or "").strip(), (args.get("to") or "").strip()
    if not raw_from and not raw_to:
        return fallback, None
    start = parse_date(raw_from) if raw_from else fallback.start
    end = parse_date(raw_to) if raw_to else today
    if start is None or end is None:
        return None, _("Dates are written like 2026-01-31.")
    if start > end:
        return None, _("The start date is after the end date.")
    if (end - start).days > reports.MAX_RANGE_DAYS:
        return None, _(
            "A report covers at most %(days)d days; shorten the range.",
            days=reports.MAX_RANGE_DAYS,
        )
    return reports.ReportRange(start, end), None


def parse_range(args: Any, today: date) -> tuple[reports.ReportRange, str | None]:
    """The range asked for, or the default one and what was wrong with the request."""
    period, problem = read_range(args, today)
    if period is not None:
        return period, None
    instead = _("Showing the last %(weeks)d weeks instead.", weeks=reports.DEFAULT_WEEKS)
    return reports.default_range(today), f"{problem} {instead}"


def _minutes(seconds: int | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


@dataclass
class WeeklyView:
    code: str
    title: str
    table: reports.WeeklyTable
    labels: dict[str, str]
    # The table's cells, worked out once: (week, count per value) and the totals per value,
    # in the order of ``table.values`` (a year by country is thousands of cells).
    rows: list[tuple[str, list[int]]]
    totals: list[int]

    @property
    def chart(self) -> str:
        return f"weekly-{self.code}"


def _weekly_view(code: str, table: reports.WeeklyTable) -> WeeklyView:
    labels = {value: value_label(code, value) for value in table.values}
    columns = [[table.count(week, value) for week in table.weeks] for value in table.values]
    weeks = [week.isoformat() for week in table.weeks]
    rows = [(week, [column[n] for column in columns]) for n, week in enumerate(weeks)]
    totals = [sum(column) for column in columns]
    return WeeklyView(code, str(DIMENSION_TITLES[code]), table, labels, rows, totals)


# The charts ------------------------------------------------------------------------------------
# The page draws none: each is an image from :func:`reports_chart`, drawn by pygal (charts.py)
# from the same figures as the tables beside it.


def _weekly_chart(code: str) -> Callable[[reports.Dashboard], str]:
    def draw(board: reports.Dashboard) -> str:
        table = board.weekly[code]
        series = [
            (value_label(code, value), [table.count(week, value) for week in table.weeks])
            for value in table.values
        ]
        weeks = [week.isoformat() for week in table.weeks]
        return charts.stacked_weeks(str(DIMENSION_TITLES[code]), weeks, series)

    return draw


def _funnel_chart(board: reports.Dashboard) -> str:
    return charts.horizontal_bars(
        str(CHART_TITLES["funnel"]),
        [(str(STAGE_LABELS.get(stage, stage)), count) for stage, count in board.funnel.stages],
    )


def _contact_chart(board: reports.Dashboard) -> str:
    return charts.grouped_bars(
        str(CHART_TITLES["contact"]),
        [row.priority for row in board.contact],
        [
            (_("median"), [_minutes(row.median_seconds) for row in board.contact]),
            (_("90th percentile"), [_minutes(row.p90_seconds) for row in board.contact]),
        ],
    )


def _owners_chart(board: reports.Dashboard) -> str:
    return charts.horizontal_bars(
        str(CHART_TITLES["owners"]),
        [(load.name or _("nobody"), load.open_episodes) for load in board.owners],
    )


def _sources_chart(board: reports.Dashboard) -> str:
    return charts.grouped_bars(
        str(CHART_TITLES["sources"]),
        [value_label("source", item.value) for item in board.sources],
        [
            (_("inquiries"), [item.inquiries for item in board.sources]),
            (_("person reached"), [item.reached for item in board.sources]),
            (_("admitted later"), [item.admitted for item in board.sources]),
        ],
    )


CHART_TITLES: dict[str, LazyString] = {
    **{f"weekly-{code}": title for code, title in DIMENSION_TITLES.items()},
    "funnel": _l("Episodes that reached each stage"),
    "contact": _l("Minutes to first contact"),
    "owners": _l("Open episodes per owner"),
    "sources": _l("Yield per source"),
}
CHARTS: dict[str, Callable[[reports.Dashboard], str]] = {
    **{f"weekly-{code}": _weekly_chart(code) for code in DIMENSION_TITLES},
    "funnel": _funnel_chart,
    "contact": _contact_chart,
    "owners": _owners_chart,
    "sources": _sources_chart,
}
# A chart image may be kept this long by the browser (the figures behind it change within a
# minute of any change, the page's tables at once).
CHART_MAX_AGE_SECONDS = 60
# The SVG's own policy: pygal styles it with an inline <style> (nothing else is loaded, and an
# image runs no script); the app's policy would leave a browser that applies it unstyled.
CHART_CSP = {"default-src": "'none'", "style-src": "'unsafe-inline'"}


def _figures(
    period: reports.ReportRange, now: datetime
) -> tuple[reports.Dashboard, datetime | None]:
    """The range's figures: added up from the days beat keeps while it keeps them, otherwise
    computed here (``REPORTS_CACHE_SECONDS`` 0: always computed; see :mod:`intake.crm.rollup`).
    The second value is when the days were last found right (None: computed just now)."""
    targets = current_app.config["CONTACT_TARGET_MINUTES"]
    grace = int(current_app.config.get("REPORTS_CACHE_SECONDS", 0))
    if grace > 0:
        kept = rollup.state()
        if kept is not None and rollup.is_current(kept, now, grace):
            return rollup.from_days(period, now, targets), kept.checked_at
    return reports.dashboard(period, now, targets), None


def _audit(tag: AuditTag, period: reports.ReportRange) -> None:
    record_view(tag, detail={"from": period.start.isoformat(), "to": period.end.isoformat()})


@bp.get("/reports")
@require_permission(Permission.REPORTS_VIEW)
def reports_page() -> tuple[str, int]:
    now = utcnow()
    period, problem = parse_range(request.args, now.date())
    board, as_of = _figures(period, now)
    _audit(AuditTag.REPORTS_VIEWED, board.period)
    return render_template(
        "crm/reports.html",
        board=board,
        problem=problem,
        weekly=[_weekly_view(code, table) for code, table in board.weekly.items()],
        chart_titles=CHART_TITLES,
        as_of=as_of,
        stage_labels=STAGE_LABELS,
        left_out_duplicates=board.funnel.left_out.get(CloseReason.DUPLICATE, 0),
        left_out_not_real=board.funnel.left_out.get(CloseReason.NOT_REAL, 0),
        close_reason_labels=CLOSE_REASON_LABELS,
        value_label=value_label,
        describe=lambda seconds: "" if seconds is None else describe_seconds(seconds),
        # The CRM's sub-navigation carries the pipeline's filters; a report has none to pass on.
        args=MultiDict(),
    ), 400 if problem else 200


@bp.get("/reports/charts/<name>.svg")
@talisman(content_security_policy=CHART_CSP)
@require_permission(Permission.REPORTS_VIEW)
def reports_chart(name: str) -> Response:
    """One of the page's charts as an SVG image, for the same range. Not audited: the page that
    shows it is, and a chart holds only the aggregates of its table."""
    draw = CHARTS.get(name)
    if draw is None:
        abort(404)
    now = utcnow()
    period, problem = read_range(request.args, now.date())
    if period is None:
        return Response(f"{problem}\n", status=400, mimetype="text/plain")
    board, _as_of = _figures(period, now)
    svg = draw(board).encode()
    response = Response(svg, mimetype="image/svg+xml")
    response.cache_control.private = True
    response.cache_control.max_age = CHART_MAX_AGE_SECONDS
    response.set_etag(hashlib.sha256(svg).hexdigest())
    return response.make_conditional(request)


# The export ------------------------------------------------------------------------------------

CSV_COLUMNS = ("report", "week", "group", "measure", "value")


def csv_rows(board: reports.Dashboard) -> list[tuple[object, ...]]:
    """The dashboard's numbers in long form: one row per number, codes rather than words (a
    spreadsheet joins and filters them), nothing about any one person."""
    rows: list[tuple[object, ...]] = []
    for code, table in board.weekly.items():
        for week in table.weeks:
            for value in table.values:
                rows.append(
                    (
                        f"inquiries_by_{code}",
                        week.isoformat(),
                        value,
                        "inquiries",
                        table.count(week, value),
                    )
                )
    for stage, count in board.funnel.stages:
        rows.append(("funnel", "", stage, "episodes_reached", count))
    for reason, count in sorted(board.funnel.closed.items()):
        rows.append(("funnel_closed", "", reason, "episodes", count))
    for times in board.contact:
        figures: tuple[tuple[str, int | None], ...] = (
            ("target_minutes", times.target_minutes),
            ("received", times.received),
            ("people_reached", times.reached),
            ("decided", times.decided),
            ("within_target", times.within_target),
            ("median_seconds", times.median_seconds),
            ("p90_seconds", times.p90_seconds),
        )
        for measure, figure in figures:
            rows.append(
                ("first_contact", "", times.priority, measure, "" if figure is None else figure)
            )
    for load in board.owners:
        owner = load.name or "nobody"
        rows.append(("open_work", "", owner, "open_episodes", load.open_episodes))
        rows.append(("open_work", "", owner, "open_tasks", load.open_tasks))
        rows.append(("open_work", "", owner, "overdue_tasks", load.overdue_tasks))
    for item in board.sources:
        rows.append(("source_yield", "", item.value, "inquiries", item.inquiries))
        rows.append(("source_yield", "", item.value, "people_reached", item.reached))
        rows.append(("source_yield", "", item.value, "inquiries_admitted", item.admitted))
    return rows


@bp.get("/reports.csv")
@require_permission(Permission.REPORTS_VIEW, Permission.REPORTS_EXPORT)
def reports_export() -> Response | tuple[str, int]:
    now = utcnow()
    period, problem = parse_range(request.args, now.date())
    if problem:
        # The page with the message (audited as a view), rather than a file of other weeks.
        return reports_page()
    board, _as_of = _figures(period, now)
    _audit(AuditTag.REPORTS_EXPORTED, board.period)
    buffer = io.StringIO()
    # defusedcsv prefixes a cell starting with = + - @ | % (a source name an admin typed) with
    # a quote, so a spreadsheet never runs it as a formula.
    writer = safe_csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_rows(board))
    name = f"harbor-reports-{board.period.start.isoformat()}-{board.period.end.isoformat()}.csv"
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
