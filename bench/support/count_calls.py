"""Python function calls per request, in process, for ``bench/write_path.py``'s API path.

Builds a temporary PostgreSQL database like the bench, drives the real application in-process
(Flask's test client) and counts, with cProfile, the Python calls of ``--requests`` API
inquiries and as many bare inserts (the bench's ``/bench/bare``). Call counts do not depend on
how busy the machine is, so they compare two versions where timings on a shared machine cannot.
``--top N`` prints the N functions with the most cumulative calls under the API request.

    .venv/bin/python bench/support/count_calls.py [--requests 100] [--top 0]
        [--postgres URL] [--redis URL]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--top", type=int, default=0)
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
        if args.top:
            api_stats.sort_stats("cumulative").print_stats(args.top)
    empty_redis(args.redis)
    return 0


if __name__ == "__main__":
    sys.exit(main())
