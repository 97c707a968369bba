"""Aftercare's exactly-once promises with real processes (tests/reliability's world): a Celery
worker killed in the middle of sending a check-in sends it once after a restart, and sweeps
racing on PostgreSQL claim every due check-in once."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from intake.aftercare import services, use_cases
from intake.aftercare.models import CheckIn
from intake.core.types import utcnow
from intake.extensions import db
from intake.messaging import deliveries
from intake.messaging.models import SENDABLE_STATUSES, Delivery
from intake.vocabulary import CheckInStatus, DeliveryStatus
from tests.aftercare.conftest import open_plan
from tests.reliability.support import REDIS_SERVER, wait_for
from tests.reliability.world import World, build_world

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    own_redis = bool(os.environ.get("TEST_REDIS_URL"))
    if own_redis and not REDIS_SERVER:
        pytest.skip("TEST_REDIS_URL is set but redis-server is not installed for an own instance")
    with build_world(tmp_path_factory, own_redis=own_redis, label="aftercare") as built:
        yield built


def _make_due(count: int, zone: str = "UTC") -> list[int]:
    """``count`` plans whose first check-in is due now (no quiet hours), committed."""
    ids = []
    for _ in range(count):
        plan = open_plan(timezone=zone, quiet_start=0, quiet_end=0)
        db.session.flush()
        first = plan.checkins[0]
        first.due_at = utcnow() - timedelta(minutes=1)
        ids.append(first.id)
    db.session.commit()
    return ids


def test_a_worker_killed_mid_send_sends_the_check_in_once_after_restart(world: World) -> None:
    world.inbox.clear()
    world.inbox.hold.set()
    with world.app.app_context():
        [checkin_id] = _make_due(1)
        address = db.session.get(CheckIn, checkin_id).plan.person.email
    first = world.worker()
    try:
        with world.app.app_context():
            assert use_cases.sweep()["sent"] == 1
        assert world.inbox.holding.wait(30), "the send never started"
        first.kill()
    finally:
        first.stop()
    world.inbox.hold.clear()
    with world.app.app_context():
        delivery = db.session.scalar(select(Delivery).where(Delivery.subject_id == checkin_id))
        assert delivery is not None and delivery.status == "sending"
    assert world.inbox.to(address) == []
    second = world.worker()
    try:

        def delivered() -> bool:
            with world.app.app_context():
                deliveries.sweep_deliveries()
                use_cases.sweep()
            return bool(world.inbox.to(address))

        assert wait_for(delivered, 40, 1.0), second.errors()
        time.sleep(2)
        sent = world.inbox.to(address)
        assert len(sent) == 1
        assert sent[0]["Subject"] == "A quick hello"
        with world.app.app_context():
            again = db.session.scalar(select(Delivery).where(Delivery.subject_id == checkin_id))
            assert again is not None and (again.status, again.attempts) == ("sent", 2)
    finally:
        second.stop()


def test_a_worker_killed_mid_batch_leaves_the_rest_to_the_lease_and_sends_each_once(
    world: World,
) -> None:
    """A worker claims a batch of check-ins in one statement, sends two and is killed in the
    third: the two are not sent again, the rest wait out the lease and go out once each."""
    world.inbox.clear()
    world.inbox.holding.clear()
    with world.app.app_context():
        _park_earlier_rows()
        due = _make_due(6)
        addresses = {db.session.get(CheckIn, checkin_id).plan.person.email for checkin_id in due}
    world.inbox.hold_after = 2
    first = world.worker()
    try:
        with world.app.app_context():
            assert use_cases.sweep()["sent"] == 6
        assert world.inbox.holding.wait(30), "the third send never started"
        first.kill()
    finally:
        first.stop()
    world.inbox.hold_after = None
    sent_first = {m["To"] for m in world.inbox.messages}
    assert len(world.inbox.messages) == len(sent_first) == 2
    with world.app.app_context():
        rows = _checkin_deliveries(due)
        # One claim took the whole batch: one token on every row.
        assert len({row.claim_token for row in rows}) == 1
        assert sorted(row.status for row in rows) == ["sending"] * 4 + ["sent"] * 2
    second = world.worker()
    try:

        def delivered() -> bool:
            with world.app.app_context():
                deliveries.sweep_deliveries()
            return addresses <= {m["To"] for m in world.inbox.messages}

        assert wait_for(delivered, 60, 1.0), second.errors()
        time.sleep(2)
    finally:
        second.stop()
    received = sorted(m["To"] for m in world.inbox.messages if m["To"] in addresses)
    assert received == sorted(addresses), "each check-in arrives once"
    with world.app.app_context():
        rows = _checkin_deliveries(due)
        assert [row.status for row in rows] == ["sent"] * 6
        # The two sent before the kill were claimed once; the four others twice.
        assert sorted(row.attempts for row in rows) == [1, 1, 2, 2, 2, 2]


def _park_earlier_rows() -> None:
    """Only this test's rows are due: later check-ins of earlier tests move out of the way and
    their unsent messages are cancelled (their tasks then claim nothing)."""
    db.session.execute(
        update(CheckIn)
        .where(CheckIn.status == CheckInStatus.SCHEDULED.value)
        .values(due_at=utcnow() + timedelta(days=3650))
    )
    db.session.execute(
        update(Delivery)
        .where(Delivery.status.in_((*SENDABLE_STATUSES, DeliveryStatus.SENDING.value)))
        .values(status=DeliveryStatus.CANCELLED.value)
    )
    db.session.commit()


def _checkin_deliveries(checkin_ids: list[int]) -> list[Delivery]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Delivery)
            .where(Delivery.subject_id.in_(checkin_ids), Delivery.kind == "aftercare_checkin")
            .order_by(Delivery.id)
        )
    )


def test_two_sweeps_racing_on_postgresql_send_each_check_in_once(world: World) -> None:
    with world.app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SKIP LOCKED needs PostgreSQL; on SQLite one worker sweeps")
        # Park everything earlier tests left, so only this test's rows are due.
        db.session.execute(
            update(CheckIn)
            .where(CheckIn.status == CheckInStatus.SCHEDULED.value)
            .values(due_at=utcnow() + timedelta(days=3650))
        )
        due = set(_make_due(120))
        # Sweep A holds its claim open while sweep B runs: B passes over A's rows at once.
        counts_a = services.SweepCounts()
        services.send_due(utcnow(), 30, counts_a)
        with world.app.app_context():
            counts_b = services.SweepCounts()
            services.send_due(utcnow(), 30, counts_b)
            db.session.commit()
        db.session.commit()
        assert counts_a.sent == counts_b.sent == 30
    results: list[int] = []
    lock = threading.Lock()

    def sweeper() -> None:
        while True:
            with world.app.app_context():
                counts = services.SweepCounts()
                services.send_due(utcnow(), 7, counts)
                db.session.commit()
            if not counts.sent:
                return
            with lock:
                results.append(counts.sent)

    threads = [threading.Thread(target=sweeper) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert sum(results) == 60
    with world.app.app_context():
        rows = db.session.execute(
            select(Delivery.subject_id, func.count(Delivery.id))
            .where(Delivery.subject_id.in_(due), Delivery.kind == "aftercare_checkin")
            .group_by(Delivery.subject_id)
        ).all()
        assert {subject for subject, _ in rows} == due
        assert {count for _, count in rows} == {1}


def test_a_backlog_goes_out_in_one_sweep_in_batches_each_once_over_few_connections(
    world: World,
) -> None:
    """A sweep keeps claiming full batches (not one batch a minute), the deliveries travel to
    the worker as lists of ids, and the worker sends a list over one SMTP connection."""
    world.inbox.clear()
    with world.app.app_context():
        db.session.execute(
            update(CheckIn)
            .where(CheckIn.status == CheckInStatus.SCHEDULED.value)
            .values(due_at=utcnow() + timedelta(days=3650))
        )
        # Sends earlier tests left queued would share the inbox: cancel them (their tasks then
        # claim nothing and open no connection).
        db.session.execute(
            update(Delivery)
            .where(Delivery.status.in_(SENDABLE_STATUSES))
            .values(status=DeliveryStatus.CANCELLED.value)
        )
        due = _make_due(25)
        addresses = {db.session.get(CheckIn, checkin_id).plan.person.email for checkin_id in due}
    worker = world.worker()
    try:
        with world.app.app_context():
            assert use_cases.sweep(limit=10)["sent"] == 25

        def delivered() -> bool:
            return addresses <= {m["To"] for m in world.inbox.messages}

        assert wait_for(delivered, 60, 0.5), worker.errors()
        time.sleep(1)
    finally:
        worker.stop()
    received = [m["To"] for m in world.inbox.messages if m["To"] in addresses]
    assert sorted(received) == sorted(addresses), "each check-in arrives once"
    # Three batches (10, 10, 5): one connection each, not one per message.
    assert world.inbox.sessions <= 3
    with world.app.app_context():
        statuses = db.session.scalars(
            select(Delivery.status).where(
                Delivery.subject_id.in_(due), Delivery.kind == "aftercare_checkin"
            )
        ).all()
        assert sorted(statuses) == ["sent"] * 25
