"""Forms of the triage queue."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from intake.triage.labels import CHANNEL_LABELS, OUTCOME_LABELS, PRIORITY_LABELS


class ContactAttemptForm(FlaskForm):
    channel = SelectField(_l("Channel"), choices=CHANNEL_LABELS, validators=[DataRequired()])
    outcome = SelectField(_l("Outcome"), choices=OUTCOME_LABELS, validators=[DataRequired()])
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=1000)])


class PriorityForm(FlaskForm):
    priority = SelectField(_l("New priority"), choices=PRIORITY_LABELS, validators=[DataRequired()])
    reason = TextAreaField(
        _l("Reason (required to lower a priority)"), validators=[Optional(), Length(max=1000)]
    )
