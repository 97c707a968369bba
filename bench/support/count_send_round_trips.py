"""Database round trips per aftercare check-in on the send path (issue 13).

Seeds N due check-ins (``bench/aftercare_sweep.py``'s seed), sweeps them, then sends them
in-process to a local aiosmtpd server two ways and counts what the worker says to the
database: every statement (an executemany counts once), every BEGIN, COMMIT and ROLLBACK.

* one by one: ``send_delivery`` per id (a claim of one, as every send was before batch claims);
* batched: ``send_deliveries`` over all ids (claims of ``CLAIM_BATCH`` in one statement).

    .venv/bin/python bench/support/count_send_round_trips.py [N]    (N defaults to 200)

``BENCH_DATABASE_URL=postgresql://...`` runs it on a fresh PostgreSQL database.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="harbor-bench-"))

from aftercare_sweep import _TempDirs, seed  # noqa: E402
from sqlalchemy import event, select  # noqa: E402

from intake.aftercare import use_cases  # noqa: E402
from intake.auth.permissions import Role  # noqa: E402
from intake.extensions import db  # noqa: E402
from intake.messaging import deliveries, relay  # noqa: E402
from intake.messaging.models import Delivery  # noqa: E402
from tests.conftest import make_user  # noqa: E402
from tests.reliability.world import build_world  # noqa: E402


def _count(run: Any) -> Counter[str]:
    counts: Counter[str] = Counter()
    engine = db.engine

    def statement(*_args: Any) -> None:
        counts["statements"] += 1

    def transaction(name: str) -> Any:
        def listener(*_args: Any) -> None:
            counts[name] += 1

        return listener

    listeners = [
        ("before_cursor_execute", statement),
        ("begin", transaction("begin")),
        ("commit", transaction("commit")),
        ("rollback", transaction("rollback")),
    ]
    for name, fn in listeners:
        event.listen(engine, name, fn)
    try:
        run()
    finally:
        for name, fn in listeners:
            event.remove(engine, name, fn)
    return counts


def main(count: int) -> int:
    if os.environ.get("BENCH_DATABASE_URL"):
        os.environ["TEST_DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    else:
        os.environ.pop("TEST_DATABASE_URL", None)
    with build_world(
        _TempDirs(),  # type: ignore[arg-type]
        own_redis=False,
        label="aftercare-trips",
        lease_seconds=180,
    ) as world:
        owner = make_user(world.app, "owner@bench.example", {Role.CLINICIAN})
        relay.publish_many = lambda *_a, **_k: None  # type: ignore[assignment]  # no worker here
        with world.app.app_context():
            backend = db.engine.dialect.name
            seed(count, owner)
            while use_cases.sweep(limit=2000)["sent"]:
                pass
            ids = list(db.session.scalars(select(Delivery.id).order_by(Delivery.id)))
            db.session.rollback()
            half = len(ids) // 2
            one = _count(lambda: [deliveries.send_delivery(d) for d in ids[:half]])
            batched = _count(lambda: deliveries.send_deliveries(ids[half:]))
            statuses = Counter(db.session.scalars(select(Delivery.status)))
    for label, counts, n in (("one by one", one, half), ("batched", batched, len(ids) - half)):
        trips = sum(counts.values())
        print(
            f"{backend} {label}: {trips / n:.1f} round trips per check-in "
            + ", ".join(f"{k} {v / n:.2f}" for k, v in sorted(counts.items()))
        )
    print(f"deliveries: {dict(statuses)}; emails received: {len(world.inbox.messages)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
