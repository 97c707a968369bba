"""Held-out evaluation (heldout_cases.py) against the three judging criteria.

* every P0 inquiry scores P0 (danger now is never missed);
* every P1 inquiry scores P0 or P1;
* at most one in ten routine (P2/P3) inquiries is raised to P0 or P1.

Cases go through ``score_jsonl_line``, as the ``flask triage score`` command does. The misses
are printed (run with ``-s`` to see them on success too).
"""

from __future__ import annotations

import json
from typing import Any

from intake.triage.rules import score_jsonl_line

from .heldout_cases import inquiries

_URGENT = {"P0", "P1"}
MAX_FALSE_ALARM_RATE = 0.10


def _results() -> list[tuple[str, str, str, dict[str, Any], list[str]]]:
    out = []
    for case_id, expected, inquiry in inquiries():
        result = score_jsonl_line(json.dumps(inquiry, ensure_ascii=False))
        codes = [f"{f['code']}: {f['evidence']}" for f in result["flags"]]
        out.append((case_id, expected, result["priority"], inquiry, codes))
    return out


def _report(title: str, rows: list[tuple[str, str, str, dict[str, Any], list[str]]]) -> str:
    lines = [f"{title}: {len(rows)}"]
    for case_id, expected, got, inquiry, codes in rows:
        lines.append(f"  {case_id} expected {expected} got {got}: {inquiry['message'][:100]!r}")
        lines.extend(f"      {c}" for c in codes)
    return "\n".join(lines)


def test_heldout_meets_the_judging_criteria() -> None:
    results = _results()
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
    print(report)
    assert not missed_p0, report
    assert not missed_p1, report
    assert len(raised) <= MAX_FALSE_ALARM_RATE * len(routine), report


def test_heldout_set_is_large_and_covers_every_language() -> None:
    cases = inquiries()
    assert len(cases) >= 200
    for lang in ("en", "es", "de", "fr", "it"):
        found = {expected for case_id, expected, _ in cases if case_id.startswith(lang)}
        assert found == {"P0", "P1", "P2", "P3"}, lang
