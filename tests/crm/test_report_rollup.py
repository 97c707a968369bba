"""The reports' day rollups: any date range added up from its days equals the direct queries,
after every kind of change (inquiries, contact, stage moves, merges, closes, tasks) and for
ranges of every shape (one day, days inside a week, week and month edges, the UTC day's edge
where the clinic's day has already turned, clocks running out after the days were computed);
days are recomputed only when the data changed or got old, and the page adds them up (its chart
images draw no chart twice for the same figures)."""

from __future__ import annotations

import itertools
import re
from collections import OrderedDict
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from html import unescape
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intake.auth.permissions import Role
from intake.core.types import utcnow
from intake.crm import charts, reports, rollup, use_cases
from intake.crm.models import ReportDay
from intake.crm.vocabulary import CloseReason, Stage, TaskKind
from intake.extensions import db
from intake.public.models import Inquiry
from intake.triage import use_cases as triage_use_cases
from intake.triage.models import TriageCase
from intake.vocabulary import ContactChannel, ContactOutcome
from tests.conftest import ROLE_EMAILS, AuthActions, audit_tags
from tests.factories import accepted_inquiry, episode_of


def _ranges(today: date) -> list[reports.ReportRange]:
    """The default range, today alone, the last few days, a range that starts mid-week and
    ends before today, one long range, and one with no data at all."""
    return [
        reports.default_range(today),
        reports.ReportRange(today, today),
        reports.ReportRange(today - timedelta(days=2), today),
        reports.ReportRange(today - timedelta(days=17), today - timedelta(days=1)),
        reports.ReportRange(today - timedelta(days=700), today + timedelta(days=3)),
        reports.ReportRange(today - timedelta(days=90), today - timedelta(days=60)),
    ]


def _direct(app: Flask, period: reports.ReportRange, now: datetime) -> dict[str, Any]:
    return asdict(reports.dashboard(period, now, app.config["CONTACT_TARGET_MINUTES"]))


def _from_days(app: Flask, period: reports.ReportRange, now: datetime) -> dict[str, Any]:
    return asdict(rollup.from_days(period, now, app.config["CONTACT_TARGET_MINUTES"]))


def _all_equal(app: Flask, now: datetime | None = None) -> dict[str, Any]:
    """Every range of :func:`_ranges` from the days equals the direct queries; the default
    range's figures."""
    now = now or utcnow()
    for period in _ranges(now.date()):
        assert _from_days(app, period, now) == _direct(app, period, now), period
    return _from_days(app, reports.default_range(now.date()), now)


def _stages(figures: dict[str, Any]) -> dict[str, int]:
    return dict(figures["funnel"]["stages"])


def test_rollup_figures_equal_the_direct_queries_after_every_kind_of_change(
    app: Flask, staff: dict[Role, int]
) -> None:
    actor = staff[Role.ADMISSIONS]
    with app.test_request_context():
        first = accepted_inquiry(email="ana@example.net", name="Ana Ruiz", substances=["alcohol"])
        second = accepted_inquiry(email="bo@example.net", name="Bo Lind", country="GB")
        # Both arrived today: one day written.
        assert use_cases.refresh_reports() == 1
        _all_equal(app)
        # Nothing changed: nothing is recomputed.
        assert use_cases.refresh_reports() == 0

        def changed_and_equal() -> dict[str, Any]:
            assert use_cases.refresh_reports() == 1
            return _all_equal(app)

        # A new inquiry.
        third = accepted_inquiry(email="cy@example.net", name="Cy Moreau", country="FR")
        figures = changed_and_equal()
        assert sum(figures["weekly"]["source"]["counts"].values()) == 3

        # The first contact that reaches the person moves the episode to "contacted".
        case = db.session.scalars(select(TriageCase).where(TriageCase.inquiry_id == first)).one()
        triage_use_cases.record_contact_attempt(
            case, actor, ContactChannel.PHONE.value, ContactOutcome.REACHED.value, None
        )
        figures = changed_and_equal()
        assert _stages(figures)[Stage.CONTACTED.value] == 1

        # A stage move by hand.
        use_cases.move(episode_of(first), Stage.PRE_ASSESSMENT.value, actor)
        figures = changed_and_equal()
        assert _stages(figures)[Stage.PRE_ASSESSMENT.value] == 1

        # A merge (the figures count inquiries and episodes, whoever they belong to now).
        source_person = db.session.get(Inquiry, second).person_id  # type: ignore[union-attr]
        target_person = db.session.get(Inquiry, third).person_id  # type: ignore[union-attr]
        merge = use_cases.merge_people(source_person, target_person, actor)
        use_cases.refresh_reports()
        _all_equal(app)
        use_cases.undo_merge(merge.id, actor)
        use_cases.refresh_reports()
        _all_equal(app)

        # A close as a duplicate leaves the episode out of the funnel.
        use_cases.close(episode_of(second), CloseReason.DUPLICATE.value, actor)
        figures = changed_and_equal()
        assert figures["funnel"]["left_out"] == {CloseReason.DUPLICATE.value: 1}

        # Open work is today's, read directly beside the days: a task added, then done.
        task = use_cases.add_task(
            episode_of(third), TaskKind.CALL.value, utcnow() + timedelta(hours=2), actor
        )
        use_cases.refresh_reports()
        figures = _all_equal(app)
        assert sum(owner["open_tasks"] for owner in figures["owners"]) == 1
        use_cases.finish_task(task, actor)
        use_cases.refresh_reports()
        figures = _all_equal(app)
        assert sum(owner["open_tasks"] for owner in figures["owners"]) == 0
        assert use_cases.refresh_reports() == 0

        # Unchanged data, but days older than the limit: recomputed (the clocks of the three
        # people not reached ran out meanwhile, so today's figures are written again), and
        # still equal at that time.
        later = utcnow() + timedelta(days=4)
        assert use_cases.refresh_reports(later) == 1
        _all_equal(app, later)


