"""Value types returned by the triage rules: priorities, flags and the outcome.

They are frozen dataclasses and a string enum so a result can be stored, compared and
re-rendered without any reference to the engine that produced it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Priority(StrEnum):
    """Urgency of contact.

    The values sort as strings, so ``"P0" < "P1"``: ``min()`` of several priorities is the
    most urgent one and ``sorted()`` lists the most urgent first.
    """

    P0 = "P0"  # imminent: danger now
    P1 = "P1"  # urgent: same-day clinician
    P2 = "P2"  # routine: a person asking for help
    P3 = "P3"  # information only

    @property
    def is_urgent(self) -> bool:
        """True for P0 and P1, the priorities that alert the on-call person."""
        return self in (Priority.P0, Priority.P1)

    @classmethod
    def most_urgent(cls, *priorities: Priority) -> Priority:
        """The most urgent of ``priorities`` (P3 when none is given)."""
        return min(priorities, default=cls.P3)


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
