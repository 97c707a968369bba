"""The labelled examples shared with the rest of the team must all come out as labelled."""

from __future__ import annotations

import json
from typing import Any

import pytest

from intake.triage.rules import Priority, score, score_jsonl_line
from tests.data import TRIAGE_EXAMPLES as EXAMPLES


def _load() -> list[dict[str, Any]]:
    if not EXAMPLES.is_file():
        return []
    return [json.loads(line) for line in EXAMPLES.read_text("utf-8").splitlines() if line.strip()]


_EXAMPLES = _load()
pytestmark = pytest.mark.skipif(
    not _EXAMPLES, reason=f"shared examples file not found at {EXAMPLES}"
)


@pytest.mark.parametrize("example", _EXAMPLES, ids=[e["case"] for e in _EXAMPLES])
def test_example_priority(example: dict[str, Any]) -> None:
    outcome = score(example["inquiry"])
    assert outcome.priority == Priority(example["expect"]), outcome.as_dict()


@pytest.mark.parametrize("example", _EXAMPLES, ids=[e["case"] for e in _EXAMPLES])
def test_example_through_the_command_line_shape(example: dict[str, Any]) -> None:
    result = score_jsonl_line(json.dumps(example["inquiry"]))
    assert result["priority"] == example["expect"]
    assert set(result) == {"priority", "flags", "ruleset"}
    for flag in result["flags"]:
        assert {"code", "reason", "evidence"} <= set(flag)


def test_examples_file_has_every_priority() -> None:
    assert {e["expect"] for e in _EXAMPLES} == {"P0", "P1", "P2", "P3"}


def test_text_flags_quote_the_original_words() -> None:
    by_case = {e["case"]: e for e in _EXAMPLES}
    outcome = score(by_case["es-pastillas"]["inquiry"])
    evidence = " ".join(f.evidence for f in outcome.flags)
    assert "no responde" in evidence
    assert all(
        f.third_party for f in outcome.flags if f.code in {"breathing", "attempt_in_progress"}
    )
