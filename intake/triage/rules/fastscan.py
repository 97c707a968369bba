"""Fast matching of the compiled lexicon regexes on long messages, with identical results.

Why: Python's ``re`` tries a pattern at every character of the text. With some 45 compiled
alternations (one per signal, time tier, idiom list...) a 5,000-character message meant 45
passes of 5,000 attempts each, about 15 ms, although a match can only start at a handful of
places: every lexicon regex starts with ``(?<!\\w)``, so a match starts where a word (or a
punctuation run) starts, and only at words whose first letters begin one of its patterns.

How:

* at load, ``prefixes()`` reads each compiled regex (``re._parser``) and lists the strings of up
  to three characters that any match must begin with ("sui", "ki", "tom"...); a regex whose
  start cannot be listed (``\\S+`` first, say) keeps the plain ``finditer``;
* per message, ``TextIndex`` records once where every word or punctuation run starts, grouped
  by its first three characters;
* ``TextIndex.finditer`` then calls ``regex.match`` only at the positions whose first
  characters are among the regex's prefixes, in order, resuming after each match, exactly as
  ``regex.finditer`` does (a match can start nowhere else, so none is skipped, and the order
  and the non-overlapping rule are the same). ``pos``/``endpos`` keep ``re`` semantics (the
  look-behind still sees the text before ``pos``; ``endpos`` ends the text for the regex).

A regex whose prefixes cannot be listed as a whole may still be an alternation of which only a
few alternatives cannot (the idioms: one of them begins with "up to six words", ``(\\S+\\s+){0,6}``,
and made the whole 68,000-character alternation run at every character of every message). For
such a regex (``(?<!\\w)(?:A|B|...)(?!\\w)``, no back-references) ``_split_plan`` lists the
prefixes of the alternatives that have them and compiles the others alone, with the same head
and tail. A match of the whole regex starts where one of its alternatives matches: at a listed
prefix, or where the small regex of the others matches (found with its own ``search``). The
whole regex's own ``match`` is called at those positions only, in order, resuming after each
match, so the matches (groups included) are exactly those of its ``finditer``.

At a candidate position the whole alternation need not be tried either. A lexicon regex is an
alternation of hundreds of patterns, most beginning with a group (``(took|taken) all``), which
the regex engine enters before it can fail; that was most of the scan's time. ``Narrow``
(made with the lexicon, kept in its cache) cuts a big alternation into its leaves in order and
lists each leaf's prefixes; each leaf is compiled alone, on first use. At a position whose text
starts with a given key, only the leaves that key admits are tried, in their order. Leaves that
cannot match there change nothing, so the match has the same span; its numbered groups are the
leaf's, which is why callers of the scan read spans, never groups.

A pure speed-up: the regexes themselves are unchanged, and a regex the analysis does not
understand falls back to the plain scan.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable, Iterator
from typing import Any

try:
    import re._constants as _sre_constants  # type: ignore[import-not-found,unused-ignore]
    import re._parser as _sre_parse  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_constants as _sre_constants  # type: ignore[no-redef,unused-ignore]
    import sre_parse as _sre_parse  # type: ignore[no-redef,unused-ignore]

#: Length of the prefixes positions are grouped by.
K = 4
# A Python-level ``match`` at one candidate costs about as much as the regex engine scanning
# this many characters on its own (measured on the idioms, 1.27.0): past that density of
# candidates, ``_split_matches`` scans the window in one pass instead.
_SPLIT_COST = 2
# How many text keys PrefixTable remembers (a few MB at most; hostile input cannot grow it).
_MAX_SEEN = 100_000
# Beyond this many prefixes for one regex the analysis gives up (plain scan; still correct).
_MAX_PREFIXES = 20_000
_SPACE = " "
_DIGITS = frozenset("0123456789")
# Where a match can start: not after a word character, and not on whitespace.
_STARTS = re.compile(r"(?<!\w)\S")
_REPEATS = frozenset({"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"})
_ZERO_WIDTH = frozenset({"AT", "ASSERT", "ASSERT_NOT"})


class _UnknownError(Exception):
    """The analysis cannot list the prefixes of this regex."""


def _charset(items: Any) -> set[str]:
    chars: set[str] = set()
    for op, av in items:
        name = str(op)
        if name == "LITERAL":
            chars.add(chr(av))
        elif name == "RANGE" and av[1] - av[0] < 128:
            chars.update(chr(c) for c in range(av[0], av[1] + 1))
        elif name == "CATEGORY" and av == _sre_constants.CATEGORY_SPACE:
            chars.add(_SPACE)
        elif name == "CATEGORY" and av == _sre_constants.CATEGORY_DIGIT:
            chars.update(_DIGITS)
        else:  # NEGATE, \w, \S, big ranges: not listable
            raise _UnknownError
    return {_SPACE if c.isspace() else c for c in chars}


class _Prefixes:
    """Walks a parsed regex collecting the first K characters of every possible match."""

    def __init__(self) -> None:
        self.full: set[str] = set()  # K characters known
        self.short: set[str] = set()  # fewer known: the match starts with these

    def _grow(self, cur: set[str], chars: set[str]) -> set[str]:
        out: set[str] = set()
        for s in cur:
            for c in chars:
                t = s + c
                (self.full if len(t) == K else out).add(t)
        if len(out) + len(self.full) > _MAX_PREFIXES:
            raise _UnknownError
        return out

    def seq(self, items: Any, cur: set[str]) -> set[str]:
        for op, av in items:
            if not cur:
                break
            cur = self.op(str(op), av, cur)
        return cur

    def op(self, name: str, av: Any, cur: set[str]) -> set[str]:
        if name == "LITERAL":
            return self._grow(cur, {_SPACE if chr(av).isspace() else chr(av)})
        if name == "IN":
            try:
                chars = _charset(av)
            except _UnknownError:
                return self._stop(cur)
            return self._grow(cur, chars)
        if name == "BRANCH":
            out: set[str] = set()
            for branch in av[1]:
                out |= self.seq(branch, set(cur))
            return out
        if name == "SUBPATTERN":
            return self.seq(av[-1], cur)
        if name == "ATOMIC_GROUP":
            return self.seq(av, cur)
        if name in _REPEATS:
            low, high, item = av
            out = set(cur) if low == 0 else set()
            state = cur
            # Every repetition adds a character or leaves the strings as they are, so after
            # low + K rounds nothing new can appear.
            for rep in range(1, min(high, low + K) + 1):
                state = self.seq(item, state)
                if rep >= low:
                    out |= state
                if not state:
                    break
            return out
        if name in _ZERO_WIDTH:
            return cur  # look-arounds and anchors consume nothing: more candidates, never fewer
        return self._stop(cur)  # ".", \w, a back-reference...: keep what is known so far

    def _stop(self, cur: set[str]) -> set[str]:
        self.short |= cur
        return set()


_SLOTS = itertools.count()


class FastRegex:
    """A lexicon regex and the prefixes its matches can start with.

    A regex built from its source alone (``FastRegex(source, prefixes)``) is compiled on first
    use. Pickled, it keeps its source, prefixes, slot and narrowing, and its compiled regex:
    ``cache.py`` stores that as the regex engine's byte code, so a process that loads the
    cached lexicon copies the code instead of parsing thousands of patterns again.
    """

    __slots__ = ("_regex", "narrow", "prefixes", "slot", "source")

    def __init__(
        self,
        source: str,
        prefixes: tuple[frozenset[str], ...] | None,
        slot: int | None = None,
        regex: re.Pattern[str] | None = None,
        narrow: Narrow | None = None,
    ) -> None:
        self.source = source
        # by length 1..K; None when unknown (then the plain regex scan is used)
        self.prefixes = prefixes
        self.slot = next(_SLOTS) if slot is None else slot
        self._regex = regex
        # A big alternation's leaves by prefix, to try only those that can start at a
        # position (None: the whole regex is tried)
        self.narrow = narrow

    @property
    def regex(self) -> re.Pattern[str]:
        if self._regex is None:
            self._regex = re.compile(self.source)
        return self._regex

    @property
    def pattern(self) -> str:
        return self.source

    def __reduce__(self) -> tuple[Any, ...]:
        return (FastRegex, (self.source, self.prefixes, self.slot, self.regex, self.narrow))


def reserve_slots(highest: int) -> None:
    """After loading pickled regexes, make sure new ones get slots of their own."""
    global _SLOTS
    current = next(_SLOTS)
    _SLOTS = itertools.count(max(current, highest + 1))


def prefixes(regex: re.Pattern[str] | str) -> tuple[frozenset[str], ...] | None:
    """``(P1, P2, ..., PK)``: every match of ``regex`` starts with a string of one of them."""
    source = regex if isinstance(regex, str) else regex.pattern
    if not source.startswith(r"(?<!\w)"):
        return None  # matches could start anywhere: keep the plain scan
    walker = _Prefixes()
    try:
        rest = walker.seq(_sre_parse.parse(source), {""})
    except (_UnknownError, RecursionError):
        return None
    walker.short |= rest
    if "" in walker.short or any(s[0] == _SPACE for s in walker.full | walker.short):
        return None  # could match empty, or start on a space: not indexable
    by_len: list[set[str]] = [set() for _ in range(K)]
    for s in walker.full | walker.short:
        by_len[len(s) - 1].add(s)
    return tuple(frozenset(s) for s in by_len)


def fast(regex: re.Pattern[str]) -> FastRegex:
    return FastRegex(regex.pattern, prefixes(regex), regex=regex, narrow=narrow_plan(regex))


class PrefixTable:
    """For every prefix, the regexes whose matches can start with it (built once, at load)."""

    def __init__(self, regexes: Iterable[FastRegex]) -> None:
        self.by_len: list[dict[str, list[int]]] = [{} for _ in range(K)]
        for fr in regexes:
            if fr.prefixes is None:
                continue
            for table, keys in zip(self.by_len, fr.prefixes, strict=True):
                for key in keys:
                    slots = table.setdefault(key, [])
                    if fr.slot not in slots:
                        slots.append(fr.slot)
        # Tuples of ints are not tracked by the garbage collector: tens of thousands of lists
        # made every full collection (a pause of tens of ms) walk them.
        self.by_len_frozen: list[dict[str, tuple[int, ...]]] = [
            {key: tuple(slots) for key, slots in table.items()} for table in self.by_len
        ]
        self.by_len.clear()
        # The same words start most messages: remember each key's answer (bounded).
        self._seen: dict[str, tuple[int, ...]] = {}

    def slots(self, key: str) -> tuple[int, ...]:
        """The regexes that can start matching where the text starts with ``key``."""
        found = self._seen.get(key)
        if found is None:
            merged: list[int] = []
            for n in range(min(K, len(key))):
                merged.extend(self.by_len_frozen[n].get(key[: n + 1], ()))
            found = tuple(dict.fromkeys(merged))
            if len(self._seen) < _MAX_SEEN:
                self._seen[key] = found
        return found


# The shape of a bounded alternation (``lexicon._alternation``), for ``_split_plan``.
_HEAD = r"(?<!\w)(?:"
_TAIL = r")(?!\w)"
# Group references would change meaning when the alternatives are compiled apart.
_GROUP_REFERENCE = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")
_MAX_PLANS = 256


class _SplitPlan:
    """Where a regex without prefixes of its own can match: the prefixes of its alternatives
    that have some, and a regex of the others (same head and tail) to search for the rest."""

    __slots__ = ("prefixes", "rest")

    def __init__(self, prefixes: tuple[frozenset[str], ...], rest: re.Pattern[str]) -> None:
        self.prefixes = prefixes
        self.rest = rest


def _group_marks(source: str, start: int = 0) -> Iterator[tuple[int, str]]:
    """Where ``(``, ``)`` and ``|`` stand in ``source`` from ``start``, outside escapes and
    character sets (inside a set, ``]`` first is a literal)."""
    i, n = start, len(source)
    while i < n:
        c = source[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            j = i + 1
            if j < n and source[j] == "^":
                j += 1
            if j < n and source[j] == "]":
                j += 1
            while j < n and source[j] != "]":
                j += 2 if source[j] == "\\" else 1
            i = j + 1
            continue
        if c in "()|":
            yield i, c
        i += 1


def _top_alternatives(body: str) -> list[str] | None:
    """``body`` cut at its top-level ``|`` (None when its parentheses do not balance)."""
    alternatives: list[str] = []
    depth = start = 0
    for i, c in _group_marks(body):
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth < 0:
                return None
        elif depth == 0:
            alternatives.append(body[start:i])
            start = i + 1
    if depth != 0:
        return None
    alternatives.append(body[start:])
    return alternatives


def _lexicon_alternatives(source: str) -> list[str] | None:
    """The top-level alternatives of a regex of the lexicons' shape (``(?<!\\w)(?:A|B|...)
    (?!\\w)``) without group references, which may be tried apart; None for any other."""
    if not (source.startswith(_HEAD) and source.endswith(_TAIL)):
        return None
    if _GROUP_REFERENCE.search(source):
        return None
    return _top_alternatives(source[len(_HEAD) : -len(_TAIL)])


def _prefixes_of_each(pieces: list[str]) -> list[tuple[frozenset[str], ...] | None] | None:
    """:func:`prefixes` of each piece of an alternation, with the alternation's head and tail
    (None when a piece does not parse alone)."""
    try:
        return [prefixes(_HEAD + piece + _TAIL) for piece in pieces]
    except re.error:  # pragma: no cover - never seen: every piece is a whole alternative
        return None


def _make_plan(fr: FastRegex) -> _SplitPlan | None:
    source = fr.source
    alternatives = _lexicon_alternatives(source)
    if alternatives is None or len(alternatives) < 2:
        return None
    if _HEAD + "|".join(alternatives) + _TAIL != source:  # pragma: no cover - defensive
        return None
    each = _prefixes_of_each(alternatives)
    if each is None:  # pragma: no cover - a piece that does not parse alone
        return None
    by_len: list[set[str]] = [set() for _ in range(K)]
    rest: list[str] = []
    for alternative, found in zip(alternatives, each, strict=True):
        if found is None:
            rest.append(alternative)
        else:
            for keys, more in zip(by_len, found, strict=True):
                keys |= more
    if not rest or len(rest) == len(alternatives):
        return None
    try:
        others = re.compile(_HEAD + "|".join(rest) + _TAIL, fr.regex.flags)
    except re.error:  # pragma: no cover - defensive
        return None
    return _SplitPlan(tuple(frozenset(keys) for keys in by_len), others)


_PLANS: dict[str, _SplitPlan | None] = {}


def _split_plan(fr: FastRegex) -> _SplitPlan | None:
    """The plan of a regex without prefixes (made once per process and regex; None: scan it
    plainly)."""
    try:
        return _PLANS[fr.source]
    except KeyError:
        plan = _make_plan(fr)
        if len(_PLANS) < _MAX_PLANS:
            _PLANS[fr.source] = plan
        return plan


# Narrowing (see ``Narrow``): alternations with fewer leaves are as quick whole.
_NARROW_MIN_LEAVES = 8
# Text keys one Narrow remembers the leaves of (hostile input cannot grow it past this; beyond
# it they are looked up again).
_MAX_NARROW_KEYS = 20_000
# A lookahead on the first characters, as ``lexicon._alternation`` puts before each bucket.
_BUCKET_LOOKAHEAD = re.compile(r"\(\?=[^()\[\]\\|]{1,8}\)")


def _closing(source: str, opening: int) -> int:
    """Where the group opened at ``source[opening]`` closes (-1 if it does not)."""
    depth = 0
    for i, c in _group_marks(source, opening):
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
    return -1


def _leaves(alternative: str, outer: str = "") -> list[str]:
    """An alternative cut into the alternatives it is made of, each standalone, in order.

    ``(?=a)(?:A|B)`` is tried as ``(?=a)(?:A)`` then ``(?=a)(?:B)`` (the same attempts in the
    same order), and ``(?:A|B)`` as ``A`` then ``B``; anything else is a leaf as it stands."""
    lookahead = _BUCKET_LOOKAHEAD.match(alternative)
    head = lookahead.group() if lookahead else ""
    group = alternative[len(head) :]
    if group.startswith("(?:") and _closing(group, 0) == len(group) - 1:
        inner = _top_alternatives(group[3:-1])
        if (inner is not None and len(inner) > 1) or head:
            out: list[str] = []
            for piece in inner or [group[3:-1]]:
                out.extend(_leaves(piece, outer + head))
            return out
    return [f"{outer}(?:{alternative})" if outer else alternative]


class Narrow:
    """A big lexicon alternation cut into its leaves, each with the prefixes it can start with.

    ``regex.match`` at one position tries every alternative in turn; in a lexicon alternation
    most of them begin with a group (``(took|taken) all``...), which the regex engine must
    enter before it can fail. At a position whose text starts with ``key``, only the leaves
    whose prefixes admit ``key`` can match: :meth:`at` lists them, in their order, each
    compiled alone with the alternation's head and tail, and :meth:`match` tries them in turn.
    An alternation tries its alternatives in order and the first that leads to a whole match
    wins; leaves that cannot match at the position change nothing, so the match has the same
    span as the whole regex's (its numbered groups are the leaf's: callers read spans).

    Made when the lexicon is compiled (``fast``) and kept in its cache. A leaf is compiled the
    first time a text can start it (most of the six thousand never are in a given process,
    and compiling them all would cost every process about 50 MB and a fifth of a second).
    """

    __slots__ = ("_by_key", "_compiled", "anywhere", "flags", "sources", "tables")

    def __init__(
        self,
        sources: tuple[str, ...],
        tables: tuple[dict[str, tuple[int, ...]], ...],
        anywhere: tuple[int, ...],
        flags: int,
    ) -> None:
        self.sources = sources  # each leaf with the head and tail, in order
        self.tables = tables  # by prefix length: prefix -> the leaves it can start
        self.anywhere = anywhere  # leaves whose prefixes cannot be listed
        self.flags = flags
        self._compiled: list[re.Pattern[str] | None] = [None] * len(sources)
        self._by_key: dict[tuple[str, bool], tuple[re.Pattern[str], ...]] = {}

    def __reduce__(self) -> tuple[Any, ...]:
        return (Narrow, (self.sources, self.tables, self.anywhere, self.flags))

    def leaf(self, number: int) -> re.Pattern[str]:
        """Leaf ``number``, compiled on first use."""
        found = self._compiled[number]
        if found is None:
            found = self._compiled[number] = re.compile(self.sources[number], self.flags)
        return found

    def compile_all(self) -> None:
        """Compile every leaf now (a process warming up)."""
        for number in range(len(self.sources)):
            self.leaf(number)

    def at(self, key: str, anywhere: bool = True) -> tuple[re.Pattern[str], ...]:
        """The leaves that can match where the text starts with ``key``, in order (none:
        nothing can). ``anywhere`` False leaves out the leaves without prefixes, for a position
        where the caller knows they do not match."""
        found = self._by_key.get((key, anywhere))
        if found is None:
            chosen: set[int] = set(self.anywhere) if anywhere else set()
            tables = self.tables
            for n in range(min(K, len(key))):
                chosen.update(tables[n].get(key[: n + 1], ()))
            found = tuple(self.leaf(number) for number in sorted(chosen))
            if len(self._by_key) < _MAX_NARROW_KEYS:
                self._by_key[(key, anywhere)] = found
        return found

    @staticmethod
    def match(
        leaves: tuple[re.Pattern[str], ...], text: str, pos: int, endpos: int
    ) -> re.Match[str] | None:
        """The whole alternation's match at ``pos`` (same span), from :meth:`at`'s leaves."""
        for leaf in leaves:
            m = leaf.match(text, pos, endpos)
            if m is not None:
                return m
        return None


def narrow_plan(regex: re.Pattern[str]) -> Narrow | None:
    """The :class:`Narrow` of a lexicon alternation (``(?<!\\w)(?:A|B|...)(?!\\w)``, no group
    references) of at least ``_NARROW_MIN_LEAVES`` leaves; None for any other regex."""
    alternatives = _lexicon_alternatives(regex.pattern)
    if alternatives is None:
        return None
    leaves = [leaf for alternative in alternatives for leaf in _leaves(alternative)]
    if len(leaves) < _NARROW_MIN_LEAVES:
        return None
    each = _prefixes_of_each(leaves)
    if each is None:  # pragma: no cover - a piece that does not parse alone
        return None
    tables: list[dict[str, list[int]]] = [{} for _ in range(K)]
    anywhere: list[int] = []
    for number, found in enumerate(each):
        if found is None:
            anywhere.append(number)
            continue
        for table, keys in zip(tables, found, strict=True):
            for key in keys:
                table.setdefault(key, []).append(number)
    return Narrow(
        tuple(_HEAD + leaf + _TAIL for leaf in leaves),
        tuple({key: tuple(numbers) for key, numbers in table.items()} for table in tables),
        tuple(anywhere),
        regex.flags,
    )


# An exhausted iterator stays exhausted: one serves every "no match" answer.
_NO_MATCHES: Iterator[re.Match[str]] = iter(())


class TextIndex:
    """Where matches can start in one normalised text, and scans that use it."""

    __slots__ = ("_by_key", "_cache", "_keyed", "_lists", "_memo", "_starts", "_table", "text")

    def __init__(self, text: str, table: PrefixTable) -> None:
        self.text = text
        keyed = text.replace("\n", _SPACE)
        starts = [m.start() for m in _STARTS.finditer(keyed)]
        by_key: dict[str, list[int]] = {}
        for p in starts:
            key = keyed[p : p + K]
            positions = by_key.get(key)
            if positions is None:
                by_key[key] = [p]
            else:
                positions.append(p)
        self._keyed, self._starts, self._by_key = keyed, starts, by_key
        self._link(table)

    def _link(self, table: PrefixTable) -> None:
        # regex slot -> the position lists (one per text key) where it may match
        lists: dict[int, list[list[int]]] = {}
        slots_of = table.slots
        for key, positions in self._by_key.items():
            for slot in slots_of(key):
                found = lists.get(slot)
                if found is None:
                    lists[slot] = [positions]
                else:
                    found.append(positions)
        self._table = table
        self._lists = lists
        self._cache: dict[int, list[int]] = {}
        # (slot, pos, endpos) -> matches: many hits share a sentence, so the same window is
        # asked about again and again (time cues, "my son" cues).
        self._memo: dict[tuple[int, int, int | None], list[re.Match[str]]] = {}

    def for_table(self, table: PrefixTable) -> TextIndex:
        """An index of the same text for another set of regexes (the word starts are shared,
        so this costs only the look-up of each distinct key). Derive no index from ``self``
        afterwards: the two share their position lists."""
        twin = TextIndex.__new__(TextIndex)
        twin.text, twin._keyed, twin._starts, twin._by_key = (
            self.text, self._keyed, self._starts, self._by_key,
        )  # fmt: skip
        twin._link(table)
        return twin

    def derive(self, text: str, spans: list[tuple[int, int]]) -> TextIndex:
        """The index of ``text``, which is this index's text with ``spans`` rewritten (same
        length, e.g. idioms blanked out). Only the word starts near a rewritten span are
        looked at again, instead of the whole text: on a long letter that is most of the
        cost of an index. ``self`` is used up (its position lists are reused)."""
        if len(text) != len(self.text):  # pragma: no cover - callers keep the length
            return TextIndex(text, self._table)
        keyed = text.replace("\n", _SPACE)
        old_keyed, starts, by_key, lists = self._keyed, self._starts, self._by_key, self._lists
        slots_of = self._table.slots
        regions: list[list[int]] = []
        for s, e in sorted(spans):
            # A key is the K characters from a start; a start depends on the character before.
            lo, hi = max(0, s - K + 1), min(len(text), e + 1)
            if regions and lo <= regions[-1][1]:
                regions[-1][1] = max(regions[-1][1], hi)
            else:
                regions.append([lo, hi])
        for lo, hi in regions:
            i, j = bisect.bisect_left(starts, lo), bisect.bisect_left(starts, hi)
            for p in starts[i:j]:
                by_key[old_keyed[p : p + K]].remove(p)
            fresh = [m.start() for m in _STARTS.finditer(keyed, lo, hi)]
            starts[i:j] = fresh
            for p in fresh:
                key = keyed[p : p + K]
                positions = by_key.get(key)
                if positions is None:
                    positions = by_key[key] = [p]
                    for slot in slots_of(key):
                        lists.setdefault(slot, []).append(positions)
                else:
                    bisect.insort(positions, p)
        new = TextIndex.__new__(TextIndex)
        new.text, new._keyed, new._starts, new._by_key = text, keyed, starts, by_key
        new._table, new._lists = self._table, lists
        new._cache, new._memo = {}, {}
        return new

    def candidates(self, fr: FastRegex) -> list[int]:
        """Sorted positions where a match of ``fr`` may start."""
        found = self._cache.get(fr.slot)
        if found is None:
            lists = self._lists.get(fr.slot)
            if not lists:
                found = []
            elif len(lists) == 1:
                found = lists[0]
            else:
                found = sorted({p for positions in lists for p in positions})
            self._cache[fr.slot] = found
        return found

    def can_start(self, fr: FastRegex) -> bool:
        """Whether a match of ``fr`` may start anywhere in the text (False: it has none)."""
        return fr.prefixes is None or fr.slot in self._lists

    def finditer(
        self, fr: FastRegex, pos: int = 0, endpos: int | None = None
    ) -> Iterator[re.Match[str]]:
        """The same matches, in the same order, as ``fr.regex.finditer(text, pos, endpos)``
        (the same spans; a narrowed regex's groups are numbered as in its smaller regex)."""
        if fr.prefixes is None:
            plan = _split_plan(fr)
            if plan is not None:
                return self._split_matches(fr, plan, pos, endpos)
            text = self.text
            end = len(text) if endpos is None else min(endpos, len(text))
            return fr.regex.finditer(text, pos, end)
        slot = fr.slot
        cands = self._cache.get(slot)
        if cands is None:
            lists = self._lists.get(slot)
            if not lists:
                return _NO_MATCHES
            # As candidates() does, without looking the cache up again.
            cands = lists[0] if len(lists) == 1 else sorted({p for ps in lists for p in ps})
            self._cache[slot] = cands
        if not cands:
            # Most regexes of a lexicon cannot start anywhere in a given text: answer without
            # building a generator (a scan asks about a hundred of them per message).
            return _NO_MATCHES
        return self._matches(fr, cands, pos, endpos)

    def _matches(
        self, fr: FastRegex, cands: list[int], pos: int, endpos: int | None
    ) -> Iterator[re.Match[str]]:
        text = self.text
        end = len(text)
        if endpos is not None and endpos < end:
            end = endpos
        last = pos
        narrow = fr.narrow
        # From the first candidate at or after ``pos`` (all of them for a whole-text scan).
        todo = cands[bisect.bisect_left(cands, pos) :] if pos else cands
        if narrow is None:
            match = (fr._regex or fr.regex).match
            for p in todo:
                if p >= end:
                    break
                if p < last:
                    continue
                m = match(text, p, end)
                if m is not None:
                    yield m
                    # Lexicon patterns never match the empty string (see ``prefixes``).
                    last = m.end()
            return
        # Only the leaves that can start here are tried (same spans, see Narrow).
        keyed, at = self._keyed, narrow.at
        for p in todo:
            if p >= end:
                break
            if p < last:
                continue
            for leaf in at(keyed[p : p + K]):
                m = leaf.match(text, p, end)
                if m is not None:
                    yield m
                    last = m.end()
                    break

    def _split_candidates(self, fr: FastRegex, plan: _SplitPlan) -> list[int]:
        """Sorted word starts whose first characters begin an alternative of ``plan``."""
        found = self._cache.get(fr.slot)
        if found is None:
            found = []
            by_len = plan.prefixes
            for key, positions in self._by_key.items():
                for n in range(min(K, len(key))):
                    if key[: n + 1] in by_len[n]:
                        found.extend(positions)
                        break
            found.sort()
            self._cache[fr.slot] = found
        return found

    def _split_matches(
        self, fr: FastRegex, plan: _SplitPlan, pos: int, endpos: int | None
    ) -> Iterator[re.Match[str]]:
        text = self.text
        end = len(text)
        if endpos is not None and endpos < end:
            end = endpos
        cands = self._split_candidates(fr, plan)
        match = fr.regex.match
        narrow, keyed = fr.narrow, self._keyed
        search_rest = plan.rest.search
        i = bisect.bisect_left(cands, pos)
        count = len(cands)
        if (bisect.bisect_left(cands, end) - i) * _SPLIT_COST > end - pos:
            # A long text with a candidate every few characters: one pass of the regex engine
            # over the text is cheaper than a Python-level match at each (same matches).
            yield from fr.regex.finditer(text, pos, end)
            return
        last = pos
        rest = search_rest(text, pos, end)
        while True:
            while i < count and cands[i] < last:
                i += 1
            if rest is not None and rest.start() < last:
                rest = search_rest(text, last, end)
            a = cands[i] if i < count and cands[i] < end else -1
            b = rest.start() if rest is not None else -1
            if a < 0 and b < 0:
                return
            p = a if b < 0 or (0 <= a < b) else b
            if p == a:
                i += 1
            if p == b:
                rest = search_rest(text, p + 1, end)
                m = match(text, p, end)
            elif narrow is not None:
                # No alternative without prefixes matches here (the next match of theirs is
                # at ``b``): only the leaves that can start here are tried (see Narrow).
                m = narrow.match(narrow.at(keyed[p : p + K], anywhere=False), text, p, end)
            else:
                m = match(text, p, end)
            if m is not None:
                if m.end() == p:  # an empty match: re's own rules for what follows it
                    yield from fr.regex.finditer(text, p, end)
                    return
                yield m
                last = m.end()

    def search(
        self, fr: FastRegex, pos: int = 0, endpos: int | None = None
    ) -> re.Match[str] | None:
        """The same as ``fr.regex.search(text, pos, endpos)`` (remembered per window)."""
        key = (-1 - fr.slot, pos, endpos)
        found = self._memo.get(key)
        if found is None:
            first = next(self.finditer(fr, pos, endpos), None)
            found = self._memo[key] = [] if first is None else [first]
        return found[0] if found else None

    def findall(
        self, fr: FastRegex, pos: int = 0, endpos: int | None = None
    ) -> list[re.Match[str]]:
        """``list(finditer(...))``, remembered per window."""
        key = (fr.slot, pos, endpos)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = list(self.finditer(fr, pos, endpos))
        return found

    def blank(self, fr: FastRegex, spans: list[tuple[int, int]] | None = None) -> str:
        """``fr.regex.sub`` with spaces of the same length (used for idioms); the blanked
        spans are added to ``spans`` when given (for ``derive``)."""
        parts: list[str] = []
        last = 0
        text = self.text
        for m in self.finditer(fr):
            parts.append(text[last : m.start()])
            parts.append(" " * (m.end() - m.start()))
            last = m.end()
            if spans is not None:
                spans.append((m.start(), m.end()))
        if not parts:
            return text
        parts.append(text[last:])
        return "".join(parts)
