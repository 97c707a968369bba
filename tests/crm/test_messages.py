"""Messages from the case: staff send the person an email or SMS from a template in the person's
language, once however often the form is sent, logged on the episode with who sent it and its
status, and refused with a clear message when the person opted out, did not say messages are
safe, or left no address on that channel. A real SMTP server (aiosmtpd) receives the mail."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import func, select

from intake.auth.permissions import Role
from intake.core.types import utcnow
from intake.crm.messages import CASE_MESSAGE_KIND, render_case_message
from intake.crm.models import CaseMessage
from intake.extensions import db
from intake.helplines import CLINIC_CONTACT
from intake.messaging.compose import hash_token
from intake.messaging.deliveries import send_delivery
from intake.messaging.models import Delivery, UnsubscribeToken
from intake.vocabulary import CaseMessageTemplate, Language
from tests.conftest import ROLE_EMAILS, AuthActions, audit_tags, csrf_from
from tests.crm.test_pages import _filed
from tests.messaging.test_messaging_deliveries import REVEALING
from tests.reliability import fixtures
from tests.reliability.support import Inbox, html_of, text_of

smtp = fixtures.smtp

SEND_KEY = re.compile(r'name="send_key" type="hidden" value="([^"]+)"')


def _login(client: FlaskClient) -> None:
    assert AuthActions(client).login(ROLE_EMAILS[Role.ADMISSIONS]).status_code == 302


def _text(response: object) -> str:
    return response.get_data(as_text=True)  # type: ignore[attr-defined]


def _form(client: FlaskClient, page_url: str) -> dict[str, str]:
    page = client.get(page_url)
    key = SEND_KEY.search(_text(page))
    assert key, "the episode page has a message form with a one-time key"
    return {"csrf_token": csrf_from(page), "send_key": key.group(1)}


def _send(client: FlaskClient, episode_id: int, **fields: str) -> object:
    page_url = f"/staff/crm/episodes/{episode_id}"
    data = {**_form(client, page_url), "template": "tried_to_reach", "channel": "email", **fields}
    return client.post(page_url + "/messages", data=data)


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize("language", Language.codes())
def test_every_case_template_is_discreet_in_each_language(app: Flask, language: str) -> None:
    context = {
        "reference": "K7QX-M2PD-9H",
        "clinic": CLINIC_CONTACT,
        "appointment": "Monday 7 December 2026, 10:30 (Zurich)",
        "unsubscribe_url": "https://example.org/u/x",
    }
    with app.app_context():
        assert not REVEALING.search(str(app.config["MAIL_DEFAULT_SENDER"]))
        subjects = set()
        for template in CaseMessageTemplate:
            subject, preview, text, html, sms = render_case_message(template, language, context)
            assert subject and preview and sms
            # The subject, the preview and the whole SMS (shown on a lock screen) say nothing
            # of addiction, treatment or the clinic's purpose.
            for shown in (subject, preview, sms):
                assert not REVEALING.search(shown), (template, shown)
            assert "K7QX-M2PD-9H" in text and "K7QX-M2PD-9H" in html
            assert CLINIC_CONTACT.phone in text and CLINIC_CONTACT.phone in sms
            assert "https://example.org/u/x" in text and "https://example.org/u/x" in html
            assert f'<html lang="{language}">' in html and str(escape(preview)) in html
            if template == CaseMessageTemplate.APPOINTMENT:
                assert "10:30" in text and "10:30" in sms
            subjects.add(subject)
        assert len(subjects) == len(CaseMessageTemplate)


def test_a_message_is_sent_once_in_the_persons_language_and_logged_on_the_case(
    app: Flask, client: FlaskClient, staff: dict, smtp: Inbox
) -> None:
    _i, episode_id, _p, reference = _filed(
        app,
        name="Lucía Gómez",
        email="lucia@example.net",
        language="es",
        safe_to_leave_message=True,
    )
    _login(client)
    page_url = f"/staff/crm/episodes/{episode_id}"
    data = {
        **_form(client, page_url),
        "template": "appointment",
        "channel": "email",
        "appointment_at": (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT10:30"),
    }
    first = client.post(page_url + "/messages", data=data)
    assert first.status_code == 302
    # A double-click or a resent POST of the same form sends nothing more.
    second = client.post(page_url + "/messages", data=data)
    assert second.status_code == 302
    page = _text(client.get(page_url))
    assert "This message was already sent; it was not sent again." in page
    with app.app_context():
        messages = db.session.scalars(select(CaseMessage)).all()
        assert len(messages) == 1 and messages[0].language == "es"
        delivery = db.session.scalar(select(Delivery).where(Delivery.kind == CASE_MESSAGE_KIND))
        assert delivery is not None and delivery.idempotency_key == messages[0].idempotency_key
        assert _count(app, Delivery) >= 1
        delivery_id = delivery.id
    row = page.split(f'data-message="{messages[0].id}"')[1].split("</tr>")[0]
    assert "Appointment confirmation" in row and "Queued" in row
    assert "Admissions" in row  # who sent it (the demo admissions user's name)
    with app.app_context():
        assert send_delivery(delivery_id) == "sent"
        assert send_delivery(delivery_id) == "skipped"
    mail = smtp.to("lucia@example.net")[0]
    assert mail["To"] == "lucia@example.net"
    assert mail["Subject"] == "Su cita"
    assert not REVEALING.search(mail["Subject"] + " " + mail["From"])
    assert reference in text_of(mail) and "10:30" in text_of(mail)
    assert "/es/unsubscribe/" in text_of(mail) and "Su cita" in html_of(mail)
    assert "Sent" in _text(client.get(page_url)).split('id="case-messages"')[1]
    assert "crm:message:sent" in audit_tags(app)


def test_a_text_message_goes_through_the_gateway(
    app: Flask, client: FlaskClient, staff: dict, caplog: pytest.LogCaptureFixture
) -> None:
    _i, episode_id, _p, _r = _filed(
        app, name="Ana", email=None, phone="+34600111222", safe_to_leave_message=True
    )
    _login(client)
    assert _send(client, episode_id, template="call_back", channel="sms").status_code == 302
    with app.app_context():
        delivery = db.session.scalar(select(Delivery).where(Delivery.kind == CASE_MESSAGE_KIND))
        assert delivery is not None and delivery.channel == "sms"
        with caplog.at_level("INFO"):
            assert send_delivery(delivery.id) == "sent"
    assert "+34600111222" not in caplog.text


@pytest.mark.parametrize(
    ("inquiry", "form", "expected"),
    [
        (
            {"safe_to_leave_message": False},
            {},
            "did not say it is safe to leave them a message",
        ),
        (
            {"safe_to_leave_message": True, "email": None, "phone": "+34600111222"},
            {"channel": "email"},
            "left no email address",
        ),
        (
            {"safe_to_leave_message": True},
            {"channel": "sms"},
            "left no phone number",
        ),
        ({"safe_to_leave_message": True}, {"template": "appointment"}, "date and time"),
        (
            {"safe_to_leave_message": True},
            {"template": "appointment", "appointment_at": "2026-01-05T10:00"},
            "in the past",
        ),
        (
            {"safe_to_leave_message": True, "for_whom": "someone_else"},
            {"template": "appointment", "appointment_at": "2031-01-06T10:00"},
            "sent by someone else",
        ),
        ({"safe_to_leave_message": True}, {"template": "' OR 1=1"}, "Not a valid choice"),
        ({"safe_to_leave_message": True}, {"send_key": "x"}, "Reload the page"),
    ],
)
def test_a_message_that_must_not_go_is_refused_with_a_clear_message(
    app: Flask,
    client: FlaskClient,
    staff: dict,
    inquiry: dict[str, object],
    form: dict[str, str],
    expected: str,
) -> None:
    fields = {"name": "Ana", "email": "ana@example.net", **inquiry}
    _i, episode_id, _p, _r = _filed(app, **fields)
    _login(client)
    refused = _send(client, episode_id, **form)
    assert refused.status_code in (400, 422)  # type: ignore[attr-defined]
    assert expected in _text(refused)
    assert _count(app, CaseMessage) == 0
    with app.app_context():
        assert db.session.scalar(select(Delivery).where(Delivery.kind == CASE_MESSAGE_KIND)) is None


def test_a_person_who_opted_out_gets_nothing_and_staff_are_told_before_they_try(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    _i, episode_id, person_id, _r = _filed(
        app, name="Ana", email="ana@example.net", safe_to_leave_message=True
    )
    _login(client)
    page_url = f"/staff/crm/episodes/{episode_id}"
    assert "asked us to stop sending them messages" not in _text(client.get(page_url))
    # Queued first, then the person unsubscribes: the queued one is stopped at send time.
    assert _send(client, episode_id).status_code == 302
    with app.app_context():
        db.session.add(
            UnsubscribeToken(token_hash=hash_token("t" * 32), person_id=person_id, used_at=utcnow())
        )
        db.session.commit()
        delivery = db.session.scalar(select(Delivery).where(Delivery.kind == CASE_MESSAGE_KIND))
        assert delivery is not None
        assert send_delivery(delivery.id) == "cancelled"
    page = _text(client.get(page_url))
    assert "asked us to stop sending them messages: none can be sent." in page  # before trying
    refused = _send(client, episode_id)
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert "asked us to stop sending them messages. Nothing was sent." in _text(refused)
    assert _count(app, CaseMessage) == 1


def test_a_later_inquiry_saying_messages_are_not_safe_stops_a_queued_one(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    _i, episode_id, _p, _r = _filed(
        app, name="Ana Ruiz", email="ana@example.net", safe_to_leave_message=True
    )
    _login(client)
    assert _send(client, episode_id).status_code == 302
    # The same person writes again (same email and name) and does not tick the box this time.
    _filed(app, name="Ana Ruiz", email="ana@example.net", safe_to_leave_message=False)
    with app.app_context():
        delivery = db.session.scalar(select(Delivery).where(Delivery.kind == CASE_MESSAGE_KIND))
        assert delivery is not None
        assert send_delivery(delivery.id) == "cancelled"
        assert "not safe" in (db.session.get(Delivery, delivery.id).provider_answer or "")
