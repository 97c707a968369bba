"""The reports page and its export, on a small data set whose every number is known: weekly
counts per dimension, the funnel (duplicates and not-real inquiries left out), time to first
contact (nearest-rank median and 90th percentile, share within target), open work per owner and
source yield; the CSV is for admins only, audited and safe to open in a spreadsheet; a bad date
range gets a clear message."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient

from intake.auth.permissions import Role
from intake.crm.models import Episode, EpisodeInquiry, InquirySubstance, StageChange, Task
from intake.crm.use_cases import refresh_reports
from intake.crm.vocabulary import CLOSED, CloseReason, Stage, TaskKind
from intake.extensions import db
from intake.triage.models import TriageCase
from tests.conftest import ROLE_EMAILS, AuthActions, audit_tags
from tests.factories import InquiryFactory, PersonFactory, accepted_inquiry

RANGE = "from=2026-11-02&to=2026-11-15"
NOW = datetime(2026, 12, 1, tzinfo=UTC)
TARGET = {"P0": 15, "P1": 240, "P2": 1440, "P3": 4320}


def _at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def _inquiry(
    received: datetime,
    *,
    source: str,
    country: str,
    language: str,
    priority: str,
    substances: Sequence[str] = (),
    reached_minutes: int | None = None,
    stages: Sequence[Stage] = (Stage.NEW,),
    close_reason: CloseReason | None = None,
    owner_id: int | None = None,
) -> Episode:
    person = PersonFactory(country=country, language=language)
    inquiry = InquiryFactory(person=person, received_at=received, source=source, priority=priority)
    case = db.session.query(TriageCase).filter_by(inquiry_id=inquiry.id).one()
    case.due_at = received + timedelta(minutes=TARGET[priority])
    if reached_minutes is not None:
        case.reached_at = received + timedelta(minutes=reached_minutes)
        case.status = "contacted"
    for code in substances:
        db.session.add(InquirySubstance(inquiry_id=inquiry.id, substance=code))
    episode = Episode(
        person_id=person.id,
        stage=stages[-1].value,
        owner_id=owner_id,
        opened_at=received,
        stage_entered_at=received,
    )
    db.session.add(episode)
    db.session.flush()
    db.session.add(EpisodeInquiry(episode_id=episode.id, inquiry_id=inquiry.id))
    previous = None
    for number, stage in enumerate(stages):
        db.session.add(
            StageChange(
                episode_id=episode.id,
                from_stage=previous,
                to_stage=stage.value,
                changed_at=received + timedelta(hours=number),
                cause="test",
            )
        )
        previous = stage.value
    if close_reason is not None:
        episode.closed_at = received + timedelta(days=1)
        episode.close_reason = close_reason.value
        db.session.add(
            StageChange(
                episode_id=episode.id,
                from_stage=previous,
                to_stage=CLOSED,
                changed_at=episode.closed_at,
                cause="test",
            )
        )
    db.session.flush()
    return episode


def _known_data(app: Flask, staff: dict[Role, int], *, source_c: str = "partner-site") -> None:
    """Seven inquiries (one outside the range); see each test for what they add up to."""
    owner = staff[Role.ADMISSIONS]
    with app.app_context():
        a = _inquiry(
            _at(3),
            source="web-form",
            country="ES",
            language="es",
            priority="P1",
            substances=("alprazolam", "alcohol"),
            reached_minutes=30,
            stages=(
                Stage.NEW,
                Stage.CONTACTED,
                Stage.PRE_ASSESSMENT,
                Stage.CLINICAL_REVIEW,
                Stage.OFFER,
                Stage.ADMITTED,
            ),
            owner_id=owner,
        )
        b = _inquiry(
            _at(4),
            source="web-form",
            country="GB",
            language="en",
            priority="P2",
            substances=("alcohol",),
            reached_minutes=120,
            stages=(Stage.NEW, Stage.CONTACTED),
            owner_id=owner,
        )
        # The rest, one row each: received, source, country, language, priority, minutes until
        # reached, stages, close reason. The last is outside the range: counted nowhere.
        contacted = (Stage.NEW, Stage.CONTACTED)
        pre_assessment = (*contacted, Stage.PRE_ASSESSMENT)
        for received, source, country, language, priority, reached, stages, closed in (
            (_at(10), source_c, "DE", "de", "P2", 1600, pre_assessment, CloseReason.COST),
            (_at(11), "partner-site", "ES", "es", "P2", None, (Stage.NEW,), CloseReason.DUPLICATE),
            (_at(12), "web-form", "GB", "en", "P3", None, (Stage.NEW,), CloseReason.NOT_REAL),
            (_at(13), "web-form", "IT", "it", "P2", 60, contacted, None),
            (_at(1) - timedelta(days=20), "web-form", "GB", "en", "P0", 5, contacted, None),
        ):
            _inquiry(
                received,
                source=source,
                country=country,
                language=language,
                priority=priority,
                reached_minutes=reached,
                stages=stages,
                close_reason=closed,
            )
        db.session.add_all(
            [
                Task(
                    episode_id=b.id,
                    kind=TaskKind.CALL.value,
                    due_at=NOW - timedelta(days=1),
                    owner_id=owner,
                ),
                Task(
                    episode_id=a.id,
                    kind=TaskKind.CALL.value,
                    due_at=NOW + timedelta(days=400),
                    owner_id=owner,
                ),
                Task(
                    episode_id=a.id,
                    kind=TaskKind.EMAIL.value,
                    due_at=NOW - timedelta(days=3),
                    owner_id=owner,
                    done_at=NOW - timedelta(days=2),
                ),
            ]
        )
        db.session.commit()


def _login(client: FlaskClient, role: Role) -> None:
    assert AuthActions(client).login(ROLE_EMAILS[role]).status_code == 302


def _text(response: object) -> str:
    return response.get_data(as_text=True)  # type: ignore[attr-defined]


def _section(html: str, section_id: str) -> str:
    match = re.search(rf'<section class="report" id="{section_id}">(.*?)</section>', html, re.S)
    assert match, f"no section {section_id}"
    return match.group(1)


def _charts(html: str) -> dict[str, tuple[str, str]]:
    """The page's chart images: their name -> (alt text, address)."""
    found = re.findall(r'<img class="chart" src="([^"]+)"[^>]* alt="([^"]+)"', html)
    images = {}
    for src, alt in found:
        address = unescape(src)
        name = re.search(r"/charts/([a-z-]+)\.svg\?", address)
        assert name, address
        images[name.group(1)] = (unescape(alt), address)
    return images


