"""What the concept tests ask of the rules: a message's priority and flag codes, scored as the
command scores one line."""

from __future__ import annotations

from intake.triage.rules import Priority, TriageOutcome, score

P0 = Priority.P0
P1 = Priority.P1
P2 = Priority.P2
URGENT = (P0, P1)
ROUTINE = ("P2", "P3")
# Every screen answer "no": the free text alone must raise the priority.
ALL_NO = {
    "screen": {
        "wish_dead": "no",
        "better_off_dead": "no",
        "thoughts_killing_self": "no",
        "ever_tried": "no",
    }
}


def result_of(message: str, language: str, **form: object) -> TriageOutcome:
    return score({"message": message, "language": language, **form})


def priority_of(message: str, language: str, **form: object) -> Priority:
    return result_of(message, language, **form).priority


def codes_of(message: str, language: str, **form: object) -> set[str]:
    return {flag.code for flag in result_of(message, language, **form).flags}
