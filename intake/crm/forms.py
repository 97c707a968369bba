"""Forms of the CRM's staff pages. Choices made per request (owners) are filled by the views."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from intake.core.inputs import check_wall_clock
from intake.crm.labels import CLOSE_REASON_LABELS, STAGE_LABELS, TASK_KIND_LABELS
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
    referred_to = StringField(
        _l("Referred to (when referred elsewhere)"), validators=[Optional(), Length(max=300)]
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
