"""The triage engine: combine the screen, structured answers and free text into one outcome.

Rule of combination (TRIAGE.md): the most urgent priority reached by any rule wins, and free
text can raise a priority but never lower it. Concretely every rule emits flags, each flag
carries the priority it stands for, and the outcome's priority is the most urgent flag's,
with P2 as the floor for anyone asking for help and P3 only for information-only inquiries.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from intake.vocabulary import BENZODIAZEPINES, RISK_ITEMS, SUBSTANCES, ForWhom

from . import reader
from .cache import load_or_build
from .catalog import spec
from .concepts import (
    ConceptLexicon,
    ConceptReader,
    decide,
    denies_harm,
    living_like_this,
    load_concepts,
    says_nobody_in_danger,
    told_as_history,
)
from .fastscan import FastRegex, reserve_slots
from .lexicon import CompiledLexicon, lexicon_digest, load
from .model import Flag, Priority, TriageOutcome
from .normalise import clip
from .screens import DEFAULT_SCREENS, Screen, unknown
from .text import Hit, Scanner, TextFindings

ENGINE_VERSION = "1.30.0"

#: Version of the rules that produced a result: the engine version plus a hash of every
#: lexicon file, so editing a lexicon changes the version without anyone remembering to.
RULESET_VERSION = f"harbor-triage-{ENGINE_VERSION}+lex.{lexicon_digest()}"


_COMPILE_LOCK = threading.Lock()
_log = logging.getLogger(__name__)


def _build() -> tuple[CompiledLexicon, ConceptLexicon]:
    lexicon = load()
    return lexicon, load_concepts(lexicon.drug_words, lexicon.fuzzy_names)


# The modules whose code shapes what is compiled: an edit to one of them makes a new cache
# entry even when nobody raised ENGINE_VERSION (a stale negation regex is read otherwise).
_COMPILER_MODULES = ("lexicon.py", "concepts.py", "fastscan.py", "normalise.py")


def _compiler_digest() -> str:
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for name in _COMPILER_MODULES:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:10]


@cache
def _compiled_once() -> tuple[CompiledLexicon, Scanner, ConceptReader]:
    # From the per-user cache when this rule set was compiled before (cache.py).
    key = f"{ENGINE_VERSION}-{lexicon_digest()}-{_compiler_digest()}"
    lexicon, concepts = load_or_build(key, _build)
    reserve_slots(_highest_slot(lexicon, concepts))
    return lexicon, Scanner(lexicon), ConceptReader(concepts)


def _regexes(lexicon: CompiledLexicon, concepts: ConceptLexicon) -> list[FastRegex]:
    """Every indexed regex of the rules."""
    regexes = [fr for group in lexicon.signals.values() for _gate, fr in group]
    regexes += [*lexicon.gate_terms.values(), *lexicon.time_cues.values()]
    regexes += [*lexicon.class_words_regex.values(), lexicon.alcohol]
    regexes += [lexicon.third_party, lexicon.idioms, *concepts.phrases.values()]
    return regexes


def _highest_slot(lexicon: CompiledLexicon, concepts: ConceptLexicon) -> int:
    return max((fr.slot for fr in _regexes(lexicon, concepts)), default=0)


def _compile_leaves() -> None:
    """Compile every narrowed regex's leaves (``fastscan.Narrow``), which are otherwise compiled
    on first use: a web process does it while it waits for its first inquiry."""
    lexicon, _, reader_ = _compiled_once()
    for fr in _regexes(lexicon, reader_.lex):
        if fr.narrow is not None:
            fr.narrow.compile_all()


def compiled_lexicon() -> CompiledLexicon:
    """The lexicons compiled once per process, on first use.

    Compiling takes seconds; importing the rules, or a ``flask`` command that never scores,
    should not pay for it. A web process calls :func:`warm_up` at start so the first person
    to write does not wait either. The lock keeps two threads from compiling twice.
    """
    with _COMPILE_LOCK:
        return _compiled_once()[0]


def _scanner() -> Scanner:
    with _COMPILE_LOCK:
        return _compiled_once()[1]


def _concept_reader() -> ConceptReader:
    with _COMPILE_LOCK:
        return _compiled_once()[2]


def warm_up() -> None:
    """Compile the lexicons now, in a background thread, without holding up the caller (the
    narrowed regexes' leaves last: a message that comes first compiles those it needs)."""

    def both() -> None:
        compiled_lexicon()
        reader.model()
        _compile_leaves()

    threading.Thread(target=both, name="triage-lexicon-warm-up", daemon=True).start()


BENZO_CODES = frozenset(BENZODIAZEPINES)
SUBSTANCE_CODES = frozenset(SUBSTANCES)
RISK_KEYS = frozenset(RISK_ITEMS)
_TRUE_WORDS = frozenset({"true", "yes", "1", "y", "si", "ja", "oui"})
_FALSE_WORDS = frozenset({"false", "no", "0", "n", "nein", "non", ""})

# Flags that describe the inquiry without standing for any risk: they never make it "more
# than information".
_NEUTRAL = frozenset({"unscreened", "unknown_value", "information_only"})
# What the words of a subject raise when they are only the subject: an essay on suicide, a
# leaflet listing the signs of an overdose, a poster on mixing benzodiazepines and alcohol.
# Plans, attempts, goodbyes and danger to others are never topic words and are kept.
_TOPIC_CODES = frozenset(
    {"abrupt_stop", "breathing", "recent_overdose", "overdose_suspected", "overdose_history",
     "suicidal_thoughts", "suicidal_thoughts_now", "death_wish", "mixing_sedatives",
     "benzo_with_opioids", "benzo_with_alcohol", "seizure", "withdrawal_seizure_history",
     "confusion", "withdrawal_delirium_history", "possible_risk"}
)  # fmt: skip


def _read_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    return None


def _message_text(inquiry: Mapping[str, Any], flags: list[Flag]) -> str:
    message = inquiry.get("message")
    if message is None:
        return ""
    if isinstance(message, str):
        return message
    if isinstance(message, bytes | bytearray):
        return bytes(message).decode("utf-8", errors="replace")
    flags.append(unknown("message", message))
    return ""


def _quotes(hits: Iterable[Hit], limit: int = 3) -> str:
    seen: list[str] = []
    for hit in hits:
        quote = f'"{hit.quote}"'
        if quote not in seen:
            seen.append(quote)
        if len(seen) == limit:
            break
    return "; ".join(seen)


def _text_flag(code: str, hits: list[Hit]) -> Flag:
    return spec(code).flag(_quotes(hits), third_party=all(h.third_party for h in hits))


class _Context:
    """What one inquiry says, gathered once and read by every rule."""

    def __init__(self, inquiry: Mapping[str, Any]) -> None:
        self.flags: list[Flag] = []
        self.unknown: list[str] = []
        self.concepts: set[str] = set()  # the meaning units the concept step found
        self.for_whom = inquiry.get("for_whom")
        language = inquiry.get("language")
        self.language = language.strip().lower()[:2] if isinstance(language, str) else None
        self.someone_else = self.for_whom == ForWhom.SOMEONE_ELSE

        raw_substances = inquiry.get("substances")
        self.substances: set[str] = set()
        if isinstance(raw_substances, list | tuple):
            for code in raw_substances:
                if isinstance(code, str) and code.strip().lower() in SUBSTANCE_CODES:
                    self.substances.add(code.strip().lower())
                elif code not in (None, ""):
                    self.flags.append(unknown("substances", code))
        elif raw_substances not in (None, ""):
            self.flags.append(unknown("substances", raw_substances))

        raw_risk = inquiry.get("risk")
        self.risk: dict[str, bool] = {}
        if isinstance(raw_risk, Mapping):
            for key, value in raw_risk.items():
                if key not in RISK_KEYS:
                    self.flags.append(unknown(f"risk.{key}", value))
                    continue
                read = _read_bool(value)
                if read is None:
                    self.flags.append(unknown(f"risk.{key}", value))
                    # An unreadable answer to a danger question is treated as "yes": asking
                    # a person is cheaper than missing a seizure.
                    read = True
                self.risk[str(key)] = read
        elif raw_risk not in (None, ""):
            self.flags.append(unknown("risk", raw_risk))

        self.message = _message_text(inquiry, self.flags)
        self.text: TextFindings = _scanner().scan(self.message)
        self.about = False  # the message writes about a subject (set by the concept rules)
        self.asking = False  # asks how to recognise or support a possible risk (idem)
        self.has_message = bool(
            isinstance(inquiry.get("message"), str) and inquiry["message"].strip()
        )

    def add(self, flag: Flag) -> None:
        self.flags.append(flag)

    # Facts combining the form and the text --------------------------------------------
    @property
    def benzo(self) -> bool:
        return (
            bool(self.substances & BENZO_CODES)
            or self.risk.get("daily_benzo_use", False)
            or "benzodiazepine" in self.text.named
        )


def _screen_rules(ctx: _Context, inquiry: Mapping[str, Any], screens: Iterable[Screen]) -> None:
    for screen in screens:
        answers = inquiry.get(screen.field)
        if answers is None:
            answers = {}
        if not isinstance(answers, Mapping):
            ctx.add(unknown(screen.field, answers))
            answers = {}
        ctx.flags.extend(screen.evaluate(answers))


def _risk_rules(ctx: _Context) -> None:
    risk = ctx.risk
    direct = {
        "seizure_24h": "seizure",
        "confusion": "confusion",
        "breathing_difficulty": "breathing",
        "someone_in_danger": "someone_in_danger",
        "withdrawal_seizure_history": "withdrawal_seizure_history",
        "overdose_past_3_months": "recent_overdose",
    }
    for key, code in direct.items():
        if risk.get(key):
            ctx.add(spec(code).flag(f"risk.{key} = true"))
    if risk.get("stopping_abruptly"):
        ctx.add(spec("abrupt_stop").flag("risk.stopping_abruptly = true"))
    elif risk.get("daily_benzo_use"):
        ctx.add(spec("daily_benzo_use").flag("risk.daily_benzo_use = true"))

    benzo_listed = sorted(ctx.substances & BENZO_CODES)
    for key, code, other in (
        ("uses_with_opioids", "benzo_with_opioids", "opioids"),
        ("uses_with_alcohol", "benzo_with_alcohol", "alcohol"),
    ):
        if risk.get(key):
            if ctx.benzo or not ctx.substances:
                # No substance listed: the question is asked about benzodiazepines on the
                # form, and an unknown combination is treated as the dangerous one.
                what = ", ".join(benzo_listed) or "benzodiazepine"
                ctx.add(spec(code).flag(f"risk.{key} = true ({what})"))
            else:
                ctx.add(spec("polydrug_use").flag(f"risk.{key} = true"))
        elif benzo_listed and other in ctx.substances:
            ctx.add(spec(code).flag(f"substances: {', '.join(benzo_listed)} and {other}"))


def _text_rules(ctx: _Context) -> None:
    text = ctx.text
    sig = text.signals
    # "I tried to end my life years ago": the words about dying belong to the dated attempt
    # (past_attempt / recent_attempt below), not to thoughts now, whatever "now" follows.
    dated = [h for h in sig.get("attempt", []) if h.tier in ("old", "recent")]
    if dated:
        for kind in ("suicidal_thoughts", "death_wish", "suicidal_plan"):
            if kind in sig:
                sig[kind] = [h for h in sig[kind] if not _inside(h, dated)]

    # "I was suicidal when I was 19, that's twenty years behind me": thoughts or a wish to be
    # dead dated long ago, with nothing in the sentence that reaches now, are history (the
    # ASQ asks about the past weeks). "For years", "still", "again" keep them current (1.22.0).
    for kind in ("suicidal_thoughts", "death_wish"):
        if kind in sig:
            sig[kind] = [
                h
                for h in sig[kind]
                if h.tier == "now" or not _scanner().only_long_ago(text, h.start, h.end)
            ]

    # "I don't want to live like this" beside a clear "no thoughts of harming myself": a way
    # of life, not life itself (1.11.0). Without the "no" it stays a death wish.
    for kind in ("suicidal_thoughts", "death_wish"):
        like = [h for h in sig.get(kind, []) if living_like_this(text.text, h.start, h.end)]
        if like and denies_harm(_concept_reader().lex, text.text):
            sig[kind] = [h for h in sig[kind] if h not in like]

    def add(code: str, hits: list[Hit]) -> None:
        if hits:
            ctx.add(_text_flag(code, hits))

    add("suicidal_plan", sig.get("suicidal_plan", []))
    thoughts = [*sig.get("suicidal_thoughts", []), *sig.get("death_wish", [])]
    add("suicidal_thoughts_now", [h for h in thoughts if h.tier == "now"])
    add("suicidal_thoughts", sig.get("suicidal_thoughts", []))
    add("death_wish", sig.get("death_wish", []))
    add("self_harm", sig.get("self_harm", []))

    # Goodbyes and final arrangements (preparatory acts): with thoughts of death, or two of
    # them ("made my peace ... wrote letters to the kids"), they are a plan (P0); a clear
    # goodbye alone is a death wish (P1); a weak one alone ("everything is sorted") is nothing.
    farewell = sig.get("farewell", [])
    arranged = sig.get("arranged", [])
    wishes = [*sig.get("suicidal_plan", []), *thoughts]
    if farewell or arranged:
        spans = {(h.start, h.end) for h in [*farewell, *arranged]}
        if wishes or len(spans) >= 2:
            add("suicidal_plan", [*farewell, *arranged])
        elif farewell:
            add("death_wish", farewell)
    add("someone_in_danger", sig.get("someone_in_danger", []))

    # Attempts: "took all the pills" is an attempt in progress unless dated to the past.
    now_attempt = [h for h in sig.get("attempt_now", []) if h.tier in (None, "now")]
    add("attempt_in_progress", now_attempt)
    attempts = [*sig.get("attempt", []), *sig.get("attempt_now", [])]
    # "Back in 2013 I overdosed on oxy and spent a night in the ICU": an overdose years ago,
    # with no word of wanting to die in the message, is overdose history (P2, as TRIAGE.md
    # says), not a past suicide attempt (1.23.0).
    if not (sig.get("suicidal_thoughts") or sig.get("death_wish") or sig.get("suicidal_plan")):
        overdose_words = sig.get("overdose", [])
        attempts = [
            h
            for h in attempts
            if not (h.kind == "attempt_now" and h.tier == "old" and _holds(h, overdose_words))
        ]
    add("recent_attempt", [h for h in attempts if h.tier in ("now", "recent")])
    add(
        "past_attempt",
        [h for h in attempts if h.tier == "old" or (h.tier is None and h.kind == "attempt")],
    )

    # Overdose: now -> P0; recent or undated -> P1; long ago -> P2.
    # Undated and about someone else ("my son has overdosed") reads as happening now.
    overdoses = sig.get("overdose", [])
    add(
        "overdose_suspected",
        [h for h in overdoses if h.tier == "now" or (h.tier is None and h.third_party)],
    )
    add(
        "recent_overdose",
        [h for h in overdoses if h.tier == "recent" or (h.tier is None and not h.third_party)],
    )
    add("overdose_history", [h for h in overdoses if h.tier == "old"])

    # Seizure and confusion: undated is read as now (a person writes about it because it is
    # happening); dated to the past, it is a withdrawal history (P1).
    # Words in the present tense ("is having a seizure", "alucina", "halluziniert") say it is
    # happening now, whatever date the sentence gives for something else ("since he stopped
    # drinking on Saturday").
    # A relative's withdrawal seizure or delirium years ago, told as background by someone
    # asking for help with their own use ("my father had a seizure in withdrawal twenty
    # years ago; I drink too much myself"), is family history, not this person's (1.10.0).
    background = not ctx.someone_else and any(
        not h.third_party for h in sig.get("personal_use", [])
    )

    def own(hits: list[Hit]) -> list[Hit]:
        if not background:
            return hits
        return [h for h in hits if not (h.third_party and h.tier == "old")]

    seizures = own(sig.get("seizure", []))
    add("seizure", [*(h for h in seizures if h.tier in ("now", None)), *sig.get("seizure_now", [])])
    add("withdrawal_seizure_history", [h for h in seizures if h.tier in ("recent", "old")])
    confusion = own(sig.get("confusion", []))
    add(
        "confusion",
        [*(h for h in confusion if h.tier in ("now", None)), *sig.get("confusion_now", [])],
    )
    add("withdrawal_delirium_history", [h for h in confusion if h.tier in ("recent", "old")])
    breathing = sig.get("breathing", [])
    add("breathing", [h for h in breathing if h.tier in ("now", None)])
    add("recent_overdose", [h for h in breathing if h.tier == "recent"])
    add("overdose_history", [h for h in breathing if h.tier == "old"])

    # Benzodiazepines with opioids or alcohol, from the text and/or the form.
    # A benzodiazepine taken long ago ("took Valium years ago, now it's the wine") is no
    # combination; a mention outside such a phrase still is.
    # A general question ("is it dangerous to mix Xanax and alcohol? for a school project")
    # is no combination either, unless the message also says the person uses ("I take...").
    # A benzodiazepine in a story about someone else (a news item, a film) is theirs (1.26.0).
    # Spans that tell a benzodiazepine of another time or another person: no use of it now.
    then_or_theirs = [*sig.get("past_use", []), *sig.get("story", [])]
    past = then_or_theirs
    if not sig.get("personal_use"):
        past = [*past, *sig.get("hypothetical", [])]
    benzo_hits = [
        h
        for h in text.mentions.get("benzodiazepine", [])
        if not _inside(h, past) and not _told_long_ago(text, h)
    ]
    # The same for opioids and drink told as history ("heroin in 2009, clean since 2012", "a
    # cure for alcohol in 2012, not a drop since"): no combination with today's Valium (1.25.0).
    opioid_hits = [h for h in text.mentions.get("opioid", []) if not _told_long_ago(text, h)]
    alcohol_hits = [h for h in text.mentions.get("alcohol", []) if not _told_long_ago(text, h)]
    benzo_listed = sorted(ctx.substances & BENZO_CODES)
    if (benzo_hits or benzo_listed) and (opioid_hits or "opioids" in ctx.substances):
        ctx.add(
            _combo_flag(
                "benzo_with_opioids",
                benzo_hits,
                benzo_listed,
                opioid_hits,
                "opioids" in ctx.substances,
            )
        )
    if (benzo_hits or benzo_listed) and (alcohol_hits or "alcohol" in ctx.substances):
        ctx.add(
            _combo_flag(
                "benzo_with_alcohol",
                benzo_hits,
                benzo_listed,
                alcohol_hits,
                "alcohol" in ctx.substances,
            )
        )
    add("mixing_sedatives", [h for h in sig.get("mixing", []) if not _inside(h, past)])

    # Stopping benzodiazepines abruptly, just stopped, or running out.
    if ctx.benzo:
        stops = [*sig.get("abrupt_stop", [])]
        stops += [h for h in sig.get("stopped", []) if h.tier in ("now", "recent")]
        # A general question ("is it dangerous to stop benzos suddenly?") is no plan.
        # One who uses and asks in general, and says they will not stop suddenly ("can you
        # die from stopping Ativan cold turkey? I am NOT stopping on my own"), plans no stop
        # either (1.26.0).
        if not sig.get("personal_use") or sig.get("avoided_stop"):
            stops = [h for h in stops if not _inside(h, sig.get("hypothetical", []))]
        # "I don't want to stop it suddenly, I want a slow taper" (1.12.0): a stop refused or
        # feared is no stop, whoever takes the drug. Running out or a prescriber away is read
        # by the concept rows and still raises.
        stops = [h for h in stops if not _inside(h, sig.get("avoided_stop", []))]
        # "Tapered off Tavor in 2017 and take nothing since ... I want no more pills": when
        # every benzodiazepine named is one taken long ago and the form says no daily use, an
        # undated "no more pills" is no stop now (1.24.0).
        named = text.mentions.get("benzodiazepine", [])
        if (
            named
            and all(_inside(h, then_or_theirs) for h in named)
            and not ctx.risk.get("daily_benzo_use", False)
        ):
            stops = [h for h in stops if h.tier in ("now", "recent")]
        add("abrupt_stop", stops)


def _concept_rules(ctx: _Context) -> None:
    """Concepts per sentence and their combinations (combinations.py), then the safety net.

    They only add flags: the free text can raise a priority above the form's answers, and
    nothing here can lower one.
    """
    reader = _concept_reader()
    scanner = _scanner()
    from .normalise import clip

    segments = reader.find(ctx.text, scanner, clip(ctx.message), ctx.language)
    if not segments:
        return
    found = {h.concept for s in segments for h in s.hits}
    ctx.about = "about" in found or (
        "long_apology" not in found and reader.names(ctx.message, "about")
    )
    # "What are the warning signs that a friend might be thinking about suicide?"
    ctx.asking = "support" in found and "maybe" in found
    # "A general question" beside the writer's own use ("I take", "I have just taken") is
    # about them after all.
    general = "general_question" in found and not ctx.text.signals.get("personal_use")
    if general or (
        "work_question" in found and (ctx.for_whom == ForWhom.PROFESSIONAL or "pro_role" in found)
    ):
        # A nurse, a pharmacist or an addiction worker asking about jobs or training
        # (1.12.0), or anyone asking "a general question, not about a particular case"
        # (1.22.0): the overdoses, seizures and crises they name are people's in general, as
        # in an essay. A plan, an attempt, danger to someone now or their own use still stands.
        ctx.about = ctx.asking = True
    ctx.flags.extend(
        decide(
            segments,
            scanner=scanner,
            findings=ctx.text,
            benzo=ctx.benzo,
            someone_else=ctx.someone_else,
            nobody_in_danger=says_nobody_in_danger(reader.lex, ctx.message),
        )
    )
    # Derived concepts (unrousable, no_wake, ...) are in the segments now. A word of danger
    # told as history ("an overdose in 2001, clean for twenty years") opens no door for the
    # second reader (1.17.0).
    # Taking told as a habit ("I take Néo-Codion almost every day") is the use they ask help
    # for, not something taken now: it opens the reader's door only as a weaker word (1.28.0).
    ctx.concepts = {
        h.concept
        for s in segments
        for h in s.hits
        if (h.concept not in READER_STRONG or not told_as_history(h, scanner, ctx.text))
        and not (h.concept == "ingestion" and any(x.concept == "habit" for x in s.hits))
    }


_QUOTE_MARK = "'\"\u2018\u201c\u201e\u00ab\u2039"
_EVIDENCE_QUOTE = re.compile(r'"([^"]+)"')


def _own_use(ctx: _Context) -> bool:
    """Says they use something: "I take", "every night", in a sentence naming a substance
    ("can we use your number" is no use of anything)."""
    text = ctx.text
    uses = text.signals.get("personal_use", [])
    if not uses:
        return False
    mentions = [h for hits in text.mentions.values() for h in hits]
    scanner = _scanner()
    for use in uses:
        start, end = scanner._sentence(text.bounds, use.start, len(text.text))
        if any(start <= m.start < end for m in mentions):
            return True
    return False


def _quoted(flag: Flag, message: str) -> bool:
    """Every word the flag quotes stands right after a quotation mark in the message."""
    quotes = _EVIDENCE_QUOTE.findall(flag.evidence)
    if not quotes:
        return False
    low = message.lower()
    for q in quotes:
        at = low.find(q.lower())
        if at <= 0 or low[at - 1] not in _QUOTE_MARK:
            return False
    return True


def _told_long_ago(text: TextFindings, hit: Hit) -> bool:
    """Whether the hit's sentence is dated years back ("vor über 25 Jahren war ich von Valium
    abhängig"): a benzodiazepine of then is no combination with today's wine (1.19.0)."""
    if text.index is None:
        return False
    scanner = _scanner()
    bounds = scanner._sentence(text.bounds, hit.start, len(text.text))
    return scanner._tier(text.text, text.index, hit.start, hit.end, bounds) == "old"


def _inside(hit: Hit, spans: list[Hit]) -> bool:
    return any(span.start <= hit.start < span.end for span in spans)


def _holds(hit: Hit, words: list[Hit]) -> bool:
    """Whether one of ``words`` lies within ``hit``'s span."""
    return any(hit.start <= w.start < hit.end for w in words)


def _combo_flag(
    code: str,
    benzo_hits: list[Hit],
    benzo_listed: list[str],
    other_hits: list[Hit],
    other_listed: bool,
) -> Flag:
    parts = []
    if benzo_hits:
        parts.append(_quotes(benzo_hits, 2))
    if benzo_listed:
        parts.append("substances: " + ", ".join(benzo_listed))
    if other_hits:
        parts.append(_quotes(other_hits, 2))
    elif other_listed:
        parts.append("substances: " + ("opioids" if code == "benzo_with_opioids" else "alcohol"))
    hits = [*benzo_hits, *other_hits]
    third = bool(hits) and all(h.third_party for h in hits) and not benzo_listed
    return spec(code).flag(" + ".join(parts), third_party=third)


def _information_only(ctx: _Context) -> bool:
    """Asks only for information: an info cue, no help cue, no risk, no substance."""
    if any(f.code not in _NEUTRAL for f in ctx.flags):
        return False
    if ctx.someone_else or ctx.substances or any(ctx.risk.values()):
        return False
    text = ctx.text
    if not text.has("info") or text.has("help"):
        return False
    return not any(text.mentions.values())


def _merge(flags: list[Flag]) -> tuple[Flag, ...]:
    """One flag per code (most urgent first), evidence joined, in a stable order."""
    merged: dict[str, Flag] = {}
    for flag in flags:
        prior = merged.get(flag.code)
        if prior is None:
            merged[flag.code] = flag
            continue
        evidence = prior.evidence
        if flag.evidence and flag.evidence not in evidence:
            # Two rows quoting some of the same words: each quote once, so the reason stays
            # readable (1.11.0).
            have = evidence.split("; ") if evidence else []
            have += [q for q in flag.evidence.split("; ") if q not in have]
            evidence = "; ".join(have)
        merged[flag.code] = replace(
            prior,
            evidence=evidence,
            priority=min(prior.priority, flag.priority),
            third_party=prior.third_party and flag.third_party,
        )
    order = {code: i for i, code in enumerate(merged)}
    return tuple(sorted(merged.values(), key=lambda f: (f.priority, order[f.code])))


def evaluate(
    inquiry: Mapping[str, Any], screens: Iterable[Screen] = DEFAULT_SCREENS
) -> TriageOutcome:
    """Score one inquiry (may raise on a bug; ``score`` wraps it)."""
    ctx = _Context(inquiry)
    _screen_rules(ctx, inquiry, screens)
    _risk_rules(ctx)
    from_form = len(ctx.flags)
    _text_rules(ctx)
    _concept_rules(ctx)
    if (ctx.about or ctx.asking) and not _own_use(ctx):
        # Writing about a subject (school project, leaflet, essay, journalist), and saying
        # nothing of their own use: the subject's words are no report of danger. Words about
        # a particular other person ("one of my students has thought about killing herself")
        # are a report and stay. Only what the text raised is dropped; the form's answers
        # stand.
        ctx.flags = ctx.flags[:from_form] + [
            f
            for f in ctx.flags[from_form:]
            if f.code not in _TOPIC_CODES or (f.third_party and not ctx.asking)
        ]
    elif ctx.about:
        # A leaflet's or a paper's words quoted ("the leaflet lists 'suicidal thoughts'")
        # are what the leaflet says, not what the person says.
        ctx.flags = ctx.flags[:from_form] + [
            f
            for f in ctx.flags[from_form:]
            if f.code not in _TOPIC_CODES or f.third_party or not _quoted(f, ctx.message)
        ]

    if ctx.someone_else:
        # Form answers given on someone else's behalf describe that person.
        ctx.flags = [
            f if f.third_party or f.code in _NEUTRAL else replace(f, third_party=True)
            for f in ctx.flags
        ]

    if _information_only(ctx):
        floor = Priority.P3
        ctx.add(spec("information_only").flag(_quotes(ctx.text.signals.get("info", []))))
        ctx.flags = [
            replace(f, priority=Priority.P3) if f.code == "unscreened" else f for f in ctx.flags
        ]
    else:
        floor = Priority.P2
    flags = _merge(ctx.flags)
    priority = Priority.most_urgent(floor, *(f.priority for f in flags))
    second = _second_reading(ctx.message, priority, ctx.concepts)
    if second is not None:
        flags = (*flags, second)
        priority = Priority.most_urgent(priority, second.priority)
    unknown_values = tuple(f.evidence for f in flags if f.code == "unknown_value")
    if ctx.text.truncated:
        unknown_values += ("message: only the first part was scanned",)
    return TriageOutcome(
        priority=priority, flags=flags, ruleset=RULESET_VERSION, unknown=unknown_values
    )


#: The second reader may raise only a message in which the concept step found a word of
#: danger itself (a death wish, a final act, means, something taken, a sign of the body,
#: violence, a sedative stopped), or the two halves of another person at risk (below). The
#: letters of "please call me", or of a long letter that names the children once, are no
#: risk. A weaker word alone (READER_WEAK) lets it raise only when it is much surer.
READER_STRONG = frozenset(
    {
        "intent", "death_wish", "wish_dead", "no_wake", "preparation", "arranged", "goodbye",
        "sent_goodbye", "farewell", "farewell_end", "burden", "resigned", "self_harm",
        "lethal_place", "ingestion", "overdose", "tried", "rescued", "revived", "breathing",
        "breath_neg", "breath_hard", "colour", "unrousable", "motionless", "seizure_signs",
        "seizure_convulse", "seizure_mark", "seizure_fall", "seizure_stiff", "confused",
        "confusion_sign", "delirium_now", "violence", "weapon", "threat", "armed",
        "running_out", "stop_recent", "stop_planned", "discarded", "doctor_away", "street_benzo",
    }
)  # fmt: skip
# Another person at risk: someone exposed (a child, someone left alone with them, a car
# about to be driven) and someone impaired or dangerous (drunk or high, not waking, going for
# someone, a person hiding). Either alone is an ordinary family letter.
READER_EXPOSED = frozenset({"child", "alone_with", "driving"})
READER_IMPAIRED = frozenset({"intoxicated", "rouse", "aggression", "hiding"})


# Pills or a rope named alone are in many routine letters ("my pills ready for the holiday
# week"): MEANS is a weaker word (1.17.0).
READER_WEAK = READER_EXPOSED | READER_IMPAIRED | {
    "depressant", "time_now", "quantity", "unwell", "benzo", "drug", "means"
}  # fmt: skip


def reader_may_raise(concepts: set[str]) -> bool:
    """Whether the concepts found let the second reader raise at its usual bar."""
    if concepts & READER_STRONG:
        return True
    return bool(concepts & READER_EXPOSED) and bool(concepts & READER_IMPAIRED)


def reader_bars(concepts: set[str], words: int) -> tuple[float, float] | None:
    """The second reader's bars (P0, P0 or P1) for a message with these concepts, or None
    when it may not raise at all (no word of risk found)."""
    if reader_may_raise(concepts):
        return reader.EMERGENCY_AT, reader.URGENT_AT
    if concepts & READER_WEAK and words >= reader.MIN_WORDS_WEAK:
        return reader.EMERGENCY_AT_WEAK, reader.URGENT_AT_WEAK
    return None


def _second_reading(message: str, priority: Priority, concepts: set[str]) -> Flag | None:
    """The second reader's raise, when the rules left the message lower (reader.py).

    Raise-only: a message read below P0 that reads like the marked emergencies goes to P0,
    one left routine that reads like the urgent ones to P1. If the reader cannot run, the
    rules' result stands as it is (it is never lost to an error of the second opinion).
    """
    words = len(message.split())
    bars = reader_bars(concepts, words)
    if priority == Priority.P0 or bars is None or words < reader.MIN_WORDS:
        return None
    try:
        reading = reader.read(clip(message))
    except Exception:  # the rules' result must survive a broken model file
        _log.exception("triage second reader failed; the rules' result stands")
        return None
    if reading.p0 >= bars[0]:
        return spec("reads_like_emergency").flag(reading.evidence())
    if priority.is_urgent or reading.urgent < bars[1]:
        return None
    return spec("reads_like_urgent").flag(reading.evidence())


def score(inquiry: Mapping[str, Any]) -> TriageOutcome:
    """Triage one inquiry. Never raises.

    Anything that is not a mapping is scored as an empty inquiry (P2, unscreened) with the
    oddity reported. If the rules themselves fail, the result is P1 with ``triage_error``:
    a person looks at it today rather than the inquiry silently waiting in the routine queue.
    """
    try:
        if not isinstance(inquiry, Mapping):
            outcome = evaluate({})
            flag = unknown("inquiry", inquiry)
            return replace(
                outcome, flags=(*outcome.flags, flag), unknown=(*outcome.unknown, flag.evidence)
            )
        return evaluate(inquiry)
    except Exception as exc:  # never let one odd inquiry stop the queue or the command
        flag = spec("triage_error").flag(type(exc).__name__)
        return TriageOutcome(
            priority=flag.priority, flags=(flag,), ruleset=RULESET_VERSION, unknown=()
        )


def score_jsonl_line(line: str) -> dict[str, Any]:
    """Score one line of JSON Lines for the command. Never raises.

    Invalid JSON or a value that is not an object gives ``{"error": "..."}`` on its line.
    """
    try:
        if isinstance(line, bytes | bytearray):
            line = bytes(line).decode("utf-8", errors="replace")
        data = json.loads(line)
    except (ValueError, TypeError, RecursionError) as exc:
        return {"error": f"invalid JSON: {exc}"[:200]}
    if not isinstance(data, dict):
        return {"error": f"expected a JSON object, got {type(data).__name__}"}
    return score(data).as_dict()
