"""The embedded default does not lock (issue 8, item 3).

As `make run` starts it: a SQLite database and the SQLite broker shared by Flask's threaded web
server, a Celery worker with two children and beat sending the sweeps on their real schedule, all
real processes. Against it, from a few threads at once: 100 inquiries through the API (a third of
them P0, so the worker opens alerts and sends email while the web writes) and staff signing in,
reading the queue and opening inquiries (each opening writes an audit row). No answer may be a
500, every inquiry must be stored, and no process may report "database is locked".

Bounded: 127.0.0.1 only, a fixed number of requests, every wait with a timeout.
"""

from __future__ import annotations

import json
import logging
import os
import random
import re
import sqlite3
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from intake.auth.permissions import Role
from intake.core import sqlite
from intake.core.types import utcnow
from intake.extensions import db
from intake.messaging.outbox import OutboxMessage
from intake.public.api_keys import create_api_key
from intake.public.models import Inquiry
from tests.conftest import PASSWORD, make_user
from tests.reliability.support import (
    Service,
    beat_service,
    free_port,
    wait_for,
    web_service,
    worker_service,
)
from tests.reliability.world import World, build_world

pytestmark = pytest.mark.live

POSTS = 100
POSTING_THREADS = 4
STAFF = ("desk1@example.org", "desk2@example.org", "nurse@example.org")
ONCALL = "oncall@example.org"
P0_MESSAGE = "Mi madre se ha tomado todas las pastillas de Orfidal y no responde"
ROUTINE_MESSAGE = "Quisiera información sobre el programa para mi hermano"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
REQUEST_TIMEOUT = 60
LOAD_TIMEOUT = 150
# Starting takes seconds; on a busy two-core machine running other suites, much longer.
STARTUP_TIMEOUT = 120


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 302 is an answer to count, not to follow


@dataclass
class Browser:
    """A visitor with its own cookies; every answer is recorded as (method, path, status)."""

    base: str
    answers: list[tuple[str, str, int]]
    jar: CookieJar = field(default_factory=CookieJar)

    def open(
        self,
        method: str,
        path: str,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )
        request = urllib.request.Request(  # noqa: S310  (always http://127.0.0.1)
            self.base + path, data=data, headers=headers or {}, method=method
        )
        try:
            with opener.open(request, timeout=REQUEST_TIMEOUT) as response:
                status, body = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read().decode(errors="replace")
        self.answers.append((method, path.split("?")[0], status))
        return status, body


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, str, str]]:
    if os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("the embedded default is SQLite; the SQLite run of the suite checks it")
    with build_world(tmp_path_factory, own_redis=False, label="embedded") as world:
        for email in STAFF:
            make_user(world.app, email, {Role.ADMISSIONS})
        make_user(world.app, ONCALL, {Role.CLINICIAN})
        with world.app.app_context():
            from intake.auth.models import User
            from intake.messaging.oncall import add_shift

            oncall = db.session.scalars(select(User).where(User.email == ONCALL)).one()
            add_shift(oncall, utcnow() - timedelta(hours=1), timedelta(days=1))
            _key, api_key = create_api_key("locking-probe")
            db.session.commit()
        # Limits are per address and everything here comes from 127.0.0.1.
        world.env.update(
            API_RATE_LIMIT="10000 per minute",
            LOGIN_RATE_LIMIT="10000 per minute",
            PUBLIC_FORM_RATE_LIMIT="10000 per minute",
        )
        yield world, api_key, str(tmp_path_factory.mktemp("embedded-logs"))


def _post_inquiries(browser: Browser, api_key: str, first: int, count: int) -> list[str]:
    references = []
    for number in range(first, first + count):
        body = {
            "consent": True,
            "email": f"person{number}@example.net",
            "language": "es",
            "country": "ES",
            "message": P0_MESSAGE if number % 3 == 0 else ROUTINE_MESSAGE,
        }
        status, text = browser.open(
            "POST",
            "/api/v1/inquiries",
            json.dumps(body).encode(),
            {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"},
        )
        if status == 201:
            references.append(json.loads(text)["reference"])
    return references


def _staff_rounds(browser: Browser, email: str, posting_done: threading.Event) -> int:
    """Sign in, then read the queue and open inquiries until the posting is over."""
    _status, page = browser.open("GET", "/staff/login")
    token = CSRF.search(page)
    assert token, "no CSRF token on the sign-in page"
    form = {"csrf_token": token.group(1), "email": email, "password": PASSWORD}
    status, _ = browser.open(
        "POST",
        "/staff/login",
        urllib.parse.urlencode(form).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    if status != 302:
        return 0
    rounds = 0
    while not posting_done.is_set() or rounds < 3:
        browser.open("GET", "/staff/triage/")
        status, text = browser.open("GET", "/staff/triage/queue.json")
        ids = [case["id"] for case in json.loads(text)["cases"]] if status == 200 else []
        for inquiry_id in random.sample(ids, min(2, len(ids))):
            browser.open("GET", f"/staff/triage/{inquiry_id}")
        rounds += 1
    return rounds


def _outbox_processed(world: World) -> int:
    with world.app.app_context():
        return int(
            db.session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.processed_at.is_not(None))
            )
            or 0
        )


