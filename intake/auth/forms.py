"""Forms for sign-in, two-factor, passwords and user administration."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from intake.auth.permissions import Role
from intake.security.passwords import MIN_PASSWORD_LENGTH
from intake.vocabulary import Language

ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.ADMISSIONS: _l("Admissions"),
    Role.CLINICIAN: _l("Clinician"),
}


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


class TwoFactorForm(FlaskForm):
    code = StringField(
        _l("6-digit code from your authenticator app"),
        validators=[
            DataRequired(),
            Regexp(r"^\s*\d{3}\s?\d{3}\s*$", message=_l("Enter 6 digits.")),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"},
    )


class SecondFactorForm(FlaskForm):
    """At sign-in: the authenticator's code, or one of the recovery codes."""

    code = StringField(
        _l("6-digit code from your authenticator app, or a recovery code"),
        validators=[DataRequired(), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "none"},
    )


class ConfirmPasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )


def _new_password_fields() -> tuple[PasswordField, PasswordField]:
    return (
        PasswordField(
            _l("New password"),
            validators=[
                DataRequired(),
                Length(
                    min=MIN_PASSWORD_LENGTH,
                    max=1024,
                    message=_l("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
                ),
            ],
            render_kw={"autocomplete": "new-password"},
        ),
        PasswordField(
            _l("Repeat the new password"),
            validators=[
                DataRequired(),
                EqualTo("new_password", message=_l("The passwords differ.")),
            ],
            render_kw={"autocomplete": "new-password"},
        ),
    )


class SetPasswordForm(FlaskForm):
    new_password, confirm_password = _new_password_fields()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )
    new_password, confirm_password = _new_password_fields()


def role_choices() -> list[tuple[str, str]]:
    return [(role.value, str(ROLE_LABELS[role])) for role in Role]


class InviteUserForm(FlaskForm):
    email = EmailField(_l("Work email"), validators=[DataRequired(), Email(), Length(max=254)])
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    roles = MultiCheckboxField(
        _l("Roles"),
        choices=role_choices,
        validators=[DataRequired(message=_l("Choose at least one role."))],
    )


class RolesForm(FlaskForm):
    roles = MultiCheckboxField(
        _l("Roles"),
        choices=role_choices,
        validators=[DataRequired(message=_l("Choose at least one role."))],
    )


class LanguageForm(FlaskForm):
    """The language of the emails the application writes to this staff member."""

    # Each language by its own name: whoever reads this may not read the current one.
    language = SelectField(
        _l("Language of the emails you receive"),
        choices=[
            (Language.EN.value, "English"),
            (Language.ES.value, "Español"),
            (Language.DE.value, "Deutsch"),
            (Language.FR.value, "Français"),
            (Language.IT.value, "Italiano"),
        ],
        validators=[DataRequired()],
    )


class ConfirmForm(FlaskForm):
    """A form with only the CSRF token, for buttons that change state."""
