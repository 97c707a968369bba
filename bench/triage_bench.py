"""Benchmark the triage rules on a realistic mixed batch of inquiries.

Run from the repository root:

    .venv/bin/python bench/triage_bench.py [--repeat 20]

The batch is the shared labelled examples and the hand-written test sentences (short, as most
inquiries are) plus a few long messages (2,000, 5,000 and 20,000 characters). Each line is
timed through ``score_jsonl_line`` (parse + score, what the command does) and, side by side in
the same run, through ``json.loads`` alone as a trivial baseline, so the ratio is comparable
across machines. No threshold is enforced here or in the tests: timings vary by machine.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

EXAMPLES = ROOT.parent / "shared" / "triage-examples.jsonl"

_FILLER = (
    "Hello, I am writing on behalf of my family because we have been struggling for a long "
    "time with my husband's drinking and we do not know where to turn. He works long hours, "
    "comes home late and the children are worried about him. We tried counselling last year "
    "but it did not last. "
)


def build_batch(repeat: int) -> list[str]:
    """JSON lines: short realistic inquiries repeated, plus a few long ones."""
    short: list[dict[str, Any]] = []
    if EXAMPLES.is_file():
        for line in EXAMPLES.read_text("utf-8").splitlines():
            if line.strip():
                short.append(json.loads(line)["inquiry"])
    try:
        from triage_rules.cases import ALL

        for cases in ALL.values():
            short.extend({"message": text, "language": "en"} for text, _ in cases)
    except ImportError:  # the tests are not shipped with the package
        pass
    long_msgs = [
        {"message": (_FILLER * 200)[:n] + " I have been thinking about suicide."}
        for n in (2_000, 5_000, 20_000)
    ]
    lines = [json.dumps(i, ensure_ascii=False) for i in short] * repeat
    lines += [json.dumps(i) for i in long_msgs] * max(1, repeat // 4)
    random.Random(7).shuffle(lines)
    return lines


def time_each(func: Callable[[str], Any], lines: list[str]) -> list[float]:
    """Seconds per call, one measurement per line."""
    out = []
    clock = time.perf_counter
    for line in lines:
        start = clock()
        func(line)
        out.append(clock() - start)
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="copies of the short batch")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    from intake.triage.rules import RULESET_VERSION, score_jsonl_line

    import_s = time.perf_counter() - started
    lines = build_batch(args.repeat)
    for line in lines[:50]:  # warm up caches
        score_jsonl_line(line)

    rules = time_each(score_jsonl_line, lines)
    base = time_each(json.loads, lines)

    long_lines = [line for line in lines if len(line) > 1_500]
    long_rules = time_each(score_jsonl_line, long_lines)

    ms = 1_000.0
    print(f"ruleset           {RULESET_VERSION}")
    print(f"import + compile  {import_s * ms:8.1f} ms (once per process)")
    print(f"inquiries         {len(lines)} ({len(long_lines)} of 2k-20k characters)")
    print(f"{'(ms per inquiry)':18}{'median':>10}{'p99':>10}{'max':>10}")
    for label, values in (
        ("score_jsonl_line", rules),
        ("json.loads", base),
        ("long only", long_rules),
    ):
        print(
            f"{label:18}{statistics.median(values) * ms:10.3f}{pct(values, 0.99) * ms:10.3f}"
            f"{max(values) * ms:10.3f}"
        )
    ratio_median = statistics.median(rules) / statistics.median(base)
    ratio_p99 = pct(rules, 0.99) / pct(base, 0.99)
    print(f"ratio vs json.loads: median {ratio_median:.0f}x, p99 {ratio_p99:.0f}x")
    print(f"throughput: {len(lines) / sum(rules):.0f} inquiries/s on one core")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
