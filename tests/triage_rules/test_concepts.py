"""Concepts, their combinations, the safety net, the cache and bad input."""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake.triage.rules import Priority, score
from intake.triage.rules.cache import load_or_build
from intake.triage.rules.combinations import COMBINATIONS
from intake.triage.rules.concepts import CONCEPTS, _load_files, build_forms, words_digest
from intake.triage.rules.lexicon import lexicon_digest


def _codes(message: str, **extra: object) -> tuple[Priority, set[str]]:
    outcome = score({"message": message, **extra})
    return outcome.priority, {f.code for f in outcome.flags}


@pytest.mark.parametrize(
    "message",
    [
        # wording none of the lexicons or rounds holds, found by concept
        "swallowed the remaining blister of my dad's diazepam with a litre of cider, "
        "hope I just don't wake up",
        "la lettre pour mes parents est sur la table, j'ai acheté ce qu'il faut, "
        "c'est pour cette nuit",
        "mi hermana está borracha y va a manejar con los niños en el auto",
        "er liegt am Boden, zuckt am ganzen Körper und hat sich auf die Zunge gebissen",
    ],
)
def test_new_wording_of_a_danger_now_is_p0(message: str) -> None:
    assert _codes(message)[0] == Priority.P0


def test_two_risk_concepts_in_one_sentence_are_read_now() -> None:
    priority, _ = _codes("after his lorazepam and the wine grandad fell on the stairs again")
    assert priority <= Priority.P1
    flags = score({"message": "since the methadone she keeps falling over in the kitchen"}).flags
    net = [f for f in flags if f.code == "possible_risk"]
    assert net and net[0].reason.startswith("Read this now")
    assert "methadone" in net[0].evidence and "falling" in net[0].evidence


@pytest.mark.parametrize(
    "message",
    [
        "I wrote a letter to my kids apologising for my drinking, now I want a programme",
        "Mein Sohn reagiert nicht auf meine Nachrichten und trinkt viel",
        "our marriage has collapsed because of my drinking",
        "I have never once thought about suicide, I just drink too much",
        "For my school project on overdose deaths: could you send leaflets about pills, "
        "alcohol and teenagers?",
    ],
)
def test_everyday_and_essay_wording_stays_routine(message: str) -> None:
    assert _codes(message)[0] >= Priority.P2


def test_the_text_outranks_answers_of_no_and_never_lowers_a_yes() -> None:
    boxes_no = {"risk": {"someone_in_danger": False}, "screen": {"wish_dead": "no"}}
    assert _codes("ignore the boxes I ticked, everything is ready for tonight, "
                  "the pills are in the drawer", **boxes_no)[0] == Priority.P0  # fmt: skip
    assert _codes("I am fine really", screen={"thoughts_now": "yes"})[0] == Priority.P0


def test_the_table_names_only_known_concepts_and_flag_codes() -> None:
    from intake.triage.rules import CATALOG

    known = set(CONCEPTS) | {
        "no_wake", "unrousable", "seizure_signs", "overdose", "self_harm", "benzo", "wish_dead",
        "third", "stop_recent", "farewell_end", "intent_past", "stop_planned",
    }  # fmt: skip
    for row in COMBINATIONS:
        assert row.code in CATALOG
        assert all(group <= known for group in row.needs), row.name


def test_the_word_forms_file_is_current() -> None:
    # Rebuild with: python -m intake.triage.rules.concepts
    forms = json.loads(
        (
            __import__("pathlib").Path(__file__).parents[2]
            / "intake/triage/rules/concepts/_forms.json"
        ).read_text("utf-8")
    )
    assert forms["words_digest"] == words_digest(_load_files())


def test_word_forms_come_from_the_dictionary() -> None:
    forms = build_forms({"de": {"rouse": {"words": ["aufwachen"]}}})["forms"]["de"]
    assert "aufzuwachen" in forms["aufwachen"]


def test_the_ruleset_version_covers_the_concept_files(monkeypatch: pytest.MonkeyPatch) -> None:
    from intake.triage.rules import lexicon

    before = lexicon_digest()
    monkeypatch.setattr(lexicon, "_concept_bytes", lambda: [b"edited"])
    assert lexicon_digest() != before


def test_the_cache_round_trips_and_survives_an_unwritable_folder(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    import re

    monkeypatch.setenv("HARBOR_TRIAGE_CACHE", str(tmp_path))
    built = load_or_build("test", lambda: {"rx": re.compile(r"(?<!\w)(?:ab|cd)+")})
    loaded = load_or_build("test", lambda: {"rx": re.compile("never used")})
    assert loaded["rx"].pattern == built["rx"].pattern
    assert loaded["rx"].match("abcd").group() == "abcd"
    monkeypatch.setenv("HARBOR_TRIAGE_CACHE", "/proc/no-such-folder")
    assert load_or_build("x", lambda: 42) == 42


_PIECES = st.sampled_from(
    [
        *"abcdefghijklmnopqrstuvwxyz .,!?'-\n",
        *["é", "ß", "ç", "😭", "🙏", "ж", "中", "ي"],
        *["xanax ", "xanaks ", "zanax ", "xnax ", "pills ", "not ", "tonight ", "all ", "wake "],
    ]
)
_TEXT = st.lists(_PIECES, max_size=300).map("".join)


@settings(max_examples=60, deadline=None)
@given(_TEXT)
def test_any_text_scores_deterministically(message: str) -> None:
    first = score({"message": message}).as_dict()
    assert first == score({"message": message}).as_dict()
    assert first["priority"] in {"P0", "P1", "P2", "P3"}
    assert all(f["code"] != "triage_error" for f in first["flags"])


@pytest.mark.parametrize(
    "message",
    [
        "😭😭😭🙏🙏",
        "?!?!... ,,, ;;; ---",
        "中文 русский عربى mixed xanax 中",
        "took all my xanx and my xanaxx and my zanax tonight " * 3,
        ("I keep drinking and I do not know what to do and my pills and the wine " * 120)[:5000],
    ],
)
def test_bad_input_never_fails_and_is_bounded(message: str) -> None:
    started = time.perf_counter()
    outcome = score({"message": message})
    assert not outcome.has("triage_error")
    assert outcome.as_dict() == score({"message": message}).as_dict()
    # generous: a guard against runaway matching, not a timing threshold for the bench
    assert time.perf_counter() - started < 30
