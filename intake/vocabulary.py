"""The closed sets of codes Harbor Intake stores and exchanges, each defined once.

Priorities, languages, contact channels and outcomes, case statuses, who an inquiry is about,
where it came from, the guidance level a person is shown, and the coded answers of an inquiry
(docs/api.md), in the order forms, the API schema and documents list them.

Models build their defaults from these, forms their choices (the words live in the label tables,
keyed by these members), the triage rules score them and the API schema lists them. The values
are the strings already stored and sent over the API: changing one is a data migration.

This module imports nothing but the standard library: the pure triage rules import it, and they
must load without Flask, SQLAlchemy or the settings (tests/triage_rules/test_startup.py).

Members are ``StrEnum`` members, so ``Priority.P0 == "P0"`` and a stored string compares, hashes
and renders (in templates too) exactly like the member.
"""

from __future__ import annotations

from enum import StrEnum

_CODES: dict[type, tuple[str, ...]] = {}


class Vocabulary(StrEnum):
    """A closed set of string codes (members are defined by each subclass)."""

    @classmethod
    def codes(cls) -> tuple[str, ...]:
        """The codes as plain strings, in declaration order (the order forms and the API list)."""
        # Built once per class: validation asks for them on every inquiry.
        codes = _CODES.get(cls)
        if codes is None:
            codes = _CODES[cls] = tuple(member.value for member in cls)
        return codes


class Priority(Vocabulary):
    """Urgency of contact, most urgent first.

    The values sort as strings in the same order, so ``"P0" < "P1"``: ``min()`` of several
    priorities is the most urgent one, and ``ORDER BY priority`` lists the most urgent first.
    """

    P0 = "P0"  # imminent: danger now
    P1 = "P1"  # urgent: same-day clinician
    P2 = "P2"  # routine: a person asking for help
    P3 = "P3"  # information only

    @property
    def rank(self) -> int:
        """0 for the most urgent, growing as the priority falls."""
        return _PRIORITY_RANK[self]

    @property
    def is_urgent(self) -> bool:
        """True for P0 and P1, the priorities that alert the on-call person."""
        return self in URGENT_PRIORITIES

    def is_lower_than(self, other: str) -> bool:
        """Whether this priority is less urgent than ``other`` (a member or its code)."""
        return self.rank > Priority(other).rank

    @classmethod
    def most_urgent(cls, *priorities: Priority) -> Priority:
        """The most urgent of ``priorities`` (P3 when none is given)."""
        return min(priorities, default=cls.P3)


_PRIORITY_RANK = {priority: rank for rank, priority in enumerate(Priority)}
# The priorities that page the on-call person at once and that only a clinician may set aside.
URGENT_PRIORITIES = frozenset({Priority.P0, Priority.P1})


class Language(Vocabulary):
    """The languages of the public pages, the messages to inquirers and the triage lexicons."""

    EN = "en"
    ES = "es"
    DE = "de"
    FR = "fr"
    IT = "it"


DEFAULT_LANGUAGE = Language.EN


class ContactChannel(Vocabulary):
    """How staff contact a person (and how the person prefers to be contacted)."""

    PHONE = "phone"
    EMAIL = "email"
    SMS = "sms"
    WHATSAPP = "whatsapp"


class DeliveryChannel(Vocabulary):
    """The channels messages go out on, one transport each (``intake.messaging.transports``)."""

    EMAIL = "email"
    WEBHOOK = "webhook"
    SMS = "sms"
    WHATSAPP = "whatsapp"


class AlertStatus(Vocabulary):
    """pending -> sent -> escalated (repeats) -> exhausted; acknowledged from any open state."""

    PENDING = "pending"
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    ESCALATED = "escalated"
    EXHAUSTED = "exhausted"


class DeliveryStatus(Vocabulary):
    """Where one send stands; ``held`` waits for a transport for its channel."""

    QUEUED = "queued"
    SENDING = "sending"
    RETRY = "retry"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"
    # Kept unsent because this process cannot send it (no transport for its channel); looked at
    # again later and shown on the failed-sends page meanwhile.
    HELD = "held"


class AlertStop(Vocabulary):
    """Why an on-call alert, or the contact watch that follows a P0's claim, stopped."""

    ACKNOWLEDGED = "acknowledged"
    CLAIMED = "claimed"
    EXHAUSTED = "exhausted"
    CLOSED = "closed"  # the inquiry was closed
    REACHED = "reached"  # a contact attempt reached the person


