"""Inquiries held as suspected automated, as staff meet them: a list of their own, out of the
queue, where each can be released into the queue or set aside (kept, never deleted), audited."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intake.auth.permissions import Role
from intake.extensions import db
from intake.messaging import relay
from intake.messaging.models import Alert
from intake.messaging.outbox import OutboxMessage
from intake.public.models import Inquiry, InquiryQuarantine
from intake.triage.models import TriageCase
from tests.conftest import ROLE_EMAILS, AuthActions, audit_tags, csrf_from, submit_inquiry_form

LIST = "/staff/triage/quarantine/"
ADMISSIONS = ROLE_EMAILS[Role.ADMISSIONS]
CLINICIAN = ROLE_EMAILS[Role.CLINICIAN]
P0_WORDS = "I am going to kill myself tonight, I have the rope ready"


@pytest.fixture
def instant(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Forms are sent at once in tests; with the real threshold they look automated."""
    monkeypatch.setitem(app.config, "FORM_MIN_FILL_SECONDS", 3)


def _send(app: Flask, message: str, **fields: str) -> tuple[int, str]:
    """Send the public form at once (so it is held); return the inquiry's id and reference."""
    visitor = app.test_client()
    assert submit_inquiry_form(visitor, "en", message=message, **fields).status_code == 302
    with app.app_context():
        inquiry = db.session.scalars(select(Inquiry).order_by(Inquiry.id.desc())).first()
        assert inquiry is not None
        return inquiry.id, inquiry.reference


def _state(app: Flask, inquiry_id: int) -> tuple[str, str, str | None]:
    with app.app_context():
        entry = db.session.scalars(
            select(InquiryQuarantine).where(InquiryQuarantine.inquiry_id == inquiry_id)
        ).one()
        case = db.session.scalars(
            select(TriageCase).where(TriageCase.inquiry_id == inquiry_id)
        ).one()
        return entry.status, case.status, case.close_reason


def _outbox(app: Flask, inquiry_id: int) -> list[str]:
    with app.app_context():
        return sorted(
            db.session.scalars(
                select(OutboxMessage.kind).where(OutboxMessage.target_id == inquiry_id)
            ).all()
        )


def _queue_ids(client: FlaskClient, status: str = "open") -> list[int]:
    data = client.get(f"/staff/triage/queue.json?status={status}").get_json()
    return [case["id"] for case in data["cases"]]


def _post(client: FlaskClient, path: str) -> object:
    return client.post(path, data={"csrf_token": csrf_from(client.get(LIST))})


