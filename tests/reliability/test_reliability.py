"""The reliability the workers issue promises, shown with real processes: a Celery worker
(prefork, acks_late), a real broker (an own redis-server when TEST_REDIS_URL is set, else the
embedded SQLite broker), a real SMTP server (aiosmtpd) and the real database of the run.

Where beat would run a sweep, some tests call the same sweep function from the test process, so
the timing is theirs; the Redis outage test runs a real beat inside the worker.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from intake.auth.permissions import Role
from intake.core.models import WorkerHeartbeat
from intake.core.types import utcnow
from intake.extensions import db
from intake.messaging import deliveries, relay
from intake.messaging.models import Delivery
from intake.messaging.outbox import OutboxMessage
from intake.public.models import Inquiry
from intake.triage.alerting import messages_for_inquiry
from intake.triage.models import TriageResult
from tests.conftest import make_user, submit_inquiry_form
from tests.reliability.support import REDIS_SERVER, make_inquiry, wait_for
from tests.reliability.world import World, build_world

pytestmark = pytest.mark.live

ONCALL = "oncall@clinic.example"
P0_MESSAGE = "Mi madre se ha tomado todas las pastillas de Orfidal y no responde"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    own_redis = bool(os.environ.get("TEST_REDIS_URL"))
    if own_redis and not REDIS_SERVER:
        pytest.skip("TEST_REDIS_URL is set but redis-server is not installed for an own instance")
    with build_world(tmp_path_factory, own_redis=own_redis) as built:
        make_user(built.app, ONCALL, {Role.CLINICIAN})
        with built.app.app_context():
            from intake.auth.models import User
            from intake.messaging.oncall import add_shift

            user = db.session.scalars(select(User).where(User.email == ONCALL)).one()
            add_shift(user, utcnow() - timedelta(hours=1), timedelta(days=1))
            db.session.commit()
        yield built


@pytest.fixture(autouse=True)
def _fresh_inbox(world: World) -> None:
    world.inbox.clear()
    world.inbox.refuse_with = None
    world.inbox.hold.clear()
    world.inbox.holding.clear()


def _alert_delivery(world: World, inquiry_id: int) -> Delivery | None:
    with world.app.app_context():
        alerts = [d for d in messages_for_inquiry(inquiry_id) if d.kind == "staff_alert"]
        return min(alerts, key=lambda delivery: delivery.id) if alerts else None


def _wait_until_ready(world: World, worker: object) -> None:
    """A worker is ready once it has run a task (the heartbeat)."""
    with world.app.app_context():
        before = db.session.scalar(select(func.coalesce(func.max(WorkerHeartbeat.beats), 0)))
    world.celery.send_task("workers.tasks.heartbeat")

    def beaten() -> bool:
        with world.app.app_context():
            beats = db.session.scalar(select(func.coalesce(func.max(WorkerHeartbeat.beats), 0)))
        return bool(beats and beats > (before or 0))

    assert wait_for(beaten, 60, 0.2), getattr(worker, "errors", lambda: "")()


def test_a_real_worker_sends_the_alert_and_the_acknowledgement_once(world: World) -> None:
    worker = world.worker()
    try:
        _wait_until_ready(world, worker)
        with world.app.app_context():
            inquiry = make_inquiry("P0", email="ana@example.net", language="es", country="ES")
            db.session.commit()  # the relay publishes right after this commit
            inquiry_id = inquiry.id
        assert wait_for(lambda: len(world.inbox.messages) >= 2, 30), worker.errors()
        (alert,) = world.inbox.to(ONCALL)
        assert alert["Subject"] == "P0 inquiry waiting"
        (ack,) = world.inbox.to("ana@example.net")
        assert ack["Subject"] == "Hemos recibido tu mensaje"
        # The same send task delivered many more times through the broker: still one email.
        # (The embedded SQLite broker polls, so it gets fewer copies to stay quick.)
        delivery = _alert_delivery(world, inquiry_id)
        assert delivery is not None
        for _ in range(200 if world.redis else 30):
            world.celery.send_task("workers.tasks.send_delivery", args=[delivery.id])
        _wait_until_ready(world, worker)  # the queue is drained once this runs
        time.sleep(1)
        assert len(world.inbox.to(ONCALL)) == 1
        assert len(world.inbox.messages) == 2
    finally:
        worker.stop()


def test_the_same_send_task_called_a_thousand_times_sends_one_email(world: World) -> None:
    with world.app.app_context():
        inquiry = make_inquiry("P1", email=None)
        db.session.commit()
        inquiry_id = inquiry.id
        outbox_id = db.session.scalars(
            select(OutboxMessage.id).where(OutboxMessage.target_id == inquiry_id)
        ).one()
        relay.process_outbox(outbox_id)
    delivery = _alert_delivery(world, inquiry_id)
    assert delivery is not None
    task = world.celery.tasks["workers.tasks.send_delivery"]
    outcomes: list[str] = []

    def hammer() -> None:
        for _ in range(125):
            outcomes.append(task.apply(args=[delivery.id]).get())

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    assert len(outcomes) == 1000
    assert outcomes.count("sent") == 1 and outcomes.count("skipped") == 999
    assert len(world.inbox.to(ONCALL)) == 1


def test_a_worker_killed_mid_send_sends_exactly_once_after_restart(world: World) -> None:
    world.inbox.hold.set()  # the SMTP server stops answering after MAIL FROM
    first = world.worker()
    try:
        _wait_until_ready(world, first)
        with world.app.app_context():
            inquiry = make_inquiry("P0", email=None)
            db.session.commit()
            inquiry_id = inquiry.id
        assert world.inbox.holding.wait(30), "the send never started"
        first.kill()  # SIGKILL, main process and pool children, in the middle of SMTP
    finally:
        first.stop()
    world.inbox.hold.clear()
    delivery = _alert_delivery(world, inquiry_id)
    assert delivery is not None and delivery.status == "sending"
    assert world.inbox.messages == []
    second = world.worker()
    try:

        def delivered() -> bool:
            # What beat does every few seconds: release dead claims, publish what is due.
            with world.app.app_context():
                deliveries.sweep_deliveries()
            return bool(world.inbox.to(ONCALL))

        assert wait_for(delivered, 40, 1.0), second.errors()
        time.sleep(2)
        assert len(world.inbox.to(ONCALL)) == 1
        again = _alert_delivery(world, inquiry_id)
        assert again is not None and (again.status, again.attempts) == ("sent", 2)
    finally:
        second.stop()


def test_two_sweeps_racing_on_postgresql_claim_each_row_once(world: World) -> None:
    with world.app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip(
                "SKIP LOCKED needs PostgreSQL; SQLite runs one sweep at a time and relies on "
                "the compare-and-set update alone"
            )
        old = utcnow() - timedelta(minutes=5)
        rows = [
            OutboxMessage(kind="none", target_type="test", target_id=n, created_at=old)
            for n in range(240)
        ]
        db.session.add_all(rows)
        db.session.commit()
        ids = {row.id for row in rows}
        # Sweep A holds its claim open while sweep B runs: B passes over A's rows at once.
        first = set(relay.claim_due_outbox(limit=40))
        with world.app.app_context():  # a second session on its own connection
            started = time.monotonic()
            second = set(relay.claim_due_outbox(limit=40))
            db.session.commit()
            assert time.monotonic() - started < 2, "sweep B waited for sweep A's locks"
        assert len(first) == len(second) == 40 and not first & second
        db.session.commit()
    # Then four sweeps at once until nothing is left: every row claimed exactly once.
    claims: list[int] = []
    lock = threading.Lock()

    def sweep() -> None:
        while True:
            with world.app.app_context():
                got = relay.claim_due_outbox(limit=7)
                db.session.commit()
            if not got:
                return
            with lock:
                claims.extend(got)

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    claimed = set(claims) | first | second
    assert len(claims) == len(set(claims)) == 160
    assert claimed == ids
    with world.app.app_context():
        db.session.execute(update(OutboxMessage).values(processed_at=utcnow()))
        db.session.commit()


@pytest.mark.skipif(not REDIS_SERVER, reason="needs redis-server to run an own Redis")
def test_redis_down_while_an_inquiry_arrives_then_the_alert_goes_out(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    with build_world(tmp_path_factory, own_redis=True, label="outage") as world:
        assert world.redis is not None
        make_user(world.app, ONCALL, {Role.CLINICIAN})
        with world.app.app_context():
            from intake.auth.models import User
            from intake.messaging.oncall import add_shift

            user = db.session.scalars(select(User).where(User.email == ONCALL)).one()
            add_shift(user, utcnow() - timedelta(hours=1), timedelta(days=1))
            db.session.commit()
        worker = world.worker(beat=True)
        try:
            _wait_until_ready(world, worker)
            world.redis.stop()
            client = world.app.test_client()
            started = time.monotonic()
            response = submit_inquiry_form(
                client,
                "es",
                message=P0_MESSAGE,
                email="eva@example.net",
                country="ES",
                for_whom="someone_else",
            )
            assert response.status_code == 302
            thanks = client.get(response.headers["Location"])
            assert time.monotonic() - started < 10
            assert thanks.status_code == 200 and 'href="tel:112"' in thanks.get_data(as_text=True)
            with world.app.app_context():
                inquiry = db.session.scalars(select(Inquiry)).one()
                priority = db.session.scalars(
                    select(TriageResult.priority).where(TriageResult.inquiry_id == inquiry.id)
                ).one()
                assert priority in ("P0", "P1"), "the triage rules no longer alert on this"
                pending = db.session.scalars(select(OutboxMessage.processed_at)).all()
                assert pending and all(value is None for value in pending)
            assert world.inbox.messages == []
            world.redis.start()  # same port, empty: whatever was queued is gone
            assert wait_for(lambda: world.inbox.to(ONCALL), 60, 0.5), worker.errors()
            assert wait_for(lambda: world.inbox.to("eva@example.net"), 20, 0.5)
            time.sleep(1)
            assert len(world.inbox.to(ONCALL)) == 1
            assert len(world.inbox.to("eva@example.net")) == 1
        finally:
            worker.stop()
