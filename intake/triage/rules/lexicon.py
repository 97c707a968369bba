"""Load the reviewable lexicon files and compile them once, at import.

The lexicons are JSON files in ``lexicons/`` that a clinician can read and edit (see
``docs/triage.md``). This module turns them into a few precompiled regular expressions and
lookup tables. Every language's patterns are merged: an inquiry is scanned with all five
languages whatever its ``language`` field says, because people write in the language they
think in, mix languages, or leave the form's default.

Pattern conventions (documented for editors in the lexicon files themselves):

* patterns are regular expressions over *normalised* text: lower case, no accents;
* a space matches any run of whitespace; an apostrophe is optional (``can't`` matches ``cant``);
* a pattern starts and ends on a word boundary; write ``\\w*`` at the end to match a stem;
* ``{meds}``, ``{benzo}``, ``{opioid}``, ``{alcohol}``, ``{z_drug}``, ``{pills}`` and any other
  ``{term}`` defined in a lexicon's ``terms`` expand to the union of those words.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from importlib import resources
from typing import Any

from intake.vocabulary import Language

from .fastscan import FastRegex, PrefixTable, fast
from .normalise import fold

try:  # the regex parser, used only to bucket patterns by first character (a speed-up)
    import re._parser as _sre_parse  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_parse as _sre_parse  # type: ignore[no-redef,unused-ignore]

LANGUAGES: tuple[str, ...] = Language.codes()
DRUG_CLASSES: tuple[str, ...] = ("benzodiazepine", "opioid", "z_drug")

# Every signal a language lexicon may define. The engine decides what each one means.
SIGNALS: tuple[str, ...] = (
    "suicidal_plan",
    "attempt_now",
    "attempt",
    "suicidal_thoughts",
    "death_wish",
    "self_harm",
    "overdose",
    "seizure",
    "seizure_now",
    "confusion",
    "confusion_now",
    "breathing",
    "someone_in_danger",
    "mixing",
    "abrupt_stop",
    "stopped",
    "help",
    "info",
    # Context signals, never a risk by themselves (engine.py):
    "farewell",  # goodbyes, final acts ("gave away my things", "wrote letters to the kids")
    "arranged",  # weaker: "everything is sorted", "I won't be here": counts only with another
    "past_use",  # a benzodiazepine used long ago ("took Valium years ago")
    "hypothetical",  # a general question ("is it dangerous to stop benzos suddenly?")
    "personal_use",  # says they use it ("I take", "every night"): a question is then personal
    "avoided_stop",  # a stop refused or feared ("I don't want to stop it suddenly"): no stop
    "story",  # a story about someone else read or seen ("the news story of a woman who mixed")
)
# "ongoing": a duration that runs up to now ("for years", "seit Jahren"); it keeps thoughts told
# beside an old date current (engine.py, 1.22.0).
TIME_TIERS: tuple[str, ...] = ("now", "recent", "old", "imminent", "ongoing")

# "or" in the five languages: a negation carries across a short list ("no A or B").
_OR = r"(?:or|nor|ni|o|u|oder|noch|ou|ne)"

# Fuzzy matching (one typing mistake) only for names and tokens at least this long: short
# names are too close to ordinary words ("tavor" / "favor").
FUZZY_MIN_NAME = 7
FUZZY_MIN_TOKEN = 6
# Shorter names (5-6 letters, "xanax", "valium") are matched only with one letter *added*
# ("xananx", "valiumm"), which few ordinary words are.
FUZZY_MIN_SHORT_NAME = 5


# Patterns that mention one of these terms can only match where the term occurs, so they are
# skipped for texts without it: most messages name no drug, and the patterns built around the
# long drug-name lists are the slowest ones. A pure speed-up: results are identical.
GATE_TERMS: tuple[str, ...] = ("pills", "benzo", "opioid", "z_drug", "alcohol")
_GATE_REF = re.compile(r"\{(meds|pills|benzo|opioid|z_drug|alcohol)\}")


def _gate(pattern: str) -> frozenset[str]:
    """The terms one of which must occur for ``pattern`` to match.

    Only a term the pattern *starts with* is used: it is certainly required, and those are the
    patterns that cannot be bucketed by first letter (see ``_alternation``), so gating them is
    what saves the time. ``{meds}`` stands for any of the drug terms.
    """
    m = _GATE_REF.match(pattern.strip())
    if m is None:
        return frozenset()
    name = m.group(1)
    return frozenset(("pills", "benzo", "opioid", "z_drug") if name == "meds" else (name,))


class LexiconError(ValueError):
    """A lexicon file is malformed. Raised at import so a bad edit never reaches production."""


@dataclass(frozen=True, slots=True)
class CompiledLexicon:
    """All lexicons, merged and compiled."""

    # signal -> [(gate, regex)]: a regex is only run when one of its gate terms occurs in
    # the text (an empty gate: always). See GATE_TERMS.
    signals: Mapping[str, tuple[tuple[frozenset[str], FastRegex], ...]]
    gate_terms: Mapping[str, FastRegex]
    negation: re.Pattern[str]  # searched at the end of the words before a match
    negation_breakers: re.Pattern[str]  # "can't STOP thinking about": not a negation
    post_negation: re.Pattern[str]  # "suicidal thoughts: none", "ich trinke keinen"
    clause_breaks: re.Pattern[str]  # "but", "aber", "pero": negation does not cross them
    third_party: FastRegex
    idioms: FastRegex
    time_cues: Mapping[str, FastRegex]
    alcohol: FastRegex
    drug_words: Mapping[str, str]  # one- or two-word drug name -> class
    fuzzy_variants: Mapping[str, tuple[str, ...]]  # deletion variant -> names
    fuzzy_names: Mapping[str, str]  # name -> class
    class_words_regex: Mapping[str, FastRegex]  # language class words ("tranquillanti")
    digest: str  # short hash of every lexicon file, part of RULESET_VERSION
    prefix_table: PrefixTable  # where each regex can start matching (see fastscan.py)


def _read_json(name: str) -> tuple[dict[str, Any], bytes]:
    raw = resources.files(__package__).joinpath("lexicons", name).read_bytes()
    try:
        data = json.loads(raw.decode("utf-8"))
    except ValueError as exc:  # pragma: no cover - guarded by tests on the shipped files
        raise LexiconError(f"lexicons/{name}: {exc}") from exc
    if not isinstance(data, dict):  # pragma: no cover
        raise LexiconError(f"lexicons/{name}: the top level must be an object")
    return data, raw


_BACKSLASH_OR_UPPER = re.compile(r"\\.|[A-Z]")


def _lower_pattern(pattern: str) -> str:
    """Lower-case a regex without breaking escapes such as ``\\S`` or ``\\W``."""
    return _BACKSLASH_OR_UPPER.sub(
        lambda m: m.group() if m.group().startswith("\\") else m.group().lower(), pattern
    )


def _literal(word: str) -> str:
    """Regex for a plain drug/term word: folded, spaces and hyphens flexible, optional plural."""
    parts = re.split(r"[\s\-]+", fold(word).lower().strip())
    return r"[\s\-]*".join(re.escape(p) for p in parts if p) + "s?"


def _trie_regex(words: Iterable[str]) -> str:
    """One regex alternation for many literal words, shaped as a trie so it stays fast."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = True

    def walk(node: dict[str, Any]) -> str:
        end = "" in node
        branches = [re.escape(ch) + walk(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if end else body

    return walk(trie)


_TERM = re.compile(r"\{([a-z_]+)\}")


def _prepare(pattern: str, terms: Mapping[str, str], where: str) -> str:
    """Turn one lexicon pattern into the regex that is actually compiled."""
    if not isinstance(pattern, str) or not pattern.strip():
        raise LexiconError(f"{where}: a pattern must be a non-empty string")
    # "sœur" is folded to "sour" in the text, but people without the key type "soeur": a
    # pattern's œ finds both (1.10.0).
    pattern = pattern.replace("œ", "(?:oe|o)").replace("Œ", "(?:oe|o)")
    text = _lower_pattern(fold(pattern.strip()))
    text = text.replace("'", "'?")
    text = text.replace(" ?", r"\s*")  # "(heute)? ?jetzt": an optional word
    text = text.replace(" ", r"\s+")

    def expand(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in terms:
            raise LexiconError(f"{where}: unknown term {{{name}}} in {pattern!r}")
        return terms[name]

    # Validate and analyse the pattern with each {term} standing for "any character": the
    # expanded drug lists are long, and compiling every pattern twice with them doubled the
    # start-up time. The expanded regex is compiled once, in its signal's alternation.
    skeleton = _TERM.sub(lambda m: (expand(m), "(?:.)")[1], text)
    try:
        re.compile(skeleton)
    except re.error as exc:
        raise LexiconError(f"{where}: {pattern!r} is not a valid pattern: {exc}") from exc
    expanded = _TERM.sub(expand, text)
    _SKELETONS[expanded] = skeleton
    return expanded


# expanded pattern -> the same pattern with terms as "(?:.)"; only used while loading
_SKELETONS: dict[str, str] = {}


def _first_chars(pattern: str) -> frozenset[str] | None:
    """Characters a match of ``pattern`` can start with, or None when it could be anything.

    Used only to speed matching up (see ``_alternation``); any doubt answers None, which is
    always correct.
    """
    try:
        parsed = _sre_parse.parse(pattern)
    except Exception:  # pragma: no cover - patterns are validated before this
        return None
    chars, nullable = _seq_first(list(parsed))
    if chars is None or nullable or not chars:
        return None
    return frozenset(chars)


def _seq_first(items: list[Any]) -> tuple[set[str] | None, bool]:
    result: set[str] = set()
    for op, av in items:
        chars, nullable = _op_first(op, av)
        if chars is None:
            return None, False
        result |= chars
        if not nullable:
            return result, False
    return result, True


def _op_first(op: Any, av: Any) -> tuple[set[str] | None, bool]:
    name = str(op)
    if name == "LITERAL":
        return {chr(av)}, False
    if name == "IN":
        chars: set[str] = set()
        for sub_op, sub_av in av:
            sub = str(sub_op)
            if sub == "LITERAL":
                chars.add(chr(sub_av))
            elif sub == "RANGE" and sub_av[1] - sub_av[0] < 64:
                chars.update(chr(c) for c in range(sub_av[0], sub_av[1] + 1))
            else:
                return None, False
        return chars, False
    if name == "BRANCH":
        union: set[str] = set()
        any_nullable = False
        for branch in av[1]:
            chars_b, nullable_b = _seq_first(list(branch))
            if chars_b is None:
                return None, False
            union |= chars_b
            any_nullable = any_nullable or nullable_b
        return union, any_nullable
    if name == "SUBPATTERN":
        return _seq_first(list(av[-1]))
    if name == "ATOMIC_GROUP":
        return _seq_first(list(av))
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        low, _high, item = av
        chars_r, nullable_r = _seq_first(list(item))
        return chars_r, (low == 0 or nullable_r)
    if name in ("AT", "ASSERT", "ASSERT_NOT"):
        return set(), True
    return None, False


# A pattern that can start with many letters ("{meds} ...") stays unbucketed rather than being
# copied into every bucket, which would slow compiling for no gain.
_MAX_BUCKETS_PER_PATTERN = 6


def _alternation(patterns: list[str], *, bounded: bool = True, longest_first: bool = False) -> str:
    """One regex for many patterns, bucketed by first character.

    Python's ``re`` tries every alternative at every word start; with hundreds of patterns
    that is most of the cost of scoring a long message. Grouping the alternatives behind a
    one-character lookahead lets the engine skip whole buckets at once (about 5x faster on
    long texts). The matches are the same as a plain alternation's.

    ``longest_first`` tries longer patterns first, so that "heute morgen" is found whole
    rather than as "heute" (time cues: the distance to a cue is measured from its ends).
    """
    if not patterns:
        return r"(?!x)x"  # matches nothing
    buckets: dict[str, list[str]] = {}
    by_set: dict[frozenset[str], list[str]] = {}
    anywhere: list[str] = []
    ordered = list(dict.fromkeys(patterns))
    if longest_first:
        ordered.sort(key=lambda p: -len(_SKELETONS.get(p) or p))
    for p in ordered:
        first = _first_chars(_SKELETONS.get(p, p))
        if first is None:
            anywhere.append(p)
        elif len(first) == 1 or (len(first) <= _MAX_BUCKETS_PER_PATTERN and len(p) < 400):
            for ch in first:  # short: copy into each letter's bucket
                buckets.setdefault(ch, []).append(p)
        else:  # long (a drug list inside): one copy behind a character-set lookahead
            by_set.setdefault(first, []).append(p)
    branches = [
        f"(?={re.escape(ch)})(?:{'|'.join(f'(?:{p})' for p in pats)})"
        for ch, pats in sorted(buckets.items())
    ]
    for chars, pats in sorted(by_set.items(), key=lambda kv: sorted(kv[0])):
        charset = "".join(re.escape(c) for c in sorted(chars))
        branches.append(f"(?=[{charset}])(?:{'|'.join(f'(?:{p})' for p in pats)})")
    branches += [f"(?:{p})" for p in anywhere]
    body = "|".join(branches)
    return rf"(?<!\w)(?:{body})(?!\w)" if bounded else f"(?:{body})"


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _str_list(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise LexiconError(f"{where}: expected a list of strings")
    return value


LEXICON_FILES: tuple[str, ...] = ("drugs.json", *(f"{lang}.json" for lang in LANGUAGES))


#: The concept files (``concepts/``) are part of the rule set too.
CONCEPT_DATA_FILES: tuple[str, ...] = (*(f"{lang}.toml" for lang in LANGUAGES), "_forms.json")


def _concept_bytes() -> list[bytes]:
    folder = resources.files(__package__).joinpath("concepts")
    return [folder.joinpath(name).read_bytes() for name in CONCEPT_DATA_FILES]


def lexicon_digest() -> str:
    """A short hash of the lexicon and concept files: the ruleset version without compiling."""
    digest = hashlib.sha256()
    for name in LEXICON_FILES:
        digest.update(resources.files(__package__).joinpath("lexicons", name).read_bytes())
    for raw in _concept_bytes():
        digest.update(raw)
    from .reader import model_bytes  # the second reader's weights are part of the rules

    digest.update(model_bytes())
    return digest.hexdigest()[:10]


def load() -> CompiledLexicon:
    """Read every lexicon file and compile it. Raises LexiconError on a malformed file."""
    digest = hashlib.sha256()
    drugs, raw = _read_json("drugs.json")
    digest.update(raw)
    languages: dict[str, dict[str, Any]] = {}
    for lang in LANGUAGES:
        data, raw = _read_json(f"{lang}.json")
        digest.update(raw)
        languages[lang] = data
    for raw in _concept_bytes():
        digest.update(raw)
    from .reader import model_bytes

    digest.update(model_bytes())

    # Drug names: a dictionary for token lookup and a trie regex per class for patterns.
    drug_words: dict[str, str] = {}
    class_literals: dict[str, list[str]] = {c: [] for c in DRUG_CLASSES}
    classes = drugs.get("classes", {})
    for cls in DRUG_CLASSES:
        for generic, names in classes.get(cls, {}).items():
            for name in _str_list(names, f"drugs.json {cls}.{generic}"):
                key = " ".join(re.split(r"[\s\-]+", fold(name).lower().strip()))
                drug_words[key] = cls
                class_literals[cls].append(key)
    fuzzy_names: dict[str, str] = {}
    for name in _str_list(drugs.get("fuzzy"), "drugs.json fuzzy"):
        key = fold(name).lower()
        if key not in drug_words:
            raise LexiconError(f"drugs.json fuzzy: {name!r} is not listed in any class")
        if len(key) >= FUZZY_MIN_SHORT_NAME:
            fuzzy_names[key] = drug_words[key]
    fuzzy_variants: dict[str, set[str]] = {}
    for name in fuzzy_names:
        for variant in {name} | _deletes(name):
            fuzzy_variants.setdefault(variant, set()).add(name)

    # Terms: the union across languages, plus the drug classes.
    term_lists: dict[str, list[str]] = {}
    for lang, data in languages.items():
        for term, words in (data.get("terms") or {}).items():
            term_lists.setdefault(term, []).extend(_str_list(words, f"{lang}.json terms.{term}"))

    def class_regex(cls: str, term: str) -> str:
        words = sorted(
            {w.replace(" ", "\0") for w in class_literals[cls]}
        )  # placeholder keeps spaces out of the trie escape
        trie = _trie_regex(words).replace("\\\x00", r"[\s\-]*").replace("\x00", r"[\s\-]*")
        extra = [_prepare(p, {}, f"terms.{term}") for p in term_lists.get(term, [])]
        # A drug name heading a compound noun ("Methadonprogramm", "Diazepamtropfen") still
        # names the drug: the tails are listed per language under terms.compound_tail.
        tails = [
            _prepare(p, {}, "terms.compound_tail") for p in term_lists.get("compound_tail", [])
        ]
        tail = f"(?:s|{'|'.join(tails)})?" if tails else "s?"
        return "(?:" + "|".join([f"(?:{trie}){tail}", _alternation(extra, bounded=False)]) + ")"

    terms: dict[str, str] = {}
    for term, words in term_lists.items():
        if term in ("benzo", "opioid", "z_drug"):
            continue
        prepared = [_prepare(w, {}, f"terms.{term}") for w in words]
        terms[term] = _alternation(prepared, bounded=False)
    terms["benzo"] = class_regex("benzodiazepine", "benzo")
    terms["opioid"] = class_regex("opioid", "opioid")
    terms["z_drug"] = class_regex("z_drug", "z_drug")
    terms.setdefault("pills", r"(?:pills?)")
    terms.setdefault("alcohol", r"(?:alcohol)")
    terms["meds"] = (
        "(?:" + "|".join([terms["pills"], terms["benzo"], terms["opioid"], terms["z_drug"]]) + ")"
    )

    def gather(key: str) -> list[str]:
        out: list[str] = []
        for lang, data in languages.items():
            for p in _str_list(data.get(key), f"{lang}.json {key}"):
                out.append(_prepare(p, terms, f"{lang}.json {key}"))
        return out

    signals: dict[str, tuple[tuple[frozenset[str], FastRegex], ...]] = {}
    for signal in SIGNALS:
        by_gate: dict[frozenset[str], list[str]] = {}
        for lang, data in languages.items():
            block = data.get("signals") or {}
            for p in _str_list(block.get(signal), f"{lang}.json signals.{signal}"):
                gate = _gate(p)
                by_gate.setdefault(gate, []).append(
                    _prepare(p, terms, f"{lang}.json signals.{signal}")
                )
        signals[signal] = tuple(
            (gate, fast(re.compile(_alternation(pats))))
            for gate, pats in sorted(by_gate.items(), key=lambda kv: sorted(kv[0]))
        )
    for lang, data in languages.items():
        unknown = set(data.get("signals") or {}) - set(SIGNALS)
        if unknown:
            raise LexiconError(f"{lang}.json: unknown signal(s) {sorted(unknown)}")

    time_cues: dict[str, FastRegex] = {}
    for tier in TIME_TIERS:
        pats = []
        for lang, data in languages.items():
            cues = (data.get("time_cues") or {}).get(tier)
            for p in _str_list(cues, f"{lang}.json time_cues.{tier}"):
                pats.append(_prepare(p, terms, f"{lang}.json time_cues.{tier}"))
        time_cues[tier] = fast(re.compile(_alternation(pats, longest_first=True)))

    # A cue negates the next two words, or a short list joined by "or" ("no thoughts of
    # suicide or self-harm", "ni ideas suicidas ni autolesiones").
    cues = "|".join(gather("negation_cues"))
    # ... or a thought, an intention or a plan of it, a few words on ("no tengo pensamientos
    # de hacerme daño", "I have no intention of ...", "keine Gedanken daran, mich ..."), 1.9.0.
    # Wishes ("ganas", "envie", "voglia") are not here: "no tengo ganas de vivir" is a wish
    # not to live, which the concepts read.
    thought = "|".join(gather("negated_thoughts")) or "(?!x)x"
    negation = re.compile(
        rf"(?<!\w)(?:{cues})(?:(?:\W+\w+){{0,2}}|(?:\W+\w+){{1,4}}\W+{_OR}"
        rf"|(?:\W+\w+){{0,2}}\W+(?:{thought})(?:\W+\w+){{0,4}}"
        # ... and on over "or" to the next item: "nessun pensiero di farmi del male o di
        # suicidarmi", "no thoughts of hurting myself or of ending it" (1.24.0).
        rf"|(?:\W+\w+){{0,2}}\W+(?:{thought})(?:\W+\w+){{0,5}}\W+{_OR}(?:\W+\w+){{0,1}})\W*$"
    )
    class_words_regex = {
        "benzodiazepine": fast(re.compile(_alternation([terms["benzo"]]))),
        "opioid": fast(re.compile(_alternation([terms["opioid"]]))),
        "z_drug": fast(re.compile(_alternation([terms["z_drug"]]))),
    }
    compiled = CompiledLexicon(
        signals=signals,
        gate_terms={t: fast(re.compile(_alternation([terms[t]]))) for t in GATE_TERMS},
        negation=negation,
        negation_breakers=re.compile(_alternation(gather("negation_breakers"))),
        post_negation=re.compile(r"^(?:" + "|".join(gather("post_negation") or ["(?!x)x"]) + ")"),
        clause_breaks=re.compile(_alternation(gather("clause_breaks"))),
        third_party=fast(re.compile(_alternation(gather("third_party_cues")))),
        idioms=fast(re.compile(_alternation(gather("idioms")))),
        time_cues=time_cues,
        alcohol=fast(re.compile(_alternation([terms["alcohol"]]))),
        drug_words=drug_words,
        fuzzy_variants={k: tuple(sorted(v)) for k, v in fuzzy_variants.items()},
        fuzzy_names=fuzzy_names,
        class_words_regex=class_words_regex,
        digest=digest.hexdigest()[:10],
        prefix_table=PrefixTable(()),
    )
    indexed = [fr for group in compiled.signals.values() for _gate, fr in group]
    indexed += [*compiled.gate_terms.values(), *compiled.time_cues.values()]
    indexed += [*compiled.class_words_regex.values(), compiled.alcohol]
    indexed += [compiled.third_party, compiled.idioms]
    compiled = replace(compiled, prefix_table=PrefixTable(indexed))
    _SKELETONS.clear()
    return compiled
