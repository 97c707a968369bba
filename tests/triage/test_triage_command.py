"""``flask --app wsgi triage score`` follows the contract in docs/api.md: JSON Lines in, one
result per line out, in order, errors on their own line, and no database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
from tests.data import TRIAGE_EXAMPLES as EXAMPLES  # noqa: E402


def _run(stdin: str, tmp_path: Path) -> list[dict[str, object]]:
    env = {
        **os.environ,
        "HARBOR_ENV": "development",
        "INSTANCE_PATH": str(tmp_path),
        # Unreachable on purpose: the command must not need a database.
        "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
    }
    completed = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "triage", "score"],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=120,
        check=True,
    )
    return [json.loads(line) for line in completed.stdout.splitlines()]


def test_examples_score_in_order_with_the_expected_priority(tmp_path: Path) -> None:
    if not EXAMPLES.exists():
        pytest.skip("shared/triage-examples.jsonl is not beside the repository")
    cases = [json.loads(line) for line in EXAMPLES.read_text().splitlines() if line.strip()]
    stdin = "\n".join(json.dumps(case["inquiry"]) for case in cases) + "\n"
    results = _run(stdin, tmp_path)
    assert len(results) == len(cases)
    for case, result in zip(cases, results, strict=True):
        assert result["priority"] == case["expect"], case["case"]
        assert isinstance(result["ruleset"], str) and result["ruleset"]
        for flag in result["flags"]:  # type: ignore[attr-defined]
            assert {"code", "reason", "evidence"} <= set(flag)
    assert not (tmp_path / "intake.sqlite").exists()


def test_a_bad_line_gives_an_error_line_and_the_command_goes_on(tmp_path: Path) -> None:
    stdin = '{"message": "help"}\nnot json at all\n[1, 2]\n{"message": "I need help"}\n'
    results = _run(stdin, tmp_path)
    assert len(results) == 4
    assert "priority" in results[0]
    assert set(results[1]) == {"error"}
    assert set(results[2]) == {"error"}
    assert results[3]["priority"] == "P2"
