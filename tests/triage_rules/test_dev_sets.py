"""The development sets: routine look-alikes and their danger twins (engine 1.22.0).

A helper who had not read the lexicons wrote them (``dev/*.jsonl``) to find what raises routine
inquiries; the rules were then fixed by concept, in the open. They are no measure of first
sight (the blind rounds are, ``test_heldout.py``), but they hold the judging criteria: every
P0 is P0, every P1 at least P1, at most one routine inquiry in ten raised.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.triage_rules.test_heldout import _check

DEV = Path(__file__).with_name("dev")
SETS = sorted(DEV.glob("*.jsonl"))


def _cases(path: Path) -> list[tuple[str, str, dict[str, object]]]:
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return [(row["id"], row["expected"], row["inquiry"]) for row in rows]


@pytest.mark.parametrize("path", SETS, ids=[p.stem for p in SETS])
def test_dev_set_meets_the_judging_criteria(path: Path) -> None:
    report, ok = _check(_cases(path))
    print(report)
    assert ok, report


def test_there_is_a_dev_set() -> None:
    assert len(SETS) >= 1
    assert all(len(_cases(p)) >= 100 for p in SETS)
