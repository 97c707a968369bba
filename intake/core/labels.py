"""Human words for every code a staff page shows, one mapping per vocabulary.

Templates write ``{{ attempt.outcome|label("outcome") }}``; the words are Babel messages, so they
follow the page language. The tables are keyed by :mod:`intake.vocabulary` members, which are
strings, so a stored code finds its words directly. An unknown code is shown as it is rather than
hidden: a new code must never make a row look empty.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from intake.auth.forms import ROLE_LABELS
from intake.public import options
from intake.triage import labels as triage
from intake.vocabulary import (
    SCREEN_THOUGHTS_NOW,
    SCREEN_TRIED_WHEN,
    AlertStatus,
    CheckInStatus,
    DeliveryChannel,
    DeliveryStatus,
    InquirySource,
    PlanStatus,
)


def _mapping(*choices: Iterable[tuple[str, LazyString]]) -> dict[str, LazyString]:
    return {code: text for pairs in choices for code, text in pairs}


VOCABULARIES: Mapping[str, Mapping[str, LazyString]] = {
    "priority": _mapping(triage.PRIORITY_LABELS),
    "case_status": _mapping(triage.CASE_STATUS_LABELS),
    "channel": _mapping(triage.CHANNEL_LABELS),
    "outcome": _mapping(triage.OUTCOME_LABELS),
    "for_whom": _mapping(triage.FOR_WHOM_LABELS),
    "role": {role.value: text for role, text in ROLE_LABELS.items()},
    # Where an inquiry came from; API sources are the names admins gave their keys.
    "source": {
        InquirySource.WEB_FORM: _l("the inquiry form"),
        InquirySource.DEMO: _l("demo data"),
        InquirySource.AFTERCARE_CHECKIN: _l("an aftercare check-in"),
        InquirySource.PHONE: _l("a phone call"),
        InquirySource.WALK_IN: _l("a walk-in"),
    },
    "substance": _mapping(options.SUBSTANCES),
    "risk": _mapping(options.DANGER_NOW, options.BENZO_RISK),
    "screen_question": _mapping(
        options.SCREEN_QUESTIONS,
        [
            (SCREEN_TRIED_WHEN, _l("If you have tried: when?")),
            (
                SCREEN_THOUGHTS_NOW,
                _l(
                    "If you answered yes to any question above: are you having thoughts of "
                    "killing yourself right now?"
                ),
            ),
        ],
    ),
    "screen_answer": _mapping(options.SCREEN_ANSWERS, options.TRIED_WHEN),
    # Messaging (intake.messaging.models): alerts, deliveries and their channels.
    "alert_status": {
        AlertStatus.PENDING: _l("Pending"),
        AlertStatus.SENT: _l("Sent"),
        AlertStatus.ACKNOWLEDGED: _l("Acknowledged"),
        AlertStatus.ESCALATED: _l("Escalated"),
        AlertStatus.EXHAUSTED: _l("Exhausted"),
    },
    "delivery_status": {
        DeliveryStatus.QUEUED: _l("Queued"),
        DeliveryStatus.SENDING: _l("Sending"),
        DeliveryStatus.RETRY: _l("Retrying"),
        DeliveryStatus.SENT: _l("Sent"),
        DeliveryStatus.FAILED: _l("Failed"),
        DeliveryStatus.CANCELLED: _l("Cancelled"),
        DeliveryStatus.HELD: _l("Held"),
    },
    # Why a delivery is held or failed, when no provider answered (DeliveryProblem).
    "delivery_problem": {
        "no_transport": _l(
            "Nothing is set up to send on this channel: kept, and tried again later."
        ),
        "subject_missing": _l("What this was about no longer exists: it will not be tried again."),
    },
    "message_kind": {
        "staff_alert": _l("Staff alert"),
        "acknowledgement": _l("Acknowledgement"),
        "follow_up": _l("Follow-up"),
        "contact_overdue": _l("No contact yet: paged again"),
    },
    # Why an outbox row is still pending (intake.messaging.outbox.OutboxProblem).
    "outbox_problem": {
        "unknown_kind": _l(
            "This version does not know this kind of work yet: kept, and tried again later."
        ),
        "subject_missing": _l("What this was about no longer exists: it will not be tried again."),
    },
    "delivery_channel": {
        DeliveryChannel.EMAIL: _l("Email"),
        DeliveryChannel.SMS: _l("Text message"),
        DeliveryChannel.WHATSAPP: _l("WhatsApp"),
        DeliveryChannel.WEBHOOK: _l("Webhook"),
    },
    # Aftercare (intake.aftercare.models): a plan, and one check-in of it.
    "plan_status": {
        PlanStatus.ACTIVE: _l("Active"),
        PlanStatus.PAUSED: _l("Paused"),
        PlanStatus.STOPPED: _l("Stopped"),
        PlanStatus.FINISHED: _l("Finished"),
    },
    "checkin_status": {
        CheckInStatus.SCHEDULED: _l("Scheduled"),
        CheckInStatus.SENT: _l("Sent, waiting for an answer"),
        CheckInStatus.ANSWERED: _l("Answered"),
        CheckInStatus.MISSED: _l("Missed"),
        CheckInStatus.CANCELLED: _l("Cancelled"),
    },
}


def label(code: object, vocabulary: str) -> str:
    """The words for ``code`` in ``vocabulary``, in the page language (the code if unknown)."""
    if code is None or code == "":
        return ""
    words = VOCABULARIES[vocabulary].get(str(code))
    return str(words) if words is not None else str(code)