@pytest.mark.usefixtures("instant")
def test_held_inquiries_are_listed_for_staff_and_not_in_the_queue(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    held_id, held_reference = _send(app, "buy cheap watches", email="bot@example.net")
    AuthActions(client).login(ADMISSIONS)
    assert held_id not in _queue_ids(client)
    assert held_id not in _queue_ids(client, "all")
    assert held_reference not in client.get("/staff/triage/").get_data(as_text=True)
    page = client.get(LIST)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    body = page.get_data(as_text=True)
    assert held_reference in body
    assert "buy cheap watches" in body
    assert "Sent within a few seconds of opening the form" in body
    assert "Held for review" in client.get("/staff/").get_data(as_text=True)
    # The list shows people's words, so looking at it is audited.
    assert "triage:quarantine:viewed" in audit_tags(app, actor_id=staff[Role.ADMISSIONS])


@pytest.mark.usefixtures("instant")
def test_release_puts_it_in_the_queue_and_sends_the_acknowledgement(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    inquiry_id, reference = _send(app, "Please help my son", email="mum@example.net")
    assert _outbox(app, inquiry_id) == []
    AuthActions(client).login(ADMISSIONS)
    response = _post(client, f"{LIST}{inquiry_id}/release")
    assert response.status_code == 302  # type: ignore[attr-defined]
    page = client.get(LIST).get_data(as_text=True)
    assert f"{reference} is in the triage queue now." in page
    assert "Nothing is held." in page
    assert inquiry_id in _queue_ids(client)
    assert _state(app, inquiry_id) == ("released", "new", None)
    assert _outbox(app, inquiry_id) == ["acknowledgement"]
    assert "triage:quarantine:released" in audit_tags(app, target_id=str(inquiry_id))
    # A second decision on the same inquiry finds nothing held.
    assert _post(client, f"{LIST}{inquiry_id}/discard").status_code == 404  # type: ignore[attr-defined]
    with app.app_context():
        assert db.session.scalars(select(Inquiry.suspected_automated)).one() is True


@pytest.mark.usefixtures("instant")
def test_discard_keeps_the_inquiry_and_closes_it(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    inquiry_id, reference = _send(app, "buy cheap watches", email="bot@example.net", website="x")
    AuthActions(client).login(ADMISSIONS)
    _post(client, f"{LIST}{inquiry_id}/discard")
    page = client.get(LIST).get_data(as_text=True)
    assert f"{reference} is set aside as automated. It is kept, not deleted." in page
    assert _state(app, inquiry_id) == ("discarded", "closed", "discarded_automated")
    assert inquiry_id not in _queue_ids(client, "all")
    with app.app_context():
        assert db.session.get(Inquiry, inquiry_id) is not None  # nothing deleted
    assert _outbox(app, inquiry_id) == []  # no email to whoever the bot named
    assert "triage:quarantine:discarded" in audit_tags(app, target_id=str(inquiry_id))


@pytest.mark.usefixtures("instant")
def test_only_a_clinician_sets_aside_a_held_p0_and_that_stops_the_alert(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    inquiry_id, _reference = _send(app, P0_WORDS, phone="+44 7700 900123")
    assert _outbox(app, inquiry_id) == ["staff_alert"]
    with app.app_context():
        outbox_id = db.session.scalars(
            select(OutboxMessage.id).where(OutboxMessage.target_id == inquiry_id)
        ).one()
        relay.process_outbox(outbox_id)
        alert = db.session.scalars(select(Alert).where(Alert.inquiry_id == inquiry_id)).one()
        assert alert.status in {"pending", "sent"}
    AuthActions(client).login(ADMISSIONS)
    assert "Only a clinician can set aside a P0 or P1 inquiry." in client.get(LIST).get_data(
        as_text=True
    )
    assert _post(client, f"{LIST}{inquiry_id}/discard").status_code == 403  # type: ignore[attr-defined]
    assert _state(app, inquiry_id) == ("held", "new", None)
    AuthActions(client).logout()
    AuthActions(client).login(CLINICIAN)
    assert _post(client, f"{LIST}{inquiry_id}/discard").status_code == 302  # type: ignore[attr-defined]
    assert _state(app, inquiry_id) == ("discarded", "closed", "discarded_automated")
    with app.app_context():
        alert = db.session.scalars(select(Alert).where(Alert.inquiry_id == inquiry_id)).one()
        assert alert.status == "acknowledged"
        assert alert.acknowledged_by_id == staff[Role.CLINICIAN]


@pytest.mark.usefixtures("instant")
def test_the_on_call_clinician_opens_a_held_p0_from_the_list(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    inquiry_id, reference = _send(app, P0_WORDS, phone="+44 7700 900123")
    AuthActions(client).login(CLINICIAN)
    page = client.get(LIST).get_data(as_text=True)
    assert f'href="/staff/triage/{inquiry_id}"' in page
    assert page.index(reference) < page.index("Release into the queue")
    detail = client.get(f"/staff/triage/{inquiry_id}")
    assert detail.status_code == 200
    assert P0_WORDS in detail.get_data(as_text=True)


@pytest.mark.usefixtures("instant")
def test_decisions_need_the_form_token_and_a_signed_in_member_of_staff(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    inquiry_id, _reference = _send(app, "hello", email="x@example.net")
    anonymous = client.get(LIST)
    assert anonymous.status_code == 302
    assert "/staff/login" in anonymous.headers["Location"]
    AuthActions(client).login(ADMISSIONS)
    assert client.post(f"{LIST}{inquiry_id}/release").status_code == 400
    assert _state(app, inquiry_id) == ("held", "new", None)
    assert _post(client, f"{LIST}999999/release").status_code == 404  # type: ignore[attr-defined]


@pytest.mark.usefixtures("instant")
def test_the_inquiry_page_says_a_held_inquiry_is_not_in_the_queue_until_released(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    inquiry_id, _ = _send(app, P0_WORDS, phone="+44 7700 900123")
    AuthActions(client).login(CLINICIAN)
    page = client.get(f"/staff/triage/{inquiry_id}").get_data(as_text=True)
    assert "Held for review: this inquiry is not in the queue." in page
    assert "Sent within a few seconds of opening the form" in page
    assert _post(client, f"{LIST}{inquiry_id}/release").status_code == 302  # type: ignore[attr-defined]
    page = client.get(f"/staff/triage/{inquiry_id}").get_data(as_text=True)
    assert "Held for review" not in page.split("<main", 1)[1].split("</main>", 1)[0]
