"""Outbox wake-ups by PostgreSQL NOTIFY (``OUTBOX_NOTIFY``): the request publishes nothing, the
worker's listener claims and publishes each row once, a rollback wakes nobody, and with no
listener the sweep still publishes every row."""

from __future__ import annotations

import os
from collections.abc import Iterator

import psycopg
import pytest
from flask import Flask
from sqlalchemy import select

from intake import create_app
from intake.extensions import db
from intake.messaging import relay, wakeup
from intake.messaging.outbox import OutboxKind, OutboxMessage, add_all_to_outbox
from intake.public.api_keys import create_api_key
from tests.conftest import base_overrides, temporary_database
from tests.reliability.support import wait_for

pytestmark = pytest.mark.live

URGENT = "I took all my pills to end it, I am dizzy"


@pytest.fixture(scope="module")
def notify_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An application of its own on its own PostgreSQL database, with the wake-up on: NOTIFY
    is delivered only by a real commit, which the shared database's tests roll back."""
    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    import flask_migrate

    with temporary_database(tmp_path_factory, "wakeup-db") as url:
        overrides = base_overrides(url, None, str(tmp_path_factory.mktemp("wakeup-instance")))
        overrides.update(OUTBOX_NOTIFY=True, OUTBOX_GRACE_SECONDS=0, RATELIMIT_ENABLED=False)
        application = create_app("testing", overrides)
        with application.app_context():
            flask_migrate.upgrade()
        yield application
        with application.app_context():
            db.engine.dispose()


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    calls: list[tuple[str, int]] = []

    def fake(task_name: str, record_id: int) -> bool:
        calls.append((task_name, record_id))
        return True

    monkeypatch.setattr(relay, "publish", fake)
    return calls


def _post_urgent_inquiry(app: Flask, email: str) -> list[int]:
    """An urgent API inquiry with an email (a staff alert and an acknowledgement); the ids of
    the outbox rows it added."""
    with app.app_context():
        _key, plaintext = create_api_key("wakeup-test")
        db.session.commit()
        before = db.session.scalar(select(db.func.coalesce(db.func.max(OutboxMessage.id), 0)))
    response = app.test_client().post(
        "/api/v1/inquiries",
        json={"message": URGENT, "email": email, "consent": True},
        headers={"Authorization": f"Bearer {plaintext}"},
    )
    assert response.status_code == 201
    with app.app_context():
        rows = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.id > before).order_by(OutboxMessage.id)
        ).all()
        assert sorted(row.kind for row in rows) == ["acknowledgement", "staff_alert"]
        return [row.id for row in rows]


def test_the_listener_publishes_each_new_row_once_and_the_request_publishes_nothing(
    notify_app: Flask, published: list[tuple[str, int]]
) -> None:
    listener = wakeup.Listener(notify_app).start()
    try:
        assert listener.ready.wait(10)
        ids = _post_urgent_inquiry(notify_app, "woken@example.org")
        wait_for(lambda: len(published) >= len(ids), timeout=10)
    finally:
        listener.close()
    assert sorted(published) == [(relay.PROCESS_OUTBOX, row_id) for row_id in ids]
    with notify_app.app_context():
        # Claimed for the broker like the sweep claims: the sweep leaves them alone now.
        rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids))).all()
        assert all(row.published_at is not None and row.attempts == 1 for row in rows)
        assert wakeup.relay_notified(ids) == []  # a second wake-up: already taken
        assert relay.sweep_outbox() == 0
    assert len(published) == len(ids)


def test_with_no_listener_the_sweep_publishes_the_rows(
    notify_app: Flask, published: list[tuple[str, int]]
) -> None:
    ids = _post_urgent_inquiry(notify_app, "unheard@example.org")
    assert published == []  # the request itself hands nothing to the broker
    with notify_app.app_context():
        assert relay.sweep_outbox() == len(ids)
    assert sorted(published) == [(relay.PROCESS_OUTBOX, row_id) for row_id in ids]


def test_a_rolled_back_transaction_wakes_nobody(notify_app: Flask) -> None:
    with notify_app.app_context():
        url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as listening:
        listening.execute(f"LISTEN {wakeup.CHANNEL}")
        with notify_app.app_context():
            add_all_to_outbox([(OutboxKind.STAFF_ALERT, "inquiry", 999_001)])
            db.session.rollback()
            kept = add_all_to_outbox(
                [
                    (OutboxKind.STAFF_ALERT, "inquiry", 999_002),
                    (OutboxKind.ACKNOWLEDGEMENT, "inquiry", 999_002),
                ]
            )
            db.session.commit()
        # Notifications arrive in commit order: the first one is the committed transaction's.
        notice = next(listening.notifies(timeout=10, stop_after=1))
    assert wakeup.parse_payload(notice.payload) == sorted(kept)


def test_a_listener_that_starts_later_publishes_what_was_committed_before(
    notify_app: Flask, published: list[tuple[str, int]]
) -> None:
    ids = _post_urgent_inquiry(notify_app, "early@example.org")
    assert published == []
    listener = wakeup.Listener(notify_app).start()
    try:
        assert listener.ready.wait(10)  # set once the rows committed before are published
    finally:
        listener.close()
    # (Other tests' unpublished rows in this database are published too, each once.)
    assert {(relay.PROCESS_OUTBOX, row_id) for row_id in ids} <= set(published)
    assert len(published) == len(set(published))
