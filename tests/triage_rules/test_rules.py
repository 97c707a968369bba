"""Rules on structured answers, the outcome's shape, and robustness against odd input."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake.triage.rules import (
    CATALOG,
    MAX_SCAN_CHARS,
    RULESET_VERSION,
    AsqScreen,
    AuditCScreen,
    Flag,
    Priority,
    Screen,
    TriageOutcome,
    score,
    score_jsonl_line,
)

PACKAGE = Path(__file__).resolve().parents[2] / "intake" / "triage" / "rules"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "triage.md"

NO = {"wish_dead": "no", "better_off_dead": "no", "thoughts_killing_self": "no", "ever_tried": "no"}


def codes(inquiry: Mapping[str, Any]) -> set[str]:
    return {f.code for f in score(inquiry).flags}


# -- priorities -----------------------------------------------------------------------------


def test_priority_order_most_urgent_first() -> None:
    assert sorted([Priority.P3, Priority.P0, Priority.P2, Priority.P1]) == [
        Priority.P0,
        Priority.P1,
        Priority.P2,
        Priority.P3,
    ]
    assert Priority.most_urgent(Priority.P2, Priority.P1) is Priority.P1
    assert Priority.P0.is_urgent and not Priority.P2.is_urgent
    assert Priority("P0") is Priority.P0


# -- ASQ screen -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "priority", "code"),
    [
        ({**NO, "wish_dead": "yes", "thoughts_now": "yes"}, "P0", "asq_acute_positive"),
        ({**NO, "ever_tried": "yes", "tried_when": "past_3_months"}, "P0", "asq_recent_attempt"),
        ({**NO, "ever_tried": "yes", "tried_when": "longer"}, "P1", "asq_non_acute_positive"),
        ({**NO, "better_off_dead": "decline"}, "P1", "asq_non_acute_positive"),
        (
            {**NO, "thoughts_killing_self": "yes", "thoughts_now": "no"},
            "P1",
            "asq_non_acute_positive",
        ),
        ({**NO, "wish_dead": "yes", "thoughts_now": "decline"}, "P1", "asq_non_acute_positive"),
        ({**NO, "thoughts_now": "no"}, "P2", None),
        ({"wish_dead": True}, "P1", "asq_non_acute_positive"),  # lenient: booleans
        ({"wish_dead": "Yes"}, "P1", "asq_non_acute_positive"),  # lenient: capitals
    ],
)
def test_asq(answers: dict[str, Any], priority: str, code: str | None) -> None:
    outcome = score({"message": "I need help", "screen": answers})
    assert outcome.priority == Priority(priority)
    if code:
        assert outcome.has(code)
    assert not outcome.has("unscreened")


@pytest.mark.parametrize("screen", [None, {}, "not an object"])
def test_screen_skipped_is_unscreened_and_still_routine(screen: Any) -> None:
    inquiry: dict[str, Any] = {"message": "Please call me"}
    if screen is not None:
        inquiry["screen"] = screen
    outcome = score(inquiry)
    assert outcome.has("unscreened")
    assert outcome.priority is Priority.P2


def test_unscreened_information_request_stays_p3() -> None:
    outcome = score({"message": "What are your prices?"})
    assert outcome.priority is Priority.P3
    assert outcome.has("unscreened") and outcome.has("information_only")


def test_unknown_screen_answer_is_reported_not_raised() -> None:
    outcome = score({"message": "help", "screen": {**NO, "wish_dead": "maybe", "colour": "blue"}})
    assert outcome.has("unknown_value")
    assert any("screen.wish_dead" in u for u in outcome.unknown)
    assert any("screen.colour" in u for u in outcome.unknown)
    assert outcome.priority is Priority.P2


def test_screen_is_pluggable() -> None:
    assert isinstance(AsqScreen(), Screen)
    assert isinstance(AuditCScreen(), Screen)

    class AlwaysAcute:
        field = "cssrs"

        def evaluate(self, answers: Mapping[str, Any]) -> list[Flag]:
            return [CATALOG["asq_acute_positive"].flag("cssrs")] if answers else []

    from intake.triage.rules import evaluate

    outcome = evaluate({"message": "hi", "cssrs": {"q": 1}}, screens=(AlwaysAcute(),))
    assert outcome.priority is Priority.P0


# -- structured risk and substances ---------------------------------------------------------


@pytest.mark.parametrize(
    ("risk", "code", "priority"),
    [
        ({"seizure_24h": True}, "seizure", "P0"),
        ({"confusion": True}, "confusion", "P0"),
        ({"breathing_difficulty": True}, "breathing", "P0"),
        ({"someone_in_danger": True}, "someone_in_danger", "P0"),
        ({"withdrawal_seizure_history": True}, "withdrawal_seizure_history", "P1"),
        ({"overdose_past_3_months": True}, "recent_overdose", "P1"),
        ({"daily_benzo_use": True, "stopping_abruptly": True}, "abrupt_stop", "P1"),
        ({"daily_benzo_use": True}, "daily_benzo_use", "P2"),
        ({"uses_with_alcohol": True}, "benzo_with_alcohol", "P1"),
        ({"uses_with_opioids": "true"}, "benzo_with_opioids", "P1"),
    ],
)
def test_risk_answers(risk: dict[str, Any], code: str, priority: str) -> None:
    outcome = score({"message": "help", "screen": NO, "risk": risk})
    assert outcome.has(code)
    assert outcome.priority == Priority(priority)


def test_all_risk_false_is_routine() -> None:
    risk = {k: False for k in ("seizure_24h", "confusion", "uses_with_alcohol")}
    assert score({"message": "help", "screen": NO, "risk": risk}).priority is Priority.P2


def test_unreadable_danger_answer_counts_as_yes() -> None:
    outcome = score({"message": "help", "screen": NO, "risk": {"seizure_24h": "perhaps"}})
    assert outcome.priority is Priority.P0
    assert outcome.has("unknown_value")


def test_substances_benzo_and_alcohol_listed_together() -> None:
    outcome = score({"message": "detox", "substances": ["lorazepam", "alcohol"]})
    assert outcome.has("benzo_with_alcohol")
    assert outcome.priority is Priority.P1


def test_substance_from_form_and_drink_from_text() -> None:
    outcome = score({"message": "I drink a bottle of wine a night", "substances": ["diazepam"]})
    assert outcome.has("benzo_with_alcohol")


def test_uses_with_alcohol_without_benzo_is_polydrug_p2() -> None:
    outcome = score(
        {"message": "help", "substances": ["cannabis"], "risk": {"uses_with_alcohol": True}}
    )
    assert outcome.has("polydrug_use")
    assert outcome.priority is Priority.P2


def test_unknown_substance_codes_are_reported() -> None:
    outcome = score({"message": "help", "substances": ["alprazolam", "ketamine", 7]})
    assert [u for u in outcome.unknown if "ketamine" in u]
    assert [u for u in outcome.unknown if "7" in u]


def test_abrupt_stop_needs_a_benzodiazepine() -> None:
    assert not score({"message": "I'm quitting cold turkey tomorrow"}).has("abrupt_stop")
    assert score(
        {"message": "I'm quitting cold turkey tomorrow", "substances": ["clonazepam"]}
    ).has("abrupt_stop")


def test_z_drug_is_not_a_benzodiazepine() -> None:
    assert not score({"message": "I take Stilnox and drink wine"}).has("benzo_with_alcohol")


# -- AUDIT-C --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("audit", "positive"),
    [
        ({"q1": 2, "q2": 1, "q3": 1, "sex": "male"}, True),
        ({"q1": 2, "q2": 1, "q3": 0, "sex": "male"}, False),
        ({"q1": 2, "q2": 1, "q3": 0, "sex": "female"}, True),
        ({"q1": 1, "q2": 1, "q3": 1}, True),  # sex unknown: lower cut-off
        ({"items": [0, 0, 1]}, False),
    ],
)
def test_audit_c(audit: dict[str, Any], positive: bool) -> None:
    outcome = score({"message": "help", "screen": NO, "audit_c": audit})
    assert outcome.has("audit_c_positive") is positive
    assert outcome.priority is Priority.P2


def test_audit_c_bad_values_are_unknown() -> None:
    outcome = score({"message": "x", "audit_c": {"q1": 9, "q2": "lots", "q3": None, "sex": 5}})
    assert outcome.has("unknown_value")
    assert not outcome.has("audit_c_positive")


def test_audit_c_positive_lifts_information_request_to_p2() -> None:
    outcome = score({"message": "What are your prices?", "audit_c": {"q1": 4, "q2": 4, "q3": 4}})
    assert outcome.priority is Priority.P2


# -- free text: negation, idioms, third party, time, evidence --------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "I am not suicidal",
        "no thoughts of suicide",
        "Suicidal thoughts: none",
        "Keine Suizidgedanken",
        "nunca he pensado en suicidarme",
        "je n'ai pas d'idées suicidaires",
        "non ho pensieri suicidi",
    ],
)
def test_negation_removes_the_flag(text: str) -> None:
    assert not codes({"message": text}) & {"suicidal_thoughts", "death_wish", "suicidal_plan"}


@pytest.mark.parametrize(
    "text",
    [
        "I'm not OK. I can't stop thinking about killing myself",
        "No sleep for days, and I want to die",
        "no puedo dejar de pensar en suicidarme",
    ],
)
def test_negation_does_not_cross_clauses_or_stop_verbs(text: str) -> None:
    assert codes({"message": text}) & {"suicidal_thoughts", "death_wish"}


@pytest.mark.parametrize(
    "text",
    [
        "dying to know your prices",
        "killing time until my appointment",
        "killer deal on the brochure",
        "me muero de ganas de veros",
        "je meurs d'envie de venir",
        "muoio dalla voglia di iniziare",
        "ich bin todmüde",
        "that fits my schedule",
    ],
)
def test_idioms_raise_nothing(text: str) -> None:
    assert score({"message": text}).priority in (Priority.P2, Priority.P3)


@pytest.mark.parametrize(
    "text",
    [
        "my son took all his pills",
        "mi madre se ha tomado todas las pastillas",
        "mein Vater hat alle Tabletten geschluckt",
        "mon ami a avalé toute la boîte de comprimés",
        "mio figlio ha preso tutte le pastiglie",
    ],
)
def test_third_party_keeps_the_flag_and_marks_it(text: str) -> None:
    outcome = score({"message": text})
    assert outcome.priority is Priority.P0
    flag = next(f for f in outcome.flags if f.code == "attempt_in_progress")
    assert flag.third_party
    assert outcome.as_dict()["flags"][0]["third_party"] is True


def test_for_someone_else_marks_form_answers_third_party() -> None:
    outcome = score({"message": "help", "for_whom": "someone_else", "risk": {"confusion": True}})
    assert next(f for f in outcome.flags if f.code == "confusion").third_party


def test_first_person_flag_has_no_third_party_key() -> None:
    flags = score({"message": "I want to die"}).as_dict()["flags"]
    assert all("third_party" not in f for f in flags)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("I tried to kill myself yesterday", "recent_attempt"),
        ("I tried to kill myself ten years ago", "past_attempt"),
        ("I overdosed three weeks ago", "recent_overdose"),
        ("I overdosed in 2015", "overdose_history"),
        ("I had a seizure last year when I stopped drinking", "withdrawal_seizure_history"),
        ("he is having a seizure", "seizure"),
    ],
)
def test_time_decides_the_code(text: str, code: str) -> None:
    assert code in codes({"message": text})


def test_misspelt_drug_names_count() -> None:
    for name in ("alprazolan", "clonazepan", "diazepan", "lorazepan", "valim", "klonipin", "xanx"):
        assert score({"message": f"I take {name} and drink vodka"}).has("benzo_with_alcohol"), name
    # a one-letter slip of a long name is caught by fuzzy matching
    assert score({"message": "I take clonazepem with heroin"}).has("benzo_with_opioids")


def test_evidence_quotes_original_spelling() -> None:
    outcome = score({"message": "Mein Vater hatte heute einen KRAMPFANFALL."})
    flag = next(f for f in outcome.flags if f.code == "seizure")
    assert flag.evidence == '"KRAMPFANFALL"'


def test_text_can_raise_never_lower() -> None:
    inquiry = {
        "message": "I am fine, no thoughts of suicide, just want prices",
        "screen": {**NO, "wish_dead": "yes", "thoughts_now": "yes"},
    }
    assert score(inquiry).priority is Priority.P0


def test_one_flag_per_code_and_most_urgent_first() -> None:
    outcome = score(
        {
            "message": "I want to die. I want to die. I had a fit this morning.",
            "risk": {"seizure_24h": True},
        }
    )
    seen = [f.code for f in outcome.flags]
    assert len(seen) == len(set(seen))
    assert [f.priority for f in outcome.flags] == sorted(f.priority for f in outcome.flags)
    seizure = next(f for f in outcome.flags if f.code == "seizure")
    assert "risk.seizure_24h" in seizure.evidence and "fit" in seizure.evidence


# -- outcome shape and the command line -----------------------------------------------------


def test_as_dict_shape() -> None:
    outcome = score({"message": "I need help"})
    data = outcome.as_dict()
    assert data["priority"] == "P2"
    assert data["ruleset"] == RULESET_VERSION
    assert isinstance(outcome, TriageOutcome)
    json.dumps(data)  # serialisable


def test_ruleset_version_names_engine_and_lexicons() -> None:
    assert re.fullmatch(r"harbor-triage-\d+\.\d+\.\d+\+lex\.[0-9a-f]{10}", RULESET_VERSION)


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("not json", True),
        ("[1, 2]", True),
        ('"text"', True),
        ("", True),
        ('{"message": "I need help"}', False),
        ('{"message": null, "screen": 5, "risk": [], "substances": "x"}', False),
    ],
)
def test_score_jsonl_line(line: str, error: bool) -> None:
    result = score_jsonl_line(line)
    assert ("error" in result) is error
    if not error:
        assert result["priority"] in {"P0", "P1", "P2", "P3"}


# -- robustness -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "inquiry",
    [
        None,
        [],
        "a string",
        42,
        {},
        {"message": None},
        {"message": 12345},
        {"message": b"bytes \xff\xfe"},
        {"message": ["list"]},
        {"message": "\x00\x01\x02" * 1000},
        {"message": "ÿ" * 30000},
        {"message": "help", "risk": "yes", "screen": ["no"], "substances": {"a": 1}},
        {"message": "help", "risk": {"seizure_24h": None}, "audit_c": "4"},
        {"message": "🙂" * 1000 + " I want to die"},
        {"message": "İ" * 100 + " suicidal"},
    ],
)
def test_odd_input_never_raises(inquiry: Any) -> None:
    outcome = score(inquiry)
    assert isinstance(outcome.priority, Priority)
    assert not outcome.has("triage_error")


def test_only_the_first_part_of_a_huge_message_is_scanned() -> None:
    tail = " I want to die"
    outcome = score({"message": "x " * MAX_SCAN_CHARS + tail})
    assert not outcome.has("death_wish")
    assert any("first part" in u for u in outcome.unknown)
    assert score({"message": "x " * 100 + tail}).has("death_wish")


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=50),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "message": st.text(max_size=400) | _json_values,
            "screen": st.dictionaries(
                st.sampled_from([*AsqScreen.KNOWN, "other"]),
                st.sampled_from(["yes", "no", "decline", "maybe", "past_3_months"]) | _json_values,
            )
            | _json_values,
            "risk": st.dictionaries(st.text(max_size=25), _json_values) | _json_values,
            "substances": st.lists(st.text(max_size=20) | _json_values, max_size=5) | _json_values,
            "audit_c": _json_values,
            "for_whom": _json_values,
        },
    )
)
def test_fuzzed_inquiries_never_raise(inquiry: dict[str, Any]) -> None:
    outcome = score(inquiry)
    assert not outcome.has("triage_error"), inquiry


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_fuzzed_lines_never_raise(line: str) -> None:
    assert isinstance(score_jsonl_line(line), dict)


# -- the package stays pure, and documented --------------------------------------------------


def test_package_imports_only_the_standard_library() -> None:
    forbidden = {"flask", "sqlalchemy", "flask_sqlalchemy", "psycopg", "redis", "celery"}
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in forbidden, f"{path.name} imports {name}"


def test_lexicon_files_are_valid_json_objects() -> None:
    files = sorted((PACKAGE / "lexicons").glob("*.json"))
    assert {p.stem for p in files} == {"drugs", "en", "es", "de", "fr", "it"}
    for path in files:
        assert isinstance(json.loads(path.read_text("utf-8")), dict), path.name


def test_every_flag_code_is_documented_for_clinicians() -> None:
    text = DOCS.read_text("utf-8")
    missing = [code for code in CATALOG if f"`{code}`" not in text]
    assert not missing, f"add to docs/triage.md: {missing}"


def test_flag_codes_are_snake_case() -> None:
    for code, spec in CATALOG.items():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", code)
        assert spec.reason.endswith(".")
