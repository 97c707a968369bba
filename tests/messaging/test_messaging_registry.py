"""Messaging as a platform: the relay is switched on by ``messaging.init_app``, kinds come from
a registry, and work this process cannot do (an unknown kind, a deleted subject, a channel with
no transport) is kept and shown on the failed-sends page, never lost and never a 500."""

from __future__ import annotations

import ast
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, event, func, select, update
from sqlalchemy.orm import Session

from intake import messaging
from intake.auth.permissions import Role
from intake.core.types import utcnow
from intake.extensions import db
from intake.messaging import deliveries, relay, transports
from intake.messaging.deliveries import add_delivery, send_delivery
from intake.messaging.models import Alert, Channel, Delivery, MessageKind
from intake.messaging.outbox import OutboxMessage
from intake.messaging.registry import KindSpec, find_kind, register_kind, unregister_kind
from intake.public.models import Inquiry
from intake.triage.models import TriageCase
from tests.conftest import AuthActions, csrf_from, make_user
from tests.reliability import fixtures
from tests.reliability.support import make_inquiry

published = fixtures.published

NEW_KIND = "check_in_reminder"  # a kind a newer version writes before this one knows it


@pytest.fixture
def admin_client(app: Flask) -> FlaskClient:
    make_user(app, "boss@example.org", {Role.ADMIN})
    client = app.test_client()
    AuthActions(client).login("boss@example.org")
    return client


