"""Value types returned by the triage rules: flags and the outcome (priorities are
:class:`intake.vocabulary.Priority`).

They are frozen dataclasses over a string enum so a result can be stored, compared and
re-rendered without any reference to the engine that produced it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from intake.vocabulary import Priority

__all__ = ["Flag", "Priority", "TriageOutcome"]


@dataclass(frozen=True, slots=True)
class Flag:
    """One reason a rule raised (or described) the priority.

    ``reason`` is plain English for staff; ``evidence`` quotes the words or the form answer
    that raised it, so staff can see why without re-reading the whole inquiry.
    """

    code: str
    reason: str
    evidence: str
    priority: Priority
    third_party: bool = False

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of the triage command (``third_party`` only when set)."""
        out: dict[str, Any] = {"code": self.code, "reason": self.reason, "evidence": self.evidence}
        if self.third_party:
            out["third_party"] = True
        return out


@dataclass(frozen=True, slots=True)
class TriageOutcome:
    """The result of scoring one inquiry with one rule-set version."""

    priority: Priority
    flags: tuple[Flag, ...]
    ruleset: str
    unknown: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape written by ``flask triage score`` (one object a line)."""
        return {
            "priority": self.priority.value,
            "flags": [f.as_dict() for f in self.flags],
            "ruleset": self.ruleset,
        }

    def has(self, code: str) -> bool:
        """Whether a flag with ``code`` was raised."""
        return any(f.code == code for f in self.flags)
