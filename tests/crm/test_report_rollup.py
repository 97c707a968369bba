"""The reports' rollup: beat's figures equal the direct queries after every kind of change
(inquiries, contact, stage moves, merges, closes, tasks), are recomputed only when the data
changed or got old, and the page reads them (and draws no chart twice for the same figures)."""

from __future__ import annotations

import re
from collections import OrderedDict
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intake.auth.permissions import Role
from intake.core.types import utcnow
from intake.crm import charts, reports, rollup, use_cases
from intake.crm.models import Episode, EpisodeInquiry, ReportRollup
from intake.crm.vocabulary import CloseReason, Stage, TaskKind
from intake.extensions import db
from intake.public.models import Inquiry
from intake.triage import use_cases as triage_use_cases
from intake.triage.models import TriageCase
from intake.vocabulary import ContactChannel, ContactOutcome
from tests.conftest import ROLE_EMAILS, AuthActions, audit_tags
from tests.factories import accepted_inquiry


def _direct(app: Flask) -> dict[str, Any]:
    now = utcnow()
    period = reports.default_range(now.date())
    return rollup.to_json(reports.dashboard(period, now, app.config["CONTACT_TARGET_MINUTES"]))


def _rolled() -> dict[str, Any]:
    kept = rollup.stored(reports.default_range(utcnow().date()))
    assert kept is not None
    return kept.figures


def _episode_of(inquiry_id: int) -> Episode:
    return db.session.scalars(
        select(Episode)
        .join(EpisodeInquiry, EpisodeInquiry.episode_id == Episode.id)
        .where(EpisodeInquiry.inquiry_id == inquiry_id)
    ).one()


def test_rollup_figures_equal_the_direct_queries_after_every_kind_of_change(
    app: Flask, staff: dict[Role, int]
) -> None:
    actor = staff[Role.ADMISSIONS]
    with app.test_request_context():
        first = accepted_inquiry(email="ana@example.net", name="Ana Ruiz", substances=["alcohol"])
        second = accepted_inquiry(email="bo@example.net", name="Bo Lind", country="GB")
        assert use_cases.refresh_reports() == 1
        assert _rolled() == _direct(app)
        assert rollup.to_json(rollup.from_json(_rolled())) == _rolled()
        # Nothing changed: nothing is recomputed.
        assert use_cases.refresh_reports() == 0

        def changed_and_equal() -> dict[str, Any]:
            assert use_cases.refresh_reports() == 1
            figures = _rolled()
            assert figures == _direct(app)
            return figures

        # A new inquiry.
        third = accepted_inquiry(email="cy@example.net", name="Cy Moreau", country="FR")
        figures = changed_and_equal()
        assert sum(n for _w, _v, n in figures["weekly"]["source"]["counts"]) == 3

        # The first contact that reaches the person moves the episode to "contacted".
        case = db.session.scalars(select(TriageCase).where(TriageCase.inquiry_id == first)).one()
        triage_use_cases.record_contact_attempt(
            case, actor, ContactChannel.PHONE.value, ContactOutcome.REACHED.value, None
        )
        figures = changed_and_equal()
        assert dict(map(tuple, figures["funnel"]["stages"]))[Stage.CONTACTED.value] == 1

        # A stage move by hand.
        use_cases.move(_episode_of(first), Stage.PRE_ASSESSMENT.value, actor)
        figures = changed_and_equal()
        assert dict(map(tuple, figures["funnel"]["stages"]))[Stage.PRE_ASSESSMENT.value] == 1

        # A merge (the figures count inquiries and episodes, whoever they belong to now).
        source_person = db.session.get(Inquiry, second).person_id  # type: ignore[union-attr]
        target_person = db.session.get(Inquiry, third).person_id  # type: ignore[union-attr]
        merge = use_cases.merge_people(source_person, target_person, actor)
        use_cases.refresh_reports()
        assert _rolled() == _direct(app)
        use_cases.undo_merge(merge.id, actor)
        use_cases.refresh_reports()
        assert _rolled() == _direct(app)

        # A close as a duplicate leaves the episode out of the funnel.
        use_cases.close(_episode_of(second), CloseReason.DUPLICATE.value, actor)
        figures = changed_and_equal()
        assert figures["funnel"]["left_out"] == {CloseReason.DUPLICATE.value: 1}

        # Open work: a task added, then done.
        task = use_cases.add_task(
            _episode_of(third), TaskKind.CALL.value, utcnow() + timedelta(hours=2), actor
        )
        figures = changed_and_equal()
        assert sum(owner["open_tasks"] for owner in figures["owners"]) == 1
        use_cases.finish_task(task, actor)
        figures = changed_and_equal()
        assert sum(owner["open_tasks"] for owner in figures["owners"]) == 0
        assert use_cases.refresh_reports() == 0

        # Unchanged data, but figures older than the limit: recomputed (clocks run out).
        later = utcnow() + timedelta(seconds=rollup.MAX_AGE_SECONDS + 1)
        assert use_cases.refresh_reports(later) == 1


