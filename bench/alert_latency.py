"""Time from an inquiry POST to the alert email arriving at a local SMTP server.

A real HTTP server (werkzeug) runs the app, a real Celery worker (prefork, 2 processes) runs on
an own ``redis-server`` (never the shared one), and aiosmtpd receives the mail. Each of N
inquiries (a P0 message, sent through the form as a browser would) is posted in turn and the
clock stops when its alert arrives. Prints the median and the 99th percentile; the target is a
99th percentile under 2 seconds.

    .venv/bin/python bench/alert_latency.py [N]    (N defaults to 150)

``BENCH_DATABASE_URL=postgresql://...`` runs it on a fresh PostgreSQL database instead of SQLite.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="harbor-bench-"))

from werkzeug.serving import make_server

from intake.auth.permissions import Role
from intake.extensions import limiter
from tests.conftest import make_user
from tests.reliability.support import REDIS_SERVER, wait_for
from tests.reliability.world import build_world

ONCALL = "oncall@bench.example"
P0_MESSAGE = "Mi madre se ha tomado todas las pastillas de Orfidal y no responde"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
FORM_TOKEN = re.compile(r'name="form_token" type="hidden" value="([^"]+)"')


class _TempDirs:
    """The one method of pytest's tmp_path_factory that build_world uses."""

    def mktemp(self, label: str) -> Path:
        return Path(tempfile.mkdtemp(prefix=f"harbor-bench-{label}-"))


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def main(count: int) -> int:
    if not REDIS_SERVER:
        print("redis-server is not installed: skipped")
        return 0
    if os.environ.get("BENCH_DATABASE_URL"):
        os.environ["TEST_DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    else:
        os.environ.pop("TEST_DATABASE_URL", None)
    with build_world(_TempDirs(), own_redis=True, label="bench") as world:  # type: ignore[arg-type]
        make_user(world.app, ONCALL, {Role.CLINICIAN})
        with world.app.app_context():
            from datetime import timedelta

            from sqlalchemy import select

            from intake.auth.models import User
            from intake.core.types import utcnow
            from intake.extensions import db
            from intake.messaging.oncall import add_shift

            user = db.session.scalars(select(User).where(User.email == ONCALL)).one()
            add_shift(user, utcnow() - timedelta(hours=1), timedelta(days=1))
            db.session.commit()
            backend = db.engine.dialect.name
        limiter.enabled = False  # one address posts many forms here
        # The server compiles the triage lexicons before its first visitor (wsgi.py does so in
        # the background); on a busy machine the first POST would otherwise time out.
        from intake.triage.rules.engine import compiled_lexicon

        compiled_lexicon()
        server = make_server("127.0.0.1", 0, world.app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{server.server_port}"
        worker = world.worker(concurrency=2)
        latencies: list[float] = []
        try:
            world.celery.send_task("workers.tasks.heartbeat")
            time.sleep(3)  # let the worker start before the clock matters
            for n in range(count):
                jar = http.cookiejar.CookieJar()
                opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
                page = opener.open(f"{base}/es/", timeout=10).read().decode()
                csrf = CSRF.search(page)
                token = FORM_TOKEN.search(page)
                assert csrf and token, "the form has no tokens"
                body = urllib.parse.urlencode(
                    {
                        "csrf_token": csrf.group(1),
                        "form_token": token.group(1),
                        "consent": "y",
                        "message": P0_MESSAGE,
                        "phone": "+34 611 222 333",
                        "country": "ES",
                        "for_whom": "someone_else",
                    }
                ).encode()
                before = len(world.inbox.to(ONCALL))
                started = time.perf_counter()
                opener.open(f"{base}/es/", data=body, timeout=10).read()
                arrived = wait_for(lambda b=before: len(world.inbox.to(ONCALL)) > b, 10, 0.002)
                if not arrived:
                    print(f"inquiry {n}: no alert within 10 s", file=sys.stderr)
                    return 1
                latencies.append(time.perf_counter() - started)
        finally:
            worker.stop()
            server.shutdown()
    median = statistics.median(latencies)
    p99 = _percentile(latencies, 0.99)
    print(
        f"alert latency over {len(latencies)} inquiries ({backend}, redis, 2 worker processes): "
        f"median {median * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms"
    )
    print("target p99 < 2000 ms:", "met" if p99 < 2.0 else "NOT met")
    return 0 if p99 < 2.0 else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 150))
