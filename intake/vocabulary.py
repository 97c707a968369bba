"""The coded answers of an inquiry (docs/api.md), in the order forms and documents show them.

Defined once, with no imports: the triage rules score these codes, and the front door's form and
API accept exactly these, so a code cannot be accepted by one and unknown to the other.
"""

from __future__ import annotations

BENZODIAZEPINES = ("alprazolam", "diazepam", "lorazepam", "clonazepam", "other_benzodiazepine")
SUBSTANCES = (*BENZODIAZEPINES, "alcohol", "opioids", "stimulants", "cannabis", "other")
RISK_ITEMS = (
    "seizure_24h",
    "confusion",
    "breathing_difficulty",
    "someone_in_danger",
    "daily_benzo_use",
    "stopping_abruptly",
    "withdrawal_seizure_history",
    "overdose_past_3_months",
    "uses_with_alcohol",
    "uses_with_opioids",
)
SCREEN_ITEMS = ("wish_dead", "better_off_dead", "thoughts_killing_self", "ever_tried")
SCREEN_ANSWERS = ("yes", "no", "decline")
TRIED_WHEN = ("past_3_months", "longer")
