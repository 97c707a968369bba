"""How many inquiries per second the real form stack takes, next to a bare insert.

One run builds the application on a temporary SQLite file (and on a temporary PostgreSQL database
too with ``--postgres URL``), adds a bare endpoint to the same app object, serves it with
Werkzeug's server on 127.0.0.1 and drives both over HTTP, one request at a time:

* ``form``: GET ``/en/`` (CSRF token, one-time form token, session cookie), then POST the
  inquiry: validation, triage, encryption, person match, insert, outbox rows, audit, redirect.
* ``bare``: POST to ``/bench/bare``, which inserts one plain row into ``bench_rows`` on the
  same engine and answers 201.

It prints submissions per second, median and 95th-percentile latency for each, and the ratio.
There are no thresholds: this measures, it does not judge.

    .venv/bin/python bench/inquiry_throughput.py [--count 300] [--warmup 20] [--postgres URL]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CSRF_INPUT = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
FORM_TOKEN = re.compile(r'<input[^>]*name="form_token"[^>]*value="([^"]+)"')
MESSAGES = (
    "I need help",
    "I have been taking alprazolam every night for two years and want to stop safely.",
    "My partner drinks every day and I do not know what to do. Can someone call me?",
    "I've got a month of pills lined up and I'm going to end it tonight",
    "Necesito ayuda para dejar el lorazepam, llevo meses tomándolo.",
)


# HTTP client with a hand-kept cookie jar -----------------------------------------------------


class Browser:
    """One visitor: keeps its cookies and opens a connection per request (the dev server
    speaks HTTP/1.0 and closes each connection)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                jar: SimpleCookie = SimpleCookie()
                jar.load(header)
                for name, morsel in jar.items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return response.status, dict(response.headers.items()), text
        finally:
            connection.close()


def submit_form(browser: Browser, number: int) -> float:
    """GET the form, POST an inquiry; return the seconds the POST took."""
    status, _, page = browser.request("GET", "/en/")
    csrf = CSRF_INPUT.search(page)
    token = FORM_TOKEN.search(page)
    if status != 200 or csrf is None or token is None:
        raise RuntimeError(f"the form page did not load ({status})")
    form = {
        "csrf_token": csrf.group(1),
        "form_token": token.group(1),
        "website": "",
        "message": MESSAGES[number % len(MESSAGES)],
        "email": f"bench{number}@example.org",
        "phone": f"+44 7700 9{number % 100000:05d}",
        "country": "GB",
        "preferred_channel": "email",
        "substances": "alprazolam",
        "screen_wish_dead": "no",
        "consent": "y",
    }
    started = time.perf_counter()
    status, headers, _ = browser.request("POST", "/en/", form)
    elapsed = time.perf_counter() - started
    if status != 302 or not headers.get("Location", "").endswith("/en/thanks"):
        raise RuntimeError(f"the inquiry was not accepted ({status})")
    return elapsed


def submit_bare(browser: Browser, number: int) -> float:
    """POST one row; return the seconds it took."""
    started = time.perf_counter()
    status, _, _ = browser.request("POST", "/bench/bare", {"body": MESSAGES[number % 5]})
    elapsed = time.perf_counter() - started
    if status != 201:
        raise RuntimeError(f"the bare insert failed ({status})")
    return elapsed


# The application under test ------------------------------------------------------------------


@dataclass
class Served:
    port: int
    count_rows: Callable[[], tuple[int, int]]


