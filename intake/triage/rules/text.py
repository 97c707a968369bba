"""Free-text scanning: find risk signals and drug mentions in an inquiry's message.

The scanner only *finds* things; it does not decide priorities (``engine.py`` does). For each
lexicon signal it returns the spans that matched and were not negated, with two facts the
engine needs: whether the words are about another person (``third_party``) and, for events
that may be old (an attempt, an overdose, a seizure), the nearest time cue in the sentence.

Order of work, and why:

1. clip to MAX_SCAN_CHARS and normalise (same length, so evidence is quoted from the original);
2. blank out idioms ("dying to know", "me muero de ganas") so no signal can match inside them;
3. match each signal; drop a match when a negation cue ("not", "nunca", "keine", "pas",
   "non") sits within two words before it in the same clause, or a "no"/"none" follows it
   ("suicidal thoughts: none").

Every regex is run through ``fastscan.TextIndex``: it is tried only where a word starts with
characters one of its matches can start with, which gives the same matches as a plain scan in
a fraction of the time on long messages (see ``fastscan.py``).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from .fastscan import TextIndex
from .lexicon import DRUG_CLASSES, FUZZY_MIN_NAME, FUZZY_MIN_TOKEN, CompiledLexicon
from .normalise import clip, normalise

# Where a sentence ends, for third-party and time cues. Commas are *not* sentence ends:
# "my son, who is 19, took all his pills" must keep "my son" with "took all his pills".
_SENTENCE_END = re.compile(r"[.!?;\n]+(?:\s|$)|\n")
# Where a clause ends, for negation: "no, I want to die" must not negate "want to die".
_CLAUSE_END = re.compile(r"[,:;()\[\]\"!?.\n]|\s-\s")
_WORD = re.compile(rf"[a-z]{{{FUZZY_MIN_TOKEN},}}")  # candidate tokens for fuzzy drug names
_NEGATION_WINDOW = 80  # characters before a match searched for a negation cue
_POST_WINDOW = 40  # characters after a match searched for "none" / "keinen"
_EVIDENCE_MAX = 120
# Enough hits of one kind to decide and to quote; more only cost time on pathological input.
_MAX_HITS = 5
# Sentences are read at most this far either side of a match (a text without full stops
# would otherwise make every match re-read the whole text).
_CONTEXT = 300
_MAX_FUZZY_SEEN = 50_000
_UNSEEN = "\0unseen"


@dataclass(frozen=True, slots=True)
class Hit:
    """One non-negated match of a signal or a drug mention."""

    kind: str  # signal name, drug class or "alcohol"
    start: int
    end: int
    quote: str  # the original words
    third_party: bool
    tier: str | None = None  # nearest time cue: "now", "recent", "old" or None


@dataclass(slots=True)
class TextFindings:
    """Everything the engine needs from the message."""

    signals: dict[str, list[Hit]] = field(default_factory=dict)
    mentions: dict[str, list[Hit]] = field(default_factory=dict)
    # Drug classes named at all, negated or not ("kein Alprazolam mehr" still says the person
    # takes alprazolam): context for the stop-abruptly rule, never a risk by itself.
    named: set[str] = field(default_factory=set)
    truncated: bool = False
    # The scanned text (normalised, idioms blanked, misspelt drug names written as listed),
    # its index and sentence ends: the concept reader works on the same text.
    text: str = ""
    index: TextIndex | None = None
    bounds: list[int] = field(default_factory=list)

    def has(self, kind: str) -> bool:
        return bool(self.signals.get(kind))

    def mentioned(self, drug_class: str) -> bool:
        return bool(self.mentions.get(drug_class))


TIERS = ("now", "recent", "old")
# Thoughts that become acute (P0) when the same sentence says "now", "tonight", "hoy"...
IMMINENT_SIGNALS = frozenset({"suicidal_thoughts", "death_wish"})

_TERM_CLASS = {"benzo": "benzodiazepine", "opioid": "opioid", "z_drug": "z_drug"}

# Signals whose meaning depends on when it happened.
TIMED_SIGNALS = frozenset(
    {
        "attempt_now",
        "attempt",
        "overdose",
        "seizure",
        "confusion",
        "breathing",
        "stopped",
    }
)


def _osa_distance_at_most_one(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by at most one edit (incl. one swap of neighbours)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diffs = [i for i in range(la) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    if la > lb:
        a, b = b, a
    # b is one longer: deleting one char from b must give a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]


class Scanner:
    """Scans normalised text with one compiled lexicon."""

    def __init__(self, lexicon: CompiledLexicon) -> None:
        self.lex = lexicon
        # word -> drug class one typing mistake away, or None (a pure function of the word,
        # so remembered across messages; bounded).
        self._fuzzy_seen: dict[str, str | None] = {}
        self._fuzzy_name_seen: dict[str, str | None] = {}

    # -- helpers -------------------------------------------------------------------------

    @staticmethod
    def _sentence_bounds(text: str) -> list[int]:
        return [m.end() for m in _SENTENCE_END.finditer(text)]

    @staticmethod
    def _sentence(bounds: list[int], pos: int, length: int) -> tuple[int, int]:
        i = bisect.bisect_right(bounds, pos)
        start = bounds[i - 1] if i > 0 else 0
        end = bounds[i] if i < len(bounds) else length
        return max(start, pos - _CONTEXT), min(end, pos + _CONTEXT)

    def _negated(self, text: str, start: int, end: int, sentence_start: int) -> bool:
        window_start = max(sentence_start, start - _NEGATION_WINDOW)
        window = text[window_start:start]
        cuts = list(_CLAUSE_END.finditer(window))
        if cuts:
            window = window[cuts[-1].end() :]
        breaks = list(self.lex.clause_breaks.finditer(window))
        if breaks:
            window = window[breaks[-1].end() :]
        cue = self.lex.negation.search(window)
        if cue is not None and not self.lex.negation_breakers.search(window, cue.start()):
            return True
        after = text[end : end + _POST_WINDOW]
        return self.lex.post_negation.match(after) is not None

    def _third_party(self, index: TextIndex, start: int, end: int, sentence_start: int) -> bool:
        # A cue inside the matched words ("can't wake HIM", "se ha tomado") or earlier in the
        # same sentence ("MY SON took all his pills").
        # Every hit asks about a different window: read the message's cues once. No cue from
        # the sentence start to ``end``: none in the window either (hits end at a word
        # boundary, so cutting the text there changes no match). A cue that ends before
        # ``end`` is a cue. A cue across either edge of the window needs the exact search.
        regex = self.lex.third_party
        cues = index.findall(regex)
        at = bisect.bisect_left(cues, sentence_start, key=lambda m: m.start())
        if at and cues[at - 1].end() > sentence_start:
            return index.search(regex, sentence_start, end) is not None
        if at == len(cues) or cues[at].start() >= end:
            return False
        if cues[at].end() < end:
            return True
        return index.search(regex, sentence_start, end) is not None

    def only_long_ago(self, findings: TextFindings, start: int, end: int) -> bool:
        """Whether the words at ``start:end`` are dated long ago and nothing in their sentence
        reaches now: no time of now, of the last months or of tonight, and no duration that
        runs up to now ("for years", "seit Jahren", "still", "again").

        Stricter than a nearest time cue of "old" (engine ``_told_long_ago``, used for the
        drug mentions): thoughts of dying are history only when nothing else dates them now.
        """
        if findings.index is None:
            return False
        bounds = self._sentence(findings.bounds, start, len(findings.text))
        if self._tier(findings.text, findings.index, start, end, bounds) != "old":
            return False
        cues = self.lex.time_cues
        return not any(
            findings.index.search(cues[tier], *bounds)
            for tier in ("now", "recent", "imminent", "ongoing")
        )

    def _imminent(self, index: TextIndex, bounds: tuple[int, int]) -> str | None:
        # "I want to die tonight", "ahora mismo": thoughts with a time now are acute.
        return "now" if index.search(self.lex.time_cues["imminent"], *bounds) else None

    def _tier(
        self, text: str, index: TextIndex, start: int, end: int, bounds: tuple[int, int]
    ) -> str | None:
        # The nearest cue in the same clause wins; a cue across a comma only when the clause
        # has none ("stopped Xanax years ago, now it's wine": "stopped" is old, not now).
        best: tuple[bool, int, int, str] | None = None
        for rank, tier in enumerate(TIERS):
            for m in index.findall(self.lex.time_cues[tier], bounds[0], bounds[1]):
                if m.end() <= start:
                    dist = start - m.end()
                    between = text[m.end() : start]
                elif m.start() >= end:
                    dist = m.start() - end
                    between = text[end : m.start()]
                else:
                    dist = 0
                    between = ""
                crosses = _CLAUSE_END.search(between) is not None
                key = (crosses, dist, rank, tier)
                if best is None or key < best:
                    best = key
        return best[3] if best else None

    def _quote(self, original: str, start: int, end: int) -> str:
        quote = " ".join(original[start:end].split())
        if len(quote) > _EVIDENCE_MAX:
            quote = quote[: _EVIDENCE_MAX - 1] + "\u2026"
        return quote

    # -- scanning ------------------------------------------------------------------------

    def scan(self, message: str) -> TextFindings:
        original = clip(message)
        findings = TextFindings(truncated=len(message) > len(original))
        if not original.strip():
            return findings
        text = normalise(original)
        # Idioms are blanked out (same length) so nothing can match inside them. The index
        # (where matches can start) is rebuilt when that changed the text.
        index = TextIndex(text, self.lex.prefix_table)
        spans: list[tuple[int, int]] = []
        blanked = index.blank(self.lex.idioms, spans)
        if blanked is not text:
            text = blanked
            index = index.derive(text, spans)
        # Misspelt drug names ("xananx", "clonacepam") are written as the listed name in the
        # scanned text (padded with spaces, so the length stays the same), so the signal
        # patterns built around drug names ("took all my {meds}") see them too.
        spans = []
        canonical = self._canonical_drugs(text, spans)
        if canonical is not text:
            text = canonical
            index = index.derive(text, spans)
        bounds = self._sentence_bounds(text)
        length = len(text)
        findings.text, findings.index, findings.bounds = text, index, bounds

        def make_hit(kind: str, start: int, end: int, timed: bool) -> Hit | None:
            s_start, s_end = self._sentence(bounds, start, length)
            if self._negated(text, start, end, s_start):
                return None
            return Hit(
                kind=kind,
                start=start,
                end=end,
                quote=self._quote(original, start, end),
                third_party=self._third_party(index, start, end, s_start),
                tier=(
                    self._imminent(index, (s_start, s_end))
                    if kind in IMMINENT_SIGNALS
                    else self._tier(text, index, start, end, (s_start, s_end))
                    if timed
                    else None
                ),
            )

        present = {t for t, rx in self.lex.gate_terms.items() if index.search(rx) is not None}
        findings.named.update(_TERM_CLASS[t] for t in present if t in _TERM_CLASS)
        for signal, regexes in self.lex.signals.items():
            hits: list[Hit] = []
            for gate, regex in regexes:
                if gate and not gate & present:
                    continue  # cannot match: none of the words it is built around occur
                for m in index.finditer(regex):
                    hit = make_hit(signal, m.start(), m.end(), signal in TIMED_SIGNALS)
                    if hit is not None:
                        hits.append(hit)
                        if len(hits) >= _MAX_HITS:
                            break
            if hits:
                hits.sort(key=lambda h: h.start)
                findings.signals[signal] = hits

        covered: set[int] = set()  # start positions of exact drug-name matches
        for drug_class in DRUG_CLASSES:
            for m in index.finditer(self.lex.class_words_regex[drug_class]):
                covered.add(m.start())
                if self._room(findings, drug_class):
                    hit = make_hit(drug_class, m.start(), m.end(), False)
                    self._add_mention(findings, drug_class, hit)
        for m in index.finditer(self.lex.alcohol):
            if not self._room(findings, "alcohol"):
                break
            self._add_mention(findings, "alcohol", make_hit("alcohol", m.start(), m.end(), False))

        # Misspelt drug names: one typing mistake away from a listed name ("alprazolan").
        fuzzy_checked = self._fuzzy_seen
        for m in _WORD.finditer(text):
            word = m.group()
            if m.start() in covered:
                continue
            fuzzy_class = fuzzy_checked.get(word, _UNSEEN)
            if fuzzy_class is _UNSEEN:
                fuzzy_class = self._fuzzy_class(word)
                if len(fuzzy_checked) < _MAX_FUZZY_SEEN:
                    fuzzy_checked[word] = fuzzy_class
            if fuzzy_class is None:
                continue
            findings.named.add(fuzzy_class)
            if self._room(findings, fuzzy_class):
                hit = make_hit(fuzzy_class, m.start(), m.end(), False)
                self._add_mention(findings, fuzzy_class, hit)
        return findings

    @staticmethod
    def _room(findings: TextFindings, kind: str) -> bool:
        return len(findings.mentions.get(kind, ())) < _MAX_HITS

    @staticmethod
    def _add_mention(findings: TextFindings, kind: str, hit: Hit | None) -> None:
        if hit is None:
            return
        hits = findings.mentions.setdefault(kind, [])
        if len(hits) < _MAX_HITS:
            hits.append(hit)

    def _canonical_drugs(self, text: str, spans: list[tuple[int, int]]) -> str:
        parts: list[str] = []
        last = 0
        seen = self._fuzzy_name_seen
        for m in _WORD.finditer(text):
            word = m.group()
            name = seen.get(word, _UNSEEN)
            if name is _UNSEEN:
                name = self._fuzzy_name(word)
                if len(seen) < _MAX_FUZZY_SEEN:
                    seen[word] = name
            if name is None or len(name) > len(word):
                continue
            parts.append(text[last : m.start()])
            parts.append(name.ljust(len(word)))
            spans.append((m.start(), m.end()))
            last = m.end()
        if not parts:
            return text
        parts.append(text[last:])
        return "".join(parts)

    def _fuzzy_class(self, token: str) -> str | None:
        name = self._fuzzy_name(token)
        return None if name is None else self.lex.fuzzy_names[name]

    def _fuzzy_name(self, token: str) -> str | None:
        variants = self.lex.fuzzy_variants
        if token in self.lex.drug_words:
            return None  # an exact name would have matched already
        candidates: set[str] = set(variants.get(token, ()))
        for i in range(len(token)):
            candidates.update(variants.get(token[:i] + token[i + 1 :], ()))
        for name in sorted(candidates):
            if len(name) < FUZZY_MIN_NAME and len(token) != len(name) + 1:
                continue  # a short name: only one letter added ("xananx")
            if _osa_distance_at_most_one(token, name):
                return name
        return None
