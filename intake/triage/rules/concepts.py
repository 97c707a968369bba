"""Concept recognition: find meaning units per sentence and decide on their combination.

Phrases in the lexicons catch what people wrote before; concepts catch what they will write.
Each language file ``concepts/<lang>.toml`` lists, per concept (MEANS, INGESTION, QUANTITY,
DEPRESSANT, INTENT, NO-WAKE, PREPARATION, TIME-NOW, danger signs, children at risk...), single
words as dictionary forms and a few short phrases. A word is found in every inflected form
(the forms come from simplemma's dictionaries, expanded once into ``concepts/_forms.json``),
a stem ending in ``*`` by its start, and a word of six letters or more (drug names: five) also
with a typing mistake (rapidfuzz, against a precomputed list, so scoring stays fast). Every
language's concepts are scanned whatever the form's language (Spanglish; a German writing in
English).

``combinations.py`` holds the one table of which concepts together make P0 or P1; this module
finds the concepts, applies the table and the safety net, and returns flags. It reuses the
scanner's normalised text (idioms already blanked, misspelt drug names already written as the
listed name), its negation, third-party and time cues.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from .catalog import spec
from .combinations import COMBINATIONS, FAMILIES
from .fastscan import FastRegex, PrefixTable, TextIndex, fast
from .lexicon import LANGUAGES, LexiconError, _alternation, _prepare
from .model import Flag
from .normalise import fold

CONCEPT_FILES: tuple[str, ...] = tuple(f"{lang}.toml" for lang in LANGUAGES)
FORMS_FILE = "_forms.json"

#: Concepts every language file defines (a missing one is an empty list).
CONCEPTS: tuple[str, ...] = (
    "means", "ingestion", "quantity", "depressant", "intent", "death_wish", "rouse", "wish",
    "no_wake", "preparation", "arranged", "time_now", "breathing", "breath_neg", "colour",
    "seizure_convulse", "seizure_mark", "seizure_fall", "confusion_sign", "child", "driving",
    "intoxicated", "fall", "running_out", "doctor_away", "distress", "about", "contact",
    "breath_hard", "weapon", "hiding", "goodbye", "lethal_place", "not_here", "better", "live",
    "burden", "street_benzo", "maybe", "support", "dead", "function_words", "confused",
    "revived", "stop", "days_ago", "seizure_stiff", "motionless", "farewell", "resigned", "habit",
    "violence", "alone_with", "tried", "without", "from_now", "last_dose", "delirium_now",
    "as_we_speak", "discarded", "unwell", "saved", "found", "resolved", "threat", "rescued",
    "denial", "recovery", "armed", "aggression", "sent_goodbye", "no_reply", "work_question",
    "pro_role", "long_apology", "general_question", "no_danger",
)  # fmt: skip
_SEIZURE_KINDS = ("seizure_convulse", "seizure_mark", "seizure_fall", "seizure_stiff")

# Fuzzy matching: words of at least this length, one edit (two from nine letters on).
FUZZY_MIN_WORD = 6
FUZZY_MIN_DRUG = 5
_FUZZY_MAX_PER_MESSAGE = 300
# Only words whose misspelling is common and whose near neighbours are not everyday words
# ("hopeless" / "homeless" is why despair is not here).
_FUZZY_CONCEPTS = frozenset(
    {"means", "ingestion", "depressant", "intent", "intoxicated", "seizure_convulse", "benzo"}
)
# Concepts read only on demand, never scanned (1.11.0): DENIAL ("no thoughts of harming
# myself") starts on the most frequent words ("no", "pas", "non") and matters only when a wish
# not to live is said of a way of life.
_LAZY = frozenset({"denial", "no_danger"})
_FUZZY_SEEN_MAX = 50_000
# A sentence longer than this is read in pieces, so that words far apart in a text without
# full stops do not make a combination.
_SEGMENT_MAX = 300
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SENTENCE_END = re.compile(r"[.!?;\n]+(?:\s|$)|\n")
_CLAUSE = re.compile(r"[,;:.()!?]")
# Negations for the concepts whose meaning *is* the negation ("not wake up", "nöd wach").
_NEGATION = re.compile(
    r"(?<![a-z])(?:not|no|never|cannot|cant|wont|dont|doesnt|isnt|nicht|nich|nod|ned|kein\w*|nie"
    r"|pas|plus|jamais|non|nada|nunca|niente|mai|ni|nothing|nobody|ka|koa|koan|kei|keini|nid|nit"
    r"|nae|\w+nae|manco|didnt|isnt|wasnt|arent|werent|couldnt|wouldnt|shouldnt|hasnt|havent"
    r"|hadnt|aint|wouldn|couldn)(?![a-z])"
    # "can't", "won't": the apostrophe is needed (1.14.0), or "moment", "want", "went" and
    # "parent" ended in a negation ("he drinks from the moment he wakes up" read as "cannot
    # be woken").
    r"|n't(?![a-z])"
)
_NEG_WORDS = r"(?:not|no|never|nicht|nich|ned|nit|kein\w*|nie|pas|jamais|non|nunca|mai|nada|niente)"
_GAP = rf"((?!{_NEG_WORDS}(?!\w))\S+ ){{"
# Concepts about dying: a negation further back in the clause still counts ("I have never
# once thought about suicide", "nunca he pensado en quitarme la vida").
_WIDE_NEGATION = frozenset({"intent", "death_wish", "preparation", "self_harm", "no_wake"})
_WIDE_WORDS = 6
# Pill words that may follow LAST-DOSE ("my last pill"); a drug name counts as "benzo".
_PILL_WORD = re.compile(
    r"(?:pill|tablet|tab|dose|pastill|comprimid|dosis|tablett|pille|comprime|cachet|pilule"
    r"|pastigli|compress|capsul|kapsel|gelul)"
)
_LAST_GAP = 8  # characters between "last" and the drug or pill word ("last dose of")
# French "il" only before a verb or a negation: Italian "il" is the article ("il mio").
_OTHER_PERSON = re.compile(
    r"(?<![a-z])(?:him|her|he|she|ihn|er|lui|lei|el|ella|elle"
    r"|il (?=(?:est|etait|a|avait|ne|n'|dit|disait|se|s'|sait|savait|voit|voyait|parle|parlait"
    r"|croit|croyait|tremble|tremblait)(?![a-z])))(?![a-z])"
)
# Context words are never negated: "reagiert nicht auf meine Nachrichten" still names the
# messages, and that context is what stops "not answering" reading as "cannot be woken".
_NEVER_NEGATED = frozenset(
    {"benzo", "depressant", "contact", "about", "time_now", "quantity", "wish", "child", "driving",
     "not_here", "better", "burden", "hiding", "lethal_place", "last_dose", "from_now",
     "as_we_speak", "found", "denial", "recovery", "sent_goodbye", "no_reply", "work_question",
     "pro_role", "long_apology", "general_question"}
)  # fmt: skip
# Words that only place or date another concept ("last", "from today", "tried"): whether they
# are said of someone else is read from the concept they go with, so the (costly) check is
# skipped; "last", "from today" and "as I write" are never negated either. Frequent words
# ("tried", "last") in a long letter would otherwise each pay both checks.
_NO_THIRD = frozenset({"last_dose", "from_now", "as_we_speak", "tried"})
# Living qualified by a way of life ("no quiero seguir viviendo así", "don't want to live like
# this any more") is about the life they lead, not about being alive (1.11.0).
_LIKE_THIS = re.compile(
    r"(?:\s+(?:any ?more|mas|plus|piu|mehr))?"
    r"\s+(?:like (?:this|that)|this way|(?:in )?the way i (?:am|do)|asi"
    r"|de (?:esta|esa) (?:manera|forma)|de este modo|so wie (?:jetzt|bisher)|so weiter"
    r"|comme (?:ca|cela|maintenant)|de cette (?:facon|maniere)|cosi|in questo modo"
    r"|come (?:ora|adesso|sto))(?![a-z])"
)
# German puts it before: "ich will so nicht mehr leben".
_SO_NOT = re.compile(r"(?<![a-z])so (?:nicht|nie|kein)")


def denies_harm(lex: ConceptLexicon, text: str) -> bool:
    """Whether the message says clearly that they have no thought of harming themselves
    (DENIAL). Read only when a wish not to live is said of a way of life (rare), so the
    plain search costs nothing on ordinary messages."""
    regex = lex.phrases.get("denial")
    return regex is not None and regex.regex.search(text) is not None


def living_like_this(text: str, start: int, end: int) -> bool:
    """Whether the words from ``start`` to ``end`` (a wish not to live) are said of a way of
    life: "no quiero seguir viviendo así", "ich will so nicht mehr leben" (1.11.0)."""
    if _LIKE_THIS.match(text, end):
        return True
    # "so nicht" a few words back in the same clause, or inside the words themselves.
    before = max(0, start - 25)
    cut = max(text.rfind(ch, before, start) for ch in ",.;:!?")
    return _SO_NOT.search(text, max(before, cut + 1), end) is not None


# A street name of a benzodiazepine ("xanas", "bars") with taking it or a dose in the same
# sentence is the benzodiazepine itself (1.11.0): "prendo lo xanas da 0,50 tre volte al giorno".
_STREET_BENZO_USE = frozenset({"ingestion", "quantity", "habit"})
_NEG_BEFORE = 40
_MAX_HITS = 12
_NEG_AFTER = 20

_FAMILY_OF = {c: fam for fam, members in FAMILIES.items() for c in members}

# Scanner signals that are also concepts (so a phrase the lexicons know combines with new words).
_SIGNAL_CONCEPTS: dict[str, tuple[str, ...]] = {
    "suicidal_plan": ("intent",),
    "suicidal_thoughts": ("intent",),
    "death_wish": ("death_wish",),
    "farewell": ("preparation",),
    "arranged": ("arranged",),
    "self_harm": ("self_harm",),
    "overdose": ("overdose",),
    "attempt_now": ("ingestion", "quantity"),
    "breathing": ("breathing",),
    "seizure": ("seizure_sign",),
    "seizure_now": ("seizure_sign",),
    "confusion": ("confusion_sign",),
    "confusion_now": ("confusion_sign",),
    "mixing": ("depressant",),
}
_HISTORY = {  # a dated combination: code when recent, code when old
    "possible_risk_old": ("possible_risk", "old"),  # the safety net: only "old" drops it
    "attempt_in_progress": ("recent_attempt", "past_attempt"),
    "breathing": ("recent_overdose", "overdose_history"),
    "overdose_suspected": ("recent_overdose", "overdose_history"),
    "seizure": ("withdrawal_seizure_history", "withdrawal_seizure_history"),
    "confusion": ("withdrawal_delirium_history", "withdrawal_delirium_history"),
    "recent_overdose": ("recent_overdose", "overdose_history"),
    "recent_attempt": ("recent_attempt", "past_attempt"),
    "abrupt_stop": ("abrupt_stop", ""),  # a stop years ago is no stop now: no flag
    # A drunk threat told as last week's is read now (P1); years ago it is history (1.11.0).
    "someone_in_danger": ("possible_risk", ""),
    # A wish to be dead told with its date years ago ("fifteen years ago, after my father
    # died, I did not want to live; I have not had those thoughts for a long time") is
    # history; last month's is read now (1.13.0; the screen asks about the past weeks).
    "death_wish": ("death_wish", ""),
}


@dataclass(frozen=True, slots=True)
class ConceptLexicon:
    """The concept files, compiled."""

    exact: Mapping[str, frozenset[str]]  # word form -> concepts
    stems: Mapping[str, frozenset[str]]  # word start -> concepts
    fuzzy: Mapping[str, tuple[tuple[str, ...], Mapping[str, frozenset[str]]]]  # by 1st letter
    phrases: Mapping[str, FastRegex]
    negation_required: frozenset[str]
    table: PrefixTable
    digest: str
    short_names: frozenset[str] = frozenset()  # five-letter names allowed a typo ("xanex")
    # lang -> little words of that language that are concept words elsewhere ("falls")
    function_words: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # Correctly spelt words of the five languages one typo from a concept word ("consulter" /
    # "convulser"): a real word is never read as a misspelling (1.22.0).
    real_words: frozenset[str] = frozenset()


@dataclass(slots=True)
class CHit:
    concept: str
    start: int
    end: int
    quote: str
    third_party: bool = False


@dataclass(slots=True)
class _Segment:
    start: int
    end: int
    hits: list[CHit] = field(default_factory=list)

    def concepts(self) -> set[str]:
        return {h.concept for h in self.hits}


def _read(name: str) -> bytes:
    return resources.files(__package__).joinpath("concepts", name).read_bytes()


def concepts_digest() -> str:
    """Hash of the concept files (part of the rule-set version)."""
    digest = hashlib.sha256()
    for name in CONCEPT_FILES:
        digest.update(_read(name))
    return digest.hexdigest()[:10]


def _load_files() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for lang, name in zip(LANGUAGES, CONCEPT_FILES, strict=True):
        try:
            data = tomllib.loads(_read(name).decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise LexiconError(f"concepts/{name}: {exc}") from exc
        unknown = set(data) - set(CONCEPTS)
        if unknown:
            raise LexiconError(f"concepts/{name}: unknown concept(s) {sorted(unknown)}")
        out[lang] = data
    return out


def _words(files: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, set[str]]]:
    """lang -> word (folded) -> concepts, for the single words of every file."""
    out: dict[str, dict[str, set[str]]] = {}
    for lang, data in files.items():
        words = out.setdefault(lang, {})
        for concept, block in data.items():
            for word in block.get("words", []):
                if not isinstance(word, str) or not word.strip():
                    raise LexiconError(f"concepts/{lang}.toml {concept}: bad word {word!r}")
                words.setdefault(fold(word.strip()).lower(), set()).add(concept)
    return out


def words_digest(files: Mapping[str, Mapping[str, Any]]) -> str:
    words = _words(files)
    canon = json.dumps({lang: sorted(w) for lang, w in words.items()}, sort_keys=True)
    return hashlib.sha256(canon.encode()).hexdigest()[:10]


def build_forms(files: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Every inflected form of every listed word, from simplemma's dictionaries (slow: seconds).

    Run ``python -m intake.triage.rules.concepts`` after editing a word list; the result is
    ``concepts/_forms.json``. If it is out of date the rules build it at start instead.
    """
    from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

    factory = DefaultDictionaryFactory()
    words = _words(files)
    forms: dict[str, dict[str, list[str]]] = {}
    for lang, wanted in words.items():
        lemmas = {w for w in wanted if not w.endswith("*")}
        found: dict[str, set[str]] = {}
        for form, lemma in factory.get_dictionary(lang).items():
            key = fold(str(lemma)).lower()
            if key in lemmas:
                form_key = fold(str(form)).lower()
                if form_key != key and " " not in form_key:
                    found.setdefault(key, set()).add(form_key)
        forms[lang] = {w: sorted(f) for w, f in sorted(found.items())}
    return {
        "words_digest": words_digest(files),
        "forms": forms,
        "real_words": _real_words_near(factory, files, forms),
    }


