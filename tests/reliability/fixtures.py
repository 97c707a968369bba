"""Fixtures shared by the messaging tests (imported by name into each test module)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask

from intake.auth.permissions import Role
from intake.core.types import utcnow
from intake.extensions import db
from intake.messaging import relay
from intake.messaging.oncall import add_shift
from tests.conftest import make_user
from tests.reliability.support import Inbox, smtp_server


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Record what the relay would hand to the broker instead of sending it."""
    calls: list[tuple[str, int]] = []

    def fake(task_name: str, record_id: int) -> bool:
        calls.append((task_name, record_id))
        return True

    def fake_many(task_name: str, record_ids: list[int]) -> int:
        calls.extend((task_name, record_id) for record_id in record_ids)
        return len(record_ids)

    monkeypatch.setattr(relay, "publish", fake)
    monkeypatch.setattr(relay, "publish_many", fake_many)
    # These tests commit into savepoints of a transaction that is rolled back at the end; the
    # relay normally waits for a real commit, so treat theirs as one.
    monkeypatch.setattr(relay, "visible_to_workers", lambda _session: True)
    return calls


@pytest.fixture
def rota(app: Flask) -> dict[str, int]:
    ids = {
        "oncall": make_user(app, "oncall@example.org", {Role.CLINICIAN}),
        "fallback": make_user(app, "fallback@example.org", {Role.ADMIN}),
        "other": make_user(app, "other@example.org", {Role.CLINICIAN}),
        "desk": make_user(app, "desk@example.org", {Role.ADMISSIONS}),
    }
    with app.app_context():
        from intake.auth.models import User

        oncall = db.session.get(User, ids["oncall"])
        fallback = db.session.get(User, ids["fallback"])
        assert oncall and fallback
        add_shift(oncall, utcnow() - timedelta(hours=1), timedelta(hours=8), fallback=fallback)
        db.session.commit()
    return ids


@pytest.fixture
def smtp(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    with smtp_server() as (inbox, port):
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", port)
        yield inbox
