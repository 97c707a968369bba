"""Words staff read for the triage codes: one table per vocabulary, in the staff member's language.

Each table pairs the members of an :mod:`intake.vocabulary` enum with their words, in the order
forms offer them. Forms take their choices from here and templates show stored codes through the
``label`` filter (``intake.core.labels``), so ``no_answer`` reads "No answer" wherever it appears.
"""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from intake.public import options
from intake.vocabulary import CaseStatus, ContactChannel, ContactOutcome, ForWhom, Priority

Choices = list[tuple[str, LazyString]]

_CHANNEL_WORDS = dict(options.CHANNELS)
# The inquiry form's words for the channels, in the order staff usually try them.
CHANNEL_LABELS: Choices = [
    (channel, _CHANNEL_WORDS[channel])
    for channel in (
        ContactChannel.PHONE,
        ContactChannel.SMS,
        ContactChannel.WHATSAPP,
        ContactChannel.EMAIL,
    )
]
OUTCOME_LABELS: Choices = [
    (ContactOutcome.REACHED, _l("Reached the person")),
    (ContactOutcome.NO_ANSWER, _l("No answer")),
    (ContactOutcome.LEFT_MESSAGE, _l("Left a message")),
    (ContactOutcome.WRONG_NUMBER, _l("Wrong number")),
    (ContactOutcome.DECLINED, _l("Declined contact")),
]
PRIORITY_LABELS: Choices = [
    (Priority.P0, _l("P0 imminent")),
    (Priority.P1, _l("P1 urgent")),
    (Priority.P2, _l("P2 routine")),
    (Priority.P3, _l("P3 information")),
]
CASE_STATUS_LABELS: Choices = [
    (CaseStatus.NEW, _l("New")),
    (CaseStatus.CLAIMED, _l("Claimed")),
    (CaseStatus.CONTACTED, _l("Contacted")),
    (CaseStatus.CLOSED, _l("Closed")),
]
# Who the inquiry is about, as staff say it (the form asks the person in the first person).
FOR_WHOM_LABELS: Choices = [
    (ForWhom.SELF, _l("The person themselves")),
    (ForWhom.SOMEONE_ELSE, _l("Someone they care about")),
    (ForWhom.PROFESSIONAL, _l("A professional asking for someone")),
]


def flag_reason(reason: str) -> str:
    """A flag's reason in the staff member's language.

    The rules are pure and write their reasons in English (the API and stored results keep that
    text); the catalogue holds each reason's translation, extracted from ``FlagSpec(...)`` calls
    (``-k FlagSpec:3`` in the Makefile). A reason from an older rule set that the catalogue does
    not know reads in English, as it was stored.
    """
    return gettext(reason) if reason else ""