class ContactOutcome(Vocabulary):
    """What came of one attempt to contact a person."""

    REACHED = "reached"
    NO_ANSWER = "no_answer"
    LEFT_MESSAGE = "left_message"
    WRONG_NUMBER = "wrong_number"
    DECLINED = "declined"


class CaseStatus(Vocabulary):
    """Where an inquiry stands in the staff queue."""

    NEW = "new"
    CLAIMED = "claimed"
    CONTACTED = "contacted"
    CLOSED = "closed"


# Open cases are still waiting for the person to be reached.
OPEN_CASE_STATUSES = (CaseStatus.NEW, CaseStatus.CLAIMED)


class ClockState(Vocabulary):
    """How a contact clock looks; also the CSS class ``clock-<state>`` and the queue script's."""

    OK = "ok"
    AMBER = "amber"  # less than a third of the target time left
    RED = "red"  # the target has passed
    STOPPED = "stopped"  # the person was reached


class CloseReason(Vocabulary):
    """Why a case was closed without the person being reached."""

    DISCARDED_AUTOMATED = "discarded_automated"


class ForWhom(Vocabulary):
    """Who an inquiry is about."""

    SELF = "self"
    SOMEONE_ELSE = "someone_else"
    PROFESSIONAL = "professional"


class InquirySource(Vocabulary):
    """The sources Harbor Intake itself writes on an inquiry.

    Not a closed set of stored values: an inquiry from the API carries the name an administrator
    gave the website's key.
    """

    WEB_FORM = "web-form"
    DEMO = "demo"
    # A check-in reply after discharge that worried the rules (intake.aftercare).
    AFTERCARE_CHECKIN = "aftercare-check-in"
    # Taken by a staff member: a phone call, or someone who walked in (intake.crm.taken_views).
    PHONE = "phone"
    WALK_IN = "walk-in"


# The sources a staff member records an inquiry under, when they took it themselves.
TAKEN_BY_STAFF_SOURCES = (InquirySource.PHONE, InquirySource.WALK_IN)


class GuidanceLevel(Vocabulary):
    """What a person is told after sending an inquiry (the page and the API's ``level``)."""

    EMERGENCY = "emergency"
    URGENT = "urgent"
    ROUTINE = "routine"


# The coded answers of an inquiry. They stay tuples of plain codes: several are keys of the
# answers document (``risk``, ``screen``) rather than values.
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
# The screen's two follow-up questions: when someone tried (answered with TRIED_WHEN), and
# whether they are having thoughts of killing themselves now (answered with SCREEN_ANSWERS).
SCREEN_TRIED_WHEN = "tried_when"
SCREEN_THOUGHTS_NOW = "thoughts_now"
TRIED_WHEN = ("past_3_months", "longer")
# The optional AUDIT-C alcohol screen: three items scored 0-4, and the sex its cut-off depends on.
AUDIT_C_ITEMS = ("q1", "q2", "q3")
AUDIT_C_SEX = ("male", "female")


# Admissions CRM (intake.crm) -------------------------------------------------------------------
class Stage(Vocabulary):
    """Where an episode stands on the way to care (order and moves: :mod:`intake.crm.pipeline`)."""

    NEW = "new"
    CONTACTED = "contacted"
    PRE_ASSESSMENT = "pre_assessment"
    CLINICAL_REVIEW = "clinical_review"
    OFFER = "offer"
    ADMITTED = "admitted"
    DISCHARGED = "discharged"
    ALUMNI = "alumni"


# The history row that records a close uses this instead of a stage.
EPISODE_CLOSED = "closed"


class EpisodeCloseReason(Vocabulary):
    """Why an episode ended before admission."""

    COULD_NOT_REACH = "could_not_reach"
    CHOSE_OTHER_PROVIDER = "chose_other_provider"
    COST = "cost"
    NOT_APPROPRIATE = "not_appropriate"
    REFERRED_ELSEWHERE = "referred_elsewhere"
    DUPLICATE = "duplicate"
    NOT_REAL = "not_real"


# Episodes closed for these reasons were never a real journey: conversion reports leave them out.
NOT_COUNTED_REASONS = frozenset({EpisodeCloseReason.DUPLICATE, EpisodeCloseReason.NOT_REAL})


def counts_for_conversion(close_reason: str | None) -> bool:
    """Whether an episode closed (or not) for ``close_reason`` belongs in conversion reports."""
    return close_reason not in NOT_COUNTED_REASONS


class TaskKind(Vocabulary):
    CALL = "call"
    EMAIL = "email"
    CALLBACK = "callback"
    FOLLOW_UP = "follow_up"


