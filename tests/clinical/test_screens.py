"""PHQ-9 scoring behind the triage package's Screen protocol, and the assessment rules."""

from __future__ import annotations

from intake.clinical import rules
from intake.clinical.level_of_care import load_table
from intake.triage.rules import Screen
from intake.triage.rules.screens import Phq9Screen

PHQ9 = Phq9Screen()


def test_phq9_is_a_screen_and_scores_the_total_and_band() -> None:
    assert isinstance(PHQ9, Screen)
    answers = {"items": [2, 2, 2, 2, 2, 2, 2, 1, 0]}
    assert PHQ9.total(answers) == 15
    assert PHQ9.band(15) == "moderately_severe"
    assert PHQ9.evaluate(answers) == []


def test_phq9_item_9_positive_raises_the_safety_flag() -> None:
    flags = PHQ9.evaluate({"items": [0] * 8 + [1]})
    assert [f.code for f in flags] == ["phq9_item9_positive"]
    assert "item 9 = 1" in flags[0].evidence


def test_phq9_out_of_range_is_an_unknown_value_not_a_score() -> None:
    flags = PHQ9.evaluate({"items": [0, 0, 4, 0, 0, 0, 0, 0, 0]})
    assert [f.code for f in flags] == ["unknown_value"]
    assert PHQ9.total({"items": [0, 0, 4, 0, 0, 0, 0, 0, 0]}) is None


def test_assessment_rules_refuse_out_of_range_and_prompt_safety() -> None:
    table = load_table()
    raw = {"phq9": [0] * 8 + [2], "dimensions": {"biomedical": 7}}
    checked = rules.check_assessment(raw, table)
    assert ("biomedical", rules.OUT_OF_RANGE) in checked.problems
    ok = rules.check_assessment({"phq9": [0] * 8 + [2], "asq_result": "negative"}, table)
    assert ok.ok and ok.content["scores"]["phq9_item9_positive"]
    assert rules.needs_safety_assessment(ok.content)
    assert ("safety_outcome", rules.SAFETY_REQUIRED) in rules.sign_problems(ok.content)


def test_a_level_override_needs_a_reason() -> None:
    table = load_table()
    dims = {
        d: 0
        for d in (
            "intoxication_withdrawal",
            "biomedical",
            "emotional_behavioural_cognitive",
            "substance_use_risks",
            "recovery_environment",
            "person_centred",
        )
    }
    checked = rules.check_assessment({"dimensions": dims, "level_choice": "residential"}, table)
    assert ("level_reason", rules.OVERRIDE_REASON) in checked.problems
    fine = rules.check_assessment(
        {"dimensions": dims, "level_choice": "residential", "level_reason": "unsafe at home"}, table
    )
    assert fine.content["level"]["decision"] == "overridden"
    assert fine.content["level"]["suggested"] == "outpatient"
