"""The second reader: how much a message reads like the urgent inquiries clinicians marked.

The concept rules (concepts.py, combinations.py) name the danger they find, but only in
wording their lists know, and nine blind rounds showed that each new writer's danger is still
missed in one case in four to one in three. This reader is independent of those lists: a
linear model over the letters and words of the message (character 3-5-grams inside words,
words and word pairs, after the accents are taken off) fitted to every labelled inquiry the
project holds (the blind rounds and the hand-written cases, in all five languages; see
``reader_train.py``). Letter n-grams carry meaning across inflections, misspellings, dialect
and a second language ("klonipins", "eineghaut", "se las ha tomado"), which is where the rules
fail first.

It only ever raises, and says so. A message the rules leave below P0 that reads like the
marked emergencies is raised to P0 with ``reads_like_emergency``; one left in the routine
queue that reads like the urgent ones is raised to P1 with ``reads_like_urgent``. Both flags
say "read this now" and quote the words that weighed most, so a person can see why. The rules'
own flags and evidence are kept unchanged beside them.

The weights are data (``reader/model.json.gz``), read once per process on first use; scoring
needs nothing but the standard library. scikit-learn is needed only to fit them again.
"""

from __future__ import annotations

import gzip
import json
import math
import re
import threading
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources

from intake.vocabulary import Priority

#: A message that the rules leave below P0 is raised to P0 at this probability of P0, and
#: one left routine to P1 at this probability of P0 or P1, when the concept step found a
#: word of danger in it. Chosen on leave-one-round-out figures (docs/triage.md, "The second
#: reader").
EMERGENCY_AT = 0.4
URGENT_AT = 0.6
#: The same when it found only a weaker word (a child, a drink, "tonight", an amount): the
#: reader must be much surer.
EMERGENCY_AT_WEAK = 0.7
URGENT_AT_WEAK = 0.9
#: A message of fewer words is left to the rules: a handful of letter groups weigh too much
#: once a short text is normalised ("Please help my son" read 0.76 P0), and what short
#: messages say plainly the rules read well.
MIN_WORDS = 8
#: With only a weaker word the letters must come from a real account of what is happening,
#: not from "please help my daughter, she is not well".
MIN_WORDS_WEAK = 20

MODEL_PACKAGE = "intake.triage.rules"
MODEL_PATH = ("reader", "model.json.gz")

_WHITESPACE = re.compile(r"\s\s+")
_WORD = re.compile(r"(?u)\b\w\w+\b")
_LOCK = threading.Lock()


def reader_text(message: str) -> str:
    """The text as the reader sees it: lower case, accents off, spaces collapsed.

    The fitting (``reader_train.py``) and the scoring both read text through this one function.
    """
    decomposed = unicodedata.normalize("NFKD", message.lower())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _WHITESPACE.sub(" ", stripped)


def char_ngrams(text: str, low: int, high: int) -> list[str]:
    """Character n-grams inside words padded with a space (scikit-learn's ``char_wb``)."""
    grams: list[str] = []
    for word in text.split():
        padded = f" {word} "
        size = len(padded)
        for n in range(low, high + 1):
            if size <= n:
                grams.append(padded)  # a short word counts once, whole
                break
            grams.extend(padded[i : i + n] for i in range(size - n + 1))
    return grams


def word_ngrams(text: str, low: int, high: int) -> list[str]:
    """Words of two or more letters and runs of them (scikit-learn's ``word`` analyzer)."""
    words = _WORD.findall(text)
    grams: list[str] = []
    for n in range(low, high + 1):
        grams.extend(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))
    return grams


@dataclass(frozen=True, slots=True)
class _Analyzer:
    kind: str  # "char_wb" or "word"
    low: int
    high: int
    # feature -> (idf, weight per class)
    features: dict[str, tuple[float, tuple[float, ...]]]

    def grams(self, text: str) -> list[str]:
        if self.kind == "char_wb":
            return char_ngrams(text, self.low, self.high)
        return word_ngrams(text, self.low, self.high)


@dataclass(frozen=True, slots=True)
class ReaderModel:
    classes: tuple[str, ...]  # P0, P1 and P2 (which stands for every routine inquiry)
    intercept: tuple[float, ...]
    analyzers: tuple[_Analyzer, ...]
    trained_on: int

    def read(self, message: str) -> Reading:
        """Probabilities per class for one message, and the words that weighed most."""
        text = reader_text(message)
        logits = list(self.intercept)
        weighed: dict[str, float] = {}
        for analyzer in self.analyzers:
            counts = Counter(g for g in analyzer.grams(text) if g in analyzer.features)
            if not counts:
                continue
            values = {g: (1.0 + math.log(n)) * analyzer.features[g][0] for g, n in counts.items()}
            norm = math.sqrt(sum(v * v for v in values.values()))
            for gram, value in values.items():
                weights = analyzer.features[gram][1]
                for k, w in enumerate(weights):
                    logits[k] += value / norm * w
                if analyzer.kind == "word" and max(map(len, gram.split())) >= 4:
                    # How much this word pulls towards danger rather than the routine queue.
                    pull = value / norm * (max(weights[:-1]) - weights[-1])
                    weighed[gram] = weighed.get(gram, 0.0) + pull
        top = max(logits)
        exps = [math.exp(x - top) for x in logits]
        total = sum(exps)
        probs = dict(zip(self.classes, (e / total for e in exps), strict=True))
        strongest = sorted(weighed.items(), key=lambda item: -item[1])[:4]
        words = tuple(w for w, pull in strongest if pull > 0)
        return Reading(p0=probs[Priority.P0], p1=probs[Priority.P1], words=words)


@dataclass(frozen=True, slots=True)
class Reading:
    p0: float
    p1: float
    words: tuple[str, ...]  # the message's words that pulled most towards danger

    @property
    def urgent(self) -> float:
        return self.p0 + self.p1

    def evidence(self) -> str:
        shown = "; ".join(f'"{w}"' for w in self.words) or "the message as a whole"
        return f"{shown} (P0 {self.p0:.2f}, P0 or P1 {self.urgent:.2f})"


def model_bytes() -> bytes:
    """The stored weights, as bytes (part of the ruleset version)."""
    return resources.files(MODEL_PACKAGE).joinpath(*MODEL_PATH).read_bytes()


def parse_model(raw: bytes) -> ReaderModel:
    data = json.loads(gzip.decompress(raw))
    analyzers = tuple(
        _Analyzer(
            kind=a["kind"],
            low=a["ngram_range"][0],
            high=a["ngram_range"][1],
            features={f: (idf, tuple(w)) for f, idf, w in a["features"]},
        )
        for a in data["analyzers"]
    )
    return ReaderModel(
        classes=tuple(data["classes"]),
        intercept=tuple(data["intercept"]),
        analyzers=analyzers,
        trained_on=data["trained_on"],
    )


@cache
def _model_once() -> ReaderModel:
    return parse_model(model_bytes())


def model() -> ReaderModel:
    """The reader's weights, read once per process on first use."""
    with _LOCK:
        return _model_once()


def read(message: str) -> Reading:
    """How much one message reads like the marked emergencies and urgent inquiries."""
    return model().read(message)
