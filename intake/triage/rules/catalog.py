"""Every flag code the rules can raise, with its priority and the reason staff read.

Codes are stable snake_case identifiers: stored results, dashboards and tests refer to them,
so a code is never renamed; a changed meaning gets a new code. ``docs/triage.md`` lists the
same table for clinicians (a test keeps the two in step).
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Flag, Priority


@dataclass(frozen=True, slots=True)
class FlagSpec:
    """What a flag code means."""

    code: str
    priority: Priority
    reason: str

    def flag(self, evidence: str, *, third_party: bool = False) -> Flag:
        return Flag(
            code=self.code,
            reason=self.reason,
            evidence=evidence,
            priority=self.priority,
            third_party=third_party,
        )


_P0, _P1, _P2, _P3 = Priority.P0, Priority.P1, Priority.P2, Priority.P3

CATALOG: dict[str, FlagSpec] = {
    spec.code: spec
    for spec in (
        # -- suicide screen (ASQ) --------------------------------------------------------
        FlagSpec(
            "asq_acute_positive",
            _P0,
            "Answered yes to thinking about killing themselves right now (ASQ acute positive).",
        ),
        FlagSpec(
            "asq_recent_attempt",
            _P0,
            "Reported a suicide attempt in the past 3 months on the screen.",
        ),
        FlagSpec(
            "asq_non_acute_positive",
            _P1,
            "Answered yes, or preferred not to say, on a suicide screening question "
            "(ASQ non-acute positive; refusing to answer counts as positive).",
        ),
        FlagSpec(
            "unscreened", _P2, "The suicide screen was not answered: screen at first contact."
        ),
        # -- medical danger now ----------------------------------------------------------
        FlagSpec("seizure", _P0, "A seizure (fit) now or in the last 24 hours."),
        FlagSpec("confusion", _P0, "Confusion, hallucinations or delirium now."),
        FlagSpec(
            "breathing",
            _P0,
            "Slow or difficult breathing, cannot be woken or not responding: possible overdose.",
        ),
        FlagSpec("overdose_suspected", _P0, "A possible overdose now."),
        FlagSpec("someone_in_danger", _P0, "Someone may be in immediate danger."),
        FlagSpec(
            "attempt_in_progress",
            _P0,
            "Pills may have been taken, or an attempt to end life may be in progress.",
        ),
        # -- suicide and self-harm in the message ----------------------------------------
        FlagSpec(
            "suicidal_plan",
            _P0,
            "Describes a plan, intent, a time or the means ready to end their life.",
        ),
        FlagSpec(
            "suicidal_thoughts_now",
            _P0,
            "Thoughts of suicide or of dying with a time of now or tonight (like an ASQ "
            "acute positive).",
        ),
        FlagSpec("recent_attempt", _P0, "Mentions a suicide attempt in the past 3 months."),
        FlagSpec(
            "past_attempt",
            _P1,
            "Mentions a past suicide attempt (when is unclear or more than 3 months ago).",
        ),
        FlagSpec(
            "suicidal_thoughts", _P1, "Mentions thoughts of suicide or of killing themselves."
        ),
        FlagSpec(
            "death_wish",
            _P1,
            "Mentions wishing to be dead, or that others would be better off without them.",
        ),
        FlagSpec("self_harm", _P1, "Mentions self-harm."),
        FlagSpec(
            "possible_risk",
            _P1,
            "Read this now: several risk words meet in one sentence in a way the rules do not "
            "know (new wording); a person must judge it today.",
        ),
        FlagSpec(
            "reads_like_emergency",
            _P0,
            "Read this now: the message reads like the emergencies clinicians marked, although "
            "no rule names the danger (the second reader); a person must judge it at once.",
        ),
        FlagSpec(
            "reads_like_urgent",
            _P1,
            "Read this now: the message reads like the urgent inquiries clinicians marked, "
            "although no rule names a risk (the second reader); a person must judge it today.",
        ),
        # -- benzodiazepines and polydrug use --------------------------------------------
        FlagSpec(
            "benzo_with_opioids",
            _P1,
            "Benzodiazepine together with opioids: risk of breathing stopping (FDA boxed warning).",
        ),
        FlagSpec(
            "benzo_with_alcohol",
            _P1,
            "Benzodiazepine together with alcohol: risk of breathing stopping.",
        ),
        FlagSpec(
            "mixing_sedatives", _P1, "Pills or sedatives taken together with alcohol or opioids."
        ),
        FlagSpec(
            "abrupt_stop",
            _P1,
            "Benzodiazepine: plans to stop suddenly, has just stopped, or is running out "
            "(risk of withdrawal seizures; never advise stopping suddenly).",
        ),
        FlagSpec(
            "withdrawal_seizure_history", _P1, "Has had a seizure before (e.g. in withdrawal)."
        ),
        FlagSpec(
            "withdrawal_delirium_history",
            _P1,
            "Has had delirium, hallucinations or confusion before (e.g. in withdrawal).",
        ),
        FlagSpec("recent_overdose", _P1, "An overdose in the past 3 months, or when is unclear."),
        # -- shown to clinicians, raise to at least P2 -----------------------------------
        FlagSpec("overdose_history", _P2, "An overdose more than 3 months ago."),
        FlagSpec(
            "daily_benzo_use",
            _P2,
            "Takes a benzodiazepine every day: never advise stopping suddenly.",
        ),
        FlagSpec("polydrug_use", _P2, "Uses substances together with alcohol or opioids."),
        FlagSpec(
            "audit_c_positive",
            _P2,
            "AUDIT-C alcohol screen positive (4 or more for men, 3 or more for women or "
            "when sex is not given).",
        ),
        FlagSpec(
            "phq9_item9_positive",
            _P2,
            "PHQ-9 item 9 scored 1 or more at clinical assessment: do the brief suicide "
            "safety assessment (ASQ or clinician) now.",
        ),
        # -- no risk ---------------------------------------------------------------------
        FlagSpec(
            "information_only",
            _P3,
            "Asks for information only (prices, programmes, for a company); no request "
            "for help and no risk found.",
        ),
        FlagSpec(
            "unknown_value",
            _P3,
            "An answer or code the rules do not know was ignored; check it by hand.",
        ),
        FlagSpec(
            "triage_error",
            _P1,
            "The rules could not read this inquiry: a person must triage it today.",
        ),
    )
}


def spec(code: str) -> FlagSpec:
    """The FlagSpec for ``code`` (KeyError on a typo: codes are fixed)."""
    return CATALOG[code]
