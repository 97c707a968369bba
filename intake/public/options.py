"""Labels for the inquiry form's choices, in the person's language.

The codes are :mod:`intake.vocabulary`'s; each list pairs them with the form's words, in the
order the form offers them.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from intake.vocabulary import ContactChannel, ForWhom

COUNTRIES = [
    ("ES", _l("Spain")),
    ("CH", _l("Switzerland")),
    ("GB", _l("United Kingdom")),
    ("US", _l("United States")),
    ("CA", _l("Canada")),
    ("FR", _l("France")),
    ("DE", _l("Germany")),
    ("IT", _l("Italy")),
]

CHANNELS = [
    (ContactChannel.PHONE, _l("Phone call")),
    (ContactChannel.EMAIL, _l("Email")),
    (ContactChannel.SMS, _l("Text message")),
    (ContactChannel.WHATSAPP, _l("WhatsApp")),
]

FOR_WHOM = [
    (ForWhom.SELF, _l("For me")),
    (ForWhom.SOMEONE_ELSE, _l("For someone I care about")),
    (ForWhom.PROFESSIONAL, _l("As a professional (doctor, employer, ...)")),
]

SUBSTANCES = [
    ("alprazolam", _l("Alprazolam (Xanax, Trankimazin)")),
    ("diazepam", _l("Diazepam (Valium)")),
    ("lorazepam", _l("Lorazepam (Ativan, Tavor, Orfidal, Temesta)")),
    ("clonazepam", _l("Clonazepam (Klonopin, Rivotril)")),
    ("other_benzodiazepine", _l("Another sleeping or anxiety pill")),
    ("alcohol", _l("Alcohol")),
    ("opioids", _l("Opioids (painkillers, heroin, methadone)")),
    ("stimulants", _l("Stimulants (cocaine, amphetamines)")),
    ("cannabis", _l("Cannabis")),
    ("other", _l("Something else")),
]

SCREEN_QUESTIONS = [
    ("wish_dead", _l("In the past few weeks, have you wished you were dead?")),
    (
        "better_off_dead",
        _l(
            "In the past few weeks, have you felt that you or your family would be better off "
            "if you were dead?"
        ),
    ),
    (
        "thoughts_killing_self",
        _l("In the past week, have you been having thoughts about killing yourself?"),
    ),
    ("ever_tried", _l("Have you ever tried to kill yourself?")),
]

SCREEN_ANSWERS = [("yes", _l("Yes")), ("no", _l("No")), ("decline", _l("I prefer not to say"))]

TRIED_WHEN = [
    ("past_3_months", _l("In the past 3 months")),
    ("longer", _l("More than 3 months ago")),
]

DANGER_NOW = [
    ("seizure_24h", _l("A seizure (fit) now or in the last 24 hours")),
    ("confusion", _l("Confusion, seeing or hearing things that are not there")),
    ("breathing_difficulty", _l("Slow or difficult breathing, cannot be woken, or an overdose")),
    ("someone_in_danger", _l("Someone else is in immediate danger")),
]

BENZO_RISK = [
    ("daily_benzo_use", _l("Taking benzodiazepines every day")),
    ("stopping_abruptly", _l("Planning to stop suddenly, just stopped, or running out")),
    ("withdrawal_seizure_history", _l("A seizure or delirium when stopping before")),
    ("overdose_past_3_months", _l("An overdose in the past 3 months")),
    ("uses_with_alcohol", _l("Taking them together with alcohol")),
    ("uses_with_opioids", _l("Taking them together with opioids")),
]
