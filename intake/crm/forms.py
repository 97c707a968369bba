"""Forms of the CRM's staff pages. Choices made per request (owners) are filled by the views."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from intake.core.inputs import check_wall_clock
from intake.crm.labels import (
    CASE_MESSAGE_CHANNEL_LABELS,
    CASE_MESSAGE_LABELS,
    CLOSE_REASON_LABELS,
    REFERRAL_CHANNEL_LABELS,
    REFERRER_KIND_LABELS,
    STAGE_LABELS,
    TASK_KIND_LABELS,
)
from intake.crm.notes import NOTE_MAX

_TIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class MoveForm(FlaskForm):
    to_stage = SelectField(
        _l("Move to"), choices=list(STAGE_LABELS.items()), validators=[DataRequired()]
    )


class CloseForm(FlaskForm):
    reason = SelectField(
        _l("Why it closes"), choices=list(CLOSE_REASON_LABELS.items()), validators=[DataRequired()]
    )
    # Choices (the referrers) are filled by the view; 0 is "none chosen".
    referred_to_id = SelectField(
        _l("Referred to (when referred elsewhere)"), coerce=int, validators=[Optional()]
    )
    referred_to = StringField(
        _l("Or a new organisation or professional"), validators=[Optional(), Length(max=200)]
    )
    referral_note = TextAreaField(
        _l("Referral note (optional)"), validators=[Optional(), Length(max=2000)]
    )


class OwnerForm(FlaskForm):
    owner_id = SelectField(_l("Owner"), coerce=int, validators=[DataRequired()])


class TaskForm(FlaskForm):
    kind = SelectField(
        _l("Kind"), choices=list(TASK_KIND_LABELS.items()), validators=[DataRequired()]
    )
    due_at = DateTimeLocalField(_l("Due"), format=_TIME_FORMATS, validators=[DataRequired()])
    owner_id = SelectField(_l("For"), coerce=int, validators=[Optional()])
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=2000)])

    def validate_due_at(self, field: Any) -> None:
        check_wall_clock(field.data)


class NoteForm(FlaskForm):
    body = TextAreaField(_l("Note"), validators=[DataRequired(), Length(max=NOTE_MAX)])


class MergeForm(FlaskForm):
    """Merge another record (by its number) into the one on the page."""

    other = StringField(_l("Record number to merge into this one"), validators=[DataRequired()])


class CaseMessageForm(FlaskForm):
    """Send the person a message from a template; ``send_key`` makes a second POST a no-op."""

    template = SelectField(
        _l("Message"), choices=list(CASE_MESSAGE_LABELS.items()), validators=[DataRequired()]
    )
    channel = SelectField(
        _l("Send by"),
        choices=list(CASE_MESSAGE_CHANNEL_LABELS.items()),
        validators=[DataRequired()],
    )
    appointment_at = DateTimeLocalField(
        _l("Appointment (for the confirmation)"), format=_TIME_FORMATS, validators=[Optional()]
    )
    send_key = HiddenField(validators=[DataRequired(), Length(max=64)])

    def validate_appointment_at(self, field: Any) -> None:
        check_wall_clock(field.data)


class SourceForm(FlaskForm):
    """How an episode's person reached the clinic and who referred them (choices by the view)."""

    channel = SelectField(_l("How they reached us"), validators=[Optional()])
    referrer_id = SelectField(_l("Referred by"), coerce=int, validators=[Optional()])


class ReferrerForm(FlaskForm):
    """A referring organisation or professional: only what is needed to recognise and reach
    them."""

    kind = SelectField(
        _l("Kind"), choices=list(REFERRER_KIND_LABELS.items()), validators=[DataRequired()]
    )
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    professional_name = StringField(
        _l("Professional's name"), validators=[Optional(), Length(max=200)]
    )
    contact = StringField(
        _l("Phone or email to reach them"), validators=[Optional(), Length(max=200)]
    )


REFERRAL_CHANNEL_CHOICES = [("", _l("As recorded")), *REFERRAL_CHANNEL_LABELS.items()]
