"""Every held-out round against the three judging criteria, one round at a time and together.

* every P0 inquiry scores P0;
* every P1 inquiry scores P0 or P1;
* at most one in ten routine (P2/P3) inquiries is raised to P0 or P1.

Each round was written from TRIAGE.md before the rules were fixed for it (first-run figures are
in docs/triage.md). Cases go through ``score_jsonl_line``, as ``flask triage score`` does; the
misses are printed (run with ``-s`` to see them on success too).
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from intake.triage.rules import score_jsonl_line

from . import heldout_cases, heldout_round3, heldout_round4

_URGENT = {"P0", "P1"}
MAX_FALSE_ALARM_RATE = 0.10

Case = tuple[str, str, dict[str, Any]]
LANGUAGES = ("en", "es", "de", "fr", "it")


def cases_of(module: ModuleType, tag: str) -> list[Case]:
    """(case id, expected priority, inquiry) for every case of a round's ``ALL`` lists.

    A list is named by its language, perhaps with a prefix ("r2-es"); "mixed" is scored as
    English, the form's default.
    """
    out = []
    for name, cases in module.ALL.items():
        language = name.rsplit("-", 1)[-1]
        for i, case in enumerate(cases):
            expected, message = case[0], case[1]
            extra: dict[str, Any] = case[2] if len(case) > 2 else {}
            inquiry = {"message": message, "language": language if language in LANGUAGES else "en"}
            inquiry.update(extra)
            out.append((f"{name}-{tag}{i:02d}-{expected}", expected, inquiry))
    return out


def blind_round(name: str) -> list[Case]:
    """A blind round kept as JSON Lines (``blind/<name>.jsonl``): id, expected, inquiry."""
    path = Path(__file__).with_name("blind") / f"{name}.jsonl"
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    # The language is the id's second part ("r5-es-03"), like the other rounds' list names.
    return [(f"{r['id'].split('-')[1]}-{r['id']}", r["expected"], r["inquiry"]) for r in rows]


# Each round: its cases, and the least number it holds in all and per language.
ROUNDS: dict[str, tuple[list[Case], int, int]] = {
    "rounds-1-2": (cases_of(heldout_cases, ""), 200, 1),
    "round-3": (cases_of(heldout_round3, "r3-"), 250, 50),
    "round-4": (cases_of(heldout_round4, "r4-"), 150, 30),
    # Blind round 5: scored once at first sight (docs/triage.md), then fixed by concept.
    "round-5": (blind_round("round5"), 90, 18),
    # Blind rounds 6 and 7: scored once at first sight (docs/triage.md), then fixed by concept
    # (engine 1.4.0), never by copying their phrases into the word lists.
    "round-6": (blind_round("round6"), 75, 15),
    "round-7": (blind_round("round7"), 75, 15),
    # Blind round 8: scored once at first sight on 1.4.0, then fixed by concept (1.5.0).
    "round-8": (blind_round("round8"), 75, 15),
    # Blind round 9: scored once at first sight on 1.5.0, then fixed by concept (1.6.0).
    "round-9": (blind_round("round9"), 75, 15),
    # Blind round 10: scored once at first sight on 1.6.0, then fixed by concept (1.7.0).
    "round-10": (blind_round("round10"), 75, 15),
    # Blind round 11: scored once at first sight on 1.7.0, then fixed by concept (1.8.0).
    "round-11": (blind_round("round11"), 75, 15),
    # Blind round 12: scored once at first sight on 1.8.0, then fixed by concept (1.9.0).
    "round-12": (blind_round("round12"), 75, 15),
    # Blind round 13: scored once at first sight on 1.9.0, then fixed by concept (1.10.0).
    "round-13": (blind_round("round13"), 75, 15),
    # Blind round 14: scored once at first sight on 1.10.0, then fixed by concept (1.11.0).
    "round-14": (blind_round("round14"), 75, 15),
    # Blind round 15: scored once at first sight on 1.11.0, then fixed by concept (1.12.0).
    "round-15": (blind_round("round15"), 75, 15),
    # Blind round 16: scored once at first sight on 1.12.0; 1.13.0 added the second reader
    # (fitted on every round including this one; its leave-one-round-out figure for this
    # round is in docs/triage.md).
    "round-16": (blind_round("round16"), 75, 15),
    # Blind round 17: scored once at first sight on 1.13.0 (and on 1.12.0 beside it), then
    # the rules' over-triage fixed by concept (1.14.0).
    "round-17": (blind_round("round17"), 75, 15),
    # Blind round 18: scored once at first sight on 1.14.0, then fixed by concept (1.15.0).
    "round-18": (blind_round("round18"), 75, 15),
    # Blind round 19: scored once at first sight on 1.15.0, then its over-triage fixed by
    # concept and the reader refitted (1.16.0).
    "round-19": (blind_round("round19"), 75, 15),
    # Blind round 20: scored once at first sight on 1.16.0 (P0 24/25, P1 25/25, routine
    # raised 9/25), then its over-triage fixed by concept (1.17.0).
    "round-20": (blind_round("round20"), 75, 15),
    # Blind round 21: scored once at first sight on 1.17.0 (P0 24/25, P1 25/25, routine
    # raised 3/25), then fixed by concept (1.18.0).
    "round-21": (blind_round("round21"), 75, 15),
    # Blind round 22: scored once at first sight on 1.18.0 (P0 24/25, P1 25/25, routine
    # raised 6/25, two of them disputed below), then fixed by concept (1.19.0).
    "round-22": (blind_round("round22"), 75, 15),
    # Blind round 23: scored once at first sight on 1.19.0 (P0 25/25, P1 25/25, routine
    # raised 0/25); nothing to fix, kept as a regression round.
    "round-23": (blind_round("round23"), 75, 15),
    # Blind round 24: scored once at first sight on 1.20.0 (P0 25/25, P1 25/25, routine
    # raised 4/25), then fixed by concept (1.21.0).
    "round-24": (blind_round("round24"), 75, 15),
    # Blind round 25: scored once at first sight on 1.22.0 (P0 25/25, P1 25/25, routine
    # raised 3/25), then fixed by concept (1.23.0).
    "round-25": (blind_round("round25"), 75, 15),
    # Blind round 26: scored once at first sight on 1.24.0 (P0 25/25, P1 24/25, routine
    # raised 3/25), then fixed by concept (1.25.0).
    "round-26": (blind_round("round26"), 75, 15),
    # Blind round 27: scored once at first sight on 1.26.0 (P0 25/25, P1 25/25, routine
    # raised 2/25), then fixed by concept (1.27.0).
    "round-27": (blind_round("round27"), 75, 15),
    # Blind round 28: scored once at first sight on 1.27.0 (P0 25/25, P1 25/25, routine
    # raised 0/25); nothing to fix, kept as a regression round.
    "round-28": (blind_round("round28"), 75, 15),
    # Blind round 29: scored once at first sight on 1.27.1 (P0 25/25, P1 25/25, routine
    # raised 2/25), then fixed by concept (1.28.0).
    "round-29": (blind_round("round29"), 75, 15),
    # Blind round 30: scored once at first sight on 1.28.0 (P0 25/25, P1 25/25, routine
    # raised 3/25), then fixed by concept (1.29.0).
    "round-30": (blind_round("round30"), 75, 15),
    # Blind round 31: scored once at first sight on 1.29.0 (P0 25/25, P1 24/25, routine
    # raised 0/25), then fixed by concept (1.30.0).
    "round-31": (blind_round("round31"), 75, 15),
    # Blind round 32: scored once at first sight on 1.30.0 (P0 25/25, P1 25/25, routine
    # raised 2/25, within the budget); kept as a regression round.
    "round-32": (blind_round("round32"), 75, 15),
}

#: Labels of a blind round that contradict TRIAGE.md (docs/triage.md, "Disputed labels"):
#: id -> the rule. They are left out of the rounds above rather than bending the rules.
DISPUTED: dict[str, str] = {
    # Round 22's writer labelled these routine, but their forms list a benzodiazepine together
    # with alcohol or opioids, which TRIAGE.md makes P1 whatever the text adds ("never with
    # alcohol", a thesis about such users): free text never lowers what the form raised.
    "r22-de-01": "substances diazepam + alcohol listed: benzodiazepine with alcohol, P1",
    "r22-it-03": "substances benzodiazepine + opioids listed: benzodiazepine with opioids, P1",
}
for _name, (_cases, _least, _per_language) in list(ROUNDS.items()):
    ROUNDS[_name] = (
        [c for c in _cases if c[0].split("-", 1)[-1] not in DISPUTED],
        _least - sum(1 for c in _cases if c[0].split("-", 1)[-1] in DISPUTED),
        # a language that lost a disputed case still holds every other one
        _per_language
        - max(
            (
                sum(
                    1
                    for c in _cases
                    if c[0].split("-", 1)[-1] in DISPUTED and c[0].startswith(lang)
                )
                for lang in LANGUAGES
            ),
            default=0,
        ),
    )
Row = tuple[str, str, str, dict[str, Any], list[str]]


def _results(cases: list[Case]) -> list[Row]:
    out = []
    for case_id, expected, inquiry in cases:
        result = score_jsonl_line(json.dumps(inquiry, ensure_ascii=False))
        codes = [f"{f['code']}: {f['evidence']}" for f in result["flags"]]
        out.append((case_id, expected, result["priority"], inquiry, codes))
    return out


def _report(title: str, rows: list[Row]) -> str:
    lines = [f"{title}: {len(rows)}"]
    for case_id, expected, got, inquiry, codes in rows:
        lines.append(f"  {case_id} expected {expected} got {got}: {inquiry['message'][:110]!r}")
        lines.extend(f"      {c}" for c in codes)
    return "\n".join(lines)


def _check(cases: list[Case]) -> tuple[str, bool]:
    results = _results(cases)
    p0 = [r for r in results if r[1] == "P0"]
    p1 = [r for r in results if r[1] == "P1"]
    routine = [r for r in results if r[1] in ("P2", "P3")]
    missed_p0 = [r for r in p0 if r[2] != "P0"]
    missed_p1 = [r for r in p1 if r[2] not in _URGENT]
    raised = [r for r in routine if r[2] in _URGENT]
    summary = (
        f"P0 -> P0: {len(p0) - len(missed_p0)}/{len(p0)}; "
        f"P1 -> P0/P1: {len(p1) - len(missed_p1)}/{len(p1)}; "
        f"routine raised to P0/P1: {len(raised)}/{len(routine)} "
        f"({len(raised) / max(1, len(routine)):.0%})"
    )
    report = "\n".join(
        [
            summary,
            _report("missed P0", missed_p0),
            _report("missed P1", missed_p1),
            _report("routine raised", raised),
        ]
    )
    ok = not missed_p0 and not missed_p1 and len(raised) <= MAX_FALSE_ALARM_RATE * len(routine)
    return report, ok


@pytest.mark.parametrize("name", sorted(ROUNDS))
def test_round_meets_the_judging_criteria(name: str) -> None:
    report, ok = _check(ROUNDS[name][0])
    print(report)
    assert ok, report


def test_all_rounds_combined_meet_the_judging_criteria() -> None:
    cases = [case for round_cases, _, _ in ROUNDS.values() for case in round_cases]
    report, ok = _check(cases)
    print(report)
    assert ok, report


@pytest.mark.parametrize("name", sorted(ROUNDS))
def test_round_is_large_and_covers_every_language(name: str) -> None:
    cases, least, least_per_language = ROUNDS[name]
    assert len(cases) >= least
    assert len({case_id for case_id, _, _ in cases}) == len(cases)
    for lang in LANGUAGES:
        found = [expected for case_id, expected, _ in cases if case_id.startswith(lang)]
        assert len(found) >= least_per_language, lang
        assert set(found) == {"P0", "P1", "P2", "P3"}, lang
