"""The one-minute reply, the person's own controls and the SMS webhook, through the real pages:
what a person sees, what reaches staff, and calm answers to every kind of bad input."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intake.aftercare import services, use_cases
from intake.aftercare.models import AftercarePlan, CheckIn, CheckInReply
from intake.core.types import utcnow
from intake.crm.models import Task
from intake.extensions import db
from intake.public.models import Inquiry
from intake.triage.models import TriageCase
from intake.vocabulary import CheckInOutcome, CheckInStatus, InquirySource, PlanStatus
from tests.aftercare.conftest import discharged_episode, open_plan, plan_input
from tests.conftest import csrf_from

SECRET = "test-inbound-secret"


def _sent_checkin(plan: AftercarePlan) -> CheckIn:
    checkin = plan.checkins[0]
    checkin.status = CheckInStatus.SENT.value
    checkin.sent_at = utcnow()
    return checkin


def _link(plan: AftercarePlan, **changes: object) -> tuple[str, CheckIn]:
    checkin = _sent_checkin(plan)
    token, row = services.new_link(checkin.id)
    for key, value in changes.items():
        setattr(row, key, value)
    db.session.add(row)
    db.session.commit()
    return token, checkin


def _answer(client: FlaskClient, token: str, **fields: str) -> tuple[int, str]:
    page = client.get(f"/en/c/{token}")
    assert page.status_code == 200
    response = client.post(f"/en/c/{token}", data={"csrf_token": csrf_from(page), **fields})
    return response.status_code, response.get_data(as_text=True)


def test_a_call_request_becomes_a_task_for_the_owner_due_today(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        plan = open_plan()
        token, checkin = _link(plan)
        owner, checkin_id = plan.owner_id, checkin.id
    status, body = _answer(client, token, wellbeing="3", call="y")
    assert status == 200
    assert "Someone from the team will call you today." in body
    with app.app_context():
        checkin = db.session.get(CheckIn, checkin_id)
        assert checkin.outcome == CheckInOutcome.NEEDS_CALL
        task = db.session.get(Task, checkin.task_id)
        assert task.owner_id == owner
        assert task.due_at <= utcnow()
        reply = db.session.scalar(select(CheckInReply).where(CheckInReply.checkin_id == checkin.id))
        assert reply.answers["call"] is True
    # The same link again shows nothing personal, and records nothing more.
    again = client.get(f"/en/c/{token}")
    assert again.status_code == 200
    assert "already been used" in again.get_data(as_text=True)


def test_worrying_words_enter_the_triage_queue_as_the_same_persons_inquiry(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        plan = open_plan()
        token, checkin = _link(plan)
        person_id, checkin_id = plan.person_id, checkin.id
    status, _body = _answer(
        client,
        token,
        wellbeing="1",
        use="yes",
        free_text="I drank again and I feel like ending it all",
    )
    assert status == 200
    with app.app_context():
        checkin = db.session.get(CheckIn, checkin_id)
        assert checkin.outcome == CheckInOutcome.ESCALATED
        inquiry = db.session.get(Inquiry, checkin.inquiry_id)
        assert inquiry.person_id == person_id
        assert inquiry.source == InquirySource.AFTERCARE_CHECKIN
        case = db.session.scalar(select(TriageCase).where(TriageCase.inquiry_id == inquiry.id))
        assert case.priority in ("P0", "P1")
        reply = db.session.scalar(select(CheckInReply).where(CheckInReply.checkin_id == checkin.id))
        assert "aftercare_use" in reply.flag_codes


@pytest.mark.parametrize(
    ("changes", "status", "words"),
    [
        ({"expires_at": utcnow() - timedelta(days=1)}, 410, "no longer open"),
        ({"used_at": utcnow()}, 200, "already been used"),
    ],
)
def test_expired_and_used_links_get_a_calm_page(
    app: Flask, client: FlaskClient, changes: dict[str, object], status: int, words: str
) -> None:
    with app.app_context():
        token, _checkin = _link(open_plan(), **changes)
    response = client.get(f"/en/c/{token}")
    assert response.status_code == status
    assert words in response.get_data(as_text=True)


def test_tampered_or_foreign_links_show_nothing_and_record_nothing(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        token, _checkin = _link(open_plan())
    for bad in (token[:-2] + "xx", "A" * 32, "x" * 500):
        response = client.get(f"/en/c/{bad}")
        assert response.status_code == 404
        assert "does not work" in response.get_data(as_text=True)
        posted = client.post(f"/en/c/{bad}", data={"wellbeing": "5"})
        assert posted.status_code in (400, 404)
    with app.app_context():
        assert db.session.scalar(select(CheckInReply.id)) is None


def test_a_reply_over_the_size_limit_is_refused_calmly(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        token, _checkin = _link(open_plan())
    status, body = _answer(client, token, free_text="x" * 2500)
    assert status == 422
    assert "Field cannot be longer than 2000 characters" in body or "2000" in body
    huge = client.post(f"/en/c/{token}", data={"free_text": "x" * 70000})
    assert huge.status_code == 413


def test_stop_from_the_message_is_honoured_at_once_and_confirmed_once(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        plan = open_plan()
        token, _checkin = _link(plan)
        plan_id = plan.id
    page = client.get(f"/en/c/{token}/options")
    assert page.status_code == 200
    for _ in range(2):
        done = client.post(
            f"/en/c/{token}/options", data={"csrf_token": csrf_from(page), "action": "stop"}
        )
        assert done.status_code == 200
    with app.app_context():
        plan = db.session.get(AftercarePlan, plan_id)
        assert plan.status == PlanStatus.STOPPED
        assert all(c.status == CheckInStatus.CANCELLED for c in plan.checkins)
        from intake.messaging.models import Delivery

        confirmations = db.session.scalars(
            select(Delivery).where(Delivery.kind == services.AftercareKind.STOPPED.value)
        ).all()
        assert len(confirmations) == 1
        assert use_cases.sweep()["sent"] == 0


def test_pause_and_change_channel_without_signing_in(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        plan = open_plan()
        token, _checkin = _link(plan)
        plan_id = plan.id
    page = client.get(f"/en/c/{token}/options")
    csrf = csrf_from(page)
    changed = client.post(
        f"/en/c/{token}/options", data={"csrf_token": csrf, "action": "channel", "channel": "sms"}
    )
    assert changed.status_code == 200
    paused = client.post(f"/en/c/{token}/options", data={"csrf_token": csrf, "action": "pause"})
    assert "We will not write for a month." in paused.get_data(as_text=True)
    with app.app_context():
        plan = db.session.get(AftercarePlan, plan_id)
        assert (plan.channel, plan.status) == ("sms", PlanStatus.PAUSED)


def _sms(client: FlaskClient, secret: str, **fields: str) -> tuple[int, dict[str, str]]:
    body = urlencode(fields).encode()
    signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    response = client.post(
        "/hooks/sms/inbound",
        data=body,
        headers={"X-Harbor-Signature": signature},
        content_type="application/x-www-form-urlencoded",
    )
    return response.status_code, response.get_json()


def test_sms_help_asks_for_a_call_and_unknown_numbers_and_words_record_nothing(
    app: Flask, client: FlaskClient
) -> None:
    app.config["SMS_INBOUND_SECRET"] = SECRET
    try:
        with app.app_context():
            plan = open_plan(channel="sms")
            checkin = _sent_checkin(plan)
            db.session.commit()
            phone, checkin_id = plan.person.phone, checkin.id
        status, answer = _sms(client, "wrong-secret", **{"from": phone, "body": "HELP"})
        assert status == 403
        status, answer = _sms(client, SECRET, **{"from": "+10000000000", "body": "HELP"})
        assert (status, answer["status"]) == (200, "unknown_number")
        status, answer = _sms(client, SECRET, **{"from": phone, "body": "banana"})
        assert (status, answer["status"]) == (200, "unknown_word")
        assert "reply YES" in answer["reply"]
        with app.app_context():
            assert db.session.scalar(select(CheckInReply.id)) is None
        status, answer = _sms(client, SECRET, **{"from": phone, "body": "Ayuda"})
        assert (status, answer["status"]) == (200, CheckInOutcome.NEEDS_CALL.value)
        with app.app_context():
            assert db.session.get(CheckIn, checkin_id).task_id is not None
    finally:
        app.config["SMS_INBOUND_SECRET"] = None


def test_plans_with_a_past_day_or_all_day_quiet_hours_are_refused(
    app: Flask, client: FlaskClient, auth, staff
) -> None:
    from intake.auth.permissions import Role

    with app.app_context():
        episode = discharged_episode(staff[Role.CLINICIAN])
        db.session.commit()
        episode_id = episode.id
    auth.login("clinician@example.org")
    page = client.get(f"/staff/aftercare/episodes/{episode_id}/plan")
    assert page.status_code == 200
    form = {
        "csrf_token": csrf_from(page),
        "owner_id": str(staff[Role.CLINICIAN]),
        "lead_id": "0",
        "channel": "email",
        "language": "en",
        "timezone": "Europe/Zurich",
        "quiet_start": "21:00",
        "quiet_end": "09:00",
        "starts_on": "2020-01-01",
        "consent_text": "Agreed.",
    }
    past = client.post(f"/staff/aftercare/episodes/{episode_id}/plan", data=form)
    assert past.status_code == 422
    assert "cannot be in the past" in past.get_data(as_text=True)
    form["starts_on"] = plan_input(1).starts_on.isoformat()
    form["quiet_start"], form["quiet_end"] = "09:00", "08:30"
    all_day = client.post(f"/staff/aftercare/episodes/{episode_id}/plan", data=form)
    assert all_day.status_code == 422
    assert "leave no time" in all_day.get_data(as_text=True)
    form["quiet_start"], form["quiet_end"] = "21:00", "09:00"
    saved = client.post(f"/staff/aftercare/episodes/{episode_id}/plan", data=form)
    assert saved.status_code == 302
    plan_page = client.get(saved.headers["Location"])
    assert plan_page.status_code == 200
    with app.app_context():
        person_id = db.session.get(type(episode), episode_id).person_id
    person = client.get(f"/staff/crm/people/{person_id}")
    assert 'id="aftercare"' in person.get_data(as_text=True)
    assert person.get_data(as_text=True).count("data-checkin=") == 4
    programme = client.get("/staff/aftercare/")
    assert programme.status_code == 200
    assert "Response rate" in programme.get_data(as_text=True)


def test_an_unreadable_sms_webhook_body_is_a_calm_400(app: Flask, client: FlaskClient) -> None:
    app.config["SMS_INBOUND_SECRET"] = SECRET
    try:
        body = "&".join(f"f{n}=x" for n in range(50)).encode()
        signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        response = client.post(
            "/hooks/sms/inbound",
            data=body,
            headers={"X-Harbor-Signature": signature},
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 400
    finally:
        app.config["SMS_INBOUND_SECRET"] = None


def test_the_owner_edits_the_zone_and_waiting_check_ins_move_with_it(app: Flask) -> None:
    with app.app_context():
        plan = open_plan()
        before = [c.due_at for c in plan.checkins]
        use_cases.edit_plan(plan, plan_input(plan.owner_id, timezone="America/New_York"), None)
        db.session.refresh(plan)
        after = [c.due_at for c in plan.checkins]
        assert plan.timezone == "America/New_York"
        assert all(later > earlier for earlier, later in zip(before, after, strict=True))


def test_the_staff_notice_names_nobody_and_carries_no_answer(
    app: Flask, client: FlaskClient
) -> None:
    from intake.aftercare import messages
    from intake.messaging.models import Delivery

    with app.app_context():
        plan = open_plan()
        token, checkin = _link(plan)
        name, checkin_id = plan.person.name, checkin.id
    _answer(client, token, call="y", free_text="private words")
    with app.app_context():
        notice = db.session.scalar(
            select(Delivery).where(Delivery.kind == services.AftercareKind.STAFF.value)
        )
        composed = messages.compose_staff(notice)
        for text in (composed.subject, composed.text, composed.html or ""):
            assert name not in text and "private words" not in text
        assert db.session.get(CheckIn, checkin_id).task_id is not None