def test_web_worker_and_beat_share_sqlite_without_a_500(
    embedded: tuple[World, str, str],
) -> None:
    world, api_key, log_dir = embedded
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    services: dict[str, Service] = {}
    try:
        services["web"] = web_service(world.env, port, Path(log_dir) / "web.log")
        services["worker"] = worker_service(world.env, Path(log_dir) / "worker.log")
        services["beat"] = beat_service(world.env, Path(log_dir) / "beat.log")

        def web_up() -> bool:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2):  # noqa: S310
                    return True
            except urllib.error.HTTPError:
                return True  # answering, even if degraded
            except OSError:
                return False

        assert wait_for(web_up, STARTUP_TIMEOUT, 0.2), services["web"].output()[-3000:]

        answers: list[tuple[str, str, int]] = []
        references: list[str] = []
        posting_done = threading.Event()
        per_thread = POSTS // POSTING_THREADS

        def post(index: int) -> None:
            references.extend(
                _post_inquiries(Browser(base, answers), api_key, index * per_thread, per_thread)
            )

        signed_in: list[int] = []

        def staff(email: str) -> None:
            signed_in.append(_staff_rounds(Browser(base, answers), email, posting_done))

        posters = [threading.Thread(target=post, args=(n,)) for n in range(POSTING_THREADS)]
        readers = [threading.Thread(target=staff, args=(email,)) for email in STAFF]
        for thread in posters + readers:
            thread.start()
        for thread in posters:
            thread.join(LOAD_TIMEOUT)
        posting_done.set()
        for thread in readers:
            thread.join(LOAD_TIMEOUT)
        assert not any(thread.is_alive() for thread in posters + readers), "the load hung"

        server_errors = [answer for answer in answers if answer[2] >= 500]
        assert server_errors == []
        api_answers = [status for method, path, status in answers if path == "/api/v1/inquiries"]
        assert api_answers == [201] * POSTS
        assert len(signed_in) == len(STAFF) and all(rounds >= 3 for rounds in signed_in)
        assert any(
            path.startswith("/staff/triage/") and path[-1].isdigit() for _m, path, _s in answers
        )

        with world.app.app_context():
            stored = db.session.scalars(
                select(Inquiry.reference).where(Inquiry.reference.in_(references))
            ).all()
        assert len(set(references)) == POSTS and sorted(stored) == sorted(references)

        # The worker wrote alongside the web: it opened alerts from the outbox. (The embedded
        # broker polls, so draining the whole queue takes a while after the load.)
        assert wait_for(lambda: _outbox_processed(world), 30, 0.5), services["worker"].output()[
            -3000:
        ]
    finally:
        for service in services.values():
            service.terminate()  # all at once: a worker's warm shutdown takes a while
        for service in services.values():
            service.stop(timeout=5)
    for name, service in services.items():
        output = service.output()
        assert "database is locked" not in output, (name, output[-3000:])
        assert "Traceback" not in output, (name, output[-3000:])


@pytest.mark.parametrize(
    ("task_name", "skipped"),
    [("sweep_outbox", 0), ("sweep_deliveries", 0), ("sweep_alerts", {}), ("heartbeat", 0)],
)
def test_a_sweep_that_finds_the_database_busy_skips_its_beat_quietly(
    embedded: tuple[World, str, str],
    caplog: pytest.LogCaptureFixture,
    task_name: str,
    skipped: object,
) -> None:
    world, _api_key, _logs = embedded
    from workers import tasks

    task = getattr(tasks, task_name)
    path = make_url(world.app.config["SQLALCHEMY_DATABASE_URI"]).database
    assert path
    with pytest.MonkeyPatch.context() as patch:
        # No waiting, so "busy" shows at once; new connections pick the setting up.
        patch.setattr(sqlite, "BUSY_TIMEOUT_SECONDS", 0)
        with world.app.app_context():
            db.engine.dispose()
        # Another process holds the write lock, as a long transaction elsewhere would.
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            with caplog.at_level(logging.WARNING):
                assert task() == skipped
        finally:
            holder.rollback()
            holder.close()
            with world.app.app_context():
                db.engine.dispose()
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    # The next beat, with the database free, runs (what it finds depends on the tests before).
    after = task()
    assert type(after) is type(skipped)
    if task_name == "heartbeat":
        assert after >= 1