class Relationship(Vocabulary):
    """How a contact is related to the person."""

    UNKNOWN = "unknown"
    PARENT = "parent"
    PARTNER = "partner"
    CHILD = "child"
    SIBLING = "sibling"
    FRIEND = "friend"
    EMPLOYER = "employer"
    DOCTOR = "doctor"
    PROFESSIONAL = "professional"
    OTHER = "other"


class Disclosure(Vocabulary):
    """What a contact may be told. Anything beyond acknowledging needs the person's consent
    (the clinical issue's consent ledger); until then every contact gets ``acknowledge_only``."""

    NOTHING = "nothing"
    ACKNOWLEDGE_ONLY = "acknowledge_only"
    ADMISSION_STATUS = "admission_status"


class DuplicateReason(Vocabulary):
    """Why two people may be the same."""

    EMAIL = "email"
    PHONE = "phone"
    NAME = "name"


class DuplicateStatus(Vocabulary):
    """Where a duplicate candidate stands: open until staff decide; ``not_same`` sticks."""

    OPEN = "open"
    NOT_SAME = "not_same"
    MERGED = "merged"


# Clinical review (intake.clinical) -------------------------------------------------------------
class ReviewDecision(Vocabulary):
    """What a clinician decides on reviewing an intake."""

    PROCEED = "proceed"  # on to the structured assessment
    NOT_APPROPRIATE = "not_suitable"  # closes the episode as "not appropriate", with a reason
    REFER = "refer"  # closes the episode as "referred elsewhere", the referral recorded


class RecordStatus(Vocabulary):
    """A clinical note or assessment: a draft may change; a signed record never does."""

    DRAFT = "draft"
    SIGNED = "signed"


class RecordKind(Vocabulary):
    """Which kind of signed clinical record a version or an addendum belongs to."""

    NOTE = "note"
    ASSESSMENT = "assessment"


class SignMethod(Vocabulary):
    """How the signer proved it was them when signing."""

    PASSWORD = "password"  # noqa: S105  (a code, not a secret)
    TOTP = "totp"


class AssessmentDimension(Vocabulary):
    """The six assessment dimensions, each rated 0 (no risk) to 4 (severe risk)."""

    WITHDRAWAL = "intoxication_withdrawal"
    BIOMEDICAL = "biomedical"
    EMOTIONAL = "emotional_behavioural_cognitive"
    USE_RISKS = "substance_use_risks"
    ENVIRONMENT = "recovery_environment"
    PERSON_CENTRED = "person_centred"


class CareLevel(Vocabulary):
    """Levels of care, least intensive first (the order is the order of intensity)."""

    OUTPATIENT = "outpatient"
    INTENSIVE_OUTPATIENT = "intensive_outpatient"
    PARTIAL_HOSPITALISATION = "partial_hospitalisation"
    RESIDENTIAL = "residential"
    INPATIENT_WITHDRAWAL = "inpatient_withdrawal_management"


class Programme(Vocabulary):
    """The clinic's programmes a level of care maps to (the mapping is configuration)."""

    MEDICAL_DETOX = "medical_detox_taper"
    INPATIENT = "inpatient"
    OUTPATIENT = "outpatient_programme"
    SUPPORT_GROUPS = "support_groups"
    HOLISTIC = "holistic_therapies"
    AFTERCARE = "aftercare"


class LevelDecision(Vocabulary):
    """Whether the clinician took the suggested level of care or chose another, with a reason."""

    CONFIRMED = "confirmed"
    OVERRIDDEN = "overridden"


class AsqResult(Vocabulary):
    """The ASQ screen's result as the clinician recorded it at assessment."""

    NOT_DONE = "not_done"
    NEGATIVE = "negative"
    NON_ACUTE_POSITIVE = "non_acute_positive"
    ACUTE_POSITIVE = "acute_positive"


class SafetyOutcome(Vocabulary):
    """The outcome of the brief suicide safety assessment (asked after a positive screen)."""

    NOT_NEEDED = "not_needed"
    NO_FURTHER_ACTION = "no_further_action"
    NON_URGENT_EVALUATION = "non_urgent_evaluation"
    URGENT_EVALUATION = "urgent_evaluation"


class UseRoute(Vocabulary):
    """How a substance is taken."""

    ORAL = "oral"
    INTRANASAL = "intranasal"
    SMOKED = "smoked"
    INJECTED = "injected"
    OTHER = "other_route"


# Aftercare (intake.aftercare) ------------------------------------------------------------------
class PlanStatus(Vocabulary):
    """Where an aftercare plan stands: check-ins go out only while it is active."""

    ACTIVE = "active"
    PAUSED = "paused"
    STOPPED = "stopped"
    FINISHED = "finished"