def _received(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=UTC)


def test_any_range_added_up_from_its_days_equals_the_direct_queries(
    app: Flask, staff: dict[Role, int]
) -> None:
    """Inquiries on both sides of UTC midnight (23:30 UTC on a Sunday is already Monday in
    Zurich: the reports count UTC days and UTC weeks, and so do the days), at week and month
    edges, reached or not, and clocks that were running when the days were computed and have
    run out since; every range between those days (one day, inside a week, across weeks and
    months) is compared with the direct queries."""
    from tests.crm.test_reports import _inquiry

    computed = datetime(2026, 12, 1, 12, tzinfo=UTC)
    contacted = (Stage.NEW, Stage.CONTACTED)
    rows = [
        # received, priority, source, minutes until reached, stages, close reason
        (_received(1, 23, 30), "P1", "web-form", 30, contacted, None),
        (_received(1, 23, 59, 59), "P2", "phone", None, (Stage.NEW,), None),
        (_received(2, 0), "P2", "web-form", 600, (*contacted, Stage.PRE_ASSESSMENT), None),
        (_received(4, 12), "P3", "phone", 4000, contacted, CloseReason.COST),
        (_received(4, 12, 0, 1), "P1", "web-form", None, (Stage.NEW,), CloseReason.DUPLICATE),
        (_received(8, 23, 30), "P0", "web-form", 10, contacted, None),
        (_received(9, 0, 0, 1), "P0", "web-form", 20, contacted, None),
        (_received(9, 0, 0, 2), "P0", "phone", 5, contacted, None),
        (_received(30, 23, 59, 59), "P2", "web-form", None, (Stage.NEW,), None),
        # Not reached, clocks running at ``computed`` (P2 24 h, P3 72 h).
        (datetime(2026, 12, 1, 8, tzinfo=UTC), "P2", "web-form", None, (Stage.NEW,), None),
        (datetime(2026, 12, 1, 9, tzinfo=UTC), "P3", "phone", None, (Stage.NEW,), None),
    ]
    with app.app_context():
        for received, priority, source, reached, stages, closed in rows:
            _inquiry(
                received,
                source=source,
                country="CH",
                language="de",
                priority=priority,
                reached_minutes=reached,
                stages=stages,
                close_reason=closed,
                owner_id=staff[Role.ADMISSIONS],
            )
        db.session.commit()
    with app.test_request_context():
        use_cases.refresh_reports(computed)
        days = set(db.session.scalars(select(ReportDay.day).where(ReportDay.span_days == 1)))
        assert date(2026, 11, 1) in days and date(2026, 11, 2) in days
        assert date(2026, 11, 3) not in days
        # Whole weeks are read as one row each (keyed by their Monday), the ends day by day.
        read = rollup.stored_days(reports.ReportRange(date(2026, 11, 1), date(2026, 11, 16)))
        assert sorted(day for day, _figures in read) == [
            date(2026, 11, 1),
            date(2026, 11, 2),
            date(2026, 11, 9),
        ]
        edges = [date(2026, 10, 31), *(date(2026, 11, n) for n in (1, 2, 3, 4, 8, 9, 10, 30))]
        edges.append(date(2026, 12, 1))
        # Just after the days were computed, a day later (the P2 clock has run out) and four
        # days later (both have).
        for now in (computed, computed + timedelta(days=1), computed + timedelta(days=4)):
            for start, end in itertools.combinations_with_replacement(edges, 2):
                period = reports.ReportRange(start, end)
                assert _from_days(app, period, now) == _direct(app, period, now), (period, now)
        # Sunday 1 November's two inquiries count in the week of 26 October and on the 1st.
        sunday = _from_days(app, reports.ReportRange(date(2026, 11, 1), date(2026, 11, 1)), now)
        assert sunday["weekly"]["source"]["counts"] == {
            (date(2026, 10, 26), "web-form"): 1,
            (date(2026, 10, 26), "phone"): 1,
        }
        # The three P0 waits, exact: 10, 20 and 5 minutes; median 10, 90th percentile 20.
        week = _from_days(app, reports.ReportRange(date(2026, 11, 8), date(2026, 11, 9)), now)
        p0 = next(row for row in week["contact"] if row["priority"] == "P0")
        assert (p0["median_seconds"], p0["p90_seconds"]) == (600, 1200)


