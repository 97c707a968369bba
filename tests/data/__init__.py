"""Test data. The triage examples come from shared/ when it sits beside the repository (the
team's current copy); otherwise from the copy kept here, so the examples always run."""

from pathlib import Path

_HERE = Path(__file__).resolve().parent
_SHARED = _HERE.parents[2] / "shared" / "triage-examples.jsonl"
TRIAGE_EXAMPLES = _SHARED if _SHARED.exists() else _HERE / "triage-examples.jsonl"
