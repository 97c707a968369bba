"""Forms of the triage queue."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

CHANNEL_LABELS = [
    ("phone", _l("Phone call")),
    ("sms", _l("Text message")),
    ("whatsapp", _l("WhatsApp")),
    ("email", _l("Email")),
]
OUTCOME_LABELS = [
    ("reached", _l("Reached the person")),
    ("no_answer", _l("No answer")),
    ("left_message", _l("Left a message")),
    ("wrong_number", _l("Wrong number")),
    ("declined", _l("Declined contact")),
]
PRIORITY_LABELS = [
    ("P0", _l("P0 imminent")),
    ("P1", _l("P1 urgent")),
    ("P2", _l("P2 routine")),
    ("P3", _l("P3 information")),
]


class ContactAttemptForm(FlaskForm):
    channel = SelectField(_l("Channel"), choices=CHANNEL_LABELS, validators=[DataRequired()])
    outcome = SelectField(_l("Outcome"), choices=OUTCOME_LABELS, validators=[DataRequired()])
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=1000)])


class PriorityForm(FlaskForm):
    priority = SelectField(_l("New priority"), choices=PRIORITY_LABELS, validators=[DataRequired()])
    reason = TextAreaField(
        _l("Reason (required to lower a priority)"), validators=[Optional(), Length(max=1000)]
    )