def _login(client: FlaskClient) -> None:
    assert AuthActions(client).login(ROLE_EMAILS[Role.ADMISSIONS]).status_code == 302


def _substances(html: str) -> str:
    match = re.search(r'<section class="report" id="weekly-substance">(.*?)</section>', html, re.S)
    assert match
    return match.group(1)


def _chart_images(client: FlaskClient, html: str) -> None:
    """Load the page's chart images, as a browser does."""
    sources = re.findall(r'<img class="chart" src="([^"]+)"', html)
    assert len(sources) == 9
    for src in sources:
        response = client.get(unescape(src))
        assert response.status_code == 200
        assert response.mimetype == "image/svg+xml"


def test_the_page_adds_up_the_days_and_draws_each_chart_once(
    app: Flask, client: FlaskClient, staff: dict[Role, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: list[str] = []
    to_svg = charts.to_svg

    def counting(chart: Any) -> str:
        drawn.append(chart.config.title)
        return to_svg(chart)

    monkeypatch.setattr(charts, "to_svg", counting)
    monkeypatch.setattr(charts, "_kept", OrderedDict())
    monkeypatch.setitem(app.config, "REPORTS_CACHE_SECONDS", 60)
    with app.app_context():
        accepted_inquiry(substances=["diazepam"])
    _login(client)
    first = client.get("/staff/crm/reports").get_data(as_text=True)
    assert re.search(r'data-total="diazepam">1<', _substances(first))
    # Before beat's first pass the page computes the figures itself; it draws no chart: each
    # is drawn when its image is asked for.
    assert "Figures as of" not in first
    assert drawn == []
    _chart_images(client, first)
    assert len(drawn) == 9
    with app.test_request_context():
        assert use_cases.refresh_reports() == 1
        accepted_inquiry(substances=["cannabis"])

    # Until beat has run again, the page adds up the days, and says as of when.
    kept = client.get("/staff/crm/reports").get_data(as_text=True)
    assert "Figures as of" in kept
    assert 'data-total="cannabis"' not in _substances(kept)
    # The same figures: no chart drawn again.
    _chart_images(client, kept)
    assert len(drawn) == 9

    with app.test_request_context():
        assert use_cases.refresh_reports() == 1
    fresh = client.get("/staff/crm/reports").get_data(as_text=True)
    assert re.search(r'data-total="cannabis">1<', _substances(fresh))
    _chart_images(client, fresh)
    # Only the charts whose figures changed were drawn again: not the minutes to first contact
    # (nobody was reached).
    assert 9 < len(drawn) < 18
    assert drawn.count("Minutes to first contact") == 1
    # Any other range is added up from the same days.
    other = client.get("/staff/crm/reports?from=2020-01-01").get_data(as_text=True)
    assert "Figures as of" in other
    assert re.search(r'data-total="cannabis">1<', _substances(other))

    # Beat stopped: once its last pass is too old, the page computes the figures itself.
    with app.test_request_context():
        kept_state = rollup.state()
        assert kept_state is not None
        kept_state.checked_at = utcnow() - timedelta(seconds=rollup.MAX_AGE_SECONDS + 61)
        db.session.commit()
    stale = client.get("/staff/crm/reports").get_data(as_text=True)
    assert "Figures as of" not in stale
    assert re.search(r'data-total="cannabis">1<', _substances(stale))
    # Every view is audited, from the days or not.
    assert audit_tags(app).count("crm:reports:viewed") == 5
