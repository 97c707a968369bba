"""The short aftercare monitor: the one-minute check-in as a triage ``Screen``.

It reads the check-in's answers from the ``aftercare`` field of what is scored and raises flags
the triage engine combines with the free text's, exactly as it does the ASQ's. A clinic that
holds the right to a validated instrument (the Brief Addiction Monitor, BARC-10) adds another
``Screen`` with its own answer keys beside or instead of this one
(:data:`CHECKIN_SCREENS`). Pure: no Flask, no database.

Why these priorities: use after discharge is the moment of overdose risk (tolerance is lost),
so it is P1, a clinician the same day, and pages on call; strong cravings, a risky situation
coming up or a very low day are P2, the routine queue with the owner's attention.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from intake.triage.rules import FlagSpec, Priority, Screen
from intake.triage.rules.model import Flag
from intake.triage.rules.screens import YES, read_answer, unknown

FIELD = "aftercare"

USE = FlagSpec("aftercare_use", Priority.P1, "Check-in: reported use since the last check-in.")
CRAVINGS = FlagSpec("aftercare_cravings", Priority.P2, "Check-in: strong cravings (3 or 4 of 4).")
RISKY = FlagSpec(
    "aftercare_risky_situation", Priority.P2, "Check-in: a risky situation is coming up."
)
LOW = FlagSpec("aftercare_low_day", Priority.P2, "Check-in: doing very badly (1 of 5).")
MONITOR_FLAGS = (USE, CRAVINGS, RISKY, LOW)


def _scale(answers: Mapping[str, Any], key: str, low: int, high: int) -> tuple[int | None, bool]:
    """An integer answer in ``[low, high]``, or None; the flag says it could not be read."""
    value = answers.get(key)
    if value is None or value == "":
        return None, False
    if isinstance(value, bool):
        return None, True
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None, True
    if not low <= number <= high:
        return None, True
    return number, False


class AftercareMonitor:
    """How are you (1-5), use since last time, cravings (0-4), a risky situation coming up."""

    field = FIELD
    KNOWN = frozenset({"wellbeing", "use", "cravings", "sleep", "mood", "risky", "support", "call"})

    def evaluate(self, answers: Mapping[str, Any]) -> list[Flag]:
        if not answers:
            return []
        flags: list[Flag] = []
        wellbeing, bad = _scale(answers, "wellbeing", 1, 5)
        if bad:
            flags.append(unknown("aftercare.wellbeing", answers.get("wellbeing")))
        cravings, bad = _scale(answers, "cravings", 0, 4)
        if bad:
            flags.append(unknown("aftercare.cravings", answers.get("cravings")))
        if read_answer(answers.get("use")) == YES:
            flags.append(USE.flag("aftercare.use = yes"))
        if cravings is not None and cravings >= 3:
            flags.append(CRAVINGS.flag(f"aftercare.cravings = {cravings}"))
        if read_answer(answers.get("risky")) == YES:
            flags.append(RISKY.flag("aftercare.risky = yes"))
        if wellbeing == 1:
            flags.append(LOW.flag("aftercare.wellbeing = 1"))
        return flags


MONITOR = AftercareMonitor()
# The instruments a check-in is scored with (the suicide screen is not asked in a check-in, so
# its "unscreened" flag would say nothing new).
CHECKIN_SCREENS: tuple[Screen, ...] = (MONITOR,)
MONITOR_CODES = frozenset(spec.code for spec in MONITOR_FLAGS)
