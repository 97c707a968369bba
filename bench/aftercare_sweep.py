"""Aftercare end to end: seed N due check-ins, sweep them as beat does every minute, send them
with a real Celery worker (prefork, 2 processes, an own ``redis-server``) to a local SMTP server
(aiosmtpd), and count what arrives.

Prints check-ins per second (from the first sweep to the last email), the duplicates (emails
carrying the same delivery key: must be 0) and the late sends (sent more than an hour after
their due minute, with the delay's median and maximum), and exits non-zero on a duplicate or
a missing email.

    .venv/bin/python bench/aftercare_sweep.py [N]    (N defaults to 100000)

``BENCH_DATABASE_URL=postgresql://...`` runs it on a fresh PostgreSQL database instead of SQLite.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="harbor-bench-"))

from sqlalchemy import Table, insert, select

from intake.aftercare import use_cases
from intake.aftercare.models import AftercarePlan, CheckIn
from intake.auth.permissions import Role
from intake.core.types import utcnow
from intake.crm.models import Episode, Person
from intake.crm.services import email_index
from intake.extensions import db
from intake.messaging import deliveries
from intake.messaging.models import Delivery
from intake.vocabulary import CheckInStatus, PlanStatus, Stage
from tests.conftest import make_user
from tests.reliability.support import REDIS_SERVER, wait_for
from tests.reliability.world import build_world

BATCH = 5000


class _TempDirs:
    """The one method of pytest's tmp_path_factory that build_world uses."""

    def mktemp(self, label: str) -> Path:
        return Path(tempfile.mkdtemp(prefix=f"harbor-bench-{label}-"))


def _table(model: type) -> Table:
    return model.__table__  # type: ignore[attr-defined, no-any-return]


def seed(count: int, owner_id: int) -> None:
    """``count`` people, each with a discharged episode, a plan and one check-in due now."""
    now = utcnow()
    due = now - timedelta(minutes=1)
    for start in range(0, count, BATCH):
        size = min(BATCH, count - start)
        emails = [f"alumnus{start + n}@bench.example" for n in range(size)]
        people = list(
            db.session.scalars(
                insert(_table(Person)).returning(_table(Person).c.id, sort_by_parameter_order=True),
                [
                    {"email": e, "email_index": email_index(e), "language": "en", "created_at": now}
                    for e in emails
                ],
            )
        )
        episodes = list(
            db.session.scalars(
                insert(_table(Episode)).returning(
                    _table(Episode).c.id, sort_by_parameter_order=True
                ),
                [
                    {
                        "person_id": p,
                        "stage": Stage.DISCHARGED.value,
                        "owner_id": owner_id,
                        "stage_entered_at": now,
                        "opened_at": now,
                        "version": 1,
                    }
                    for p in people
                ],
            )
        )
        plans = list(
            db.session.scalars(
                insert(_table(AftercarePlan)).returning(
                    _table(AftercarePlan).c.id, sort_by_parameter_order=True
                ),
                [
                    {
                        "person_id": p,
                        "episode_id": e,
                        "owner_id": owner_id,
                        "channel": "email",
                        "language": "en",
                        "timezone": "UTC",
                        "quiet_start": 0,
                        "quiet_end": 0,
                        "starts_on": now.date(),
                        "consent_text": "bench",
                        "consent_recorded_by_id": owner_id,
                        "consent_recorded_at": now,
                        "status": PlanStatus.ACTIVE.value,
                        "stop_confirmed": False,
                        "current_gap_months": 0,
                        "missed_in_row": 0,
                        "schedule": {},
                        "created_at": now,
                    }
                    for p, e in zip(people, episodes, strict=True)
                ],
            )
        )
        db.session.execute(
            insert(_table(CheckIn)),
            [
                {
                    "plan_id": plan,
                    "slot": 0,
                    "local_date": now.date(),
                    "gap_months": 0,
                    "due_at": due,
                    "status": CheckInStatus.SCHEDULED.value,
                    "reminders_sent": 0,
                }
                for plan in plans
            ],
        )
        db.session.commit()


def main(count: int) -> int:
    if not REDIS_SERVER:
        print("redis-server is not installed: skipped")
        return 0
    if os.environ.get("BENCH_DATABASE_URL"):
        os.environ["TEST_DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    else:
        os.environ.pop("TEST_DATABASE_URL", None)
    # The production claim lease (180 s): a batch claim holds its rows that long at most.
    print(
        "load average (1, 5, 15 min) at the start: " + " ".join(f"{x:.1f}" for x in os.getloadavg())
    )
    with build_world(
        _TempDirs(),  # type: ignore[arg-type]
        own_redis=True,
        label="aftercare-bench",
        lease_seconds=180,
        mail_timeout_seconds=20,  # the production MAIL_TIMEOUT_SECONDS
    ) as world:
        owner = make_user(world.app, "owner@bench.example", {Role.CLINICIAN})
        with world.app.app_context():
            backend = db.engine.dialect.name
            started = time.perf_counter()
            seed(count, owner)
            print(f"seeded {count} due check-ins in {time.perf_counter() - started:.1f} s")
        worker = world.worker(concurrency=2)
        try:
            world.celery.send_task("workers.tasks.heartbeat")
            time.sleep(3)  # let the worker start before the clock matters
            started = time.perf_counter()
            with world.app.app_context():
                while use_cases.sweep(limit=2000)["sent"]:
                    pass  # beat's minute, run back to back
                swept = time.perf_counter() - started

                def arrived() -> bool:
                    # What beat's delivery sweep does: republish anything a publish lost.
                    deliveries.sweep_deliveries(limit=2000)
                    return len(world.inbox.messages) >= count

                done = wait_for(arrived, max(300, count / 5), 5.0)
                elapsed = time.perf_counter() - started
                # Whatever a lost publish left behind, as the delivery sweep would.
                time.sleep(2)
                rows = db.session.execute(
                    select(Delivery.sent_at, CheckIn.due_at)
                    .join(CheckIn, CheckIn.id == Delivery.subject_id)
                    .where(Delivery.kind == "aftercare_checkin")
                ).all()
        finally:
            worker.stop()
        keys = Counter(str(message["X-Harbor-Delivery"]) for message in world.inbox.messages)
        duplicates = sum(n - 1 for n in keys.values() if n > 1)
        delays = [(sent - due).total_seconds() for sent, due in rows if sent is not None]
        late = sum(1 for delay in delays if delay > 3600)
    received = len(keys)
    print(
        f"aftercare sweep and send ({backend}, redis, 2 worker processes, aiosmtpd): "
        f"{received}/{count} check-ins in {elapsed:.1f} s = {received / elapsed:.0f} check-ins/s "
        f"(sweep alone {swept:.1f} s = {count / max(swept, 1e-9):.0f} rows/s)"
    )
    if delays:
        print(f"delay after due: median {statistics.median(delays):.0f} s, max {max(delays):.0f} s")
    print(f"duplicates: {duplicates}")
    print(
        "load average (1, 5, 15 min) at the end: " + " ".join(f"{x:.1f}" for x in os.getloadavg())
    )
    print(f"late sends (over an hour after their due minute): {late}")
    return 0 if done and duplicates == 0 and received == count else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
