"""Text normalisation for matching free text against the lexicons.

The normalised text has exactly the same length as the input, character for character. That
lets a match found in the normalised text be quoted from the *original* text (with its
capitals and accents), which is what staff should see as evidence.

What it does, per character:

* lower case;
* strip accents (NFKD, then drop combining marks): ``é`` -> ``e``, ``Ü`` -> ``u``;
* fold a few letters with no decomposition to one letter: ``ß`` -> ``s``, ``œ`` -> ``o``,
  ``æ`` -> ``a``, ``ø`` -> ``o``; lexicon patterns go through the same fold, so writing
  ``sœur`` or ``Überdosis`` in a lexicon just works;
* curly apostrophes and accents used as apostrophes -> ``'``; curly quotes -> ``"``;
  dashes -> ``-``;
* control characters, zero-width and other exotic spaces -> a plain space.

Whitespace is *not* collapsed (that would change the length); lexicon patterns are compiled
so that a space in a pattern matches any run of whitespace instead.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# The API accepts up to 5,000 characters per message. The command line and future callers may
# pass anything (a pasted e-mail thread, a binary file), so only the first MAX_SCAN_CHARS are
# scanned: four times the form limit, which keeps every realistic message whole while bounding
# the time one inquiry can take (the regexes are linear, so time grows with length).
MAX_SCAN_CHARS = 20_000

_APOSTROPHES = "\u2018\u2019\u201a\u201b\u2032\u02bc\u02b9\u00b4\u0060"
_QUOTES = "\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_SPECIAL = {
    "ß": "s",
    "ẞ": "s",
    "œ": "o",
    "Œ": "o",
    "æ": "a",
    "Æ": "a",
    "ø": "o",
    "Ø": "o",
    "đ": "d",
    "Đ": "d",
    "ł": "l",
    "Ł": "l",
    "\u0131": "i",  # dotless i
    "\u0130": "i",  # dotted capital I
    "ð": "d",
    "þ": "t",
}


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    """Fold one non-ASCII character to exactly one character."""
    if ch in _SPECIAL:
        return _SPECIAL[ch]
    if ch in _APOSTROPHES:
        return "'"
    if ch in _QUOTES:
        return '"'
    if ch in _DASHES:
        return "-"
    category = unicodedata.category(ch)
    if category[0] in "CZ":  # control, format (zero-width), separators (NBSP, thin space...)
        return " "
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    base = base.lower()
    if len(base) == 1:
        return base
    if not base:  # a lone combining mark: keep the length, drop the mark
        return " "
    # A compatibility character that expands (e.g. the "fi" ligature): keep its first letter
    # so the length stays the same; such characters are vanishingly rare in real messages.
    return base[0]


_TABLE_LIMIT = 20_000


class _FoldTable(dict[int, str]):
    """A lazy ``str.translate`` table: ASCII stays as is, other characters are folded once."""

    def __missing__(self, codepoint: int) -> str:
        folded = _fold_char(chr(codepoint))
        # Remember it, but bound the table so hostile input cannot grow it without limit.
        if len(self) < _TABLE_LIMIT:
            self[codepoint] = folded
        return folded


_ASCII_TABLE = {i: (" " if i < 32 or i == 127 else chr(i)) for i in range(128)}
_ASCII_TABLE.update({ord("\n"): "\n", ord("\t"): " ", ord("\r"): "\n"})


def _make_table() -> _FoldTable:
    table = _FoldTable()
    table.update(_ASCII_TABLE)
    return table


_TABLE = _make_table()


def fold(text: str) -> str:
    """Fold non-ASCII characters and control characters, keeping the length and ASCII case."""
    return text.translate(_TABLE)


def normalise(text: str) -> str:
    """Lower-case, accent-free, same-length version of ``text`` (see the module docstring)."""
    lowered = text.lower()
    if len(lowered) != len(text):
        # A handful of characters grow when lower-cased ("İ" -> "i̇"); fall back to a
        # per-character lower-case that keeps the length.
        lowered = "".join(c.lower()[0] for c in text)
    return fold(lowered)


def clip(text: str) -> str:
    """The part of ``text`` that is scanned (see MAX_SCAN_CHARS)."""
    return text[:MAX_SCAN_CHARS]