def _fuzzy_targets(files: Mapping[str, Mapping[str, Any]]) -> set[str]:
    """The listed words a typo may be matched to (the concepts of ``_FUZZY_CONCEPTS``)."""
    return {
        w
        for words in _words(files).values()
        for w, c in words.items()
        if len(w) >= FUZZY_MIN_WORD and not w.endswith("*") and c <= _FUZZY_CONCEPTS
    }


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _real_words_near(
    factory: Any, files: Mapping[str, Mapping[str, Any]], forms: Mapping[str, Any]
) -> list[str]:
    """Dictionary words (simplemma, all five languages) within one typo of a fuzzy target
    that are not forms of a concept word themselves: "consulter" is French, not a misspelt
    "convulser". Computed with the word forms, so scoring only looks the token up."""
    from rapidfuzz.distance import Levenshtein
    from rapidfuzz.process import extract

    targets = _fuzzy_targets(files)
    own = set(targets)
    for by_word in forms.values():
        for word, word_forms in by_word.items():
            own.add(word)
            own.update(word_forms)
    vocabulary: dict[tuple[str, int], set[str]] = {}
    for lang in LANGUAGES:
        for form, lemma in factory.get_dictionary(lang).items():
            for raw in (form, lemma):
                word = fold(str(raw)).lower()
                if len(word) >= FUZZY_MIN_WORD and word.isalpha() and word not in own:
                    vocabulary.setdefault((word[0], len(word)), set()).add(word)
    near: set[str] = set()
    for target in targets:
        for length in range(len(target) - 2, len(target) + 3):
            bucket = vocabulary.get((target[0], length))
            if not bucket:
                continue
            limit = 2 if length >= 9 else 1
            for word, _dist, _i in extract(
                target, list(bucket), scorer=Levenshtein.distance, score_cutoff=limit, limit=None
            ):
                # A word sharing the first half of the target is more likely another form of
                # it ("ahorcaran" / "ahorcarse") or a typo the dictionary holds: still read.
                if _common_prefix(word, target) * 2 < len(target):
                    near.add(word)
    return sorted(near)


