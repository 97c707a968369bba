"""The inquiry write path under gunicorn on PostgreSQL, next to a bare insert on the same server.

One run makes a temporary PostgreSQL database, migrates it, issues an API key and starts the
real application under gunicorn (2 sync workers, the production shape) on 127.0.0.1 with
``bench_app.py``'s extra endpoint. The same load generator then drives, side by side:

* ``bare``: ``POST /bench/bare``, one plain row inserted and committed (the physical limit);
* ``api``: ``POST /api/v1/inquiries`` with a key and a JSON inquiry (validation, triage,
  encryption, person match, inquiry, case, outbox, audit, commit, publish to Celery);
* ``form``: ``GET /en/`` then ``POST /en/`` as a browser does (CSRF, one-time form token).

API and bare are measured with wrk (Debian's package) when it is installed, else with the
Python generator; the form is always measured with the Python generator, beside a bare run by
the same generator. Each path and its bare insert take turns (``--rounds``, 5 by default, the
seconds split between them), so a machine that gets busier or quieter during the run weighs on
both alike. Each pair prints both rates, p50 and p99 and the ratio. No thresholds: this
measures, it does not judge. Celery messages go to Redis db 12, which is emptied afterwards.

    .venv/bin/python bench/write_path.py [--seconds 10] [--rounds 5] [--connections 8]
        [--postgres URL] [--redis URL] [--score-once]

``--score-once`` is a diagnosis, never the measure of the goal: the server scores each distinct
inquiry once (``bench_app.py``), so the ratio shows what the write path costs beside triage.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from inquiry_throughput import postgres_database  # noqa: E402  (one way to make a bench database)

BIN = Path(sys.executable).parent
# Read by bench_app.py: score each distinct inquiry once (``--score-once``).
SCORE_ONCE = "BENCH_SCORE_ONCE"
CSRF_INPUT = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
FORM_TOKEN = re.compile(r'<input[^>]*name="form_token"[^>]*value="([^"]+)"')
MESSAGES = (
    "I need help",
    "I have been taking alprazolam every night for two years and want to stop safely.",
    "My partner drinks every day and I do not know what to do. Can someone call me?",
    "Necesito ayuda para dejar el lorazepam, llevo meses tomándolo.",
)


@dataclass
class Result:
    label: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    # Every latency when the Python generator measured (wrk reports percentiles only).
    latencies: list[float] | None = None

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def in_process_api_post(client: Any, key: str) -> Callable[[int], None]:
    """One API inquiry through a Flask test client (the support scripts count what it costs)."""
    body = json.dumps(
        {
            "message": MESSAGES[1],
            "email": "bench@example.org",
            "country": "ES",
            "language": "en",
            "consent": True,
        }
    )
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}

    def api(number: int) -> None:
        assert client.post("/api/v1/inquiries", data=body, headers=headers).status_code == 201

    return api


def combined(rounds: list[Result]) -> Result:
    """One result from the rounds of one path: totals, and exact percentiles when every
    latency is known; from wrk, the median of the rounds' p50 and the highest p99."""
    latencies = [ms for result in rounds for ms in result.latencies or []]
    exact = all(result.latencies is not None for result in rounds)
    return Result(
        rounds[0].label,
        sum(result.requests for result in rounds),
        sum(result.seconds for result in rounds),
        percentile(latencies, 50) if exact else statistics.median(r.p50_ms for r in rounds),
        percentile(latencies, 99) if exact else max(r.p99_ms for r in rounds),
        sum(result.errors for result in rounds),
        latencies if exact else None,
    )


def side_by_side(
    path: Callable[[int], Result], bare: Callable[[int], Result], rounds: int
) -> tuple[Result, Result]:
    """Measure ``path`` and ``bare`` in alternating rounds (path bare, bare path, ...), each
    callable given the round number, so that a machine getting busier or quieter during the run
    (other processes share it) weighs on both alike."""
    path_rounds: list[Result] = []
    bare_rounds: list[Result] = []
    for number in range(rounds):
        if number % 2 == 0:
            path_rounds.append(path(number))
            bare_rounds.append(bare(number))
        else:
            bare_rounds.append(bare(number))
            path_rounds.append(path(number))
    return combined(path_rounds), combined(bare_rounds)


def percentile(samples: list[float], p: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


# The server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(database_url: str, redis_url: str, instance: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "HARBOR_ENV": "development",
            "INSTANCE_PATH": instance,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "RATELIMIT_ENABLED": "false",
            "FORM_MIN_FILL_SECONDS": "0",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'bench' / 'support'}",
            "FLASK_APP": "wsgi",
        }
    )
    return env


