"""Forms for the on-call rota."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, SelectField
from wtforms.validators import DataRequired, ValidationError

from intake.core.inputs import check_wall_clock


class ShiftForm(FlaskForm):
    """A shift in the clinic's time zone; stored in UTC by the view."""

    user_id = SelectField(_l("On call"), coerce=int, validators=[DataRequired()])
    fallback_user_id = SelectField(_l("Fallback"), coerce=int)
    starts_at = DateTimeLocalField(
        _l("Starts"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"], validators=[DataRequired()]
    )
    ends_at = DateTimeLocalField(
        _l("Ends"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"], validators=[DataRequired()]
    )

    def validate_starts_at(self, field: Any) -> None:
        check_wall_clock(field.data)

    def validate_ends_at(self, field: Any) -> None:
        check_wall_clock(field.data)
        if self.starts_at.data and field.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("The shift must end after it starts."))

    def validate_fallback_user_id(self, field: Any) -> None:
        if field.data and field.data == self.user_id.data:
            raise ValidationError(_l("The fallback must be someone else."))