@pytest.fixture
def relay_logs(caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # alembic's logging config (run by the migrations in the app fixture) disables our loggers.
    monkeypatch.setattr(logging.getLogger("intake.messaging.relay"), "disabled", False)
    caplog.set_level(logging.INFO, logger="intake.messaging.relay")
    yield
    unregister_kind(NEW_KIND)


def _failed_page(client: FlaskClient) -> str:
    page = client.get("/staff/deliveries/failed")
    assert page.status_code == 200
    return page.get_data(as_text=True)


# The relay is installed by init_app ------------------------------------------------------------
def _relay_installed() -> bool:
    return all(event.contains(Session, name, fn) for name, fn in relay._LISTENERS)


def test_init_app_installs_the_relay_without_any_blueprint(
    app: Flask, published: list[tuple[str, int]]
) -> None:
    for name, listener in relay._LISTENERS:
        event.remove(Session, name, listener)
    try:
        assert not _relay_installed()
        bare = Flask("no_messaging_pages")
        messaging.init_app(bare)
        assert "messaging" not in bare.blueprints
        assert _relay_installed()
        with app.app_context():
            row = OutboxMessage(kind="staff_alert", target_type="inquiry", target_id=1)
            db.session.add(row)
            db.session.commit()
            assert published == [(relay.PROCESS_OUTBOX, row.id)]
    finally:
        relay.install()


def test_the_domains_register_their_kinds_and_the_relay_names_none(app: Flask) -> None:
    for kind in MessageKind:
        spec = find_kind(kind.value)
        assert spec is not None and spec.compose is not None, kind
    with_outbox = {kind.value for kind in MessageKind if find_kind(kind.value).handle_outbox}  # type: ignore[union-attr]
    assert with_outbox == {"staff_alert", "acknowledgement"}
    # The relay dispatches through the registry: it imports no domain, nor the messaging
    # modules that serve one part of the platform (alerts, unsubscribing).
    tree = ast.parse(Path(relay.__file__).read_text(encoding="utf-8"))
    imported = {
        node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
    } | {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    for module in imported:
        assert not module.startswith(
            ("intake.triage", "intake.public", "intake.crm", "intake.messaging.alerts")
        ), module
        assert module != "intake.messaging.unsubscribe"


# An outbox row of a kind this process does not know ------------------------------------------
def test_an_unknown_kind_stays_pending_is_shown_to_admins_and_is_handled_once_known(
    app: Flask,
    published: list[tuple[str, int]],
    admin_client: FlaskClient,
    relay_logs: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with app.app_context():
        row = OutboxMessage(kind=NEW_KIND, target_type="check_in", target_id=4242)
        db.session.add(row)
        db.session.commit()
        row_id = row.id
        assert published == [(relay.PROCESS_OUTBOX, row_id)]
        assert relay.process_outbox(row_id) == "unknown-kind"
        db.session.expire_all()
        kept = db.session.get(OutboxMessage, row_id)
        assert kept is not None and kept.processed_at is None, "not marked done"
        assert kept.last_error == "unknown_kind" and kept.available_at > utcnow()
        # Not tried again in a loop: even long after the fast path, the sweep waits out the
        # back-off, and the row is still there after the sweep gave up on ordinary rows.
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id)
            .values(created_at=utcnow() - timedelta(hours=1), attempts=relay.OUTBOX_MAX_ATTEMPTS)
        )
        db.session.commit()
        published.clear()
        assert relay.sweep_outbox() == 0 and published == []
    logged = [r.getMessage() for r in caplog.records if "unknown kind" in r.getMessage()]
    assert logged == [f"outbox row of unknown kind kept id={row_id} kind={NEW_KIND}"]

    body = _failed_page(admin_client)
    assert "Work not done yet" in body and NEW_KIND in body and "check_in #4242" in body
    assert "does not know this kind of work yet" in body

    # A deploy later, a process that knows the kind runs: the sweep hands it over, it is done.
    handled: list[int] = []
    register_kind(KindSpec(name=NEW_KIND, handle_outbox=handled.append))
    with app.app_context():
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id)
            .values(available_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
        assert relay.sweep_outbox() == 1 and published == [(relay.PROCESS_OUTBOX, row_id)]
        assert relay.process_outbox(row_id) == "processed"
        assert relay.process_outbox(row_id) == "skipped"
        assert handled == [4242]
        db.session.expire_all()
        done = db.session.get(OutboxMessage, row_id)
        assert done is not None and done.processed_at is not None and done.last_error is None
    body = _failed_page(admin_client)
    assert NEW_KIND not in body and "Work not done yet" not in body


# A deleted subject ---------------------------------------------------------------------------
def test_outbox_rows_whose_inquiry_was_deleted_are_kept_failed_and_shown(
    app: Flask,
    published: list[tuple[str, int]],
    admin_client: FlaskClient,
    relay_logs: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with app.app_context():
        inquiry = make_inquiry("P1", email="gone@example.net")
        db.session.commit()
        inquiry_id, reference = inquiry.id, inquiry.reference
        row_ids = [record_id for task, record_id in published if task == relay.PROCESS_OUTBOX]
        assert len(row_ids) == 2  # the alert and the acknowledgement
        # Deleted (say, erased on request) before a worker got to its outbox rows.
        db.session.execute(delete(TriageCase).where(TriageCase.inquiry_id == inquiry_id))
        db.session.execute(delete(Inquiry).where(Inquiry.id == inquiry_id))
        db.session.commit()
        for row_id in row_ids:
            assert relay.process_outbox(row_id) == "subject-missing"
            assert relay.process_outbox(row_id) == "skipped"
        db.session.expire_all()
        rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(row_ids)))
        for row in rows:
            assert row.processed_at is None and row.failed_at is not None
            assert row.last_error == "subject_missing"
        assert db.session.scalar(select(func.count(Alert.id))) == 0
        assert db.session.scalar(select(func.count(Delivery.id))) == 0
        # Never published again, however old.
        db.session.execute(update(OutboxMessage).values(created_at=utcnow() - timedelta(hours=1)))
        db.session.commit()
        published.clear()
        assert relay.sweep_outbox() == 0
    lines = [r.getMessage() for r in caplog.records if "subject missing" in r.getMessage()]
    assert len(lines) == 2 and all(f"target={inquiry_id}" in line for line in lines)
    for line in lines:
        assert "gone@" not in line and reference not in line

    body = _failed_page(admin_client)
    assert body.count(f"inquiry #{inquiry_id}") == 2
    assert body.count("What this was about no longer exists") == 2
    assert "gone@" not in body and reference not in body


# Deliveries that cannot go out -----------------------------------------------------------------
def _delivery_logs(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "intake.messaging.deliveries"]