def create_bench_table(database_url: str) -> None:
    from sqlalchemy import create_engine

    sys.path.insert(0, str(ROOT / "bench" / "support"))
    from bench_app_table import bench_metadata

    engine = create_engine(database_url)
    bench_metadata.create_all(engine)
    engine.dispose()


def issue_api_key(env: dict[str, str]) -> str:
    output = subprocess.run(
        [str(BIN / "flask"), "api-keys", "create", "--source", "bench"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"key: (\S+)", output)
    if not match:
        raise RuntimeError("flask api-keys create printed no key")
    return match.group(1)


@contextmanager
def migrated_environment(postgres_url: str, redis_url: str) -> Iterator[tuple[str, dict[str, str]]]:
    """A fresh PostgreSQL database with the migrations applied, and the environment a server
    process needs to use it: ``(database_url, env)``. Both are gone when the block ends."""
    with (
        tempfile.TemporaryDirectory(prefix="harbor-bench-") as instance,
        postgres_database(postgres_url) as database_url,
    ):
        env = server_env(database_url, redis_url, instance)
        subprocess.run(
            [str(BIN / "flask"), "db", "upgrade"],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        yield database_url, env


@contextmanager
def gunicorn(env: dict[str, str], workers: int) -> Iterator[int]:
    port = free_port()
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "bench_app:app",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/healthz")
                connection.getresponse().read()
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


# Load generators ----------------------------------------------------------------------------


def run_wrk(
    label: str,
    port: int,
    path: str,
    body: str,
    headers: dict[str, str],
    seconds: int,
    connections: int,
) -> Result:
    """wrk with a Lua script for the POST, latency distribution parsed from its report."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(f'wrk.method = "POST"\nwrk.body = {json.dumps(body)}\n')
        for name, value in headers.items():
            script.write(f'wrk.headers["{name}"] = {json.dumps(value)}\n')
        script.write(
            "done = function(summary, latency, requests)\n"
            '  io.write(string.format("RESULT %d %d %f %f %d\\n", summary.requests,'
            " summary.duration, latency:percentile(50) / 1000, latency:percentile(99) / 1000,"
            " summary.errors.status + summary.errors.connect + summary.errors.read"
            " + summary.errors.write + summary.errors.timeout))\nend\n"
        )
    try:
        output = subprocess.run(
            [
                "wrk",
                "-t",
                "2",
                "-c",
                str(connections),
                "-d",
                f"{seconds}s",
                "-s",
                script.name,
                f"http://127.0.0.1:{port}{path}",
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
        ).stdout
    finally:
        os.unlink(script.name)
    line = next(row for row in output.splitlines() if row.startswith("RESULT"))
    _, count, duration_us, p50, p99, errors = line.split()
    return Result(label, int(count), int(duration_us) / 1e6, float(p50), float(p99), int(errors))


class Visitor:
    """A keep-alive HTTP/1.1 client with a cookie jar."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        all_headers = dict(headers or {})
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.connection.request(method, path, body=body, headers=all_headers)
        response = self.connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, text


def form_submission(visitor: Visitor, number: int) -> bool:
    status, page = visitor.request("GET", "/en/")
    csrf, token = CSRF_INPUT.search(page), FORM_TOKEN.search(page)
    if status != 200 or not csrf or not token:
        return False
    body = urlencode(
        {
            "csrf_token": csrf.group(1),
            "form_token": token.group(1),
            "consent": "y",
            "message": MESSAGES[number % len(MESSAGES)],
            "email": f"bench{number}@example.org",
            "country": "ES",
        }
    ).encode()
    status, _ = visitor.request(
        "POST", "/en/", body, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    return status == 302


def bare_submission(visitor: Visitor, number: int) -> bool:
    status, _ = visitor.request(
        "POST", "/bench/bare", f"row {number}".encode(), {"Content-Type": "text/plain"}
    )
    return status == 201


def run_python(
    label: str,
    port: int,
    action: Callable[[Visitor, int], bool],
    seconds: int,
    connections: int,
    start: int = 0,
) -> Result:
    """``connections`` threads, each a visitor in a closed loop, for ``seconds``; visitors are
    numbered from ``start`` (so each round writes new people, as the first one does)."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def loop(worker: int) -> None:
        visitor = Visitor(port)
        number = start + worker * 1_000_000
        while time.perf_counter() < stop_at:
            before = time.perf_counter()
            ok = action(visitor, number)
            elapsed = (time.perf_counter() - before) * 1000
            with lock:
                latencies.append(elapsed)
                errors[0] += 0 if ok else 1
            number += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=loop, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds_taken = time.perf_counter() - started
    return Result(
        label,
        len(latencies),
        seconds_taken,
        percentile(latencies, 50),
        percentile(latencies, 99),
        errors[0],
        latencies,
    )


# Report ---------------------------------------------------------------------------------------


def report(title: str, path: Result, bare: Result) -> None:
    print(f"\n{title}")
    print(f"  {'':10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}")
    for result in (path, bare):
        print(
            f"  {result.label:10}{result.rate:10.1f}{result.p50_ms:10.2f}"
            f"{result.p99_ms:10.2f}{result.errors:8d}"
        )
    print(f"  ratio: {path.label} runs at {path.rate / bare.rate:.2f}x of the bare insert")
    if path.errors or bare.errors:
        print("  (some requests failed: the figures above are not a fair comparison)")


def empty_redis(url: str) -> None:
    """Empty the bench's own Redis database when a run ends (every bench here gives it one)."""
    try:
        import redis

        redis.Redis.from_url(url).flushdb()
    except Exception as exc:  # nothing to clean if it is down
        print(f"(could not empty {url}: {type(exc).__name__})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="duration of each measurement")
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="alternate each path with the bare insert this many times (seconds split evenly)",
    )
    parser.add_argument("--connections", type=int, default=8, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    parser.add_argument(
        "--score-once",
        action="store_true",
        help="diagnosis, not the goal: the server scores each distinct inquiry once and reuses "
        "the outcome, so the ratio shows what the rest of the write path costs beside triage",
    )
    args = parser.parse_args(argv)
    use_wrk = shutil.which("wrk") is not None
    api_body = json.dumps(
        {
            "message": MESSAGES[1],
            "email": "bench@example.org",
            "country": "ES",
            "language": "en",
            "consent": True,
        }
    )
    with migrated_environment(args.postgres, args.redis) as (database_url, env):
        create_bench_table(database_url)
        key = issue_api_key(env)
        if args.score_once:
            env = {**env, SCORE_ONCE: "1"}
            print("DIAGNOSIS (--score-once): triage scores each distinct inquiry once")
        with gunicorn(env, args.workers) as port:
            print(
                f"gunicorn {args.workers} workers, PostgreSQL, {args.connections} connections, "
                f"{args.seconds} s each in {args.rounds} alternating rounds; "
                f"generator: {'wrk' if use_wrk else 'Python'} "
                "(API and bare), Python (form and bare)"
            )
            warm = Visitor(port)
            for number in range(20):  # the lexicons, the connection pools, the imports
                form_submission(warm, number)
                bare_submission(warm, number)
            api_headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
            slice_seconds = max(1, args.seconds // args.rounds)

            def api_submission(visitor: Visitor, number: int) -> bool:
                status, _ = visitor.request(
                    "POST", "/api/v1/inquiries", api_body.encode(), api_headers
                )
                return status == 201

            def python_round(label: str, action: Callable[[Visitor, int], bool]) -> Any:
                return lambda number: run_python(
                    label, port, action, slice_seconds, args.connections, number * 100_000
                )

            def wrk_round(label: str, path: str, body: str, headers: dict[str, str]) -> Any:
                return lambda _number: run_wrk(
                    label, port, path, body, headers, slice_seconds, args.connections
                )

            if use_wrk:
                api, bare = side_by_side(
                    wrk_round("api", "/api/v1/inquiries", api_body, api_headers),
                    wrk_round("bare", "/bench/bare", "row", {"Content-Type": "text/plain"}),
                    args.rounds,
                )
            else:
                api, bare = side_by_side(
                    python_round("api", api_submission),
                    python_round("bare", bare_submission),
                    args.rounds,
                )
            report("API write path: POST /api/v1/inquiries", api, bare)
            form, form_bare = side_by_side(
                python_round("form", form_submission),
                python_round("bare", bare_submission),
                args.rounds,
            )
            report(
                "Form path: GET /en/ then POST /en/ (one submission = two requests)",
                form,
                form_bare,
            )
    empty_redis(args.redis)
    return 0


if __name__ == "__main__":
    sys.exit(main())
