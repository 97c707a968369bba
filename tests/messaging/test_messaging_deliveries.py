"""Deliveries: inquirer emails in five languages, exactly-once sends, retries and failures,
webhooks, follow-ups and opting out. A real SMTP server (aiosmtpd) receives the mail."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from intake.core.types import utcnow
from intake.extensions import db
from intake.messaging import relay
from intake.messaging.compose import render_message
from intake.messaging.deliveries import add_delivery, send_delivery, sweep_deliveries
from intake.messaging.models import Channel, Delivery, MessageKind
from intake.messaging.webhooks import verify
from intake.public.models import Inquiry
from intake.triage.alerting import messages_for_inquiry
from intake.triage.models import TriageCase
from tests.conftest import AuthActions, csrf_from, make_user
from tests.reliability import fixtures
from tests.reliability.support import Inbox, free_port, html_of, make_inquiry, text_of

published = fixtures.published
rota = fixtures.rota
smtp = fixtures.smtp

# Words a discreet subject or preview must never contain, in the five languages.
REVEALING = re.compile(
    r"addict|adicci|sucht|abhängig|dépendan|dipendenz|rehab|treatment|tratamiento|behandlung|"
    r"traitement|trattamento|therap|terap|clinic|clínic|klinik|cliniq|drug|droga|alcohol|alkohol|"
    r"mental",
    re.IGNORECASE,
)


def _deliveries(inquiry_id: int) -> list[Delivery]:
    return sorted(messages_for_inquiry(inquiry_id), key=lambda delivery: delivery.id)


def _process_all(published: list[tuple[str, int]]) -> None:
    for task, record_id in list(published):
        if task == relay.PROCESS_OUTBOX:
            relay.process_outbox(record_id)


@pytest.mark.parametrize("language", ["en", "es", "de", "fr", "it"])
def test_every_message_renders_discreetly_in_each_language(app: Flask, language: str) -> None:
    from intake.helplines import CLINIC_CONTACT, help_for

    with app.app_context():
        context = {
            "reference": "K7QX-M2PD-9H",
            "country_help": help_for("ES", language),
            "clinic": CLINIC_CONTACT,
            "unsubscribe_url": "https://example.org/u/x",
        }
        subjects = set()
        for kind in ("acknowledgement", "follow_up"):
            rendered = render_message(kind, language, context)
            assert rendered.subject and rendered.preview
            assert not REVEALING.search(rendered.subject + " " + rendered.preview)
            assert "K7QX-M2PD-9H" in rendered.text and "K7QX-M2PD-9H" in rendered.html
            assert "024" in rendered.text and 'href="tel:024"' in rendered.html
            assert "https://example.org/u/x" in rendered.text
            assert rendered.preview in rendered.html
            assert f'<html lang="{language}">' in rendered.html
            subjects.add(rendered.subject)
        alert = render_message(
            "staff_alert",
            language,
            {"priority": "P0", "country": "X", "link": "L", "escalated": True, "round": 2},
        )
        assert "P0" in alert.subject and "L" in alert.text and "3" in alert.text
        subjects.add(alert.subject)
        assert len(subjects) == 3


def test_acknowledgement_in_the_inquiry_language_once(
    app: Flask, published: list[tuple[str, int]], smtp: Inbox
) -> None:
    with app.app_context():
        inquiry = make_inquiry("P2", email="ana@example.net", language="es", country="ES")
        db.session.commit()
        _process_all(published)
        _process_all(published)  # the same outbox rows delivered again: nothing new
        ack, *follow_ups = _deliveries(inquiry.id)
        assert ack.kind == "acknowledgement" and ack.language == "es"
        assert [d.kind for d in follow_ups] == ["follow_up", "follow_up"]
        assert [d.next_attempt_at - inquiry.received_at for d in follow_ups] == [
            timedelta(hours=24),
            timedelta(hours=72),
        ]
        assert (relay.SEND_DELIVERY, ack.id) in published
        assert all((relay.SEND_DELIVERY, d.id) not in published for d in follow_ups)
        for _ in range(5):
            send_delivery(ack.id)
        (message,) = smtp.messages
        assert message["To"] == "ana@example.net"
        assert message["Subject"] == "Hemos recibido tu mensaje"
        text, html = text_of(message), html_of(message)
        assert inquiry.reference in text and "024" in text and "112" in text
        assert "Nos gustaría" not in text and "Qué pasa ahora" in text
        link = re.search(r"https?://\S+/es/unsubscribe/(\S+)", text)
        assert link, text
        token = link.group(1)
        assert str(inquiry.id) != token and "ana" not in token and len(token) >= 30
        assert message["List-Unsubscribe"].strip() == f"<{link.group(0)}>"
        assert token in html
        db.session.refresh(ack)
        assert (ack.status, ack.attempts) == ("sent", 1)


def test_follow_ups_wait_in_the_table_and_stop_when_contact_is_made(
    app: Flask, published: list[tuple[str, int]], smtp: Inbox
) -> None:
    with app.app_context():
        inquiry = make_inquiry("P3", email="sam@example.net")
        db.session.commit()
        _process_all(published)
        _ack, first, second = _deliveries(inquiry.id)
        published.clear()
        assert sweep_deliveries() == 0  # the acknowledgement went at once; the rest wait
        published.clear()
        db.session.execute(
            update(Delivery)
            .where(Delivery.id == first.id)
            .values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
        assert sweep_deliveries() == 1
        assert published == [(relay.SEND_DELIVERY, first.id)]
        assert send_delivery(first.id) == "sent"
        assert smtp.messages[0]["Subject"] == "Following up on your message"
        # The team reaches the person: the second follow-up stops when it comes due.
        db.session.execute(
            update(TriageCase)
            .where(TriageCase.inquiry_id == inquiry.id)
            .values(status="contacted", reached_at=utcnow())
        )
        db.session.execute(
            update(Delivery)
            .where(Delivery.id == second.id)
            .values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
        assert send_delivery(second.id) == "cancelled"
        db.session.refresh(second)
        assert second.provider_answer == "stopped: contact made"
        assert len(smtp.messages) == 1


def test_unsubscribing_stops_everything_and_the_get_does_not(
    app: Flask, published: list[tuple[str, int]], smtp: Inbox
) -> None:
    with app.app_context():
        inquiry = make_inquiry("P3", email="kim@example.net", language="de")
        db.session.commit()
        inquiry_id = inquiry.id
        _process_all(published)
        ack = _deliveries(inquiry_id)[0]
        send_delivery(ack.id)
    url = re.search(r"https?://[^/\s]+(/de/unsubscribe/\S+)", text_of(smtp.messages[0]))
    assert url
    client = app.test_client()
    page = client.get(url.group(1))
    assert page.status_code == 200 and "<form" in page.get_data(as_text=True)
    with app.app_context():
        assert all(d.status == "queued" for d in _deliveries(inquiry_id)[1:])
    done = client.post(url.group(1), data={"csrf_token": csrf_from(page)})
    assert done.status_code == 200
    with app.app_context():
        assert [d.status for d in _deliveries(inquiry_id)] == ["sent", "cancelled", "cancelled"]
        # A later inquiry from the same person gets no emails either.
        again = make_inquiry("P3", email="kim@example.net")
        db.session.commit()
        _process_all(published)
        assert _deliveries(again.id) == []
    assert client.get("/de/unsubscribe/not-a-real-token").status_code == 404


def test_refused_mail_is_retried_then_failed_and_shown_to_admins(
    app: Flask, published: list[tuple[str, int]], smtp: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "DELIVERY_MAX_ATTEMPTS", 3)
    smtp.refuse_with = "451 4.3.0 Mailbox busy for <lee@example.net>, try later"
    with app.app_context():
        inquiry = make_inquiry("P2", email="lee@example.net")
        db.session.commit()
        before = (inquiry.reference, inquiry.message, inquiry.received_at)
        _process_all(published)
        ack = _deliveries(inquiry.id)[0]
        assert send_delivery(ack.id) == "retry"
        db.session.refresh(ack)
        assert ack.status == "retry" and ack.next_attempt_at > utcnow() + timedelta(seconds=20)
        assert "lee@" not in (ack.provider_answer or "") and "451" in (ack.provider_answer or "")
        assert send_delivery(ack.id) == "skipped", "not before its backoff is over"
        waits = []
        for expected in ("retry", "failed"):
            db.session.execute(
                update(Delivery).where(Delivery.id == ack.id).values(next_attempt_at=utcnow())
            )
            db.session.commit()
            published.clear()
            assert sweep_deliveries() >= 1 and (relay.SEND_DELIVERY, ack.id) in published
            assert send_delivery(ack.id) == expected
            db.session.refresh(ack)
            waits.append(ack.next_attempt_at)
        assert ack.status == "failed" and ack.attempts == 3
        assert smtp.messages == [] and smtp.rcpt_calls == 3
        # The inquiry and its case are untouched by the failure.
        inquiry = db.session.get(Inquiry, inquiry.id)
        assert inquiry and (inquiry.reference, inquiry.message, inquiry.received_at) == before
        case = db.session.scalars(select(TriageCase).where(TriageCase.inquiry_id == inquiry.id))
        assert case.one().status == "new"
    admin = make_user(
        app, "boss@example.org", {__import__("intake.auth.permissions").auth.permissions.Role.ADMIN}
    )
    assert admin
    client = app.test_client()
    AuthActions(client).login("boss@example.org")
    page = client.get("/staff/deliveries/failed")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "gave up after 3 attempts" in body and "lee@" not in body
    # An admin can queue it again once the problem is fixed.
    smtp.refuse_with = None
    response = client.post(
        f"/staff/deliveries/{ack.id}/requeue", data={"csrf_token": csrf_from(page)}
    )
    assert response.status_code == 302
    with app.app_context():
        assert send_delivery(ack.id) == "sent"
    assert len(smtp.messages) == 1


def test_permanent_refusal_fails_at_once_and_a_dead_server_is_temporary(
    app: Flask, published: list[tuple[str, int]], smtp: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    smtp.refuse_with = "550 5.1.1 <gone@example.net> no such user"
    with app.app_context():
        inquiry = make_inquiry("P2", email="gone@example.net")
        db.session.commit()
        _process_all(published)
        ack = _deliveries(inquiry.id)[0]
        assert send_delivery(ack.id) == "failed"
        db.session.refresh(ack)
        assert ack.provider_answer and "550" in ack.provider_answer
        assert "gone@" not in ack.provider_answer
        other = make_inquiry("P2", email="later@example.net")
        db.session.commit()
        _process_all(published)
        monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there
        assert send_delivery(_deliveries(other.id)[0].id) == "retry"


def test_a_claim_left_by_a_dead_worker_is_released_after_its_lease(
    app: Flask, published: list[tuple[str, int]], smtp: Inbox
) -> None:
    with app.app_context():
        inquiry = make_inquiry("P2")
        db.session.commit()
        _process_all(published)
        ack = _deliveries(inquiry.id)[0]
        db.session.execute(
            update(Delivery)
            .where(Delivery.id == ack.id)
            .values(status="sending", claimed_at=utcnow() - timedelta(seconds=30))
        )
        db.session.commit()
        assert send_delivery(ack.id) == "skipped"
        assert sweep_deliveries() == 0, "still inside the lease (180 s)"
        db.session.execute(
            update(Delivery)
            .where(Delivery.id == ack.id)
            .values(claimed_at=utcnow() - timedelta(minutes=10))
        )
        db.session.commit()
        published.clear()
        assert sweep_deliveries() == 1 and published == [(relay.SEND_DELIVERY, ack.id)]
        assert send_delivery(ack.id) == "sent"
        assert len(smtp.messages) == 1


class _Hook(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []
    status = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def hook(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[type[_Hook]]:
    _Hook.received = []
    _Hook.status = 200
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setitem(app.config, "ALERT_WEBHOOK_URL", f"http://127.0.0.1:{server.server_port}/")
    monkeypatch.setitem(app.config, "ALERT_WEBHOOK_SECRET", "s3cret")
    try:
        yield _Hook
    finally:
        server.shutdown()
        thread.join(5)


def test_webhook_is_signed_names_nobody_and_retries_only_5xx(
    app: Flask, rota: dict[str, int], published: list[tuple[str, int]], hook: type[_Hook]
) -> None:
    with app.app_context():
        inquiry = make_inquiry("P1", email=None, country="FR")
        db.session.commit()
        _process_all(published)
        (webhook,) = [d for d in _deliveries(inquiry.id) if d.channel == "webhook"]
        hook.status = 503
        assert send_delivery(webhook.id) == "retry"
        db.session.execute(
            update(Delivery).where(Delivery.id == webhook.id).values(next_attempt_at=utcnow())
        )
        db.session.commit()
        hook.status = 200
        assert send_delivery(webhook.id) == "sent"
        headers, body = hook.received[-1]
        assert verify("s3cret", headers["X-Harbor-Timestamp"], body, headers["X-Harbor-Signature"])
        payload = json.loads(body)
        assert set(payload) == {
            "event",
            "priority",
            "country",
            "link",
            "inquiry_link",
            "round",
            "escalated",
            "text",
        }
        assert (payload["priority"], payload["country"]) == ("P1", "FR")
        assert payload["inquiry_link"].endswith(f"/staff/triage/{inquiry.id}")
        assert headers["Idempotency-Key"] == webhook.idempotency_key
        other = make_inquiry("P1", email=None)
        db.session.commit()
        _process_all(published)
        (second,) = [d for d in _deliveries(other.id) if d.channel == "webhook"]
        hook.status = 404
        assert send_delivery(second.id) == "failed"


def test_text_messages_go_through_the_logging_provider_without_the_number(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    with app.app_context():
        inquiry = make_inquiry("P2", email=None, phone="+44 7700 900123")
        db.session.commit()
        delivery = add_delivery(
            key=f"test:{inquiry.id}:sms",
            kind=MessageKind.FOLLOW_UP,
            channel=Channel.SMS,
            subject_kind="inquiry",
            subject_id=inquiry.id,
            recipient_person_id=inquiry.person_id,
        )
        db.session.commit()
        assert delivery is not None
        with caplog.at_level(logging.INFO):
            assert send_delivery(delivery.id) == "sent"
        assert "7700" not in caplog.text and delivery.idempotency_key in caplog.text


def test_admin_keeps_the_rota_in_clinic_time(app: Flask, rota: dict[str, int]) -> None:
    client = app.test_client()
    AuthActions(client).login("fallback@example.org")  # an admin
    page = client.get("/staff/on-call/")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "On call now" in body and "Oncall" in body
    response = client.post(
        "/staff/on-call/",
        data={
            "csrf_token": csrf_from(page),
            "user_id": rota["other"],
            "fallback_user_id": rota["fallback"],
            "starts_at": "2031-01-15T08:00",
            "ends_at": "2031-01-15T20:00",
        },
    )
    assert response.status_code == 302
    from intake.messaging.models import OnCallShift

    with app.app_context():
        shift = db.session.scalars(
            select(OnCallShift).where(OnCallShift.user_id == rota["other"])
        ).one()
        # Zurich is UTC+1 in January.
        assert shift.starts_at.hour == 7 and shift.ends_at.hour == 19
        shift_id = shift.id
    listed = client.get("/staff/on-call/").get_data(as_text=True)
    assert "2031-01-15 08:00" in listed
    bad = client.post(
        "/staff/on-call/",
        data={
            "csrf_token": csrf_from(page),
            "user_id": rota["other"],
            "fallback_user_id": rota["other"],
            "starts_at": "2031-01-16T08:00",
            "ends_at": "2031-01-16T07:00",
        },
    )
    assert bad.status_code == 400
    removed = client.post(f"/staff/on-call/{shift_id}/remove", data={"csrf_token": csrf_from(page)})
    assert removed.status_code == 302
    desk = app.test_client()
    AuthActions(desk).login("desk@example.org")
    assert desk.get("/staff/on-call/").status_code == 403


def test_staff_see_every_message_of_an_inquiry(
    app: Flask, rota: dict[str, int], published: list[tuple[str, int]], smtp: Inbox
) -> None:
    with app.app_context():
        inquiry = make_inquiry("P0", email="pat@example.net")
        db.session.commit()
        _process_all(published)
        inquiry_id = inquiry.id
    client = app.test_client()
    AuthActions(client).login("desk@example.org")
    body = client.get(f"/staff/messages/inquiry/{inquiry_id}").get_data(as_text=True)
    assert "Staff alert" in body and "Acknowledgement" in body and "Follow-up" in body
    assert "scheduled" in body and "pat@example.net" not in body
