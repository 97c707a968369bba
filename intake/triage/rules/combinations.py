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
tongue + collapsed; since 1.7.0 going stiff is a kind of its own). Since 1.6.0 also
``third`` (confused, said of someone else: "he is very confused") and ``stop_recent``
(a stop dated to the last days: "stopped it four days ago"; since 1.8.0 also "took my last
one yesterday").
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
    # A habit told ("most nights", "jeden Abend") in the sentence of the first group's words
    # is no event now: those words do not count for this row.
    not_habit: bool = False
    # A decision to quit ("from tonight I stop drinking, my mind is made up") or to get help
    # ("the time has come, rehab tomorrow, I'll tell my wife") is a plan to recover: the row's
    # words in a sentence that tells a stop or help sought do not count (1.11.0).
    not_quitting: bool = False
    # A dated row whose words are all dated years ago, told without trying or intent, takes
    # this code instead of the row's history code (1.23.0: an overdose in 2013 treated in
    # hospital is overdose history, not a past suicide attempt).
    old_code: str | None = None


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
        _c(
            "preparation",
            "arranged|goodbye|time_now|means|intent|no_wake|death_wish|lethal_place|burden",
        ),
        "message",
        "suicidal_plan",
    ),
    Combination(
        "a goodbye said or a pet handed over, with letters, a place to die or a wish to die",
        _c("goodbye", "arranged|lethal_place|intent|no_wake|wish_dead|burden"),
        "message",
        "suicidal_plan",
    ),
    Combination(
        "affairs put in order in two ways (debts paid, accounts deleted, letters, a pet "
        "handed over) with a wish to die, intent, means or no longer being a burden",
        _c(
            "arranged",
            "arranged|goodbye",
            "burden|wish_dead|death_wish|intent|no_wake|means|lethal_place",
        ),
        "message",
        "suicidal_plan",
    ),
    Combination(
        "at an edge, on the tracks or in a closed garage with the engine running, with a "
        "final act, intent, a wish to die or despair",
        _c(
            "lethal_place",
            "arranged|goodbye|preparation|intent|no_wake|death_wish|distress|burden|time_now"
            "|resigned",
        ),
        "message",
        "suicidal_plan",
    ),
    Combination(
        "drunk or high at an edge, on the tracks or in a closed garage with the engine running "
        "(1.9.0): in danger whatever they say",
        _c("lethal_place", "intoxicated"),
        "message",
        "someone_in_danger",
    ),
    Combination(
        "a decision told as settled or the calm after it, with a time now and a final act or a "
        "wish to die (1.11.0): 'everything is ready for tonight, I feel calm for the first time'",
        _c(
            "resolved",
            "time_now",
            "arranged|goodbye|preparation|burden|death_wish|wish_dead|no_wake|intent",
        ),
        "message",
        "suicidal_plan",
        not_quitting=True,  # every group: "I've written her a letter to explain" is no farewell
    ),
    Combination(
        "means at hand, a final act done and a time (1.14.0): 'letters to my kids are written, "
        "the rope is in the garage, tonight'",
        _c("means|lethal_place", "arranged|preparation", "time_now"),
        "message",
        "suicidal_plan",
        not_quitting=True,  # "I wrote my kids a letter, tonight I go to rehab" is no plan
    ),
    # --- P0/P1: an attempt told as trying to end their life (dated) ---------------------
    Combination(
        "tried or attempted, with intent to end their life, in one sentence",
        _c("tried", "intent|intent_past"),
        "sentence",
        "recent_attempt",
        dated=True,  # in the past 3 months or now: P0; older or undated: past_attempt (P1)
    ),
    Combination(
        "tried or took something, and was found or saved in time (1.11.0): an attempt told "
        "without the word",
        _c("tried|ingestion|overdose", "rescued"),
        "message",
        "recent_attempt",
        dated=True,  # in the past 3 months or now: P0; older or undated: past_attempt (P1)
        old_code="overdose_history",  # years ago, with no trying or intent: P2
    ),
    # --- P0: an overdose told as what was taken ------------------------------------------
    Combination(
        "taken, with an amount or a sedative, and not wanting to wake or despair",
        _c(
            "ingestion|overdose",
            "quantity|depressant|means",
            "no_wake|intent|death_wish|distress|burden|arranged|goodbye|preparation",
        ),
        "message",
        "attempt_in_progress",
        dated=True,
    ),
    Combination(
        "taken, with an amount or a sedative, and a farewell or not caring what happens",
        _c("ingestion|overdose", "quantity|depressant", "farewell|resigned"),
        "sentence",
        "attempt_in_progress",
        dated=True,
    ),
    Combination(
        "a large amount of a sedative taken and feeling its effect now: dizzy, everything "
        "spinning, eyes closing (1.9.0)",
        _c("ingestion|overdose", "quantity", "depressant", "unwell"),
        "message",
        "overdose_suspected",
        dated=True,
        not_habit=True,
    ),
    # --- P1 safety net: pills or something taken with a sedative or an amount, and a
    # farewell, not waking, not caring or "now" (never left in the routine queue) ---------
    Combination(
        "pills or something taken, with a sedative or an amount, and a farewell or not waking",
        _c(
            "means|ingestion",
            "depressant|quantity",
            "farewell|farewell_end|no_wake|resigned|goodbye",
        ),
        "sentence",
        "possible_risk",
        dated=True,
    ),
    Combination(
        "something taken in an amount or a sedative taken, now or tonight",
        _c("ingestion|overdose", "quantity|depressant", "time_now"),
        "sentence",
        "possible_risk",
        dated=True,
        not_habit=True,  # "now I take a bit more than I should": misuse told, no event (1.24.0)
    ),
    # --- P0: physical danger signs now ---------------------------------------------------
    Combination(
        "lying still on the floor or collapsed, after drink or drugs",
        _c(
            "motionless",
            "seizure_fall|unrousable|colour|breathing",
            "intoxicated|ingestion|depressant|overdose",
        ),
        "message",
        "breathing",
        dated=True,
    ),
    Combination(
        "cannot be woken or does not respond", _c("unrousable"), "sentence", "breathing", dated=True
    ),
    Combination(
        "slow, shallow or noisy breathing", _c("breathing"), "sentence", "breathing", dated=True
    ),
    Combination(
        "hard to breathe after a sedative, alcohol or something taken",
        _c("breath_hard", "ingestion|depressant|intoxicated"),
        "message",
        "breathing",
        dated=True,
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
        "confused or disoriented now, about someone else or after stopping a sedative",
        _c("confused", "third|stop"),
        "message",
        "confusion",
        dated=True,
    ),
    Combination(
        "delirium in the present tense: vermin seen, another year, picking at the air",
        _c("delirium_now"),
        "sentence",
        "confusion",
    ),
    Combination(
        "seeing what is not there, not knowing where they are",
        _c("confusion_sign"),
        "sentence",
        "confusion",
        dated=True,
    ),
    # --- P1: an overdose told by its aftermath ------------------------------------------
    Combination(
        "woke up in hospital, intubated or given naloxone, after a substance",
        _c("revived", "ingestion|depressant|overdose|intoxicated|quantity"),
        "message",
        "recent_overdose",
        dated=True,
    ),
    # --- P0: someone else at risk ---------------------------------------------------------
    Combination(
        "drunk or high and about to drive with children or now",
        _c("intoxicated", "driving", "child|time_now"),
        "message",
        "someone_in_danger",
        # "2009 bsoffen mit'm Auto gegen an Baum": a drunk drive years ago is history; last
        # week's stays at least P1 (1.24.0).
        dated=True,
    ),
    Combination(
        "a weapon, a threat to kill or an assault, and someone hiding from it",
        _c("weapon|violence", "hiding"),
        "message",
        "someone_in_danger",
    ),
    Combination(
        "an assault happening now: blows and screams heard, someone hitting or choking another",
        _c("violence", "time_now|as_we_speak"),
        "sentence",
        "someone_in_danger",
        not_habit=True,
    ),
    Combination(
        "a threat to kill or hurt people by someone drunk or high (1.11.0; a threat to an "
        "animal or a thing is not this row)",
        _c("threat", "intoxicated"),
        "message",
        "someone_in_danger",
        dated=True,  # last week: read now (P1); years ago: history, no flag
        not_habit=True,
    ),
    Combination(
        "a weapon taken up by someone drunk or high, going for someone, with an assault, "
        "someone hiding or a child there (1.11.0)",
        _c("armed", "intoxicated", "aggression|violence|hiding|child|alone_with|threat"),
        "message",
        "someone_in_danger",
        dated=True,
        not_habit=True,
    ),
    Combination(
        "a threat to kill the family and a weapon taken up (1.14.0): 'says he will kill us "
        "all, took the big kitchen knife to the bedroom', drunk or not",
        _c("threat", "armed|weapon"),
        "message",
        "someone_in_danger",
        dated=True,  # last week: read now (P1); years ago: history, no flag
        not_habit=True,
    ),
    Combination(
        "drunk or high, alone in charge of a baby or small children",
        _c("intoxicated", "alone_with"),
        "message",
        "someone_in_danger",
        not_habit=True,
    ),
    Combination(
        "a goodbye received from someone (a photo of fresh cuts, a text saying it is the last "
        "one or sorry for everything) and no answer since (1.12.0): an attempt may be under way",
        _c("sent_goodbye", "no_reply|unrousable"),
        "message",
        "someone_in_danger",
    ),
    # --- P1 ---------------------------------------------------------------------------------
    Combination("wishes not to wake up", _c("no_wake"), "sentence", "death_wish", dated=True),
    Combination(
        "wishes to be dead, does not want to live, others better off without them (1.13.0: "
        "told as years ago, history)",
        _c("wish_dead|death_wish"),
        "sentence",
        "death_wish",
        dated=True,
    ),
    Combination(
        "a benzodiazepine by its street name with alcohol or another sedative",
        _c("street_benzo", "depressant"),
        "message",
        "mixing_sedatives",
    ),
    Combination(
        "a benzodiazepine running out", _c("running_out", "benzo"), "message", "abrupt_stop"
    ),
    Combination(
        "a benzodiazepine stopped in the last few days",
        _c("stop_recent", "benzo"),
        "message",
        "abrupt_stop",
    ),
    Combination(
        "a benzodiazepine stopped, or done without, from today or a set day",
        _c("stop|without", "from_now", "benzo"),
        "sentence",
        "abrupt_stop",
    ),
    Combination(
        "a benzodiazepine to be stopped, done without or thrown away from a set day (1.11.0; "
        "the drug may be named in another sentence)",
        _c("stop_planned", "benzo"),
        "message",
        "abrupt_stop",
    ),
    Combination(
        "a benzodiazepine thrown away or flushed (not years ago)",
        _c("discarded", "benzo"),
        "sentence",
        "abrupt_stop",
        dated=True,
    ),
    Combination(
        "a benzodiazepine and the prescriber (or the supplier) away",
        _c("doctor_away", "benzo"),
        "message",
        "abrupt_stop",
    ),
)

#: Families for the safety net: two or more families meeting in one sentence without a row
#: above matching raise the inquiry to at least P1 with ``possible_risk`` ("read this now").
FAMILIES: dict[str, frozenset[str]] = {
    "substance": frozenset({"ingestion", "overdose", "depressant", "intoxicated"}),
    "death": frozenset(
        {"intent", "death_wish", "no_wake", "preparation", "self_harm", "sent_goodbye"}
    ),
    "body": frozenset(
        {
            "breathing",
            "colour",
            "unrousable",
            "seizure_sign",
            "confusion_sign",
            "delirium_now",
            "fall",
            "breath_hard",
            "confused",
            "revived",
            "motionless",
        }
    ),
    "lethal_means": frozenset({"lethal_means", "lethal_place"}),
    "child_at_risk": frozenset({"child_at_risk"}),
    "violence": frozenset({"violence", "weapon", "threat", "armed"}),
}
