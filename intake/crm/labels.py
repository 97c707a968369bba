"""Words staff read for the CRM's codes (English here; translations come with the lead's pass)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from intake.crm.vocabulary import CloseReason, Disclosure, Relationship, Stage, TaskKind
from intake.vocabulary import CaseMessageTemplate, DeliveryChannel, ReferralChannel, ReferrerKind

STAGE_LABELS: dict[str, LazyString] = {
    Stage.NEW: _l("New"),
    Stage.CONTACTED: _l("Contacted"),
    Stage.PRE_ASSESSMENT: _l("Pre-assessment"),
    Stage.CLINICAL_REVIEW: _l("Clinical review"),
    Stage.OFFER: _l("Offer"),
    Stage.ADMITTED: _l("Admitted"),
    Stage.DISCHARGED: _l("Discharged"),
    Stage.ALUMNI: _l("Alumni"),
}
CLOSE_REASON_LABELS: dict[str, LazyString] = {
    CloseReason.COULD_NOT_REACH: _l("Could not reach"),
    CloseReason.CHOSE_OTHER_PROVIDER: _l("Chose another provider"),
    CloseReason.COST: _l("Cost"),
    CloseReason.NOT_APPROPRIATE: _l("Not appropriate"),
    CloseReason.REFERRED_ELSEWHERE: _l("Referred elsewhere"),
    CloseReason.DUPLICATE: _l("Duplicate"),
    CloseReason.NOT_REAL: _l("Not a real inquiry"),
}
TASK_KIND_LABELS: dict[str, LazyString] = {
    TaskKind.CALL: _l("Call"),
    TaskKind.EMAIL: _l("Email"),
    TaskKind.CALLBACK: _l("Callback"),
    TaskKind.FOLLOW_UP: _l("Follow-up"),
}
RELATIONSHIP_LABELS: dict[str, LazyString] = {
    Relationship.UNKNOWN: _l("Not stated"),
    Relationship.PARENT: _l("Parent"),
    Relationship.PARTNER: _l("Partner"),
    Relationship.CHILD: _l("Child"),
    Relationship.SIBLING: _l("Brother or sister"),
    Relationship.FRIEND: _l("Friend"),
    Relationship.EMPLOYER: _l("Employer"),
    Relationship.DOCTOR: _l("Doctor"),
    Relationship.PROFESSIONAL: _l("Other professional"),
    Relationship.OTHER: _l("Other"),
}
DISCLOSURE_LABELS: dict[str, LazyString] = {
    Disclosure.NOTHING: _l("Nothing"),
    Disclosure.ACKNOWLEDGE_ONLY: _l("Only that the inquiry was received"),
    Disclosure.ADMISSION_STATUS: _l("Admission status"),
}
CASE_MESSAGE_LABELS: dict[str, LazyString] = {
    CaseMessageTemplate.TRIED_TO_REACH: _l("We tried to reach you"),
    CaseMessageTemplate.CALL_BACK: _l("Please call us back"),
    CaseMessageTemplate.APPOINTMENT: _l("Appointment confirmation"),
}
CASE_MESSAGE_CHANNEL_LABELS: dict[str, LazyString] = {
    DeliveryChannel.EMAIL: _l("Email"),
    DeliveryChannel.SMS: _l("Text message (SMS)"),
}
REFERRAL_CHANNEL_LABELS: dict[str, LazyString] = {
    ReferralChannel.WEB: _l("Web form"),
    ReferralChannel.API: _l("Website (API)"),
    ReferralChannel.PHONE: _l("Phone call"),
    ReferralChannel.WALK_IN: _l("Walk-in"),
    ReferralChannel.OTHER: _l("Other"),
}
REFERRER_KIND_LABELS: dict[str, LazyString] = {
    ReferrerKind.ORGANISATION: _l("Organisation"),
    ReferrerKind.PROFESSIONAL: _l("Professional"),
}
