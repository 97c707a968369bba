"""Aftercare's forms: the plan at discharge (staff), the one-minute reply and the person's own
controls (no sign-in). Choices that depend on the request (owners) are filled by the views."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length, Optional

from intake.aftercare import rules
from intake.aftercare.services import FREE_TEXT_MAX
from intake.clinical.consent_forms import CHANNEL_LABELS as CONSENT_CHANNEL_LABELS
from intake.clinical.consent_forms import SIGNATURE_LABELS
from intake.vocabulary import AftercareChannel, Language, RequestChannel, SignatureMethod

CHANNEL_LABELS = {
    AftercareChannel.EMAIL: _l("Email"),
    AftercareChannel.SMS: _l("SMS"),
    AftercareChannel.WHATSAPP: _l("WhatsApp"),
}
LANGUAGE_LABELS = {
    Language.EN: "English",
    Language.ES: "Español",
    Language.DE: "Deutsch",
    Language.FR: "Français",
    Language.IT: "Italiano",
}


def _time_of_day(_form: Any, field: Any) -> None:
    if rules.parse_minute(field.data or "") is None:
        raise ValidationError(_l("Write a time of day like 21:00."))


class PlanForm(FlaskForm):
    owner_id = SelectField(_l("Therapist (owner)"), coerce=int, validators=[DataRequired()])
    lead_id = SelectField(_l("Their lead (hears of two missed check-ins)"), coerce=int)
    channel = SelectField(
        _l("Channel"), choices=list(CHANNEL_LABELS.items()), validators=[DataRequired()]
    )
    language = SelectField(
        _l("Language"), choices=list(LANGUAGE_LABELS.items()), validators=[DataRequired()]
    )
    timezone = StringField(
        _l("Time zone"), validators=[DataRequired(), Length(max=64)], default="Europe/Zurich"
    )
    quiet_start = StringField(
        _l("Quiet from"), validators=[DataRequired(), _time_of_day], default="21:00"
    )
    quiet_end = StringField(
        _l("Quiet until"), validators=[DataRequired(), _time_of_day], default="09:00"
    )
    starts_on = DateField(_l("Discharge day (day 0)"), validators=[DataRequired()])
    supports = TextAreaField(
        _l("Support groups and referrals agreed"), validators=[Optional(), Length(max=2000)]
    )
    consent_text = TextAreaField(
        _l("What the person agreed to (their consent to be contacted after discharge)"),
        validators=[DataRequired(), Length(max=2000)],
    )
    # Recorded with the consent in the clinical consent ledger (only when the plan is opened).
    consent_signature = SelectField(
        _l("How the person signed"),
        choices=list(SIGNATURE_LABELS.items()),
        default=SignatureMethod.PAPER.value,
    )
    consent_given_via = SelectField(
        _l("How the consent was given"),
        choices=list(CONSENT_CHANNEL_LABELS.items()),
        default=RequestChannel.IN_PERSON.value,
    )


SCALE_5 = [(str(n), str(n)) for n in range(1, 6)]
SCALE_CRAVINGS = [(str(n), str(n)) for n in range(0, 5)]
YES_NO = [("no", _l("No")), ("yes", _l("Yes"))]


class ReplyForm(FlaskForm):
    """The one-minute check-in. Every question may be skipped."""

    wellbeing = RadioField(
        _l("How are you doing? (1 very badly, 5 very well)"),
        choices=SCALE_5,
        validators=[Optional()],
    )
    use = RadioField(_l("Any use since last time?"), choices=YES_NO, validators=[Optional()])
    cravings = RadioField(
        _l("Cravings (0 none, 4 very strong)"), choices=SCALE_CRAVINGS, validators=[Optional()]
    )
    sleep = RadioField(
        _l("Sleep (1 very badly, 5 very well)"), choices=SCALE_5, validators=[Optional()]
    )
    mood = RadioField(
        _l("Mood (1 very low, 5 very good)"), choices=SCALE_5, validators=[Optional()]
    )
    risky = RadioField(
        _l("Is a risky situation coming up?"), choices=YES_NO, validators=[Optional()]
    )
    support = RadioField(
        _l("Do you have support in place?"), choices=YES_NO, validators=[Optional()]
    )
    call = BooleanField(_l("I would like a call"))
    free_text = TextAreaField(
        _l("Anything else you would like to tell us?"),
        validators=[Optional(), Length(max=FREE_TEXT_MAX)],
    )

    def answers(self) -> dict[str, Any]:
        """The answers given, as stored (numbers as numbers; skipped questions left out)."""
        found: dict[str, Any] = {}
        for name in ("wellbeing", "cravings", "sleep", "mood"):
            value = getattr(self, name).data
            if value not in (None, "", "None"):
                found[name] = int(value)
        for name in ("use", "risky", "support"):
            value = getattr(self, name).data
            if value in ("yes", "no"):
                found[name] = value
        found["call"] = bool(self.call.data)
        return found


class OptionsForm(FlaskForm):
    action = SelectField(
        _l("What would you like?"),
        choices=[
            ("pause", _l("Pause for a month")),
            ("channel", _l("Change how you hear from us")),
            ("stop", _l("Stop these messages")),
        ],
        validators=[DataRequired()],
    )
    channel = SelectField(
        _l("New way to reach you"),
        choices=[("", "-"), *CHANNEL_LABELS.items()],
        validators=[Optional()],
    )
