"""Rules of the structured assessment: what a well-formed assessment holds, its scores, the
safety prompt, the level-of-care suggestion and what must be there before it may be signed.

Pure: no Flask, no database. Problems are ``(field, code)`` pairs; the words for the codes live
in :mod:`intake.clinical.labels`. Scores go through the triage package's ``Screen`` instruments
(PHQ-9 and AUDIT-C), so a clinic licensed for other instruments plugs them in the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from intake.clinical.level_of_care import LevelTable, RatingError, check_rating, suggest
from intake.triage.rules.screens import AuditCScreen, Phq9Screen
from intake.vocabulary import (
    AUDIT_C_SEX,
    SUBSTANCES,
    AsqResult,
    AssessmentDimension,
    CareLevel,
    LevelDecision,
    SafetyOutcome,
    UseRoute,
)

TEXT_MAX = 200
SUMMARY_MAX = 5000
REASON_MAX = 2000
SUBSTANCE_ROWS = 4

PHQ9 = Phq9Screen()
AUDIT_C = AuditCScreen()

# Problem codes (labels.PROBLEM_MESSAGES has the words).
OUT_OF_RANGE = "out_of_range"
UNKNOWN_CODE = "unknown_code"
TOO_LONG = "too_long"
INCOMPLETE = "incomplete"
REQUIRED = "required"
SAFETY_REQUIRED = "safety_assessment_required"
OVERRIDE_REASON = "override_reason_required"


@dataclass
class Checked:
    """An assessment's content as it will be stored, and what is wrong with it."""

    content: dict[str, Any]
    problems: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _text(value: Any, name: str, limit: int, problems: list[tuple[str, str]]) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > limit:
        problems.append((name, TOO_LONG))
        return text[:limit]
    return text


def _code(value: Any, codes: tuple[str, ...], name: str, problems: list[tuple[str, str]]) -> str:
    if value in (None, ""):
        return ""
    if value not in codes:
        problems.append((name, UNKNOWN_CODE))
        return ""
    return str(value)


def _scores(
    values: Any, count: int, top: int, name: str, problems: list[tuple[str, str]]
) -> list[int | None]:
    raw = list(values) if isinstance(values, list | tuple) else []
    raw = (raw + [None] * count)[:count]
    scores: list[int | None] = []
    for index, value in enumerate(raw, start=1):
        if value is None or value == "":
            scores.append(None)
        elif isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
            problems.append((f"{name}_{index}", OUT_OF_RANGE))
            scores.append(None)
        else:
            scores.append(value)
    if any(s is None for s in scores) and any(s is not None for s in scores):
        problems.append((name, INCOMPLETE))
    return scores


def check_assessment(raw: Mapping[str, Any], table: LevelTable) -> Checked:
    """Check and normalise an assessment as entered; compute its scores and the suggestion.

    A draft may leave parts empty; anything entered must be in range and from the vocabulary.
    """
    problems: list[tuple[str, str]] = []
    substances = []
    for index, row in enumerate(raw.get("substances") or [], start=1):
        if not isinstance(row, Mapping):
            continue
        substance = _code(row.get("substance"), SUBSTANCES, f"substance_{index}", problems)
        if not substance:
            continue
        substances.append(
            {
                "substance": substance,
                "dose": _text(row.get("dose"), f"dose_{index}", TEXT_MAX, problems),
                "duration": _text(row.get("duration"), f"duration_{index}", TEXT_MAX, problems),
                "route": _code(row.get("route"), UseRoute.codes(), f"route_{index}", problems),
                "stop_attempts": _text(
                    row.get("stop_attempts"), f"stop_attempts_{index}", TEXT_MAX, problems
                ),
            }
        )
    dimensions: dict[str, int | None] = {}
    for dimension in AssessmentDimension:
        value = raw.get("dimensions", {}).get(dimension.value)
        if value is None or value == "":
            dimensions[dimension.value] = None
            continue
        try:
            dimensions[dimension.value] = check_rating(dimension.value, value)
        except RatingError:
            problems.append((dimension.value, OUT_OF_RANGE))
            dimensions[dimension.value] = None
    content: dict[str, Any] = {
        "substances": substances,
        "withdrawal_seizure": bool(raw.get("withdrawal_seizure")),
        "withdrawal_delirium": bool(raw.get("withdrawal_delirium")),
        "asq_result": _code(raw.get("asq_result"), AsqResult.codes(), "asq_result", problems),
        "safety_outcome": _code(
            raw.get("safety_outcome"), SafetyOutcome.codes(), "safety_outcome", problems
        ),
        "phq9": _scores(raw.get("phq9"), PHQ9.ITEMS, PHQ9.MAX_ITEM, "phq9", problems),
        "audit_c": _scores(raw.get("audit_c"), 3, 4, "audit_c", problems),
        "audit_c_sex": _code(raw.get("audit_c_sex"), AUDIT_C_SEX, "audit_c_sex", problems),
        "dimensions": dimensions,
        "summary": _text(raw.get("summary"), "summary", SUMMARY_MAX, problems),
        "level": {},
    }
    scores = derived(content)
    content["scores"] = scores
    level_choice = raw.get("level_choice") or ""
    reason = _text(raw.get("level_reason"), "level_reason", REASON_MAX, problems)
    if all(v is not None for v in dimensions.values()):
        suggestion = suggest(dimensions, table)
        chosen = suggestion.level.value
        if level_choice and level_choice not in {lvl.value for lvl in table.levels}:
            problems.append(("level_choice", UNKNOWN_CODE))
        elif level_choice:
            chosen = level_choice
        decision = (
            LevelDecision.CONFIRMED if chosen == suggestion.level else LevelDecision.OVERRIDDEN
        )
        if decision is LevelDecision.OVERRIDDEN and not reason:
            problems.append(("level_reason", OVERRIDE_REASON))
        content["level"] = {
            "suggested": suggestion.level.value,
            "drivers": [d.value for d in suggestion.drivers],
            "per_dimension": {d.value: lvl.value for d, lvl in suggestion.per_dimension.items()},
            "chosen": chosen,
            "decision": decision.value,
            "reason": reason if decision is LevelDecision.OVERRIDDEN else "",
            "programmes": [p.value for p in table.programmes.get(CareLevel(chosen), ())],
        }
    return Checked(content, problems)


