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
from intake.messaging import relay
from intake.messaging.deliveries import add_delivery, send_delivery
from intake.messaging.models import Alert, Channel, Delivery, MessageKind
from intake.messaging.outbox import OutboxMessage
from intake.messaging.registry import KindSpec, find_kind, register_kind, unregister_kind
from intake.public.models import Inquiry
from intake.triage.models import TriageCase
from tests.conftest import AuthActions, make_user
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
    # modules that serve one kind (alerts, follow-ups).
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
        assert module != "intake.messaging.followups"


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
def test_deliveries_without_subject_or_transport_fail_and_are_shown_never_a_500(
    app: Flask,
    published: list[tuple[str, int]],
    admin_client: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "ALERT_WEBHOOK_URL", None)
    monkeypatch.setitem(app.config, "SMS_PROVIDER", "not-configured")
    with app.app_context():
        inquiry = make_inquiry("P1", email=None, phone="+44 7700 900123")
        db.session.commit()
        for task, record_id in published:
            if task == relay.PROCESS_OUTBOX:
                relay.process_outbox(record_id)
        alert = db.session.scalars(select(Alert).where(Alert.inquiry_id == inquiry.id)).one()
        common = {"kind": MessageKind.STAFF_ALERT, "alert_id": alert.id, "alert_round": 0}
        # Its inquiry is gone (the reference was cleared when it was deleted).
        orphan = add_delivery(key="t:orphan", channel=Channel.EMAIL, inquiry_id=None, **common)
        # Channels with no transport: no webhook URL, an SMS provider nobody set up, and a
        # channel a newer version added.
        hook = add_delivery(key="t:hook", channel=Channel.WEBHOOK, inquiry_id=inquiry.id, **common)
        text = Delivery(
            idempotency_key="t:sms",
            kind=MessageKind.ACKNOWLEDGEMENT.value,
            channel=Channel.SMS.value,
            inquiry_id=inquiry.id,
            recipient_person_id=inquiry.person_id,
        )
        pager = Delivery(
            idempotency_key="t:pager",
            kind=MessageKind.STAFF_ALERT.value,
            channel="pager",
            inquiry_id=inquiry.id,
            alert_id=alert.id,
        )
        db.session.add_all([text, pager])
        db.session.commit()
        assert orphan is not None and hook is not None
        ids = [orphan.id, hook.id, text.id, pager.id]
        assert [send_delivery(delivery_id) for delivery_id in ids] == ["failed"] * 4
    body = _failed_page(admin_client)
    for answer in (
        "alert or inquiry missing",
        "no webhook URL configured",
        "unknown SMS provider",
        "unknown channel pager",
    ):
        assert answer in body
    assert "7700" not in body


def test_a_delivery_of_an_unknown_kind_is_retried_rather_than_failed_at_once(
    app: Flask, published: list[tuple[str, int]]
) -> None:
    # A newer worker may know the kind; the retries are bounded like any other.
    with app.app_context():
        delivery = Delivery(
            idempotency_key="t:new-kind", kind=NEW_KIND, channel=Channel.WEBHOOK.value
        )
        db.session.add(delivery)
        db.session.commit()
        assert send_delivery(delivery.id) == "retry"
        db.session.refresh(delivery)
        assert delivery.status == "retry" and delivery.provider_answer == f"unknown kind {NEW_KIND}"