@contextmanager
def served_app(database_url: str, instance_dir: str) -> Iterator[Served]:
    """The real app on ``database_url``, migrated, with the bare endpoint, on a free port."""
    os.environ.setdefault("INSTANCE_PATH", instance_dir)
    import flask_migrate
    from flask import request
    from sqlalchemy import Column, DateTime, Integer, MetaData, Table, Text, func, select
    from werkzeug.serving import WSGIRequestHandler, make_server

    from intake import create_app
    from intake.auth.permissions import public
    from intake.extensions import csrf, db
    from intake.public.models import Inquiry

    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "FORM_MIN_FILL_SECONDS": 0,
            "RATELIMIT_ENABLED": False,
            "RATELIMIT_STORAGE_URI": "memory://",
            "REDIS_URL": None,
            "CELERY": {"broker_url": "memory://"},
            "SERVER_NAME": None,
            "LOG_LEVEL": "WARNING",
        },
    )
    metadata = MetaData()
    bench_rows = Table(
        "bench_rows",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("body", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), server_default=func.now()),
    )
    with app.app_context():
        flask_migrate.upgrade()
        metadata.create_all(db.engine)

    @public
    def bare() -> tuple[str, int]:
        db.session.execute(bench_rows.insert().values(body=request.form.get("body", "")))
        db.session.commit()
        return "created", 201

    app.add_url_rule("/bench/bare", "bench_bare", csrf.exempt(bare), methods=["POST"])

    def count_rows() -> tuple[int, int]:
        with app.app_context():
            inquiries = db.session.scalar(select(func.count()).select_from(Inquiry)) or 0
            rows = db.session.scalar(select(func.count()).select_from(bench_rows)) or 0
            return int(inquiries), int(rows)

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            return None

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(server.server_port, count_rows)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


# Measuring -----------------------------------------------------------------------------------


@dataclass
class Measurement:
    label: str
    count: int
    seconds: float
    latencies: list[float]
    post_latencies: list[float]

    @property
    def per_second(self) -> float:
        return self.count / self.seconds

    @property
    def median_ms(self) -> float:
        return statistics.median(self.latencies) * 1000

    @property
    def p95_ms(self) -> float:
        return statistics.quantiles(self.latencies, n=20)[-1] * 1000

    @property
    def post_median_ms(self) -> float:
        return statistics.median(self.post_latencies) * 1000


def measure(
    label: str, submit: Callable[[Browser, int], float], port: int, count: int, warmup: int
) -> Measurement:
    browser = Browser(port)
    for number in range(warmup):
        submit(browser, -1 - number)
    latencies, post_latencies = [], []
    started = time.perf_counter()
    for number in range(count):
        before = time.perf_counter()
        post_latencies.append(submit(browser, number))
        latencies.append(time.perf_counter() - before)
    return Measurement(label, count, time.perf_counter() - started, latencies, post_latencies)


def run_backend(name: str, database_url: str, instance_dir: str, count: int, warmup: int) -> None:
    with served_app(database_url, instance_dir) as served:
        bare = measure("bare insert", submit_bare, served.port, count, warmup)
        form = measure("inquiry form", submit_form, served.port, count, warmup)
        inquiries, rows = served.count_rows()
    expected = count + warmup
    if (inquiries, rows) != (expected, expected):
        raise RuntimeError(
            f"{name}: expected {expected} inquiries and rows, found {inquiries} and {rows}"
        )
    print(f"\n{name}: {count} submissions each after {warmup} warm-up, one client")
    print(f"  {'':14}{'per second':>12}{'median ms':>12}{'p95 ms':>10}{'POST median ms':>16}")
    for result in (form, bare):
        print(
            f"  {result.label:14}{result.per_second:12.1f}{result.median_ms:12.2f}"
            f"{result.p95_ms:10.2f}{result.post_median_ms:16.2f}"
        )
    print("  (a form submission is GET page + POST inquiry; a bare one is a single POST)")
    print(
        f"  ratio: the form stack runs at {form.per_second / bare.per_second:.3f} of the bare "
        f"rate ({bare.per_second / form.per_second:.1f}x slower per submission)"
    )


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """A fresh database on the server at ``server_url``, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(server_url).set(drivername="postgresql+psycopg")
    name = f"harbor_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=300, help="timed submissions per endpoint")
    parser.add_argument("--warmup", type=int, default=20, help="untimed submissions first")
    parser.add_argument("--postgres", metavar="URL", help="also run on this PostgreSQL server")
    args: Any = parser.parse_args(argv)
    if args.count < 2 or args.warmup < 0:
        parser.error("--count must be at least 2 and --warmup at least 0")
    with tempfile.TemporaryDirectory(prefix="harbor-bench-") as tmp:
        sqlite_url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        run_backend("SQLite", sqlite_url, tmp, args.count, args.warmup)
        if args.postgres:
            with postgres_database(args.postgres) as url:
                run_backend("PostgreSQL", url, tmp, args.count, args.warmup)
    return 0


if __name__ == "__main__":
    sys.exit(main())
