"""Python function calls per request, in process, for ``bench/write_path.py``'s API path.

Builds a temporary PostgreSQL database like the bench, drives the real application in-process
(Flask's test client) and counts, with cProfile, the Python calls of ``--requests`` API
inquiries and as many bare inserts (the bench's ``/bench/bare``). Call counts do not depend on
how busy the machine is, so they compare two versions where timings on a shared machine cannot.
``--top N`` prints the N functions with the most cumulative calls under the API request.
``--cpu`` also prints the process CPU time per request of each (no profiler running): the
smallest of six runs of 150 sequential requests, taken alternately, so that what other
processes do to this one weighs least (PostgreSQL's own work is not counted).

    .venv/bin/python bench/support/count_calls.py [--requests 100] [--top 0] [--cpu]
        [--postgres URL] [--redis URL]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "bench" / "support"))
from write_path import (  # noqa: E402  (the bench's own helpers)
    create_bench_table,
    empty_redis,
    in_process_api_post,
    issue_api_key,
    migrated_environment,
)


def calls_of(action: Callable[[int], None], requests: int) -> tuple[int, pstats.Stats]:
    profile = cProfile.Profile()
    profile.enable()
    for number in range(requests):
        action(number)
    profile.disable()
    stats = pstats.Stats(profile)
    return int(stats.total_calls), stats  # type: ignore[attr-defined]


def cpu_per_request(action: Callable[[int], None], requests: int, start: int) -> float:
    """Process CPU milliseconds per request over ``requests`` sequential calls of ``action``."""
    before = time.process_time()
    for number in range(start, start + requests):
        action(number)
    return (time.process_time() - before) * 1000 / requests


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--top", type=int, default=0)
    parser.add_argument("--cpu", action="store_true", help="also the CPU per request (min of 6)")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    args = parser.parse_args(argv)
    with migrated_environment(args.postgres, args.redis) as (database_url, env):
        create_bench_table(database_url)
        key = issue_api_key(env)
        os.environ.update(env)
        from bench_app import app

        client = app.test_client()
        api = in_process_api_post(client, key)

        def bare(number: int) -> None:
            response = client.post("/bench/bare", data=f"row {number}", content_type="text/plain")
            assert response.status_code == 201

        for number in range(20):  # lexicons, pools, caches, the key's first use
            api(number)
            bare(number)
        api_calls, api_stats = calls_of(api, args.requests)
        bare_calls, _ = calls_of(bare, args.requests)
        print(f"Python calls per request ({args.requests} requests each, cProfile, in process)")
        print(f"  API inquiry: {api_calls / args.requests:,.0f}")
        print(f"  bare insert: {bare_calls / args.requests:,.0f}")
        if args.cpu:
            api_cpu: list[float] = []
            bare_cpu: list[float] = []
            for run in range(6):
                api_cpu.append(cpu_per_request(api, 150, 1000 + run * 150))
                bare_cpu.append(cpu_per_request(bare, 150, 1000 + run * 150))
            print("Process CPU per request (min of 6 runs of 150, in process, sequential)")
            print(f"  API inquiry: {min(api_cpu):.2f} ms  (runs: {_ms(api_cpu)})")
            print(f"  bare insert: {min(bare_cpu):.2f} ms  (runs: {_ms(bare_cpu)})")
            print(f"  ratio (bare / API): {min(bare_cpu) / min(api_cpu):.2f}")
        if args.top:
            api_stats.sort_stats("cumulative").print_stats(args.top)
    empty_redis(args.redis)
    return 0


def _ms(values: list[float]) -> str:
    return " ".join(f"{value:.2f}" for value in values)


if __name__ == "__main__":
    sys.exit(main())