def _row(html: str, attribute: str, value: str) -> list[str]:
    """The cells of the table row marked ``attribute="value"``, as text."""
    match = re.search(rf'<tr {attribute}="{re.escape(value)}">(.*?)</tr>', html, re.S)
    assert match, f"no row {attribute}={value}"
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", match.group(1), re.S)
    return [" ".join(re.sub(r"<[^>]+>|&nbsp;", " ", cell).split()) for cell in cells]


@pytest.mark.parametrize("from_days", [False, True], ids=["direct", "from-days"])
def test_the_dashboard_shows_the_numbers_of_a_known_data_set(
    app: Flask,
    client: FlaskClient,
    staff: dict[Role, int],
    monkeypatch: pytest.MonkeyPatch,
    from_days: bool,
) -> None:
    _known_data(app, staff)
    if from_days:
        # The same numbers added up from the day rollups beat keeps.
        monkeypatch.setitem(app.config, "REPORTS_CACHE_SECONDS", 60)
        with app.test_request_context():
            assert refresh_reports() > 0
    _login(client, Role.ADMISSIONS)
    response = client.get(f"/staff/crm/reports?{RANGE}")
    assert response.status_code == 200
    html = _text(response)
    assert ("Figures as of" in html) is from_days

    by_source = _section(html, "weekly-source")
    assert re.search(r'data-total="web-form">4<', by_source)
    assert re.search(r'data-total="partner-site">2<', by_source)
    weeks = re.findall(r'<tr><th scope="row">(2026-11-\d\d)</th>(.*?)</tr>', by_source, re.S)
    assert [week for week, _cells in weeks] == ["2026-11-02", "2026-11-09"]
    substance = _section(html, "weekly-substance")
    assert re.search(r'data-total="alcohol">2<', substance)
    assert re.search(r'data-total="alprazolam">1<', substance)
    assert re.search(r'data-total="">4<', substance)  # four named none
    assert re.search(r'data-total="ES">2<', _section(html, "weekly-country"))
    assert re.search(r'data-total="P2">4<', _section(html, "weekly-priority"))
    assert re.search(r'data-total="it">1<', _section(html, "weekly-language"))

    funnel = _section(html, "funnel")
    reached = {
        stage.value: _row(funnel, "data-stage", stage.value)[1]
        for stage in (Stage.NEW, Stage.CONTACTED, Stage.PRE_ASSESSMENT, Stage.ADMITTED)
    }
    assert reached == {"new": "4", "contacted": "4", "pre_assessment": "2", "admitted": "1"}
    assert "duplicate (1)" in funnel and "not a real inquiry (1)" in funnel

    contact = _section(html, "first-contact")
    p2 = _row(contact, "data-priority", "P2")
    # Reached after 60, 120 and 1600 minutes: nearest-rank median 120, 90th percentile 1600;
    # within the 24 h target: 60 and 120 of the four whose outcome is known (one never reached).
    assert p2[2:4] == ["4", "3"]
    assert p2[4] == "2h 00m" and p2[5] == "1d 02h"
    assert p2[6] == "50 % (2/4)"
    assert 'data-seconds="7200"' in contact and 'data-seconds="96000"' in contact
    assert _row(contact, "data-priority", "P0")[2:4] == ["0", "0"]  # the P0 is out of range

    work = _section(html, "open-work")
    assert _row(work, "data-owner", str(staff[Role.ADMISSIONS]))[1:] == ["2", "2", "1"]
    assert _row(work, "data-owner", "")[1] == "2"  # today's work: the range does not apply

    sources = _section(html, "source-yield")
    # The duplicate and the not-real inquiry are left out of the yield.
    assert _row(sources, "data-source", "web-form")[1:4] == ["3", "3", "1"]
    assert _row(sources, "data-source", "partner-site")[1:4] == ["1", "1", "0"]

    # Nine charts, each an image of its own for the same range, drawn from the same figures.
    images = _charts(html)
    assert len(images) == 9
    for alt, src in images.values():
        assert src.startswith("/staff/crm/reports/charts/") and RANGE in src
        assert alt.endswith("The same numbers are in the table below.")
    assert images["funnel"][0].startswith("Chart: Episodes that reached each stage.")
    for name, (_alt, src) in images.items():
        response = client.get(src)
        assert response.status_code == 200, name
        assert response.mimetype == "image/svg+xml"
        svg = _text(response)
        assert svg.startswith("<svg") and "<script" not in svg.lower()
        # Nothing fetched from elsewhere (pygal's credits are comments, its xmlns a name).
        assert not re.search(r"(?:href|src)=[\"']?https?:|url\(\s*[\"']?https?:|@import", svg)
    funnel = _text(client.get(images["funnel"][1]))
    assert "Episodes that reached each stage" in funnel and "pre-assessment" in funnel.lower()
    # The bars carry the table's numbers (pygal writes each value beside its bar's shape).
    assert '<desc class="value">4</desc>' in funnel and '<desc class="value">2</desc>' in funnel
    weekly = _text(client.get(images["weekly-source"][1]))
    assert "2026-11-02" in weekly and "2026-11-09" in weekly
    # The page view is audited once; its charts (aggregates of its tables) are not.
    assert audit_tags(app).count("crm:reports:viewed") == 1


