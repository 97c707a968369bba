"""The second reader (reader.py): what it raises, what it never does, and that its weights are
what the repository's labelled inquiries give."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from intake.triage.rules import engine, reader, score
from intake.triage.rules.model import Priority

BLIND = Path(__file__).with_name("blind")


def _rules_only(inquiry: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Priority:
    with monkeypatch.context() as m:
        m.setattr(engine, "_second_reading", lambda *a: None)
        return score(inquiry).priority


def _blind_inquiries() -> list[dict[str, Any]]:
    rows = []
    for path in sorted(BLIND.glob("round*.jsonl")):
        rows += [
            json.loads(line)["inquiry"] for line in path.read_text("utf-8").split("\n") if line
        ]
    return rows


def test_it_only_ever_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    """Over every blind inquiry: the result is the rules' result or more urgent, and every
    raise carries one of the reader's two flags with its quoted words."""
    raised = 0
    for inquiry in _blind_inquiries():
        with_reader = score(inquiry)
        alone = _rules_only(inquiry, monkeypatch)
        assert with_reader.priority.rank <= alone.rank
        if with_reader.priority != alone:
            raised += 1
            codes = {f.code for f in with_reader.flags}
            assert codes & {"reads_like_emergency", "reads_like_urgent"}
            flag = next(f for f in with_reader.flags if f.code.startswith("reads_like"))
            assert "P0 or P1" in flag.evidence
    assert raised > 0  # the reader is on


def test_a_paraphrase_the_rules_miss_is_raised_and_says_why() -> None:
    # Dialect ingestion and a farewell the word lists never held: the letters carry it.
    inquiry = {
        "message": "hab grad de ganzen tabletten vo da oma eineghaut mit wein. mag nimma. "
        "wollt nur dass wer bescheid woas, de katz braucht morgn futter",
        "language": "de",
    }
    result = score(inquiry)
    assert result.priority is Priority.P0


@pytest.mark.parametrize(
    "message",
    [
        "Please call me",
        "help",
        "How much does the residential programme cost?",
        "I am writing an essay on overdose statistics for university",
        "My boss will kill me if I am late again, I want to cut down on beer",
    ],
)
def test_no_risk_word_no_raise(message: str) -> None:
    """Without a word of risk the reader stays silent, however its letters lean."""
    result = score({"message": message, "language": "en"})
    assert not any(f.code.startswith("reads_like") for f in result.flags)


def test_a_broken_model_leaves_the_rules_result(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(message: str) -> reader.Reading:
        raise ValueError("corrupt weights")

    monkeypatch.setattr(reader, "read", broken)
    result = score({"message": "He took all his pills with vodka and won't wake up"})
    assert result.priority is Priority.P0
    assert not result.has("triage_error")


@pytest.mark.parametrize(
    "message",
    [
        "🙂🙂🙂 💊💊💊 🍷",
        "?!?!...,,,;;;",
        "Привет мир 你好 مرحبا pills tonight",
        "xanaxx xanx zanax " * 300,
        "i took pills " * 400,  # 5,200 characters, no full stop
    ],
)
def test_bad_input_scores_the_same_every_time(message: str) -> None:
    first = score({"message": message, "language": "en"}).as_dict()
    assert score({"message": message, "language": "en"}).as_dict() == first
    assert not any(f["code"] == "triage_error" for f in first["flags"])


def test_the_scorer_matches_scikit_learn() -> None:
    """The standard-library scorer gives scikit-learn's probabilities for the same fit."""
    pytest.importorskip("sklearn")
    from intake.triage.rules import reader_train

    examples = [e for r in reader_train.blind_rounds().values() for e in r][:400]
    pipeline = reader_train.fit(examples)
    ours = reader.parse_model(reader_train.export(pipeline, len(examples)))
    classes = list(pipeline.steps[1][1].classes_)
    texts = [m for m, _ in examples[:60]] + ["I need help", "tonight", "😀"]
    expected = pipeline.predict_proba([reader.reader_text(t) for t in texts])
    for text, row in zip(texts, expected, strict=True):
        got = ours.read(text)
        assert got.p0 == pytest.approx(row[classes.index("P0")], abs=1e-4)
        assert got.p1 == pytest.approx(row[classes.index("P1")], abs=1e-4)


def test_the_stored_weights_are_the_fit_of_the_repositorys_examples() -> None:
    """Fitting again from the blind rounds, the case lists and the harvested test messages
    gives the stored file: the same features, and every number the same to its sixth decimal,
    give or take the last one (the solver's sums end in other bits on another CPU; seen on
    AMD EPYC, where ten of about 100,000 weights came one millionth apart). Nobody edited the
    weights by hand."""
    pytest.importorskip("sklearn")
    from intake.triage.rules import reader_train

    fitted = json.loads(gzip.decompress(reader_train.build()))
    stored = json.loads(gzip.decompress(reader.model_bytes()))
    assert _numbers_within(fitted, stored, 1.5e-6) == []


def _numbers_within(fitted: Any, stored: Any, tolerance: float, path: str = "") -> list[str]:
    """Where ``fitted`` and ``stored`` differ: any difference of shape, text or integer, or a
    float further apart than ``tolerance``."""
    if isinstance(fitted, dict) and isinstance(stored, dict):
        if sorted(fitted) != sorted(stored):
            return [f"{path}: keys {sorted(fitted)} != {sorted(stored)}"]
        return [
            difference
            for key in sorted(fitted)
            for difference in _numbers_within(fitted[key], stored[key], tolerance, f"{path}/{key}")
        ]
    if isinstance(fitted, list) and isinstance(stored, list):
        if len(fitted) != len(stored):
            return [f"{path}: {len(fitted)} items != {len(stored)}"]
        return [
            difference
            for number, (one, other) in enumerate(zip(fitted, stored, strict=True))
            for difference in _numbers_within(one, other, tolerance, f"{path}[{number}]")
        ]
    if isinstance(fitted, float) and isinstance(stored, float):
        return [] if abs(fitted - stored) <= tolerance else [f"{path}: {fitted} != {stored}"]
    return [] if fitted == stored else [f"{path}: {fitted!r} != {stored!r}"]


@pytest.mark.parametrize(
    "message",
    ["Please help my son", "Please help my daughter, she is not well", "help me tonight please"],
)
def test_a_short_plea_is_left_to_the_rules(message: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A few words give the reader too few letters to weigh: the rules' result stands."""
    inquiry = {"message": message, "language": "en"}
    assert score(inquiry).priority == _rules_only(inquiry, monkeypatch)
