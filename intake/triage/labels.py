"""Words staff read for the triage codes: one list per vocabulary, in the staff member's language.

Forms take their choices from here and templates show stored codes through the ``label`` filter
(``intake.core.labels``), so ``no_answer`` reads "No answer" wherever it appears.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

Choices = list[tuple[str, LazyString]]

CHANNEL_LABELS: Choices = [
    ("phone", _l("Phone call")),
    ("sms", _l("Text message")),
    ("whatsapp", _l("WhatsApp")),
    ("email", _l("Email")),
]
OUTCOME_LABELS: Choices = [
    ("reached", _l("Reached the person")),
    ("no_answer", _l("No answer")),
    ("left_message", _l("Left a message")),
    ("wrong_number", _l("Wrong number")),
    ("declined", _l("Declined contact")),
]
PRIORITY_LABELS: Choices = [
    ("P0", _l("P0 imminent")),
    ("P1", _l("P1 urgent")),
    ("P2", _l("P2 routine")),
    ("P3", _l("P3 information")),
]
CASE_STATUS_LABELS: Choices = [
    ("new", _l("New")),
    ("claimed", _l("Claimed")),
    ("contacted", _l("Contacted")),
    ("closed", _l("Closed")),
]
# Who the inquiry is about, as staff say it (the form asks the person in the first person).
FOR_WHOM_LABELS: Choices = [
    ("self", _l("The person themselves")),
    ("someone_else", _l("Someone they care about")),
    ("professional", _l("A professional asking for someone")),
]