def test_the_funnel_leaves_out_duplicates_and_not_real_inquiries(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    _known_data(app, staff)
    with app.app_context():
        from intake.crm.reports import ReportRange, funnel

        figures = funnel(ReportRange(_at(2).date(), _at(15).date()))
    assert dict(figures.stages)[Stage.NEW] == 4
    assert figures.left_out == {"duplicate": 1, "not_real": 1}
    assert figures.closed == {"cost": 1, "duplicate": 1, "not_real": 1}


def test_percentiles_use_the_nearest_rank_on_every_database(app: Flask) -> None:
    from intake.crm.reports import ReportRange, contact_times

    with app.app_context():
        # Ten P1 inquiries reached after 1..10 minutes: median the 5th, 90th percentile the 9th.
        for minutes in range(1, 11):
            _inquiry(
                _at(5, 8) + timedelta(minutes=minutes),
                source="web-form",
                country="GB",
                language="en",
                priority="P1",
                reached_minutes=minutes,
            )
        rows = {
            row.priority: row
            for row in contact_times(ReportRange(_at(2).date(), _at(8).date()), NOW, TARGET)
        }
    assert rows["P1"].median_seconds == 300
    assert rows["P1"].p90_seconds == 540
    assert rows["P1"].within_target == 10 and rows["P1"].share_within == 1.0
    assert rows["P0"].median_seconds is None


def test_admins_download_the_csv_audited_and_safe_from_formulas(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    _known_data(app, staff, source_c='=HYPERLINK("http://x")')
    _login(client, Role.ADMIN)
    page = _text(client.get(f"/staff/crm/reports?{RANGE}"))
    assert 'id="export"' in page
    response = client.get(f"/staff/crm/reports.csv?{RANGE}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(_text(response))))
    assert rows[0] == ["report", "week", "group", "measure", "value"]
    groups = {row[2] for row in rows[1:]}
    assert '\'=HYPERLINK("http://x")' in groups
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)
    assert ["funnel", "", "new", "episodes_reached", "4"] in rows
    assert ["first_contact", "", "P2", "median_seconds", "7200"] in rows
    assert ["inquiries_by_source", "2026-11-02", "web-form", "inquiries", "2"] in rows
    # Aggregates only: no reference, name or email of anyone.
    text = _text(response)
    assert "@example" not in text and "Maria" not in text
    assert "crm:reports:exported" in audit_tags(app)


@pytest.mark.parametrize("role", [Role.ADMISSIONS, Role.CLINICIAN])
def test_only_admins_may_export(app: Flask, client: FlaskClient, staff: dict, role: Role) -> None:
    _login(client, role)
    assert client.get(f"/staff/crm/reports.csv?{RANGE}").status_code == 403
    assert "crm:reports:exported" not in audit_tags(app)
    assert "auth:permission:denied" in audit_tags(app)


def test_admissions_see_the_reports_but_no_export_button(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    _login(client, Role.ADMISSIONS)
    page = client.get("/staff/crm/reports")
    assert page.status_code == 200
    assert 'id="export"' not in _text(page)


def test_clinicians_do_not_see_reports(app: Flask, client: FlaskClient, staff: dict) -> None:
    _login(client, Role.CLINICIAN)
    assert client.get("/staff/crm/reports").status_code == 403


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2026-13-01&to=2026-11-15", "Dates are written like 2026-01-31"),
        ("from=yesterday", "Dates are written like 2026-01-31"),
        ("from=2026-11-20&to=2026-11-01", "The start date is after the end date"),
        ("from=2010-01-01&to=2026-11-01", "A report covers at most"),
        ("from=" + "9" * 5000, "Dates are written like 2026-01-31"),
    ],
)
def test_a_bad_date_range_gets_a_clear_message(
    app: Flask, client: FlaskClient, staff: dict, query: str, message: str
) -> None:
    _login(client, Role.ADMIN)
    for path in ("/staff/crm/reports", "/staff/crm/reports.csv"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400
        assert message in _text(response)
        assert 'id="range-problem"' in _text(response)
    # A chart of that range: the same words, plain, and no chart of other weeks.
    response = client.get(f"/staff/crm/reports/charts/funnel.svg?{query}")
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert message in _text(response) and "Showing" not in _text(response)


@pytest.mark.parametrize(
    "name", ["nothing", "weekly-nothing", "funnel.svg", "FUNNEL", "..%2Fweekly-source"]
)
def test_an_unknown_chart_is_not_found(
    app: Flask, client: FlaskClient, staff: dict, name: str
) -> None:
    _login(client, Role.ADMISSIONS)
    assert client.get(f"/staff/crm/reports/charts/{name}.svg?{RANGE}").status_code == 404


def test_a_chart_needs_the_reports_permission(app: Flask, client: FlaskClient, staff: dict) -> None:
    path = f"/staff/crm/reports/charts/funnel.svg?{RANGE}"
    signed_out = client.get(path)
    assert signed_out.status_code == 302 and "/staff/login" in signed_out.headers["Location"]
    _login(client, Role.CLINICIAN)
    assert client.get(path).status_code == 403
    assert "auth:permission:denied" in audit_tags(app)


def test_a_chart_is_kept_privately_for_a_minute_and_loads_nothing_else(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    _known_data(app, staff)
    _login(client, Role.ADMISSIONS)
    # The default range too (no parameters: the last weeks, as on the page).
    assert client.get("/staff/crm/reports/charts/owners.svg").status_code == 200
    response = client.get(f"/staff/crm/reports/charts/contact.svg?{RANGE}")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("image/svg+xml")
    assert response.cache_control.private and response.cache_control.max_age == 60
    # Its own policy: pygal's inline style may apply, nothing may load.
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "style-src 'unsafe-inline'" in policy
    svg = _text(response)
    assert "Minutes to first contact" in svg and "median" in svg
    # P2: median 120 minutes, 90th percentile 1600 (the table says 2h 00m and 1d 02h).
    assert '<desc class="value">120</desc>' in svg and '<desc class="value">1600</desc>' in svg
    # Asked again with what the browser kept: not sent again.
    etag = response.headers["ETag"]
    again = client.get(
        f"/staff/crm/reports/charts/contact.svg?{RANGE}", headers={"If-None-Match": etag}
    )
    assert again.status_code == 304


def test_a_real_inquiry_counts_under_its_substances(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    with app.app_context():
        accepted_inquiry(substances=["diazepam", "alcohol"])
    _login(client, Role.ADMISSIONS)
    html = _text(client.get("/staff/crm/reports"))
    substance = _section(html, "weekly-substance")
    assert re.search(r'data-total="diazepam">1<', substance)
    assert re.search(r'data-total="alcohol">1<', substance)
