"""Sign-in, two-factor, sign-out, own password, and accepting an invitation."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from intake.auth import services, use_cases
from intake.auth.forms import (
    ChangePasswordForm,
    ConfirmPasswordForm,
    LanguageForm,
    LoginForm,
    SecondFactorForm,
    SetPasswordForm,
    TwoFactorForm,
)
from intake.auth.models import User
from intake.auth.network import client_address
from intake.auth.permissions import public, require_login
from intake.auth.sessions import SESSION_TOKEN_KEY, start_session
from intake.extensions import db, limiter
from intake.security.redirects import is_safe_next

bp = Blueprint("auth", __name__, url_prefix="/staff")

PENDING_KEY = "pending_second_factor"
PENDING_SECONDS = 300


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _next_target() -> tuple[str, str | None]:
    """Where to go after sign-in: a local ``next`` or the staff home, never another site.

    Also returns the endpoint to audit when a ``next`` pointing elsewhere was ignored.
    """
    target = request.args.get("next")
    if target and is_safe_next(target):
        return target, None
    refused_on = (request.endpoint or "") if target else None
    return url_for("core.staff_home"), refused_on


def _finish_sign_in(user: User, token: str, target: str) -> Response:
    start_session(token)
    login_user(user)
    flash(_("Signed in."), "success")
    return redirect(target)


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def login() -> str | Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("core.staff_home"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 400 if form.errors else 200
    target, refused_next_on = _next_target()
    result = use_cases.sign_in_with_password(
        form.email.data or "",
        form.password.data or "",
        address=client_address(),
        refused_next_on=refused_next_on,
    )
    if result.user is not None and result.token is not None:
        return _finish_sign_in(result.user, result.token, target)
    if result.outcome is services.SignInOutcome.NEEDS_SECOND_FACTOR and result.user is not None:
        session[PENDING_KEY] = {
            "user_id": result.user.id,
            "version": result.user.session_version,
            "at": services.utcnow().timestamp(),
        }
        return redirect(url_for("auth.second_factor", next=request.args.get("next")))
    if result.outcome is services.SignInOutcome.LOCKED:
        message = _(
            "Too many failed attempts: this account is locked for a while. "
            "Try again later or ask an administrator."
        )
        status = 403
    elif result.outcome is services.SignInOutcome.DEACTIVATED:
        message = _("This account has been deactivated. Ask an administrator if you need access.")
        status = 403
    else:
        message = _("That email and password do not match an active account.")
        status = 401
    return render_template("auth/login.html", form=form, error=message), status


def _pending_user() -> User | None:
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    if services.utcnow().timestamp() - float(pending.get("at", 0)) > PENDING_SECONDS:
        session.pop(PENDING_KEY, None)
        return None
    user = db.session.get(User, pending.get("user_id"))
    if user is None or not user.active or user.session_version != pending.get("version"):
        return None
    return user


@bp.route("/login/code", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def second_factor() -> str | Response | tuple[str, int]:
    user = _pending_user()
    if user is None:
        flash(_("Please sign in again."), "info")
        return redirect(url_for("auth.login"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        target, refused_next_on = _next_target()
        result, token = use_cases.sign_in_with_code(
            user, form.code.data or "", address=client_address(), refused_next_on=refused_next_on
        )
        if token is not None:
            session.pop(PENDING_KEY, None)
            if result.used_recovery_code:
                flash(
                    _(
                        "You signed in with a recovery code; %(left)d are left. "
                        "Make new ones from your account page if you are running out.",
                        left=result.recovery_codes_left,
                    ),
                    "warning",
                )
            return _finish_sign_in(user, token, target)
        if result.locked:
            session.pop(PENDING_KEY, None)
            flash(_("Too many failed attempts: this account is locked for a while."), "error")
            return redirect(url_for("auth.login"))
        return render_template(
            "auth/second_factor.html",
            form=form,
            error=_("That code is not valid. Try the next one."),
        ), 401
    return render_template("auth/second_factor.html", form=form), 400 if form.errors else 200


@bp.route("/logout", methods=["POST"])
@require_login
def logout() -> Response:
    use_cases.sign_out(current_user._get_current_object(), session.get(SESSION_TOKEN_KEY))
    logout_user()
    session.clear()
    flash(_("Signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/two-factor", methods=["GET", "POST"])
@require_login
def enrol_two_factor() -> str | Response | tuple[str, int]:
    user: User = current_user._get_current_object()
    form = TwoFactorForm()
    secret = session.get("enrol_secret")
    if request.method == "GET" or not secret:
        secret = services.new_totp_secret()
        session["enrol_secret"] = secret
    if form.validate_on_submit() and request.method == "POST":
        codes = use_cases.enable_two_factor(user, secret, form.code.data or "")
        if codes is not None:
            session.pop("enrol_secret", None)
            flash(_("Two-factor sign-in is on."), "success")
            # Shown once, in this response only: the codes are never put in the cookie.
            return render_template("auth/recovery_codes.html", codes=codes, fresh_enrolment=True)
        form.code.errors = [*form.code.errors, _("That code is not valid. Try the next one.")]
    uri = services.provisioning_uri(user, secret)
    status = 400 if form.errors else 200
    return render_template(
        "auth/enrol_two_factor.html",
        form=form,
        secret=secret,
        qr_code=services.qr_code_svg_data_uri(uri),
        already_enabled=user.two_factor_enabled,
    ), status


@bp.route("/account/password", methods=["GET", "POST"])
@require_login
def change_password() -> str | Response | tuple[str, int]:
    user: User = current_user._get_current_object()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        token = use_cases.change_password(
            user, form.current_password.data or "", form.new_password.data or ""
        )
        if token is not None:
            # This browser goes on in a new session; every other session has ended.
            start_session(token)
            login_user(user)
            flash(_("Password changed. Other sessions have been signed out."), "success")
            return redirect(url_for("core.staff_home"))
        form.current_password.errors = [_("The current password is not right.")]
    return render_template(
        "auth/change_password.html",
        form=form,
        language_form=LanguageForm(data={"language": user.language}),
        two_factor_enabled=user.two_factor_enabled,
        recovery_codes_left=services.recovery_codes_left(user),
    ), 400 if form.errors else 200


@bp.post("/account/language")
@require_login
def change_language() -> Response:
    """Set the language of the emails written to the signed-in staff member."""
    user: User = current_user._get_current_object()
    form = LanguageForm()
    if form.validate_on_submit() and use_cases.set_language(user, str(form.language.data)):
        flash(_("The language of your emails is saved."), "success")
    else:
        flash(_("Choose one of the languages in the list."), "error")
    return redirect(url_for("auth.change_password"))


@bp.route("/account/recovery-codes", methods=["GET", "POST"])
@require_login
def recovery_codes() -> str | Response | tuple[str, int]:
    user: User = current_user._get_current_object()
    form = ConfirmPasswordForm()
    if not user.two_factor_enabled:
        # Nothing to make yet: the page says so and links to enrolment.
        return render_template("auth/regenerate_recovery_codes.html", form=None, codes_left=0)
    if form.validate_on_submit():
        codes = use_cases.regenerate_recovery_codes(user, form.current_password.data or "")
        if codes is not None:
            return render_template("auth/recovery_codes.html", codes=codes, fresh_enrolment=False)
        form.current_password.errors = [_("The current password is not right.")]
    return render_template(
        "auth/regenerate_recovery_codes.html",
        form=form,
        codes_left=services.recovery_codes_left(user),
    ), 400 if form.errors else 200


@bp.route("/invite/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def accept_invite(token: str) -> str | Response | tuple[str, int]:
    user = services.user_for_invite(token)
    if user is None:
        abort(404)
    form = SetPasswordForm()
    if form.validate_on_submit():
        use_cases.accept_invite(user, form.new_password.data or "")
        if current_user.is_authenticated:
            logout_user()
        session.clear()
        flash(_("Your password is set. Please sign in."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/accept_invite.html", form=form, user=user), (
        400 if form.errors else 200
    )