def test_a_delivery_whose_subject_was_deleted_fails_is_shown_and_logged_never_a_500(
    app: Flask,
    published: list[tuple[str, int]],
    admin_client: FlaskClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="intake.messaging.deliveries")
    with app.app_context():
        inquiry = make_inquiry("P1", email="gone@example.net")
        db.session.commit()
        for task, record_id in published:
            if task == relay.PROCESS_OUTBOX:
                relay.process_outbox(record_id)
        inquiry_id, reference = inquiry.id, inquiry.reference
        alert = db.session.scalars(select(Alert).where(Alert.inquiry_id == inquiry_id)).one()
        alert_id = alert.id
        # Deliveries point at their subject by kind and id, so the inquiry can be erased
        # (its alert first) while its messages still wait.
        waiting = db.session.scalars(
            select(Delivery).where(Delivery.status == "queued").order_by(Delivery.id)
        ).all()
        subjects = {(d.subject_kind, d.subject_id) for d in waiting}
        assert subjects == {("alert", alert_id), ("inquiry", inquiry_id)}
        ids = [d.id for d in waiting]
        db.session.execute(delete(Alert).where(Alert.id == alert_id))
        db.session.execute(delete(TriageCase).where(TriageCase.inquiry_id == inquiry_id))
        db.session.execute(delete(Inquiry).where(Inquiry.id == inquiry_id))
        # The follow-ups too are due now.
        db.session.execute(update(Delivery).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
        assert [send_delivery(delivery_id) for delivery_id in ids] == ["failed"] * len(ids)
        db.session.expire_all()
        for delivery in db.session.scalars(select(Delivery).where(Delivery.id.in_(ids))):
            assert delivery.status == "failed" and delivery.provider_answer == "subject_missing"
    lines = [line for line in _delivery_logs(caplog) if "subject missing" in line]
    assert len(lines) == len(ids)
    assert f"subject=alert:{alert_id}" in " ".join(lines)
    assert f"subject=inquiry:{inquiry_id}" in " ".join(lines)
    for line in lines:
        assert "code=subject_missing" in line and "gone@" not in line and reference not in line

    body = _failed_page(admin_client)
    assert body.count("What this was about no longer exists") == len(ids)
    assert f"alert #{alert_id}" in body and f"inquiry #{inquiry_id}" in body
    assert "gone@" not in body and reference not in body
    # The subject's page is gone: a clear 404, not an error.
    assert admin_client.get(f"/staff/alerts/{alert_id}").status_code == 404
    assert admin_client.get(f"/staff/messages/inquiry/{inquiry_id}").status_code == 404


def test_a_channel_without_a_transport_holds_the_delivery_shows_it_and_sends_it_later(
    app: Flask,
    published: list[tuple[str, int]],
    admin_client: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="intake.messaging.deliveries")
    monkeypatch.setitem(app.config, "ALERT_WEBHOOK_URL", None)
    # This app was built with an SMS gateway nobody set up (SMS_PROVIDER names none).
    monkeypatch.setitem(
        app.extensions,
        "harbor_transports",
        transports.transports_from_config({"SMS_PROVIDER": "not-configured"}),
    )
    with app.app_context():
        inquiry = make_inquiry("P1", email=None, phone="+44 7700 900123")
        db.session.commit()
        for task, record_id in published:
            if task == relay.PROCESS_OUTBOX:
                relay.process_outbox(record_id)
        alert = db.session.scalars(select(Alert).where(Alert.inquiry_id == inquiry.id)).one()
        about_alert = {"subject_kind": "alert", "subject_id": alert.id, "wave": 0}
        about_inquiry = {"subject_kind": "inquiry", "subject_id": inquiry.id}
        # No webhook URL, no SMS gateway, and a channel a newer version added.
        hook = add_delivery(
            key="t:hook", kind=MessageKind.STAFF_ALERT, channel=Channel.WEBHOOK, **about_alert
        )
        text = add_delivery(
            key="t:sms",
            kind=MessageKind.ACKNOWLEDGEMENT,
            channel=Channel.SMS,
            recipient_person_id=inquiry.person_id,
            **about_inquiry,
        )
        pager = add_delivery(
            key="t:pager", kind=MessageKind.STAFF_ALERT, channel="pager", **about_alert
        )
        db.session.commit()
        assert hook is not None and text is not None and pager is not None
        ids = [hook.id, text.id, pager.id]
        hook_id, text_id, pager_id = ids
        assert [send_delivery(delivery_id) for delivery_id in ids] == ["held"] * 3
        db.session.expire_all()
        for delivery_id in ids:
            held = db.session.get(Delivery, delivery_id)
            assert held is not None and held.status == "held" and held.sent_at is None
            assert held.failed_at is None and held.attempts == 0, "not sent, not failed"
            assert held.provider_answer == "no_transport" and held.next_attempt_at > utcnow()
        # Not tried again at once by the sweep.
        published.clear()
        assert deliveries.sweep_deliveries() == 0
    lines = [line for line in _delivery_logs(caplog) if "held" in line]
    assert lines == [
        f"delivery held id={hook_id} channel=webhook code=no_transport",
        f"delivery held id={text_id} channel=sms code=no_transport",
        f"delivery held id={pager_id} channel=pager code=no_transport",
    ]

    body = _failed_page(admin_client)
    assert body.count("Nothing is set up to send on this channel") == 3
    assert "7700" not in body

    # The text-message gateway is set up (a restart later): the sweep sends what was held.
    monkeypatch.setitem(
        app.extensions,
        "harbor_transports",
        transports.transports_from_config({"SMS_PROVIDER": "logging"}),
    )
    with app.app_context():
        db.session.execute(
            update(Delivery)
            .where(Delivery.id == text_id)
            .values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
        published.clear()
        assert deliveries.sweep_deliveries() == 1
        assert published == [(relay.SEND_DELIVERY, text_id)]
        assert send_delivery(text_id) == "sent"


def test_staff_can_try_a_held_delivery_again_from_the_failed_sends_page(
    app: Flask,
    published: list[tuple[str, int]],
    admin_client: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "ALERT_WEBHOOK_URL", None)
    with app.app_context():
        held = add_delivery(
            key="t:held",
            kind=MessageKind.STAFF_ALERT,
            channel=Channel.WEBHOOK,
            subject_kind="alert",
            subject_id=1,
        )
        db.session.commit()
        assert held is not None
        held_id = held.id
        assert send_delivery(held_id) == "held"
    assert f"/staff/deliveries/{held_id}/requeue" in _failed_page(admin_client)
    published.clear()
    answer = admin_client.post(
        f"/staff/deliveries/{held_id}/requeue",
        data={"csrf_token": csrf_from(admin_client.get("/staff/deliveries/failed"))},
    )
    assert answer.status_code == 302
    assert published == [(relay.SEND_DELIVERY, held_id)]
    with app.app_context():
        queued = db.session.get(Delivery, held_id)
        assert queued is not None and queued.status == "queued"


def test_transports_are_registered_per_channel_from_the_configuration(app: Flask) -> None:
    found = transports.transports_from_config({"SMS_PROVIDER": "logging"})
    assert {channel: type(t).__name__ for channel, t in found.items()} == {
        "email": "EmailTransport",
        "webhook": "WebhookTransport",
        "sms": "SmsTransport",
        "whatsapp": "WhatsAppTransport",
    }
    assert set(transports.transports_from_config({"SMS_PROVIDER": "nobody"})) == {
        "email",
        "webhook",
    }
    # The app's own, from init_app.
    assert set(app.extensions["harbor_transports"]) == {"email", "webhook", "sms", "whatsapp"}


def test_a_delivery_of_an_unknown_kind_is_retried_rather_than_failed_at_once(
    app: Flask, published: list[tuple[str, int]]
) -> None:
    # A newer worker may know the kind; the retries are bounded like any other.
    with app.app_context():
        delivery = Delivery(
            idempotency_key="t:new-kind", kind=NEW_KIND, channel=Channel.EMAIL.value
        )
        db.session.add(delivery)
        db.session.commit()
        assert send_delivery(delivery.id) == "retry"
        db.session.refresh(delivery)
        assert delivery.status == "retry" and delivery.provider_answer == f"unknown kind {NEW_KIND}"


def test_staff_can_try_held_work_again_audited_with_csrf_and_permission(
    app: Flask,
    published: list[tuple[str, int]],
    admin_client: FlaskClient,
    relay_logs: None,
) -> None:
    from intake.audit.models import AuditEvent

    with app.app_context():
        row = OutboxMessage(kind=NEW_KIND, target_type="check_in", target_id=77)
        db.session.add(row)
        db.session.commit()
        row_id = row.id
        assert relay.process_outbox(row_id) == "unknown-kind"
    address = f"/staff/outbox/{row_id}/retry"
    assert address in _failed_page(admin_client)
    # Without the form's token nothing happens.
    assert admin_client.post(address).status_code == 400
    make_user(app, "desk@example.org", {Role.ADMISSIONS})
    desk = app.test_client()
    AuthActions(desk).login("desk@example.org")
    token = csrf_from(desk.get("/staff/triage/"))
    assert desk.post(address, data={"csrf_token": token}).status_code == 403

    # The deploy that knows the kind has happened: an admin need not wait out the back-off.
    handled: list[int] = []
    register_kind(KindSpec(name=NEW_KIND, handle_outbox=handled.append))
    published.clear()
    answer = admin_client.post(
        address, data={"csrf_token": csrf_from(admin_client.get("/staff/deliveries/failed"))}
    )
    assert answer.status_code == 302
    assert published == [(relay.PROCESS_OUTBOX, row_id)]
    with app.app_context():
        assert relay.process_outbox(row_id) == "processed" and handled == [77]
        tags = db.session.scalars(
            select(AuditEvent.tag).where(AuditEvent.target_id == str(row_id))
        ).all()
        assert "admin:outbox:retried" in tags
    assert NEW_KIND not in _failed_page(admin_client)
