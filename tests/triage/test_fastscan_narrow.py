"""A big lexicon alternation tried, at each position, only with the leaves that can start there
(``fastscan.Narrow``): the same matches (spans, in order, in any window) as the regex's own
``finditer``, on every message of the blind rounds and development sets."""

from __future__ import annotations

import json
import pickle
import random
import re
from pathlib import Path

import pytest

from intake.triage.rules.cache import _dumps
from intake.triage.rules.engine import _concept_reader, compiled_lexicon
from intake.triage.rules.fastscan import FastRegex, PrefixTable, TextIndex, fast, narrow_plan
from intake.triage.rules.normalise import normalise

RULES_TESTS = Path(__file__).resolve().parent.parent / "triage_rules"


def _messages() -> list[str]:
    found: list[str] = []
    for path in sorted([*RULES_TESTS.glob("blind/*.jsonl"), *RULES_TESTS.glob("dev/*.jsonl")]):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                message = json.loads(line).get("inquiry", {}).get("message")
                if isinstance(message, str) and message:
                    found.append(message)
    return found


def _narrowed() -> list[FastRegex]:
    lexicon = compiled_lexicon()
    regexes = [fr for group in lexicon.signals.values() for _gate, fr in group]
    regexes += [*lexicon.gate_terms.values(), *lexicon.time_cues.values()]
    regexes += [*lexicon.class_words_regex.values(), lexicon.alcohol]
    regexes += [lexicon.third_party, lexicon.idioms, *_concept_reader().lex.phrases.values()]
    return [fr for fr in regexes if fr.narrow is not None]


def _spans(index: TextIndex, fr: FastRegex, text: str, pos: int, endpos: int | None) -> None:
    end = len(text) if endpos is None else min(endpos, len(text))
    found = [m.span() for m in index.finditer(fr, pos, endpos)]
    assert found == [m.span() for m in fr.regex.finditer(text, pos, end)], (text[:80], pos, end)


def test_every_narrowed_regex_matches_as_its_own_finditer_on_the_rounds() -> None:
    narrowed = _narrowed()
    # The big alternations are narrowed: the idioms, the signals, the concept phrases.
    assert len(narrowed) >= 40
    assert compiled_lexicon().idioms in narrowed
    messages = _messages()
    assert len(messages) >= 1000
    rng = random.Random(11)  # noqa: S311  (a reproducible sample, not secrets)
    table = PrefixTable(narrowed)
    compared = matched = 0
    for message in rng.sample(messages, 100):
        text = normalise(message)
        index = TextIndex(text, table)
        for fr in narrowed:
            _spans(index, fr, text, 0, None)
            compared += 1
            matched += len(index.findall(fr))
        pos = rng.randrange(len(text))
        for fr in rng.sample(narrowed, 5):
            _spans(index, fr, text, pos, rng.randrange(pos, len(text) + 1))
    assert compared >= 100 * 40
    assert matched >= 150  # the messages do reach the lexicons


@pytest.mark.parametrize(
    ("source", "text", "expected"),
    [
        # The first leaf in order that matches wins, not the longest: "take" before "take all".
        (
            r"(?<!\w)(?:(?=t)(?:(?:take)|(?:take\s+all)|(?:(took|take)\s+all\s+my))|"
            r"(?=a)(?:(?:all)|(?:all\s+my)|(?:a)|(?:an)|(?:ate)|(?:at)|(?:as)))(?!\w)",
            "i take all my pills at once as an ate",
            ["take", "all", "at", "as", "an", "ate"],
        ),
        # A leaf whose start cannot be listed is tried everywhere, in its place in the order.
        (
            r"(?<!\w)(?:(?=p)(?:(?:pill)|(?:pills)|(?:pill\s+box))|(?:(\S+\s+){0,2}box)|"
            r"(?=b)(?:(?:b)|(?:bo)|(?:bx)|(?:by)|(?:be)|(?:bi)))(?!\w)",
            "my pill box by the big box",
            ["my pill box", "by", "the big box"],
        ),
    ],
)
def test_a_narrowed_alternation_keeps_the_order_of_its_leaves(
    source: str, text: str, expected: list[str]
) -> None:
    fr = fast(re.compile(source))
    assert fr.narrow is not None
    index = TextIndex(text, PrefixTable([fr]))
    assert [m.group() for m in index.finditer(fr)] == expected
    assert [m.group() for m in fr.regex.finditer(text)] == expected


def test_small_or_other_regexes_are_not_narrowed() -> None:
    assert narrow_plan(re.compile(r"(?<!\w)(?:pill|pills)(?!\w)")) is None  # two leaves
    assert narrow_plan(re.compile(r"^(?:a|b|c|d|e|f|g|h|i)")) is None  # not a lexicon shape
    back_reference = r"(?<!\w)(?:(a)\1|b|c|d|e|f|g|h|i)(?!\w)"
    assert narrow_plan(re.compile(back_reference)) is None


def test_a_position_no_leaf_can_start_tries_nothing() -> None:
    fr = fast(re.compile(r"(?<!\w)(?:" + "|".join(f"{w}s?" for w in "abcdefghij") + r")(?!\w)"))
    assert fr.narrow is not None
    assert fr.narrow.at("zzz") == ()
    only_c = fr.narrow.at("cs")
    assert len(only_c) == 1
    assert fr.narrow.match(only_c, "cs", 0, 2) is not None
    assert fr.narrow.match(only_c, "a", 0, 1) is None  # the other leaves are not in it


def test_a_narrow_survives_the_lexicon_cache_and_compiles_its_leaves_on_first_use() -> None:
    source = (
        r"(?<!\w)(?:(?=t)(?:(?:take)|(?:took\s+all)|(?:to))|"
        r"(?=a)(?:(?:all)|(?:at)|(?:an)|(?:as)|(?:ate)))(?!\w)"
    )
    fr = pickle.loads(_dumps(fast(re.compile(source))))  # noqa: S301  (our own bytes)
    narrow = fr.narrow
    assert narrow is not None
    assert narrow._compiled == [None] * len(narrow.sources)  # nothing compiled at load
    text = "i took all at once"
    index = TextIndex(text, PrefixTable([fr]))
    assert [m.group() for m in index.finditer(fr)] == ["took all", "at"]
    used = [number for number, leaf in enumerate(narrow._compiled) if leaf is not None]
    assert 0 < len(used) < len(narrow.sources)  # only the leaves this text could start
    narrow.compile_all()
    assert all(leaf is not None for leaf in narrow._compiled)