class CheckInStatus(Vocabulary):
    """One scheduled check-in: waiting, sent (reminders may follow), then answered or missed;
    cancelled when the plan stopped before it went out."""

    SCHEDULED = "scheduled"
    SENT = "sent"
    ANSWERED = "answered"
    MISSED = "missed"
    CANCELLED = "cancelled"


class CheckInOutcome(Vocabulary):
    """What a check-in came to, as the person's page and the programme page show it."""

    ANSWERED = "answered"
    NEEDS_CALL = "needs_call"
    ESCALATED = "escalated"
    MISSED = "missed"


class AftercareChannel(Vocabulary):
    """The channels a check-in may go out on (a subset of the delivery channels)."""

    EMAIL = "email"
    SMS = "sms"
    WHATSAPP = "whatsapp"


# Consent and disclosures (intake.clinical, issue 12) --------------------------------------------
class ConsentPurpose(Vocabulary):
    """What a consent is for: whom the clinic may tell, and why (42 CFR Part 2 § 2.31(a)(5))."""

    TEAM_CONTACT = "team_contact"  # the team may contact the person (calls, messages)
    FAMILY = "family"  # talking to a named family member or other contact
    REFERRING_DOCTOR = "referring_doctor"
    INSURER = "insurer"
    OTHER_PROVIDER = "other_provider"
    AFTERCARE = "aftercare_contact"  # check-ins after discharge (recorded with the aftercare plan)


class ConsentScope(Vocabulary):
    """How much a consent lets the clinic say, least first: a disclosure may say as much as its
    consent's scope and no more (the order is the rule's)."""

    ACKNOWLEDGE = "acknowledge"  # that the person is known to the clinic, nothing more
    ADMISSION_STATUS = "admission_status"  # whether and when admitted, discharged
    APPOINTMENTS = "appointments"  # dates and times of appointments
    TREATMENT_PROGRESS = "treatment_progress"  # attendance and general progress
    CLINICAL_SUMMARY = "clinical_summary"  # the intake summary, assessments, plan
    FULL_RECORD = "full_record"

    @property
    def rank(self) -> int:
        """0 for the least information; a larger rank says more."""
        return list(ConsentScope).index(self)


class SignatureMethod(Vocabulary):
    """How the person signed a consent (§ 2.31(a)(8): electronic signatures are allowed)."""

    ELECTRONIC = "electronic"  # typed name and a tick, on a screen the person used
    PAPER = "paper"  # a signed paper form, kept on file


class ConsentEnd(Vocabulary):
    """How a consent ended before its expiry date: revoked by the person, or its expiry event
    happened. Either way the row is kept."""

    REVOKED = "revoked"
    EVENT_OCCURRED = "event_occurred"


class ConsentState(Vocabulary):
    """Where a consent stands at a given moment (computed, never stored)."""

    PENDING = "pending"  # starts later
    LIVE = "live"
    EXPIRED = "expired"
    ENDED = "ended"  # its expiry event happened
    REVOKED = "revoked"


class RequestChannel(Vocabulary):
    """How the person gave or withdrew a consent."""

    IN_PERSON = "in_person"
    PHONE = "phone"
    EMAIL = "email"
    WRITING = "writing"
    PORTAL = "portal"


class DisclosureChannel(Vocabulary):
    """How information left the clinic."""

    PHONE = "phone"
    EMAIL = "email"
    LETTER = "letter"
    FAX = "fax"
    IN_PERSON = "in_person"
    PRINTED_SUMMARY = "printed_summary"
    FHIR_EXPORT = "fhir_export"


class CaseMessageTemplate(Vocabulary):
    """The messages staff send a person from their episode (``templates/email/case_<code>``)."""

    TRIED_TO_REACH = "tried_to_reach"
    CALL_BACK = "call_back"
    APPOINTMENT = "appointment"


# The channels a message from the case goes out on (a person's email or their phone by SMS).
CASE_MESSAGE_CHANNELS = (DeliveryChannel.EMAIL, DeliveryChannel.SMS)


class ReferralChannel(Vocabulary):
    """How an inquiry reached the clinic: the web form, a website's API key, a call, a visit."""

    WEB = "web"
    API = "api"
    PHONE = "phone"
    WALK_IN = "walk_in"
    OTHER = "other"


class ReferrerKind(Vocabulary):
    """A referring (or referred-to) organisation, or a professional."""

    ORGANISATION = "organisation"
    PROFESSIONAL = "professional"


# The campaign parameters the public form keeps (from the address the person arrived by).
CAMPAIGN_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
