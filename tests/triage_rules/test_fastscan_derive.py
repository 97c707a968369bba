"""A derived index (after idioms are blanked or drug names rewritten) finds exactly what a
fresh index of the new text finds: the shortcut changes the cost, never the result."""

from __future__ import annotations

import random
import re

from intake.triage.rules.fastscan import PrefixTable, TextIndex, fast

_REGEXES = [
    fast(re.compile(p))
    for p in (
        r"(?<!\w)took\s+(?:all|the\s+rest)",
        r"(?<!\w)not\s+breathing",
        r"(?<!\w)xanax",
        r"(?<!\w)[,;]\s*then",
        r"(?<!\w)kill(?:ing)?\s+time",
        r"(?<!\w)a\s+b",
    )
]
_TABLE = PrefixTable(_REGEXES)
_WORDS = ["took", "all", "the", "rest", "not", "breathing", "xanax", ",", "then", "killing",
          "time", "a", "b", "\n", "dog", ";"]  # fmt: skip


def _found(index: TextIndex) -> list[list[tuple[int, int]]]:
    return [[m.span() for m in index.finditer(fr)] for fr in _REGEXES]


def test_derive_matches_a_fresh_index_on_random_rewrites() -> None:
    rnd = random.Random(7)  # noqa: S311 - a fixed, repeatable sample
    for _ in range(300):
        text = " ".join(rnd.choices(_WORDS, k=rnd.randint(1, 60)))
        index = TextIndex(text, _TABLE)
        chars, spans = list(text), []
        for _ in range(rnd.randint(1, 5)):
            start = rnd.randrange(len(text))
            end = min(len(text), start + rnd.randint(1, 10))
            chars[start:end] = [" "] * (end - start)
            spans.append((start, end))
        new = "".join(chars)
        assert _found(index.derive(new, spans)) == _found(TextIndex(new, _TABLE)), new


def test_an_index_for_another_table_matches_a_fresh_one() -> None:
    text = "i took all the xanax, then killing time; not breathing"
    other = PrefixTable(_REGEXES[:3])
    shared = TextIndex(text, _TABLE).for_table(other)
    fresh = TextIndex(text, other)
    for fr in _REGEXES[:3]:
        assert [m.span() for m in shared.finditer(fr)] == [m.span() for m in fresh.finditer(fr)]
