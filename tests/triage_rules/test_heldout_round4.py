"""Held-out round 4 (heldout_round4.py) against the three judging criteria.

* every P0 inquiry scores P0;
* every P1 inquiry scores P0 or P1;
* at most one in ten routine (P2/P3) inquiries is raised to P0 or P1 - on this set and on all
  held-out sets combined.

Cases go through ``score_jsonl_line``, as the ``flask triage score`` command does. The misses are
printed (run with ``-s`` to see them on success too).
"""

from __future__ import annotations

import json
from typing import Any

from intake.triage.rules import score_jsonl_line

from . import heldout_cases, heldout_round3, heldout_round4

_URGENT = {"P0", "P1"}
MAX_FALSE_ALARM_RATE = 0.10

Row = tuple[str, str, str, dict[str, Any], list[str]]


def _results(cases: list[tuple[str, str, dict[str, Any]]]) -> list[Row]:
    out = []
    for case_id, expected, inquiry in cases:
        result = score_jsonl_line(json.dumps(inquiry, ensure_ascii=False))
        codes = [f"{f['code']}: {f['evidence']}" for f in result["flags"]]
        out.append((case_id, expected, result["priority"], inquiry, codes))
    return out


def _report(title: str, rows: list[Row]) -> str:
    lines = [f"{title}: {len(rows)}"]
    for case_id, expected, got, inquiry, codes in rows:
        lines.append(f"  {case_id} expected {expected} got {got}: {inquiry['message'][:110]!r}")
        lines.extend(f"      {c}" for c in codes)
    return "\n".join(lines)


def _check(results: list[Row]) -> tuple[str, bool]:
    p0 = [r for r in results if r[1] == "P0"]
    p1 = [r for r in results if r[1] == "P1"]
    routine = [r for r in results if r[1] in ("P2", "P3")]
    missed_p0 = [r for r in p0 if r[2] != "P0"]
    missed_p1 = [r for r in p1 if r[2] not in _URGENT]
    raised = [r for r in routine if r[2] in _URGENT]
    summary = (
        f"P0 -> P0: {len(p0) - len(missed_p0)}/{len(p0)}; "
        f"P1 -> P0/P1: {len(p1) - len(missed_p1)}/{len(p1)}; "
        f"routine raised to P0/P1: {len(raised)}/{len(routine)} "
        f"({len(raised) / max(1, len(routine)):.0%})"
    )
    report = "\n".join(
        [
            summary,
            _report("missed P0", missed_p0),
            _report("missed P1", missed_p1),
            _report("routine raised", raised),
        ]
    )
    ok = not missed_p0 and not missed_p1 and len(raised) <= MAX_FALSE_ALARM_RATE * len(routine)
    return report, ok


def test_round4_meets_the_judging_criteria() -> None:
    report, ok = _check(_results(heldout_round4.inquiries()))
    print(report)
    assert ok, report


def test_all_heldout_sets_combined_meet_the_judging_criteria() -> None:
    cases = heldout_cases.inquiries() + heldout_round3.inquiries() + heldout_round4.inquiries()
    report, ok = _check(_results(cases))
    print(report)
    assert ok, report


def test_round4_set_is_large_and_covers_every_language() -> None:
    cases = heldout_round4.inquiries()
    assert len(cases) >= 150
    assert len({case_id for case_id, _, _ in cases}) == len(cases)
    for lang in ("en", "es", "de", "fr", "it"):
        found = [expected for case_id, expected, _ in cases if case_id.startswith(lang)]
        assert len(found) >= 30, lang
        assert set(found) == {"P0", "P1", "P2", "P3"}, lang
