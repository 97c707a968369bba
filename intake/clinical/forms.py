"""Forms of the clinical pages. They parse and check ranges; the rules and services check again
(a crafted request never gets past :mod:`intake.clinical.rules`)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from intake.clinical import rules
from intake.clinical.labels import (
    ASQ_LABELS,
    AUDIT_C_SEX_LABELS,
    DECISION_LABELS,
    DIMENSION_LABELS,
    LEVEL_LABELS,
    ROUTE_LABELS,
    SAFETY_LABELS,
)
from intake.clinical.services import NOTE_MAX, REASON_MAX
from intake.public.options import SUBSTANCES as SUBSTANCE_CHOICES
from intake.vocabulary import AssessmentDimension, LevelDecision

_SECRET_LABEL = _l("Your password, or a code from your authenticator app")


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("Decision"), choices=list(DECISION_LABELS.items()), validators=[DataRequired()]
    )
    reason = TextAreaField(
        _l("Reason (required when not appropriate)"),
        validators=[Optional(), Length(max=REASON_MAX)],
    )
    referred_to = StringField(
        _l("Referred to (when referring elsewhere)"), validators=[Optional(), Length(max=300)]
    )
    referral_note = TextAreaField(
        _l("Referral note (optional)"), validators=[Optional(), Length(max=2000)]
    )


class NoteForm(FlaskForm):
    body = TextAreaField(_l("Clinical note"), validators=[DataRequired(), Length(max=NOTE_MAX)])


class SignForm(FlaskForm):
    secret = PasswordField(_SECRET_LABEL, validators=[DataRequired(), Length(max=200)])


class AddendumForm(FlaskForm):
    reason = TextAreaField(
        _l("Why this correction"), validators=[DataRequired(), Length(max=REASON_MAX)]
    )
    body = TextAreaField(_l("The correction"), validators=[DataRequired(), Length(max=NOTE_MAX)])
    secret = PasswordField(_SECRET_LABEL, validators=[DataRequired(), Length(max=200)])


class SubstanceRow(Form):
    """One substance of the history (rows left without a substance are ignored)."""

    substance = SelectField(_l("Substance"), validators=[Optional()])
    dose = StringField(_l("Dose"), validators=[Optional(), Length(max=rules.TEXT_MAX)])
    duration = StringField(_l("How long"), validators=[Optional(), Length(max=rules.TEXT_MAX)])
    route = SelectField(_l("Route"), validators=[Optional()])
    stop_attempts = StringField(
        _l("Previous attempts to stop"), validators=[Optional(), Length(max=rules.TEXT_MAX)]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.substance.choices = [("", ""), *SUBSTANCE_CHOICES]
        self.route.choices = [("", ""), *ROUTE_LABELS.items()]


def _score(label: Any, top: int) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            Optional(),
            NumberRange(min=0, max=top, message=_l("Enter a score from 0 to %(top)d.", top=top)),
        ],
    )


class AssessmentForm(FlaskForm):
    """The structured assessment. Item labels are generic ("PHQ-9 item 1 (0-3)"): the
    instruments' own wording is not shipped."""

    substances = FieldList(
        FormField(SubstanceRow),
        min_entries=rules.SUBSTANCE_ROWS,
        max_entries=rules.SUBSTANCE_ROWS,
    )
    withdrawal_seizure = BooleanField(_l("Has had a withdrawal seizure"))
    withdrawal_delirium = BooleanField(_l("Has had withdrawal delirium"))
    asq_result = SelectField(
        _l("ASQ result"), choices=[("", ""), *ASQ_LABELS.items()], validators=[Optional()]
    )
    safety_outcome = SelectField(
        _l("Brief safety assessment outcome"),
        choices=[("", ""), *SAFETY_LABELS.items()],
        validators=[Optional()],
    )
    audit_c_sex = SelectField(
        _l("AUDIT-C cut-off"),
        choices=[("", _l("not given (lower cut-off)")), *AUDIT_C_SEX_LABELS.items()],
        validators=[Optional()],
    )
    summary = TextAreaField(
        _l("Clinical summary"), validators=[Optional(), Length(max=rules.SUMMARY_MAX)]
    )
    level_choice = SelectField(
        _l("Level of care"),
        choices=[("", _l("The suggested level")), *LEVEL_LABELS.items()],
        validators=[Optional()],
    )
    level_reason = TextAreaField(
        _l("Reason for choosing another level"),
        validators=[Optional(), Length(max=rules.REASON_MAX)],
    )

    # phq9_1..9, audit_c_1..3 and one field per dimension are added below.

    def phq9_fields(self) -> list[Any]:
        return [self[f"phq9_{i}"] for i in range(1, 10)]

    def audit_c_fields(self) -> list[Any]:
        return [self[f"audit_c_{i}"] for i in range(1, 4)]

    def dimension_fields(self) -> list[Any]:
        return [self[f"dim_{d.value}"] for d in AssessmentDimension]

    def to_raw(self) -> dict[str, Any]:
        """What the rules read (:func:`intake.clinical.rules.check_assessment`)."""
        return {
            "substances": [dict(row.data) for row in self.substances],
            "withdrawal_seizure": self.withdrawal_seizure.data,
            "withdrawal_delirium": self.withdrawal_delirium.data,
            "asq_result": self.asq_result.data,
            "safety_outcome": self.safety_outcome.data,
            "phq9": [f.data for f in self.phq9_fields()],
            "audit_c": [f.data for f in self.audit_c_fields()],
            "audit_c_sex": self.audit_c_sex.data,
            "dimensions": {d.value: self[f"dim_{d.value}"].data for d in AssessmentDimension},
            "summary": self.summary.data,
            "level_choice": self.level_choice.data,
            "level_reason": self.level_reason.data,
        }

    @classmethod
    def from_content(cls, content: dict[str, Any]) -> AssessmentForm:
        """The form filled from a stored draft."""
        data: dict[str, Any] = {
            "substances": content.get("substances", []),
            "withdrawal_seizure": content.get("withdrawal_seizure", False),
            "withdrawal_delirium": content.get("withdrawal_delirium", False),
            "asq_result": content.get("asq_result", ""),
            "safety_outcome": content.get("safety_outcome", ""),
            "audit_c_sex": content.get("audit_c_sex", ""),
            "summary": content.get("summary", ""),
        }
        for i, score in enumerate(content.get("phq9") or [], start=1):
            data[f"phq9_{i}"] = score
        for i, score in enumerate(content.get("audit_c") or [], start=1):
            data[f"audit_c_{i}"] = score
        for key, rating in (content.get("dimensions") or {}).items():
            data[f"dim_{key}"] = rating
        level = content.get("level") or {}
        if level.get("decision") == LevelDecision.OVERRIDDEN:
            data["level_choice"] = level.get("chosen", "")
            data["level_reason"] = level.get("reason", "")
        return cls(data=data)


for _i in range(1, 10):
    setattr(AssessmentForm, f"phq9_{_i}", _score(_l("PHQ-9 item %(n)d (0-3)", n=_i), 3))
for _i in range(1, 4):
    setattr(AssessmentForm, f"audit_c_{_i}", _score(_l("AUDIT-C item %(n)d (0-4)", n=_i), 4))
for _dimension in AssessmentDimension:
    setattr(AssessmentForm, f"dim_{_dimension.value}", _score(DIMENSION_LABELS[_dimension], 4))
