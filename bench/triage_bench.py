"""Benchmark the triage rules on a realistic mixed batch of inquiries.

Run from the repository root:

    .venv/bin/python bench/triage_bench.py [--repeat 20]

The batch is the shared labelled examples and the hand-written test sentences (short, as most
inquiries are) plus a few long messages (2,000, 5,000 and 20,000 characters). Each line is
timed through ``score_jsonl_line`` (parse + score, what the command does) and, side by side on
the same line in the same run, through ``json.loads`` alone as a trivial baseline, so the
ratio is comparable across machines. The long messages are then timed on their own, per size:
a repeated family letter ending in a risk sentence, and varied texts made of many different
inquiries. No threshold is enforced here or in the tests: timings vary by machine.
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


LONG_SIZES = (2_000, 5_000, 20_000)


def _short_inquiries() -> list[dict[str, Any]]:
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
    return short


def long_messages() -> dict[str, list[str]]:
    """JSON lines of long messages by label: a repeated family letter ending in a risk
    sentence, and a varied text made of many different inquiries (danger, negations,
    idioms and drug names all through it), at each of LONG_SIZES characters."""
    rnd = random.Random(11)
    sentences = [i["message"] for i in _short_inquiries() if isinstance(i.get("message"), str)]
    out: dict[str, list[str]] = {}
    for n in LONG_SIZES:
        letter = (_FILLER * 200)[:n] + " I have been thinking about suicide."
        varied = [" ".join(rnd.choices(sentences or [_FILLER], k=n // 20))[:n] for _ in range(4)]
        out[f"{n:,} chars"] = [json.dumps({"message": m}) for m in [letter, *varied]]
    return out


def build_batch(repeat: int) -> list[str]:
    """JSON lines: short realistic inquiries repeated, plus a few long ones."""
    lines = [json.dumps(i, ensure_ascii=False) for i in _short_inquiries()] * repeat
    for group in long_messages().values():
        lines += group[:1] * max(1, repeat // 4)
    random.Random(7).shuffle(lines)
    return lines


def time_pair(
    func: Callable[[str], Any], base: Callable[[str], Any], lines: list[str]
) -> tuple[list[float], list[float]]:
    """Seconds per call of ``func`` and of ``base`` on each line, measured side by side."""
    out: list[float] = []
    out_base: list[float] = []
    clock = time.perf_counter
    for line in lines:
        start = clock()
        base(line)
        middle = clock()
        func(line)
        out.append(clock() - middle)
        out_base.append(middle - start)
    return out, out_base


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

    rules, base = time_pair(score_jsonl_line, json.loads, lines)
    ms = 1_000.0
    long_lines = [line for line in lines if len(line) > 1_500]
    print(f"ruleset           {RULESET_VERSION}")
    print(f"import + compile  {import_s * ms:8.1f} ms (once per process)")
    print(f"inquiries         {len(lines)} ({len(long_lines)} of 2k-20k characters)")
    print(f"{'(ms per inquiry)':22}{'median':>10}{'p99':>10}{'max':>10}")
    for label, values in (("score_jsonl_line", rules), ("json.loads", base)):
        print(
            f"{label:22}{statistics.median(values) * ms:10.3f}{pct(values, 0.99) * ms:10.3f}"
            f"{max(values) * ms:10.3f}"
        )
    ratio_median = statistics.median(rules) / statistics.median(base)
    ratio_p99 = pct(rules, 0.99) / pct(base, 0.99)
    print(f"ratio vs json.loads: median {ratio_median:.0f}x, p99 {ratio_p99:.0f}x")
    print(f"throughput: {len(lines) / sum(rules):.0f} inquiries/s on one core")

    # Long messages on their own: each timed several times, side by side with json.loads.
    rounds = max(5, args.repeat)
    print(f"\nlong messages ({rounds} rounds each; the form allows 5,000 characters)")
    print(
        f"{'(ms per inquiry)':22}{'median':>10}{'p99':>10}{'max':>10}{'json.loads':>12}{'ratio':>8}"
    )
    for label, group in long_messages().items():
        long_rules, long_base = time_pair(score_jsonl_line, json.loads, group * rounds)
        median_rules = statistics.median(long_rules)
        median_base = statistics.median(long_base)
        print(
            f"{label:22}{median_rules * ms:10.3f}{pct(long_rules, 0.99) * ms:10.3f}"
            f"{max(long_rules) * ms:10.3f}{median_base * ms:12.4f}"
            f"{median_rules / median_base:7.0f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
