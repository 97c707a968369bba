"""The staff triage queue: ordering, clocks, claiming, contact attempts and priority changes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intake.auth.permissions import Role
from intake.extensions import db
from intake.public.models import Inquiry
from intake.triage import services
from intake.triage.models import TriageCase, TriageResult
from tests.conftest import ROLE_EMAILS, AuthActions, audit_tags, csrf_from, make_user
from tests.factories import accepted_inquiry

ADMISSIONS = ROLE_EMAILS[Role.ADMISSIONS]
CLINICIAN = ROLE_EMAILS[Role.CLINICIAN]


def _inquiry(app: Flask, minutes_ago: int = 0, **fields: object) -> int:
    with app.app_context():
        inquiry_id = accepted_inquiry(**fields)
        if minutes_ago:
            case = db.session.scalars(
                select(TriageCase).where(TriageCase.inquiry_id == inquiry_id)
            ).one()
            shift = timedelta(minutes=minutes_ago)
            case.received_at -= shift
            case.due_at -= shift
            db.session.commit()
        return inquiry_id


def _post(client: FlaskClient, path: str, page: str, **data: object) -> object:
    return client.post(path, data={"csrf_token": csrf_from(client.get(page)), **data})


def test_queue_orders_by_priority_then_waiting_and_shows_nothing_personal(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    routine_old = _inquiry(app, 60, message="Please call me", name="Zelda Secret")
    routine_new = _inquiry(app, 5, message="I need help with diazepam")
    urgent = _inquiry(app, 1, message="I want to die, I think about suicide every day")
    emergency = _inquiry(app, 0, message="I took all my pills to end it, I am dizzy")
    AuthActions(client).login(ADMISSIONS)
    data = client.get("/staff/triage/queue.json").json
    assert data is not None
    ids = [case["id"] for case in data["cases"]]
    assert ids == [emergency, urgent, routine_old, routine_new]
    assert [case["priority"] for case in data["cases"]][:2] == ["P0", "P1"]
    page = client.get("/staff/triage/").get_data(as_text=True)
    for text in (client.get("/staff/triage/queue.json").get_data(as_text=True), page):
        assert "Zelda" not in text
        assert "q@example.net" not in text
        # The row names the rule that fired, never the person's words (the flag's evidence).
        assert "think about suicide" not in text
        assert "every day" not in text
        assert "took all my pills" not in text
    assert "Pills may have been taken, or an attempt to end life may be in progress." in page
    assert "Mentions thoughts of suicide or of killing themselves." in page


def test_opening_an_inquiry_is_audited_and_explains_the_priority(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    inquiry_id = _inquiry(
        app,
        message="Mi madre se ha tomado todas las pastillas y no responde",
        country="ES",
        language="es",
        phone="+34611222333",
        for_whom="someone_else",
    )
    AuthActions(client).login(ADMISSIONS)
    body = client.get(f"/staff/triage/{inquiry_id}").get_data(as_text=True)
    assert "Respond now" in body
    assert 'href="tel:112"' in body
    assert "024" in body
    assert "NO: do not leave a voicemail" in body
    assert "about someone else" in body
    assert "no responde" in body  # the evidence quotes the words
    with app.app_context():
        person_id = db.session.get(Inquiry, inquiry_id).person_id  # type: ignore[union-attr]
    assert "crm:person:viewed" in audit_tags(app, target_id=str(person_id))


def test_claim_is_first_come_and_audited(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    inquiry_id = _inquiry(app, message="Please call me")
    page = f"/staff/triage/{inquiry_id}"
    AuthActions(client).login(ADMISSIONS)
    _post(client, f"{page}/claim", page)
    other = app.test_client()
    AuthActions(other).login(CLINICIAN)
    response = other.post(f"{page}/claim", data={"csrf_token": csrf_from(other.get(page))})
    assert response.status_code == 302
    assert "Someone else claimed" in other.get(page).get_data(as_text=True)
    with app.app_context():
        case = db.session.scalars(select(TriageCase)).one()
        assert case.assignee_id == staff[Role.ADMISSIONS]
        assert case.status == "claimed"
    assert audit_tags(app, tag="triage:case:claimed") == ["triage:case:claimed"]


def test_first_contact_that_reaches_the_person_stops_the_clock(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    inquiry_id = _inquiry(app, message="Please call me")
    page = f"/staff/triage/{inquiry_id}"
    AuthActions(client).login(ADMISSIONS)
    _post(client, f"{page}/attempts", page, channel="phone", outcome="no_answer")
    clock = client.get("/staff/triage/queue.json").json["cases"][0]["clock"]  # type: ignore[index]
    assert clock == "ok"
    _post(client, f"{page}/attempts", page, channel="sms", outcome="reached", note="Booked a call")
    _post(client, f"{page}/attempts", page, channel="phone", outcome="reached")
    with app.app_context():
        case = db.session.scalars(select(TriageCase)).one()
        assert case.status == "contacted"
        first_reached = case.reached_at
    assert first_reached is not None
    everything = client.get("/staff/triage/queue.json?status=all").json
    assert everything["cases"][0]["clock"] == "stopped"  # type: ignore[index]
    assert client.get("/staff/triage/queue.json").json["cases"] == []  # type: ignore[index]
    detail = client.get(page).get_data(as_text=True)
    assert "Booked a call" in detail
    assert "the clock has stopped" in detail
    assert len(audit_tags(app, tag="triage:contact:logged")) == 3


def test_invalid_contact_attempt_is_a_form_error(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    inquiry_id = _inquiry(app, message="Please call me")
    page = f"/staff/triage/{inquiry_id}"
    AuthActions(client).login(ADMISSIONS)
    response = _post(client, f"{page}/attempts", page, channel="pigeon", outcome="reached")
    assert response.status_code == 400  # type: ignore[attr-defined]


def test_anyone_raises_only_a_clinician_lowers_with_a_reason(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    inquiry_id = _inquiry(app, message="Please call me")
    page = f"/staff/triage/{inquiry_id}"
    AuthActions(client).login(ADMISSIONS)
    raised = _post(client, f"{page}/priority", page, priority="P1")
    assert raised.status_code == 302  # type: ignore[attr-defined]
    denied = _post(client, f"{page}/priority", page, priority="P3", reason="no")
    assert denied.status_code == 403  # type: ignore[attr-defined]
    assert "auth:permission:denied" in audit_tags(app, actor_id=staff[Role.ADMISSIONS])

    clinician = app.test_client()
    AuthActions(clinician).login(CLINICIAN)
    no_reason = _post(clinician, f"{page}/priority", page, priority="P2")
    assert no_reason.status_code == 400  # type: ignore[attr-defined]
    assert "Write why" in no_reason.get_data(as_text=True)  # type: ignore[attr-defined]
    lowered = _post(clinician, f"{page}/priority", page, priority="P2", reason="Spoke to GP")
    assert lowered.status_code == 302  # type: ignore[attr-defined]
    with app.app_context():
        history = db.session.scalars(select(TriageResult.priority).order_by(TriageResult.id)).all()
        assert history == ["P2", "P1", "P2"]
        case = db.session.scalars(select(TriageCase)).one()
        assert case.priority == "P2"
        assert case.due_at == case.received_at + timedelta(hours=24)
    assert "triage:priority:raised" in audit_tags(app)
    assert "triage:priority:lowered" in audit_tags(app)
    detail = clinician.get(page).get_data(as_text=True)
    assert "Spoke to GP" in detail


def test_filters_and_the_breached_view(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    late = _inquiry(app, 60 * 30, message="Please call me", country="DE", language="de")
    _inquiry(app, 0, message="Please call me", country="IT", language="it")
    AuthActions(client).login(ADMISSIONS)

    def ids(query: str) -> list[int]:
        return [c["id"] for c in client.get(f"/staff/triage/queue.json?{query}").json["cases"]]  # type: ignore[index]

    assert ids("breached=1") == [late]
    assert ids("country=DE") == [late]
    assert ids("language=it") != [late]
    assert ids("priority=P0") == []
    assert client.get("/staff/triage/queue.json?breached=1").json["cases"][0]["clock"] == "red"  # type: ignore[index]
    _post(client, f"/staff/triage/{late}/claim", f"/staff/triage/{late}")
    assert ids(f"assignee={staff[Role.ADMISSIONS]}") == [late]
    assert "overdue by" in client.get("/staff/triage/?breached=1").get_data(as_text=True)


def test_unknown_inquiry_is_404(client: FlaskClient, staff: dict[Role, int]) -> None:
    AuthActions(client).login(ADMISSIONS)
    assert client.get("/staff/triage/999999").status_code == 404


def test_queue_needs_a_staff_role(app: Flask, client: FlaskClient) -> None:
    make_user(app, "roleless@example.org", set())
    AuthActions(client).login("roleless@example.org")
    assert client.get("/staff/triage/").status_code == 403


def test_claiming_stops_the_alert_at_once(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    from intake.messaging.models import Alert
    from intake.triage.alerting import open_alert_for as open_alert

    inquiry_id = _inquiry(app, message="I took all my pills to end it, I am dizzy")
    with app.app_context():
        alert = open_alert(inquiry_id)
        assert alert is not None
        db.session.commit()
        assert alert.status != "acknowledged"
    page = f"/staff/triage/{inquiry_id}"
    AuthActions(client).login(ADMISSIONS)
    _post(client, f"{page}/claim", page)
    with app.app_context():
        stored = db.session.scalars(select(Alert)).one()
        assert stored.status == "acknowledged"
        assert stored.acknowledged_by_id == staff[Role.ADMISSIONS]


def test_rescoring_with_a_new_rule_set_adds_results_and_never_lowers(app: Flask) -> None:
    from intake.triage.rules import RULESET_VERSION

    routine = _inquiry(app, message="I want to die, I think about suicide every day")
    info = _inquiry(app, message="Please send a brochure")
    with app.app_context():
        # Pretend both were scored by an older rule set that got them wrong.
        for inquiry_id, old_priority in ((routine, "P2"), (info, "P0")):
            case = db.session.scalars(
                select(TriageCase).where(TriageCase.inquiry_id == inquiry_id)
            ).one()
            case.priority = old_priority
            result = db.session.scalars(
                select(TriageResult).where(TriageResult.inquiry_id == inquiry_id)
            ).one()
            result.ruleset = "old-rules"
            result.priority = old_priority
        db.session.commit()
    output = app.test_cli_runner().invoke(args=["triage", "rescore"]).output
    assert f"re-scored 2 open inquiries with {RULESET_VERSION}" in output
    with app.app_context():

        def history(inquiry_id: int) -> list[tuple[str, str]]:
            rows = db.session.scalars(
                select(TriageResult)
                .where(TriageResult.inquiry_id == inquiry_id)
                .order_by(TriageResult.id)
            ).all()
            return [(row.ruleset, row.priority) for row in rows]

        assert history(routine) == [("old-rules", "P2"), (RULESET_VERSION, "P1")]
        assert history(info) == [("old-rules", "P0"), (RULESET_VERSION, "P0")]
        cases = {case.inquiry_id: case.priority for case in db.session.scalars(select(TriageCase))}
        assert cases == {routine: "P1", info: "P0"}
    again = app.test_cli_runner().invoke(args=["triage", "rescore"]).output
    assert "re-scored 0 open inquiries" in again


def test_flag_reasons_read_in_the_staff_members_language(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    inquiry_id = _inquiry(app, message="I took all my pills to end it, I am dizzy")
    AuthActions(client).login(ADMISSIONS)
    german = {"Accept-Language": "de"}
    detail = client.get(f"/staff/triage/{inquiry_id}", headers=german).get_data(as_text=True)
    assert "Möglicherweise wurden Tabletten genommen" in detail
    assert "Pills may have been taken" not in detail
    queue = client.get("/staff/triage/", headers=german).get_data(as_text=True)
    assert "Möglicherweise wurden Tabletten genommen" in queue
    # The API and stored results keep the rules' own English words.
    english = client.get(f"/staff/triage/{inquiry_id}").get_data(as_text=True)
    assert "Pills may have been taken, or an attempt to end life may be in progress." in english


def test_queue_comes_in_pages_continued_by_a_next_link(
    app: Flask, client: FlaskClient, staff: dict[Role, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "QUEUE_PAGE", 2)
    oldest = _inquiry(app, 90, message="Please call me")
    middle = _inquiry(app, 60, message="Please call me")
    newest = _inquiry(app, 30, message="Please call me")
    emergency = _inquiry(app, 0, message="I took all my pills to end it, I am dizzy")
    AuthActions(client).login(ADMISSIONS)
    first = client.get("/staff/triage/?status=open").get_data(as_text=True)
    with app.app_context():
        references = dict(
            db.session.execute(
                select(Inquiry.id, Inquiry.reference).where(
                    Inquiry.id.in_([oldest, middle, newest, emergency])
                )
            ).all()
        )
    assert references[emergency] in first and references[oldest] in first
    assert references[middle] not in first and references[newest] not in first
    assert "Back to the most urgent" not in first
    assert 'rel="next">Next 2</a>' in first
    next_url = re.search(r'href="([^"]+)" id="queue-next"', first)
    assert next_url is not None
    second = client.get(next_url.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert references[middle] in second and references[newest] in second
    assert references[emergency] not in second and references[oldest] not in second
    assert 'id="queue-next"' not in second
    back = re.search(r'href="([^"]+)" id="queue-first"', second)
    assert back is not None and "after" not in back.group(1) and "status=open" in back.group(1)
    # The polling feed follows the page it was opened on.
    data = client.get(f"/staff/triage/queue.json?after={oldest}").json
    assert data is not None
    assert [case["id"] for case in data["cases"]] == [middle, newest]
    # Every page counts the whole queue, and the second page still hears of the open P0.
    assert "4 inquiries" in first and "4 inquiries" in second
    assert data["total"] == 4
    assert [item["id"] for item in data["p0"]] == [emergency]
    assert f'data-open-p0="{emergency}"' in second
