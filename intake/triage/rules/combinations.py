"""THE table of concept combinations: which meaning units together make P0 or P1.

Read by clinicians (docs/triage.md prints the same table). Each row: a name, the concept
groups that must ALL be present (each group is satisfied by any one concept in it), where they
must meet (one sentence, or anywhere in the message), and the flag raised. The flag's
priority is the code's in ``catalog.py``. Rows are tried in order; every row that matches
raises its flag, and the most urgent flag wins (as for every other rule).

Concepts are recognised per sentence by ``concepts.py`` from ``concepts/<lang>.toml``. Three
are derived there rather than listed: ``no_wake`` (rouse + a negation + a wish: "don't want
to wake up"), ``unrousable`` (rouse + a negation about someone else: "can't wake him") and
``seizure_signs`` (two different kinds of seizure sign: jerking + on the floor, bitten
tongue + collapsed).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Combination:
    name: str
    needs: tuple[frozenset[str], ...]  # every group must be met by one of its concepts
    scope: str  # "sentence" or "message"
    code: str  # flag code (catalog.py)
    dated: bool = False  # an old date ("years ago") makes it history instead (see concepts.py)


def _c(*groups: str) -> tuple[frozenset[str], ...]:
    return tuple(frozenset(g.split("|")) for g in groups)


COMBINATIONS: tuple[Combination, ...] = (
    # --- P0: intent or preparation that is ready ---------------------------------------
    Combination(
        "intent with means, time or preparation",
        _c("intent", "means|preparation|time_now"),
        "sentence",
        "suicidal_plan",
    ),
    Combination(
        "a goodbye or final act with another one, a time, means or a wish to die",
        _c("preparation", "arranged|time_now|means|intent|no_wake|death_wish"),
        "message",
        "suicidal_plan",
    ),
    # --- P0: an overdose told as what was taken ------------------------------------------
    Combination(
        "taken, with an amount or a sedative, and not wanting to wake or despair",
        _c("ingestion|overdose", "quantity|depressant|means", "no_wake|intent|death_wish|distress"),
        "message",
        "attempt_in_progress",
        dated=True,
    ),
    # --- P0: physical danger signs now ---------------------------------------------------
    Combination(
        "cannot be woken or does not respond", _c("unrousable"), "sentence", "breathing", dated=True
    ),
    Combination(
        "slow, shallow or noisy breathing", _c("breathing"), "sentence", "breathing", dated=True
    ),
    Combination(
        "blue or grey lips or skin with a sedative or another sign",
        _c("colour", "ingestion|depressant|breathing|unrousable"),
        "message",
        "breathing",
        dated=True,
    ),
    Combination("seizure told by its signs", _c("seizure_signs"), "message", "seizure", dated=True),
    Combination(
        "seeing what is not there, not knowing where they are",
        _c("confusion_sign"),
        "sentence",
        "confusion",
        dated=True,
    ),
    # --- P0: someone else at risk ---------------------------------------------------------
    Combination(
        "drunk or high and about to drive with children or now",
        _c("intoxicated", "driving", "child|time_now"),
        "message",
        "someone_in_danger",
    ),
    # --- P1 ---------------------------------------------------------------------------------
    Combination("wishes not to wake up", _c("no_wake"), "sentence", "death_wish"),
    Combination(
        "a benzodiazepine running out", _c("running_out", "benzo"), "message", "abrupt_stop"
    ),
    Combination(
        "a benzodiazepine and the prescriber away",
        _c("doctor_away", "benzo"),
        "message",
        "abrupt_stop",
    ),
)

#: Families for the safety net: two or more families meeting in one sentence without a row
#: above matching raise the inquiry to at least P1 with ``possible_risk`` ("read this now").
FAMILIES: dict[str, frozenset[str]] = {
    "substance": frozenset({"ingestion", "overdose", "depressant", "intoxicated"}),
    "death": frozenset({"intent", "death_wish", "no_wake", "preparation", "self_harm"}),
    "body": frozenset(
        {"breathing", "colour", "unrousable", "seizure_sign", "confusion_sign", "fall"}
    ),
    "lethal_means": frozenset({"lethal_means"}),
    "child_at_risk": frozenset({"child_at_risk"}),
}
