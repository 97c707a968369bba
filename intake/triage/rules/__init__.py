"""Pure triage rules for Harbor Intake: set the urgency of contact for one inquiry.

No Flask, no database: plain functions over the inquiry dict (API.md shape), so the web form,
the JSON API, the ``flask triage score`` command and the tests all score alike.

    from intake.triage.rules import score
    outcome = score({"message": "I need help", "language": "en"})
    outcome.priority            # Priority.P2
    outcome.as_dict()           # {"priority": "P2", "flags": [...], "ruleset": "..."}

The rules are described for clinicians in ``docs/triage.md``; the words they look for live in
``lexicons/*.json``.
"""

from __future__ import annotations

from .catalog import CATALOG, FlagSpec
from .engine import ENGINE_VERSION, RULESET_VERSION, evaluate, score, score_jsonl_line
from .model import Flag, Priority, TriageOutcome
from .normalise import MAX_SCAN_CHARS
from .screens import AsqScreen, AuditCScreen, Screen

__all__ = [
    "CATALOG",
    "ENGINE_VERSION",
    "MAX_SCAN_CHARS",
    "RULESET_VERSION",
    "AsqScreen",
    "AuditCScreen",
    "Flag",
    "FlagSpec",
    "Priority",
    "Screen",
    "TriageOutcome",
    "evaluate",
    "score",
    "score_jsonl_line",
]
