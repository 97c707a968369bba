"""Free text in English, Spanish, German, French and Italian (see cases.py)."""

from __future__ import annotations

import pytest

from intake.triage.rules import Priority, score

from .cases import ALL

_PARAMS = [
    pytest.param(text, expected, id=f"{lang}-{i:02d}-{expected}")
    for lang, cases in ALL.items()
    for i, (text, expected) in enumerate(cases)
]


@pytest.mark.parametrize(("text", "expected"), _PARAMS)
def test_message_priority(text: str, expected: str) -> None:
    outcome = score({"message": text})
    assert outcome.priority == Priority(expected), [(f.code, f.evidence) for f in outcome.flags]


@pytest.mark.parametrize(("text", "expected"), _PARAMS)
def test_same_priority_without_accents_or_capitals(text: str, expected: str) -> None:
    import unicodedata

    plain = "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    ).upper()
    assert score({"message": plain}).priority == Priority(expected)


def test_every_language_has_danger_risk_and_routine_cases() -> None:
    for lang in ("en", "es", "de", "fr", "it"):
        found = {expected for _text, expected in ALL[lang]}
        assert {"P0", "P1", "P2"} <= found, lang
        assert len(ALL[lang]) >= 15, lang
