"""The rules scan's index for a regex whose prefixes cannot be listed as a whole (the idioms: one
of them starts with "up to six words"): matched only where an alternative can start, with
exactly the matches of the regex's own ``finditer`` (spans, in any window; groups too where the
regex is not narrowed, see ``test_fastscan_narrow.py``)."""

from __future__ import annotations

import random
import re

import pytest

from intake.triage.rules.engine import compiled_lexicon
from intake.triage.rules.fastscan import FastRegex, PrefixTable, TextIndex, _split_plan, fast
from intake.triage.rules.normalise import normalise

TEXTS = [
    "I keep my pills in a pill box on the shelf and I am dying to know how to stop",
    "my mum fills the dosette box every sunday for me, it is killing me",
    "tengo un pastillero lleno de lorazepam y me muero de ganas de dejarlo",
    "ich habe eine tablettenbox und eine medikamentenbox, aber keine Angst",
    "a  pill  organiser   pill\nbox  dosett box, pill box pill box",
    "I have been taking alprazolam every night for two years and want to stop safely.",
    "pill box",
    "",
]


def _same(index: TextIndex, fr: FastRegex, text: str, pos: int, endpos: int | None) -> None:
    end = len(text) if endpos is None else min(endpos, len(text))

    # A narrowed regex's matches come from the alternation of its leaves that can start there:
    # the same spans, numbered groups of another regex (Narrow). Otherwise groups too.
    def seen(m: re.Match[str]) -> object:
        return m.span() if fr.narrow is not None else (m.span(), m.groups())

    found = [seen(m) for m in index.finditer(fr, pos, endpos)]
    expected = [seen(m) for m in fr.regex.finditer(text, pos, end)]
    assert found == expected, (text, pos, endpos)


def test_the_idioms_are_split_and_match_as_their_own_finditer() -> None:
    lexicon = compiled_lexicon()
    idioms = lexicon.idioms
    assert idioms.prefixes is None  # the case this covers
    assert _split_plan(idioms) is not None
    rng = random.Random(9)  # noqa: S311  (reproducible windows, not secrets)
    matched = 0
    for message in TEXTS:
        text = normalise(message)
        index = TextIndex(text, lexicon.prefix_table)
        _same(index, idioms, text, 0, None)
        matched += len(list(idioms.regex.finditer(text)))
        for _ in range(20):
            if text:
                pos = rng.randrange(len(text))
                _same(index, idioms, text, pos, rng.randrange(pos, len(text) + 1))
        spans: list[tuple[int, int]] = []
        blanked = index.blank(idioms, spans)
        assert blanked == idioms.regex.sub(lambda m: " " * (m.end() - m.start()), text)
    assert matched >= 5  # the texts do reach the idioms, the pill-box one among them


@pytest.mark.parametrize(
    "source",
    [
        # An alternative without prefixes in the middle: the order of alternatives still rules.
        r"(?<!\w)(?:(?=a)(?:(apple)|(an))|(?:(\S+\s+){0,2}(pie))|(?=p)(?:(pie\s+crust)))(?!\w)",
        # Only unlistable alternatives: no plan, the plain scan.
        r"(?<!\w)(?:(?:(\S+\s+){0,2}(pie)))(?!\w)",
        # A back-reference: no plan, the plain scan.
        r"(?<!\w)(?:(?=a)(?:(a)\1)|(?:\S+\s+(pie)))(?!\w)",
        # An alternative that can match the empty string: re's own rules after it.
        r"(?<!\w)(?:(?=a)(?:apple)|(?:\S*))(?!\w)",
    ],
)
def test_any_split_regex_matches_as_its_own_finditer(source: str) -> None:
    fr = fast(re.compile(source))
    texts = ["an apple pie crust", "apple  pie, an pie crust pie", "aa pie", "x", "  an  "]
    rng = random.Random(3)  # noqa: S311  (reproducible windows, not secrets)
    for text in texts:
        index = TextIndex(text, PrefixTable([fr]))
        _same(index, fr, text, 0, None)
        for _ in range(10):
            pos = rng.randrange(len(text))
            _same(index, fr, text, pos, rng.randrange(pos, len(text) + 1))