def _forms(files: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The built word forms and real words (``concepts/_forms.json``), rebuilt if stale."""
    try:
        data: dict[str, Any] = json.loads(_read(FORMS_FILE).decode("utf-8"))
    except (FileNotFoundError, ValueError):
        data = {}
    if data.get("words_digest") != words_digest(files) or "real_words" not in data:
        data = build_forms(files)  # a word list was edited without rebuilding: slow, correct
    return data


def load_concepts(drug_words: Mapping[str, str], fuzzy_names: Iterable[str] = ()) -> ConceptLexicon:
    """Read and compile the concept files.

    ``drug_words`` (name -> class) come from drugs.json; ``fuzzy_names`` are the names its
    ``fuzzy`` list allows to be misspelt, the only ones matched with a typo below six letters.
    """
    files = _load_files()
    built = _forms(files)
    forms: dict[str, dict[str, list[str]]] = built["forms"]
    exact: dict[str, set[str]] = {}
    stems: dict[str, set[str]] = {}
    listed: set[str] = set()
    function_words: dict[str, frozenset[str]] = {}
    for lang, words in _words(files).items():
        function_words[lang] = frozenset(w for w, c in words.items() if "function_words" in c)
        for word, concepts in words.items():
            concepts = concepts - {"function_words"}
            if not concepts:
                continue
            listed.add(word)
            if word.endswith("*"):
                stems.setdefault(word[:-1], set()).update(concepts)
                continue
            for form in (word, *forms.get(lang, {}).get(word, ())):
                # Very short inflected forms are mostly another language's little words
                # (Italian "or'" from "ora" is English "or"): only the listed word itself.
                if form == word or len(form) > 3:
                    exact.setdefault(form, set()).update(concepts)
    # Typos are matched against the listed words only, not every inflected form: the forms
    # of five languages together are so many that a correct word of one ("prices") is one
    # letter from a form of another ("prises", taken).
    fuzzy_words: dict[str, set[str]] = {
        w: c
        for w, c in exact.items()
        if w in listed and len(w) >= FUZZY_MIN_WORD and c <= _FUZZY_CONCEPTS
    }
    # Drug names: typo tolerance down to five letters ("xanex").
    for name, cls in drug_words.items():
        if " " not in name and len(name) >= FUZZY_MIN_DRUG:
            tags = {"depressant"} | ({"benzo"} if cls == "benzodiazepine" else set())
            fuzzy_words.setdefault(name, set()).update(tags)
            exact.setdefault(name, set()).update(tags)
    by_letter: dict[str, dict[str, frozenset[str]]] = {}
    for word, concepts in fuzzy_words.items():
        by_letter.setdefault(word[0], {})[word] = frozenset(concepts)
    phrases: dict[str, FastRegex] = {}
    required: set[str] = set()
    for concept in CONCEPTS:
        pats: list[str] = []
        for lang, data in files.items():
            block = data.get(concept) or {}
            if block.get("negation") == "required":
                required.add(concept)
            for p in block.get("phrases", []):
                # A gap of a few words never jumps a negation: "veux pas mourir".
                p = p.replace("(\\S+ ){", _GAP)
                pats.append(_prepare(p, {}, f"concepts/{lang}.toml {concept}"))
        if pats:
            phrases[concept] = fast(re.compile(_alternation(pats)))
    return ConceptLexicon(
        exact={w: frozenset(c) for w, c in exact.items()},
        stems={s: frozenset(c) for s, c in stems.items()},
        fuzzy={k: (tuple(v), v) for k, v in by_letter.items()},
        phrases=phrases,
        negation_required=frozenset(required),
        table=PrefixTable(v for k, v in phrases.items() if k not in _LAZY),
        digest=concepts_digest(),
        short_names=frozenset(n for n in fuzzy_names if len(n) < FUZZY_MIN_WORD),
        function_words=function_words,
        real_words=frozenset(built["real_words"]),
    )


class ConceptReader:
    """Finds concepts in one scanned message and decides (see ``combinations.py``)."""

    def __init__(self, lex: ConceptLexicon) -> None:
        self.lex = lex
        self._fuzzy_seen: dict[str, frozenset[str]] = {}
        # The phrases read on every message, in the lexicon's order (the lazy ones are read
        # only when a rule asks).
        self._eager_phrases = [(c, rx) for c, rx in lex.phrases.items() if c not in _LAZY]

    # -- recognition ----------------------------------------------------------------------

    def _word_concepts(self, token: str, budget: list[int]) -> frozenset[str]:
        # Words repeat (a long letter uses the same few hundred): remember every answer.
        seen = self._fuzzy_seen.get(token)
        if seen is not None:
            return seen
        found = self.lex.exact.get(token)
        if found is None and token.endswith("'s"):
            # "the rope's in the garage", "mum's pills": the word before the clitic (1.14.0).
            found = self.lex.exact.get(token[:-2])
        if found is None and len(token) > 4 and token.endswith(("ao", "io")):
            # Spoken Spanish drops the d of a participle: "me he tomao", "se ha bebío"
            # (1.18.0).
            found = self.lex.exact.get(token[:-1] + "d" + token[-1])
        if found is None:
            for k in range(min(len(token), 24), 3, -1):
                found = self.lex.stems.get(token[:k])
                if found is not None:
                    break
        if found is None and (len(token) < FUZZY_MIN_DRUG or token.isdigit()):
            found = frozenset()
        if found is not None:
            if len(self._fuzzy_seen) < _FUZZY_SEEN_MAX:
                self._fuzzy_seen[token] = found
            return found
        if budget[0] <= 0 or token in self.lex.real_words:
            return frozenset()
        budget[0] -= 1
        result = self._fuzzy(token)
        if len(self._fuzzy_seen) < _FUZZY_SEEN_MAX:
            self._fuzzy_seen[token] = result
        return result

    def _fuzzy(self, token: str) -> frozenset[str]:
        from rapidfuzz.distance import Levenshtein
        from rapidfuzz.process import extractOne

        bucket = self.lex.fuzzy.get(token[0])
        if bucket is None:
            return frozenset()
        choices, concepts = bucket
        limit = 2 if len(token) >= 9 else 1
        best = extractOne(token, choices, scorer=Levenshtein.distance, score_cutoff=limit)
        if best is None:
            return frozenset()
        word = best[0]
        found = concepts[word]
        # Below six letters only the drug names drugs.json lists as often misspelt.
        if len(token) < FUZZY_MIN_WORD and word not in self.lex.short_names:
            return frozenset()
        if len(word) < FUZZY_MIN_DRUG:
            return frozenset()
        return found

    @staticmethod
    def _negation_near(text: str, start: int, end: int, floor: int) -> bool:
        before = text[max(floor, start - _NEG_BEFORE) : start]
        cuts = list(_CLAUSE.finditer(before))
        if cuts:
            before = before[cuts[-1].end() :]
        after = text[end : end + _NEG_AFTER]
        cut = _CLAUSE.search(after)
        if cut:
            after = after[: cut.start()]
        return bool(_NEGATION.search(before) or _NEGATION.search(after))

    def _negated(
        self, concept: str, text: str, start: int, end: int, floor: int, scanner: Any
    ) -> bool:
        if concept not in _NEVER_NEGATED and scanner._negated(text, start, end, floor):
            return True
        return concept in _WIDE_NEGATION and self._negated_wide(text, start, floor, scanner)

    @staticmethod
    def _negated_wide(text: str, start: int, floor: int, scanner: Any) -> bool:
        before = text[max(floor, start - 80) : start]
        cuts = list(_CLAUSE.finditer(before))
        if cuts:
            before = before[cuts[-1].end() :]
        breaks = list(scanner.lex.clause_breaks.finditer(before))
        if breaks:
            before = before[breaks[-1].end() :]
        words = before.split()[-_WIDE_WORDS:]
        window = " ".join(words)
        cue = _NEGATION.search(window)
        return cue is not None and not scanner.lex.negation_breakers.search(window, cue.start())

    def names(self, original: str, concept: str) -> bool:
        """Whether a word of ``concept`` is in the message as written (before idioms and
        subjects the scanner blanks out, such as "an essay on suicide")."""
        for m in _TOKEN.finditer(fold(original).lower()):
            if concept in self.lex.exact.get(m.group(), ()):
                return True
        return False

    def find(
        self, findings: Any, scanner: Any, original: str, language: str | None = None
    ) -> list[_Segment]:
        """Concept hits per sentence segment of the scanned text."""
        text: str = findings.text
        if not text:
            return []
        segments = _segments(text)
        starts = [s.start for s in segments]
        # The scanner's index already knows where every word starts in this text.
        scanned = findings.index
        index = (
            scanned.for_table(self.lex.table)
            if scanned is not None and scanned.text is text
            else TextIndex(text, self.lex.table)
        )
        raw: list[tuple[str, int, int]] = []
        budget = [_FUZZY_MAX_PER_MESSAGE]
        little = self.lex.function_words.get(language or "", frozenset())
        for m in _TOKEN.finditer(text):
            if m.group() in little:
                continue
            for concept in self._word_concepts(m.group(), budget):
                raw.append((concept, m.start(), m.end()))
        can_start = index.can_start
        for concept, regex in self._eager_phrases:
            if can_start(regex):  # most phrases cannot start anywhere in a given message
                for m in index.finditer(regex):
                    raw.append((concept, m.start(), m.end()))
        for signal, concepts in _SIGNAL_CONCEPTS.items():
            for hit in findings.signals.get(signal, ()):
                for concept in concepts:
                    raw.append((concept, hit.start, hit.end))
        for cls, hits in findings.mentions.items():
            for hit in hits:
                raw.append(("depressant", hit.start, hit.end))
                if cls == "benzodiazepine":
                    raw.append(("benzo", hit.start, hit.end))
                if cls != "alcohol":
                    raw.append(("drug", hit.start, hit.end))  # a medicine, not a drink
        sindex = findings.index
        kept: dict[str, int] = {}
        # Words about dying inside a dated attempt ("tried to end my life years ago") are
        # that attempt's history, not intent now.
        dated = [
            (h.start, h.end)
            for h in findings.signals.get("attempt", ())
            if h.tier in ("old", "recent")
        ]
        # "Do you take Aetna?", "¿aceptáis/tomáis...?": a question to the clinic is no
        # swallowing (1.9.0); the info phrases of the lexicons mark it.
        asked = [(h.start, h.end) for h in findings.signals.get("info", ())]
        denial: list[bool] = []

        def denied() -> bool:
            if not denial:
                denial.append(denies_harm(self.lex, text))
            return denial[0]

        for concept, start, end in raw:
            if dated and concept in _WIDE_NEGATION and any(s <= start < e for s, e in dated):
                continue
            if asked and concept == "ingestion" and any(s <= start < e for s, e in asked):
                continue
            if concept == "live" and living_like_this(text, start, end) and denied():
                continue  # "no quiero seguir viviendo así" beside a clear "no" (1.11.0)
            if (
                concept in ("death_wish", "not_here")
                and living_like_this(text, start, end)
                and denied()
            ):
                # "don't want to live like this" beside a clear "no" about harming oneself:
                # the life they lead, which is despair (it still combines with pills
                # taken), not a wish to be dead (1.11.0).
                concept = "distress"
            # Enough hits of one concept to decide and quote; more only cost time on long
            # texts (each is checked for negation and third party).
            if kept.get(concept, 0) >= _MAX_HITS:
                continue
            seg = segments[bisect.bisect_right(starts, start) - 1]
            if concept in self.lex.negation_required:
                if not self._negation_near(text, start, end, seg.start):
                    continue
            elif self._negated(concept, text, start, end, seg.start, scanner):
                continue
            third = (
                concept not in _NO_THIRD
                and sindex is not None
                and scanner._third_party(sindex, start, end, seg.start)
            )
            quote = " ".join(original[start:end].split())[:80]
            seg.hits.append(CHit(concept, start, end, quote, third))
            kept[concept] = kept.get(concept, 0) + 1
        for seg in segments:
            seg.hits.sort(key=lambda h: h.start)
            if any(h.concept == "long_apology" for h in seg.hits):
                # "Sorry for the essay" (1.12.0) apologises for a long message: it is no
                # writing about a subject, so its word does not make the message a topic.
                seg.hits = [h for h in seg.hits if h.concept != "about"]
        return segments


def _segments(text: str) -> list[_Segment]:
    out: list[_Segment] = []
    last = 0
    ends = [m.end() for m in _SENTENCE_END.finditer(text)] + [len(text)]
    for end in ends:
        if end <= last:
            continue
        while end - last > _SEGMENT_MAX:  # long text without full stops: read in pieces
            cut = text.rfind(" ", last + _SEGMENT_MAX // 2, last + _SEGMENT_MAX)
            cut = cut if cut > last else last + _SEGMENT_MAX
            out.append(_Segment(last, cut))
            last = cut
        out.append(_Segment(last, end))
        last = end
    return out or [_Segment(0, len(text))]


def _quotes(hits: Iterable[CHit], limit: int = 4) -> str:
    seen: list[str] = []
    for h in hits:
        q = f'"{h.quote}"'
        if q not in seen:
            seen.append(q)
        if len(seen) == limit:
            break
    return "; ".join(seen)


def says_nobody_in_danger(lex: ConceptLexicon, original: str) -> bool:
    """Whether the message says that nobody is in danger (NO_DANGER, read on the words as
    written: the scanner blanks these phrases as idioms)."""
    regex = lex.phrases.get("no_danger")
    return regex is not None and regex.regex.search(fold(original).lower()) is not None


def decide(
    segments: list[_Segment],
    *,
    scanner: Any,
    findings: Any,
    benzo: bool,
    someone_else: bool,
    nobody_in_danger: bool = False,
) -> list[Flag]:
    """Apply the combination table and the safety net to the concepts found.

    ``nobody_in_danger``: the writer says that nobody is in danger, which answers what the
    safety net would ask of drink, children and violence meeting in a sentence (1.23.0).
    """
    text: str = findings.text
    about = any(h.concept == "about" for s in segments for h in s.hits)
    about = about or bool(findings.signals.get("hypothetical"))
    # A professional's work or training question (1.12.0): "I'm a nurse, we see overdoses;
    # do you run courses?" names patients in general, as an essay does.
    found = {h.concept for s in segments for h in s.hits}
    about = about or {"work_question", "pro_role"} <= found
    # A farewell standing alone after a sentence ("... vodka. bye") closes that sentence
    # (as FAREWELL-END, which only the safety net reads); a polite sign-off with other words
    # ("thanks, bye") or after a request ("I would like an appointment. Bye") does not.
    for prev, seg in itertools.pairwise(segments):
        bare = [h for h in seg.hits if h.concept == "farewell"]
        if bare and prev.hits and "wish" not in prev.concepts() and _only(text, seg, bare):
            prev.hits.extend(
                CHit("farewell_end", h.start, h.end, h.quote, h.third_party) for h in bare
            )
    # An attempt told with its date ("five weeks ago I tried to take my life with pills"):
    # the words about dying belong to that attempt, not to a plan now (as for the attempt
    # phrases). Only the attempt row reads them then.
    for seg in segments:
        tried = [h for h in seg.hits if h.concept == "tried"]
        if tried and _has(seg.hits, "intent"):
            tiers = _tiers(tried, scanner, findings)
            if tiers and not tiers & {None, "now"}:
                for h in seg.hits:
                    if h.concept == "intent":
                        h.concept = "intent_past"
    # Derived concepts, per segment.
    for seg in segments:
        present = seg.concepts()
        derived: list[CHit] = []
        for h in seg.hits:
            if h.concept == "rouse":
                if "contact" in present:
                    continue  # "not answering my messages" is not "cannot be woken"
                if "wish" in present and not h.third_party and "no_wake" not in present:
                    derived.append(CHit("no_wake", h.start, h.end, h.quote))
                elif (
                    h.third_party
                    or someone_else
                    or _OTHER_PERSON.search(text, seg.start, seg.end) is not None
                ):
                    derived.append(CHit("unrousable", h.start, h.end, h.quote, h.third_party))
            elif h.concept == "live" and "wish" in present:
                # "doesn't want to live any more", "nicht mehr leben wolle"
                derived.append(CHit("death_wish", h.start, h.end, h.quote, h.third_party))
                derived.append(CHit("wish_dead", h.start, h.end, h.quote, h.third_party))
            elif h.concept == "not_here" and "better" in present:
                # "they would be better off if I were not here" (ASQ: better off dead)
                derived.append(CHit("death_wish", h.start, h.end, h.quote, h.third_party))
                derived.append(CHit("wish_dead", h.start, h.end, h.quote, h.third_party))
            elif h.concept == "dead" and "better" in present:
                # "it would be better to be dead", "better off dead" (ASQ items 1 and 2)
                derived.append(CHit("death_wish", h.start, h.end, h.quote, h.third_party))
                derived.append(CHit("wish_dead", h.start, h.end, h.quote, h.third_party))
            elif h.concept == "confused" and (
                h.third_party
                or someone_else
                or _OTHER_PERSON.search(text, seg.start, seg.end) is not None
            ):
                # "he has been very confused since yesterday": the third person makes it a
                # state to act on, not "I'm confused about the forms".
                derived.append(CHit("third", h.start, h.end, h.quote, True))
            elif h.concept == "stop" and "days_ago" in present:
                # a stop dated to the last few days ("stopped four days ago")
                derived.append(CHit("stop_recent", h.start, h.end, h.quote, h.third_party))
            elif h.concept == "last_dose" and "ingestion" in present:
                # "took my last Tavor yesterday", "meine letzte Tavor genommen": a stop
                if any(
                    0 <= o.start - h.end <= _LAST_GAP
                    and (
                        o.concept == "benzo"
                        or (o.concept == "means" and _PILL_WORD.match(fold(o.quote).lower()))
                    )
                    for o in seg.hits
                ):
                    derived.append(CHit("stop", h.start, h.end, h.quote, h.third_party))
                    if "days_ago" in present:
                        derived.append(CHit("stop_recent", h.start, h.end, h.quote, h.third_party))
            elif h.concept == "without" and any(
                o.concept == "depressant"
                and h.start <= o.start <= h.end + 12
                and not any(b.concept == "benzo" and b.start == o.start for b in seg.hits)
                for o in seg.hits
            ):
                # "ohne Alkohol leben", "stare senza alcol": doing without alcohol is no
                # sudden stop of a benzodiazepine
                h.concept = "without_other"
            elif h.concept == "saved":
                # "three weeks' worth of morphine put by", "tengo guardadas las pastillas"
                # (1.10.0): a supply saved up is a final act only when it is pills or a drug
                # (not money, not a bottle); one span over both, so the pill word does not
                # count again as MEANS.
                kept = [
                    o
                    for o in seg.hits
                    if o.concept in ("drug", "benzo")
                    or (o.concept == "means" and _PILL_WORD.match(fold(o.quote).lower()))
                ]
                if kept:
                    o = min(kept, key=lambda o: abs(o.start - h.start))
                    a, b = min(h.start, o.start), max(h.end, o.end)
                    quote = h.quote if o.start >= h.start else f"{o.quote} ... {h.quote}"
                    derived.append(CHit("preparation", a, b, quote[:80], h.third_party))
            elif h.concept == "found":
                # "so the kids aren't the ones who find me" (1.10.0): a thought of who will
                # find them is a final act; its negation is part of the meaning.
                derived.append(CHit("preparation", h.start, h.end, h.quote, h.third_party))
            elif h.concept == "street_benzo" and present & _STREET_BENZO_USE:
                derived.append(CHit("benzo", h.start, h.end, h.quote, h.third_party))
            elif h.concept in ("stop", "without", "discarded") and "from_now" in present:
                # "da domani basta, lo butto nel cesso", "from Monday I flush them" (1.11.0): a
                # stop planned for a set day, whichever sentence names the drug.
                derived.append(CHit("stop_planned", h.start, h.end, h.quote, h.third_party))
            elif h.concept == "breath_neg":
                derived.append(CHit("breathing", h.start, h.end, h.quote, h.third_party))
            elif h.concept in _SEIZURE_KINDS:
                derived.append(CHit("seizure_sign", h.start, h.end, h.quote, h.third_party))
            elif h.concept == "child" and (
                present & {"driving", "violence"}
                or ("intoxicated" in present and "habit" not in present)
            ):
                # "she is drunk every evening and the children are ashamed": a habit told
                # (1.9.0) is no child at risk now; driving or an assault still is.
                derived.append(CHit("child_at_risk", h.start, h.end, h.quote, h.third_party))
        seg.hits.extend(derived)
    all_hits = [h for s in segments for h in s.hits]
    kinds = {h.concept for h in all_hits if h.concept in _SEIZURE_KINDS}
    seizure_hits = [h for h in all_hits if h.concept in _SEIZURE_KINDS]
    if len(kinds) >= 2:
        all_hits += [CHit("seizure_signs", h.start, h.end, h.quote, h.third_party)
                     for h in seizure_hits]  # fmt: skip
    extra = {"benzo"} if benzo else set()

    flags: list[Flag] = []
    used: set[int] = set()  # segments a row matched in

    starts = [s.start for s in segments]

    def seg_of(hit: CHit) -> int:
        return max(0, bisect.bisect_right(starts, hit.start) - 1)

    # Each pool's concepts are gathered once, not once per row: a long letter has many
    # sentences and the table many rows.
    message_pool = [(all_hits, None, {h.concept for h in all_hits} | extra)]
    sentence_pools = [(s.hits, i, s.concepts() | extra) for i, s in enumerate(segments)]
    for row in COMBINATIONS:
        pools = message_pool if row.scope == "message" else sentence_pools
        first = row.needs[0]
        for hits, seg_i, present in pools:
            # The first group alone rules most rows out (one call, not one per group).
            if first.isdisjoint(present) or not all(group & present for group in row.needs):
                continue
            if about and (seg_i is None or "about" in present):
                continue
            if not _apart(row.needs, hits, extra):
                continue  # one stretch of words read as two concepts is still one signal
            if row.not_habit:
                hits = _not_habit(hits, row.needs[0], segments, seg_of)
                present = {h.concept for h in hits} | extra
                if not all(group & present for group in row.needs):
                    continue
            if row.not_quitting:
                hits = _not_quitting(hits, frozenset().union(*row.needs), segments, seg_of)
                present = {h.concept for h in hits} | extra
                if not all(group & present for group in row.needs):
                    continue
            needed = set().union(*row.needs)
            matched = [h for h in hits if h.concept in needed]
            code = row.code
            if row.dated:
                core = [h for h in hits if h.concept in row.needs[0]]
                if code == _NET.code:
                    if "habit" in present:
                        continue  # "two beers every day": a habit told, not an event now
                    # A safety-net row: what was taken "years ago" is history, which the
                    # history rules weigh; anything more recent stays at least P1. Taken
                    # "now or tonight" must be now: "took it last week, now I..." is not.
                    when = _dated("possible_risk_old", core, scanner, findings)
                    if when == "old" or (
                        when != "possible_risk_old" and any("time_now" in g for g in row.needs)
                    ):
                        continue
                elif (
                    row.old_code
                    and not present & {"tried", "intent", "intent_past", "death_wish"}
                    and _tiers(core, scanner, findings) == {"old"}
                ):
                    code = row.old_code
                else:
                    code = _dated(code, core, scanner, findings)
                    if not code:
                        continue
            said_of = [h for h in matched if h.concept not in _NO_THIRD] or matched
            third = bool(said_of) and all(h.third_party for h in said_of)
            flag = spec(code).flag(_quotes(matched), third_party=third or someone_else)
            flags.append(flag)
            if flag.priority > _NET.priority and (
                third or someone_else or _weak_dates(matched, scanner, findings)
            ):
                # A danger sign about another person read as history ("once", "back then"
                # misread as a date): people write about someone else's breathing or colour
                # because it is happening. Dating may lower it to history only for the
                # writer's own past told with a real date ("years ago", "in 2019"), not with
                # "once" or "already"; otherwise it stays at least P1.
                flags.append(_NET.flag(_quotes(matched), third_party=True))
            if flag.priority <= _NET.priority:
                # A row that ended below P1 leaves its sentences to the safety net.
                used.update(seg_of(h) for h in matched)
            break  # one flag per row is enough
    if not about:
        for i, seg in enumerate(segments):
            if i in used:
                continue
            fams = _families(seg.hits)
            if (
                len(fams) < 2
                and "body" in fams
                and _dated("possible_risk_old", fams["body"], scanner, findings) != "old"
            ):
                # (1.10.0: a sign dated years ago is history, read with no other sentence.)
                # A danger sign of the body and what was taken are often told in two
                # sentences, in either order ("she breathes slowly. I think she took ...",
                # "he stopped his pills. Since then he is confused"): read them together.
                for j in (i + 1, i - 1):
                    if 0 <= j < len(segments) and j not in used:
                        both = _families(seg.hits + segments[j].hits)
                        if len(both) >= 2:
                            fams = both
                            break
            if len(fams) >= 2 and not (nobody_in_danger and set(fams) <= _OTHERS_FAMILIES):
                hits = [h for fam_hits in fams.values() for h in fam_hits]
                hits.sort(key=lambda h: h.start)
                if _dated("possible_risk_old", hits, scanner, findings) == "old":
                    continue  # "years ago": history, which the history rules weigh
                third = all(h.third_party for h in hits)
                flags.append(_NET.flag(_quotes(hits), third_party=third or someone_else))
    return flags


_NET = spec("possible_risk")
# The families a "nobody is in danger" answers: what someone drinks, children, violence; not
# the writer's own body or a wish to die.
_OTHERS_FAMILIES = frozenset({"substance", "child_at_risk", "violence"})


# Past-time cues that are no date: "once", "already", "ever" also say "already now".
_WEAK_DATE = re.compile(
    r"(?:une fois|deja|einmal|schon (?:ein)?mal|una vez|alguna vez|ya|una volta|gia|once|ever)$"
)


def _weak_dates(hits: list[CHit], scanner: Any, findings: Any) -> bool:
    """Whether the past-time cues in the hits' sentences are only "once" / "already"."""
    if findings.index is None or not hits:
        return False
    cues: list[str] = []
    for h in hits:
        bounds = scanner._sentence(findings.bounds, h.start, len(findings.text))
        for tier in ("recent", "old"):
            for m in findings.index.findall(scanner.lex.time_cues[tier], *bounds):
                cues.append(" ".join(m.group().split()))
    return bool(cues) and all(_WEAK_DATE.match(c) for c in cues)


def _families(hits: list[CHit]) -> dict[str, list[CHit]]:
    fams: dict[str, list[CHit]] = {}
    for h in hits:
        fam = _FAMILY_OF.get(h.concept)
        if fam is not None:
            fams.setdefault(fam, []).append(h)
    return fams


def _apart(needs: tuple[frozenset[str], ...], hits: list[CHit], extra: set[str]) -> bool:
    """Each group of a row met by its own words: no two groups by overlapping words."""
    chosen: list[tuple[int, int]] = []

    def place(i: int) -> bool:
        if i == len(needs):
            return True
        if needs[i] & extra:
            return place(i + 1)  # met by the form (a benzodiazepine listed)
        tried = 0
        for h in hits:
            if h.concept not in needs[i]:
                continue
            if any(h.start < e and s < h.end for s, e in chosen):
                continue
            tried += 1
            if tried > 8:  # enough: a row is rarely met only by the ninth candidate
                break
            chosen.append((h.start, h.end))
            if place(i + 1):
                return True
            chosen.pop()
        return False

    return len(needs) < 2 or place(0)


def _only(text: str, seg: _Segment, hits: list[CHit]) -> bool:
    """Whether the segment holds nothing but these hits' words (and punctuation)."""
    rest = text[seg.start : seg.end]
    for h in sorted(hits, key=lambda h: h.start, reverse=True):
        a, b = h.start - seg.start, h.end - seg.start
        rest = rest[:a] + rest[b:]
    return not any(ch.isalnum() for ch in rest)


def _not_habit(
    hits: list[CHit], first: frozenset[str], segments: list[_Segment], seg_of: Any
) -> list[CHit]:
    """The hits without the first group's words that sit in a sentence telling a habit."""
    return [
        h for h in hits if h.concept not in first or not _has(segments[seg_of(h)].hits, "habit")
    ]


# What tells a stop of drink or drugs, or help sought, in a sentence: "from tonight", "stopped",
# "done without", "rehab", "an appointment".
_QUITTING = frozenset(
    {"from_now", "stop", "stop_planned", "without", "without_other", "discarded", "recovery"}
)


def _not_quitting(
    hits: list[CHit], groups: frozenset[str], segments: list[_Segment], seg_of: Any
) -> list[CHit]:
    """The hits without the groups' words that sit in a sentence telling a stop or help
    sought (1.11.0)."""
    return [
        h
        for h in hits
        if h.concept not in groups or not (segments[seg_of(h)].concepts() & _QUITTING)
    ]


def _has(hits: list[CHit], concept: str) -> bool:
    return any(h.concept == concept for h in hits)


def told_as_history(hit: CHit, scanner: Any, findings: Any) -> bool:
    """Whether a hit's sentence dates it to the past only ("an overdose in 2001")."""
    return _tiers([hit], scanner, findings) == {"old"}


def _tiers(hits: list[CHit], scanner: Any, findings: Any) -> set[str | None]:
    """The time tier ("now", "recent", "old" or None when undated) of each hit's words."""
    if findings.index is None:
        return set()
    tiers: set[str | None] = set()
    for h in hits:
        bounds = scanner._sentence(findings.bounds, h.start, len(findings.text))
        tiers.add(scanner._tier(findings.text, findings.index, h.start, h.end, bounds))
    return tiers


def _dated(code: str, hits: list[CHit], scanner: Any, findings: Any) -> str:
    """Now or undated keeps the code; "last week" or "years ago" gives the history code."""
    history = _HISTORY.get(code)
    if history is None or findings.index is None or not hits:
        return code
    tiers = _tiers(hits, scanner, findings)
    if code == "recent_attempt":
        # An attempt told: now or in the past 3 months is recent (P0); undated or older is a
        # past attempt (P1), as for the attempt phrases (docs/triage.md, "When it happened").
        return code if tiers & {"now", "recent"} else history[1]
    if tiers & {None, "now"}:
        return code
    return history[0] if "recent" in tiers else history[1]


if __name__ == "__main__":  # python -m intake.triage.rules.concepts: rebuild _forms.json
    from pathlib import Path

    target = Path(__file__).with_name("concepts") / FORMS_FILE
    target.write_text(
        json.dumps(build_forms(_load_files()), ensure_ascii=False, indent=0, sort_keys=True) + "\n",
        "utf-8",
    )
    print(f"wrote {target}")