def derived(content: Mapping[str, Any]) -> dict[str, Any]:
    """Totals and flags computed from the entered scores (None where a screen is not done)."""
    phq9 = content.get("phq9") or []
    audit_c = content.get("audit_c") or []
    result: dict[str, Any] = {
        "phq9_total": None,
        "phq9_band": None,
        "phq9_item9_positive": False,
        "audit_c_total": None,
        "audit_c_positive": None,
    }
    if phq9 and all(s is not None for s in phq9):
        answers = {"items": list(phq9)}
        total = PHQ9.total(answers)
        result["phq9_total"] = total
        result["phq9_band"] = PHQ9.band(total) if total is not None else None
    if len(phq9) >= PHQ9.SUICIDE_ITEM and phq9[PHQ9.SUICIDE_ITEM - 1] is not None:
        item9 = {f"item{i}": 0 for i in range(1, 10)} | {"item9": phq9[PHQ9.SUICIDE_ITEM - 1]}
        result["phq9_item9_positive"] = any(
            f.code == "phq9_item9_positive" for f in PHQ9.evaluate(item9)
        )
    if audit_c and all(s is not None for s in audit_c):
        answers_c: dict[str, Any] = {"items": list(audit_c)}
        if content.get("audit_c_sex"):
            answers_c["sex"] = content["audit_c_sex"]
        result["audit_c_total"] = sum(s for s in audit_c if s is not None)
        result["audit_c_positive"] = any(
            f.code == "audit_c_positive" for f in AUDIT_C.evaluate(answers_c)
        )
    return result


def needs_safety_assessment(content: Mapping[str, Any]) -> bool:
    """Whether the brief suicide safety assessment is due: PHQ-9 item 9 scored 1 or more, or a
    positive ASQ (TRIAGE.md)."""
    scores = content.get("scores") or derived(content)
    return bool(scores.get("phq9_item9_positive")) or content.get("asq_result") in (
        AsqResult.NON_ACUTE_POSITIVE,
        AsqResult.ACUTE_POSITIVE,
    )


def sign_problems(content: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What must be there before an assessment may be signed (empty when it may)."""
    problems: list[tuple[str, str]] = []
    for dimension in AssessmentDimension:
        if (content.get("dimensions") or {}).get(dimension.value) is None:
            problems.append((dimension.value, REQUIRED))
    if not content.get("asq_result"):
        problems.append(("asq_result", REQUIRED))
    if needs_safety_assessment(content) and content.get("safety_outcome") in (
        "",
        None,
        SafetyOutcome.NOT_NEEDED,
    ):
        problems.append(("safety_outcome", SAFETY_REQUIRED))
    for screen in ("phq9", "audit_c"):
        scores = content.get(screen) or []
        if any(s is None for s in scores) and any(s is not None for s in scores):
            problems.append((screen, INCOMPLETE))
    level = content.get("level") or {}
    if level.get("decision") == LevelDecision.OVERRIDDEN and not level.get("reason"):
        problems.append(("level_reason", OVERRIDE_REASON))
    return problems
