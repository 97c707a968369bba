"""Forms of the consent, disclosure and break-glass pages, and the words staff read for their
codes (English here; translations come with the lead's pass).

The forms check shape (lengths, codes); the rules (every § 2.31 element, end after start, a live
consent that covers a disclosure) are the services', which name the field to blame.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from intake.vocabulary import (
    ConsentEnd,
    ConsentPurpose,
    ConsentScope,
    ConsentState,
    DisclosureChannel,
    RequestChannel,
    SignatureMethod,
)

PURPOSE_LABELS: dict[str, LazyString] = {
    ConsentPurpose.TEAM_CONTACT: _l("Contact by the team"),
    ConsentPurpose.FAMILY: _l("Talking to a family member or other contact"),
    ConsentPurpose.REFERRING_DOCTOR: _l("Sharing with the referring doctor"),
    ConsentPurpose.INSURER: _l("Sharing with an insurer"),
    ConsentPurpose.OTHER_PROVIDER: _l("Sharing with another provider"),
    ConsentPurpose.AFTERCARE: _l("Aftercare check-ins after discharge"),
}
SCOPE_LABELS: dict[str, LazyString] = {
    ConsentScope.ACKNOWLEDGE: _l("Only that we know them"),
    ConsentScope.ADMISSION_STATUS: _l("Admission status (admitted, discharged, dates)"),
    ConsentScope.APPOINTMENTS: _l("Appointments"),
    ConsentScope.TREATMENT_PROGRESS: _l("Attendance and general progress"),
    ConsentScope.CLINICAL_SUMMARY: _l("Clinical summary (intake, assessment, plan)"),
    ConsentScope.FULL_RECORD: _l("The full record"),
}
SIGNATURE_LABELS: dict[str, LazyString] = {
    SignatureMethod.ELECTRONIC: _l("Electronic (typed name, on screen)"),
    SignatureMethod.PAPER: _l("Signed paper form, kept on file"),
}
CHANNEL_LABELS: dict[str, LazyString] = {
    RequestChannel.IN_PERSON: _l("In person"),
    RequestChannel.PHONE: _l("By phone"),
    RequestChannel.EMAIL: _l("By email"),
    RequestChannel.WRITING: _l("In writing"),
    RequestChannel.PORTAL: _l("Online"),
}
DISCLOSURE_CHANNEL_LABELS: dict[str, LazyString] = {
    DisclosureChannel.PHONE: _l("Phone call"),
    DisclosureChannel.EMAIL: _l("Email"),
    DisclosureChannel.LETTER: _l("Letter"),
    DisclosureChannel.FAX: _l("Fax"),
    DisclosureChannel.IN_PERSON: _l("In person"),
    DisclosureChannel.PRINTED_SUMMARY: _l("Printed intake summary sent out"),
    DisclosureChannel.FHIR_EXPORT: _l("FHIR export"),
}
STATE_LABELS: dict[str, LazyString] = {
    ConsentState.PENDING: _l("Not yet started"),
    ConsentState.LIVE: _l("Live"),
    ConsentState.EXPIRED: _l("Expired"),
    ConsentState.ENDED: _l("Ended (its event happened)"),
    ConsentState.REVOKED: _l("Revoked"),
}
END_LABELS: dict[str, LazyString] = {
    ConsentEnd.REVOKED: _l("Revoked by the person"),
    ConsentEnd.EVENT_OCCURRED: _l("Its expiry event happened"),
}

_TIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
DEFAULT_REVOCATION = _l(
    "You may revoke this consent at any time, except where we have already acted on it, by "
    "telling any member of staff in person, by phone, by email or in writing. Revoking is as "
    "easy as consenting."
)


class ConsentForm(FlaskForm):
    # Aftercare's consent is recorded with the aftercare plan, where its words are asked for.
    purpose = SelectField(
        _l("What it is for"),
        choices=[(k, v) for k, v in PURPOSE_LABELS.items() if k != ConsentPurpose.AFTERCARE],
    )
    scope = SelectField(_l("How much may be told"), choices=list(SCOPE_LABELS.items()))
    recipient_contact_id = SelectField(
        _l("To whom: one of the person's contacts"), coerce=int, validators=[Optional()]
    )
    recipient_name = StringField(
        _l("To whom: name (if not a contact)"), validators=[Optional(), Length(max=300)]
    )
    recipient_organisation = StringField(
        _l("Their organisation or practice (optional)"), validators=[Optional(), Length(max=300)]
    )
    patient_name = StringField(_l("Patient's name"), validators=[Optional(), Length(max=300)])
    disclosing_party = StringField(_l("Who may disclose"), validators=[Length(max=300)])
    information = TextAreaField(
        _l("What information, described specifically"), validators=[Length(max=2000)]
    )
    purpose_text = TextAreaField(_l("The purpose, in words"), validators=[Length(max=2000)])
    revocation_text = TextAreaField(
        _l("The right to revoke, and how"), validators=[Length(max=2000)]
    )
    starts_at = DateTimeLocalField(
        _l("Starts (clinic time; empty: now)"), format=_TIME_FORMATS, validators=[Optional()]
    )
    expires_at = DateTimeLocalField(
        _l("Expires (clinic time)"), format=_TIME_FORMATS, validators=[Optional()]
    )
    expiry_event = StringField(
        _l("Or ends on this event (e.g. discharge)"), validators=[Optional(), Length(max=2000)]
    )
    signature_method = SelectField(_l("Signature"), choices=list(SIGNATURE_LABELS.items()))
    signed_name = StringField(_l("Signed name"), validators=[Length(max=300)])
    signed_at = DateTimeLocalField(
        _l("Signed on (clinic time; empty: now)"), format=_TIME_FORMATS, validators=[Optional()]
    )
    given_via = SelectField(_l("Given"), choices=list(CHANNEL_LABELS.items()))
    explicit = BooleanField(
        _l(
            "The person explicitly consents to sharing their health information as described "
            "(GDPR Art. 9(2)(a))."
        )
    )


class EndConsentForm(FlaskForm):
    channel = SelectField(
        _l("How the person asked"), choices=list(CHANNEL_LABELS.items()), validators=[Optional()]
    )
    note = StringField(_l("Note (optional)"), validators=[Optional(), Length(max=2000)])


class DisclosureForm(FlaskForm):
    consent_id = SelectField(_l("Under which live consent"), coerce=int, validators=[Optional()])
    scope = SelectField(_l("How much was disclosed"), choices=list(SCOPE_LABELS.items()))
    channel = SelectField(_l("How"), choices=list(DISCLOSURE_CHANNEL_LABELS.items()))
    information = TextAreaField(_l("What was disclosed"), validators=[Length(max=2000)])
    emergency = BooleanField(_l("Medical emergency (42 CFR § 2.51), no consent"))
    recipient_name = StringField(
        _l("Emergency: who received it"), validators=[Optional(), Length(max=300)]
    )
    recipient_facility = StringField(
        _l("Emergency: their facility"), validators=[Optional(), Length(max=300)]
    )
    emergency_nature = TextAreaField(
        _l("Emergency: the nature of the emergency"), validators=[Optional(), Length(max=2000)]
    )


class ExportForm(FlaskForm):
    consent_id = SelectField(_l("Under which live consent"), coerce=int, validators=[Optional()])


class BreakGlassForm(FlaskForm):
    reason = TextAreaField(_l("Why you must see the clinical record now"))


class ReviewForm(FlaskForm):
    note = StringField(_l("Review note (optional)"), validators=[Optional(), Length(max=2000)])