def test_beat_keeps_only_ranges_viewed_lately(app: Flask, staff: dict[Role, int]) -> None:
    with app.test_request_context():
        accepted_inquiry()
        now = utcnow()
        old = reports.ReportRange(now.date() - timedelta(days=60), now.date() - timedelta(days=30))
        figures = rollup.to_json(reports.dashboard(old, now, app.config["CONTACT_TARGET_MINUTES"]))
        rollup.save(old, figures, "old", now - timedelta(days=8), requested=True)
        db.session.commit()
        use_cases.refresh_reports()
        ranges = db.session.execute(select(ReportRollup.range_start, ReportRollup.range_end)).all()
        default = reports.default_range(now.date())
        assert ranges == [(default.start, default.end)]

        # Many ranges opened today: beat keeps the latest few fresh, not all of them.
        for days in range(rollup.KEEP_RANGES + 3):
            period = reports.ReportRange(now.date() - timedelta(days=40 + days), now.date())
            rollup.save(period, figures, "old", now - timedelta(minutes=days), requested=True)
        db.session.commit()
        assert use_cases.refresh_reports() == rollup.KEEP_RANGES


def _login(client: FlaskClient) -> None:
    assert AuthActions(client).login(ROLE_EMAILS[Role.ADMISSIONS]).status_code == 302


def _substances(html: str) -> str:
    match = re.search(r'<section class="report" id="weekly-substance">(.*?)</section>', html, re.S)
    assert match
    return match.group(1)


def test_the_page_reads_the_rollup_and_draws_each_chart_once(
    app: Flask, client: FlaskClient, staff: dict[Role, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: list[str] = []
    to_data_uri = charts.to_data_uri

    def counting(chart: Any) -> str:
        drawn.append(chart.config.title)
        return to_data_uri(chart)

    monkeypatch.setattr(charts, "to_data_uri", counting)
    monkeypatch.setattr(charts, "_kept", OrderedDict())
    monkeypatch.setitem(app.config, "REPORTS_CACHE_SECONDS", 60)
    with app.app_context():
        accepted_inquiry(substances=["diazepam"])
    _login(client)
    first = client.get("/staff/crm/reports").get_data(as_text=True)
    assert re.search(r'data-total="diazepam">1<', _substances(first))
    # Computed by the page itself the first time, and stored for beat to keep.
    assert "Figures as of" not in first
    assert len(drawn) == 9
    with app.app_context():
        assert db.session.scalar(select(ReportRollup.id)) is not None
        accepted_inquiry(substances=["cannabis"])

    # Until beat has run, the page shows the rollup, and says when it was computed.
    kept = client.get("/staff/crm/reports").get_data(as_text=True)
    assert "Figures as of" in kept
    assert 'data-total="cannabis"' not in _substances(kept)
    # The same figures: no chart drawn again.
    assert len(drawn) == 9

    with app.test_request_context():
        assert use_cases.refresh_reports() == 1
    fresh = client.get("/staff/crm/reports").get_data(as_text=True)
    assert re.search(r'data-total="cannabis">1<', _substances(fresh))
    # Only the charts whose figures changed were drawn again: not the minutes to first contact
    # (nobody was reached).
    assert 9 < len(drawn) < 18
    assert drawn.count("Minutes to first contact") == 1
    # Every view is audited, from the rollup or not.
    assert audit_tags(app).count("crm:reports:viewed") == 3
