"""Structured screening instruments: the ASQ suicide screen and the AUDIT-C alcohol screen.

Each instrument sits behind the small ``Screen`` protocol so another one can be plugged in
without touching the engine; in particular a clinic that holds a licence for the electronic
C-SSRS can add a ``CssrsScreen`` with its own answer keys and its own flags.

Answers are read leniently (``"Yes"``, ``True``, ``"si"``, ``"ja"`` all mean yes) because the
same rules score the web form, the JSON API and lines fed to the command. Anything that cannot
be read is reported as an ``unknown_value`` flag and never raises.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Protocol, runtime_checkable

from .catalog import spec
from .model import Flag

YES: Final = "yes"
NO: Final = "no"
DECLINE: Final = "decline"

_ANSWER_WORDS: dict[str, str] = {
    **dict.fromkeys(("yes", "y", "true", "1", "si", "sí", "ja", "oui", "sì"), YES),
    **dict.fromkeys(("no", "n", "false", "0", "nein", "non"), NO),
    **dict.fromkeys(
        (
            "decline",
            "declined",
            "prefer_not_to_say",
            "prefer not to say",
            "prefer-not-to-say",
            "refuse",
            "refused",
            "not_say",
            "rather_not_say",
        ),
        DECLINE,
    ),
}


def read_answer(value: Any) -> str | None:
    """``yes``/``no``/``decline`` for a readable answer, ``None`` for anything else."""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, int) and value in (0, 1):
        return YES if value else NO
    if isinstance(value, str):
        return _ANSWER_WORDS.get(value.strip().lower())
    return None


def unknown(path: str, value: Any) -> Flag:
    """An ``unknown_value`` flag naming the field and (a short form of) the value."""
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return spec("unknown_value").flag(f"{path} = {shown}")


@runtime_checkable
class Screen(Protocol):
    """A screening instrument: reads its answers from one inquiry field, returns flags."""

    #: the inquiry field holding the answers (``"screen"`` for the ASQ)
    field: str

    def evaluate(self, answers: Mapping[str, Any]) -> list[Flag]:
        """Flags raised by ``answers``; an empty mapping means the screen was skipped."""
        ...


class AsqScreen:
    """NIMH Ask Suicide-Screening Questions (free to use).

    Four yes/no items, each with "prefer not to say", then the acuity item. Rules (TRIAGE.md):
    acuity yes -> P0; any item yes or declined -> at least P1; an attempt in the past 3 months
    -> P0; screen skipped -> ``unscreened``.
    """

    field = "screen"
    ITEMS: tuple[str, ...] = ("wish_dead", "better_off_dead", "thoughts_killing_self", "ever_tried")
    KNOWN: frozenset[str] = frozenset({*ITEMS, "thoughts_now", "tried_when"})
    WHEN_RECENT = "past_3_months"
    WHEN_VALUES = frozenset({"past_3_months", "longer"})

    def evaluate(self, answers: Mapping[str, Any]) -> list[Flag]:
        flags: list[Flag] = []
        answered: dict[str, str] = {}
        for key in (*self.ITEMS, "thoughts_now"):
            if key not in answers or answers[key] is None or answers[key] == "":
                continue
            value = read_answer(answers[key])
            if value is None:
                flags.append(unknown(f"screen.{key}", answers[key]))
                continue
            answered[key] = value
        for key in sorted(set(answers) - self.KNOWN, key=str):
            flags.append(unknown(f"screen.{key}", answers[key]))

        when_raw = answers.get("tried_when")
        when = when_raw.strip().lower() if isinstance(when_raw, str) else None
        if when_raw not in (None, "") and when not in self.WHEN_VALUES:
            flags.append(unknown("screen.tried_when", when_raw))
            when = None

        if not answered and not any(f.code == "unknown_value" for f in flags):
            return [spec("unscreened").flag("no screen answers")]
        if not answered:
            # Answers were sent but none could be read: staff must screen, as if skipped.
            flags.append(spec("unscreened").flag("no readable screen answers"))
            return flags

        if answered.get("thoughts_now") == YES:
            flags.append(spec("asq_acute_positive").flag("screen.thoughts_now = yes"))
        if answered.get("ever_tried") == YES and when == self.WHEN_RECENT:
            flags.append(
                spec("asq_recent_attempt").flag(
                    "screen.ever_tried = yes, tried_when = past_3_months"
                )
            )
        positive = [f"screen.{k} = {v}" for k, v in answered.items() if v in (YES, DECLINE)]
        if positive:
            flags.append(spec("asq_non_acute_positive").flag("; ".join(positive)))
        return flags


class AuditCScreen:
    """AUDIT-C: three alcohol items scored 0-4 (total 0-12).

    Positive at 4 or more for men and 3 or more for women; when sex is not given the lower
    cut-off is used, so a missing answer never hides a positive screen. Accepts
    ``{"q1": 0-4, "q2": 0-4, "q3": 0-4, "sex": "male"|"female"}`` or ``{"items": [a, b, c]}``.
    """

    field = "audit_c"
    KEYS: tuple[str, ...] = ("q1", "q2", "q3")
    MALE = frozenset({"male", "m", "man", "hombre", "mann", "homme", "uomo"})
    FEMALE = frozenset({"female", "f", "woman", "mujer", "frau", "femme", "donna"})

    def evaluate(self, answers: Mapping[str, Any]) -> list[Flag]:
        if not answers:
            return []
        flags: list[Flag] = []
        raw_items: list[tuple[str, Any]]
        items = answers.get("items")
        if isinstance(items, list | tuple):
            raw_items = [(f"audit_c.items[{i}]", v) for i, v in enumerate(items[:3])]
        else:
            raw_items = [(f"audit_c.{k}", answers.get(k)) for k in self.KEYS if k in answers]
        scores: list[int] = []
        for path, value in raw_items:
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                flags.append(unknown(path, value))
                continue
            try:
                number = float(value)
            except ValueError:
                flags.append(unknown(path, value))
                continue
            if not 0 <= number <= 4 or number != int(number):
                flags.append(unknown(path, value))
                continue
            scores.append(int(number))
        sex_raw = answers.get("sex")
        sex = sex_raw.strip().lower() if isinstance(sex_raw, str) else None
        if sex_raw is not None and sex not in self.MALE | self.FEMALE:
            flags.append(unknown("audit_c.sex", sex_raw))
        cut_off = 4 if sex in self.MALE else 3
        total = sum(scores)
        if total >= cut_off:
            flags.append(
                spec("audit_c_positive").flag(f"AUDIT-C total {total} (cut-off {cut_off})")
            )
        return flags


class Phq9Screen:
    """PHQ-9 scoring (nine items scored 0-3, total 0-27), asked at clinical assessment.

    Only the scoring lives here, never the instrument's wording. Item 9 scored 1 or more raises
    ``phq9_item9_positive``: the clinician does the brief suicide safety assessment now
    (TRIAGE.md). Accepts ``{"items": [nine scores]}`` or ``{"item1": ..., "item9": ...}``; a
    score that is missing, not a whole number or out of range is an ``unknown_value`` flag.
    """

    field = "phq9"
    ITEMS = 9
    MAX_ITEM = 3
    SUICIDE_ITEM = 9
    #: Severity bands of the total, by their lower bound (the instrument's published scoring).
    BANDS: tuple[tuple[int, str], ...] = (
        (20, "severe"),
        (15, "moderately_severe"),
        (10, "moderate"),
        (5, "mild"),
        (0, "minimal"),
    )

    def scores(self, answers: Mapping[str, Any]) -> tuple[list[int | None], list[Flag]]:
        """The nine item scores (None where unreadable) and a flag for each unreadable one."""
        items = answers.get("items")
        raw: list[tuple[str, Any]]
        if isinstance(items, list | tuple):
            raw = [(f"phq9.items[{i}]", items[i] if i < len(items) else None) for i in range(9)]
        else:
            raw = [(f"phq9.item{i}", answers.get(f"item{i}")) for i in range(1, 10)]
        scores: list[int | None] = []
        flags: list[Flag] = []
        for path, value in raw:
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or not 0 <= value <= self.MAX_ITEM
            ):
                scores.append(None)
                flags.append(unknown(path, value))
                continue
            scores.append(value)
        return scores, flags

    def total(self, answers: Mapping[str, Any]) -> int | None:
        """The total 0-27, or None when any item is unreadable (a partial total misleads)."""
        scores, _flags = self.scores(answers)
        if any(score is None for score in scores):
            return None
        return sum(score for score in scores if score is not None)

    def band(self, total: int) -> str:
        """The severity band code of a total."""
        return next(name for bound, name in self.BANDS if total >= bound)

    def evaluate(self, answers: Mapping[str, Any]) -> list[Flag]:
        if not answers:
            return []
        scores, flags = self.scores(answers)
        item9 = scores[self.SUICIDE_ITEM - 1]
        if item9 is not None and item9 >= 1:
            flags.append(spec("phq9_item9_positive").flag(f"PHQ-9 item 9 = {item9}"))
        return flags


#: The instruments the engine runs, in order. Replace or extend this tuple to plug in another.
DEFAULT_SCREENS: tuple[Screen, ...] = (AsqScreen(), AuditCScreen())
