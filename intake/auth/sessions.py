"""Staff sessions: idle and absolute timeouts, rejected cookies, and who a cookie belongs to.

Flask keeps the session in a signed cookie. This module notices when a cookie was tampered with
or has expired (instead of silently treating it as empty), ends sessions that are idle too long or
older than the absolute limit, and refuses sessions of deactivated users or of a password that
has since changed. Each case leaves an audit row and a message the person can understand.

A signed cookie alone cannot be taken back, so each sign-in also opens a server-side row
(``StaffSession``) whose random token the cookie carries: signing out, a password change and
deactivation end the row, and a cookie copied before that opens nothing afterwards.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, Request, flash, g, jsonify, redirect, request, session, url_for
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from itsdangerous import BadSignature, SignatureExpired
from werkzeug.wrappers import Response

from intake.audit.services import record
from intake.audit.tags import AuditTag
from intake.extensions import db, login_manager

REJECTED_COOKIE = "harbor.session_rejected"
# The session's server-side token (intake.auth.models.StaffSession), set at sign-in.
SESSION_TOKEN_KEY = "sid"  # noqa: S105  (a key name, not a secret)


class AuditedSessionInterface(SecureCookieSessionInterface):
    """The standard signed-cookie session, but a bad or expired cookie is remembered."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            return self.session_class(serializer.loads(value, max_age=max_age))
        except SignatureExpired:
            # The signature is genuine, only old: the payload tells whose session expired.
            _, payload = serializer.loads_unsafe(value)
            request.environ[REJECTED_COOKIE] = ("expired", _user_id_from(payload))
        except BadSignature:
            request.environ[REJECTED_COOKIE] = ("tampered", None)
        return self.session_class()


def _user_id_from(payload: Any) -> int | None:
    if not isinstance(payload, dict):
        return None
    raw = str(payload.get("_user_id", ""))
    head = raw.split(":", 1)[0]
    return int(head) if head.isdigit() else None


@login_manager.user_loader
def load_user(session_user_id: str) -> Any:
    from intake.auth.models import User

    try:
        user_id_text, version_text = session_user_id.split(":", 1)
        user_id, version = int(user_id_text), int(version_text)
    except ValueError:
        g.session_rejection = ("malformed", None)
        return None
    user = db.session.get(User, user_id)
    if user is None:
        g.session_rejection = ("unknown_user", None)
        return None
    if not user.active:
        g.session_rejection = ("deactivated", user.id)
        return None
    if user.session_version != version:
        g.session_rejection = ("superseded", user.id)
        return None
    from intake.auth.services import staff_session_problem

    # The cookie alone is not enough: its session must still be live on the server, so a
    # cookie copied before sign-out (or a password change) opens nothing afterwards.
    problem = staff_session_problem(user.id, session.get(SESSION_TOKEN_KEY))
    if problem is not None:
        g.session_rejection = ("ended", user.id, problem)
        return None
    return user


def _message_for(reason: str) -> str:
    messages = {
        "deactivated": _(
            "This account has been deactivated. Ask an administrator if you need access."
        ),
        "superseded": _(
            "You were signed out because the password was changed. Please sign in again."
        ),
        "expired": _("Your session expired. Please sign in again."),
        "ended": _("This session has ended. Please sign in again."),
        "tampered": _("Your session could not be verified. Please sign in again."),
    }
    return messages.get(reason, _("Please sign in to continue."))


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


@login_manager.unauthorized_handler
def unauthorized() -> Response:
    rejection = g.pop("session_rejection", None)
    if rejection is not None:
        reason, user_id = rejection[0], rejection[1]
        detail = {"reason": reason}
        if len(rejection) > 2:
            detail["session"] = rejection[2]
        record(
            AuditTag.SESSION_REJECTED,
            actor_id=user_id,
            target_type="user" if user_id else None,
            target_id=user_id,
            detail=detail,
        )
        db.session.commit()
        session.clear()
        flash(_message_for(reason), "warning")
    elif not g.get("session_message_shown"):
        flash(_("Please sign in to continue."), "info")
    if _wants_json():
        response = jsonify(error="authentication required")
        response.status_code = 401
        return response
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def enforce_session_limits() -> Response | None:
    """Before each request: audit rejected cookies and end idle or too-old sessions."""
    rejected = request.environ.pop(REJECTED_COOKIE, None)
    if rejected is not None:
        reason, user_id = rejected
        tag = AuditTag.SESSION_EXPIRED if reason == "expired" else AuditTag.SESSION_REJECTED
        record(tag, actor_id=user_id, detail={"reason": reason})
        db.session.commit()
        flash(_message_for(reason), "warning")
        g.session_message_shown = True
        return None
    if "_user_id" not in session:
        return None
    now = time.time()
    idle_limit = 60 * _config_int("SESSION_IDLE_MINUTES")
    absolute_limit = 3600 * _config_int("SESSION_ABSOLUTE_HOURS")
    last_seen = float(session.get("last_seen", 0))
    signed_in_at = float(session.get("signed_in_at", 0))
    if now - last_seen > idle_limit or now - signed_in_at > absolute_limit:
        from intake.auth.services import end_staff_session

        user_id = _user_id_from(dict(session))
        token = session.get(SESSION_TOKEN_KEY)
        logout_user()
        session.clear()
        end_staff_session(token, "expired")
        record(
            AuditTag.SESSION_EXPIRED,
            actor_id=user_id,
            detail={"reason": "idle" if now - last_seen > idle_limit else "absolute"},
        )
        db.session.commit()
        flash(_message_for("expired"), "warning")
        g.session_message_shown = True
        return None
    session["last_seen"] = now
    return None


def start_session(token: str) -> None:
    """Begin a fresh session at sign-in: nothing from before sign-in carries over.

    ``token`` names the server-side session row (see ``services.open_staff_session``).
    """
    keep_flashes = session.get("_flashes")
    session.clear()
    if keep_flashes:
        session["_flashes"] = keep_flashes
    session.permanent = True
    now = time.time()
    session["signed_in_at"] = now
    session["last_seen"] = now
    session[SESSION_TOKEN_KEY] = token


def forbid_caching_of_staff_pages(response: Response) -> Response:
    """After each request: staff pages (personal data, the 2FA secret) are never stored by a
    browser or proxy cache, error pages included.

    The one exception is a successful response whose view chose ``Cache-Control: private`` with
    a short ``max-age`` itself (the reports' chart images: aggregates only, no person): the
    signed-in user's own browser may keep it that long; a shared cache never may."""
    if request.path == "/staff" or request.path.startswith("/staff/"):
        if response.status_code in (200, 304) and response.cache_control.private:
            return response
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response


def require_enrolment_when_configured() -> Response | None:
    """With REQUIRE_2FA on, a signed-in user without two-factor can only enrol or sign out."""
    from flask import current_app

    if not current_app.config["REQUIRE_2FA"] or request.endpoint is None:
        return None
    if request.endpoint in {"auth.enrol_two_factor", "auth.logout", "static"}:
        return None
    if not request.path.startswith("/staff"):
        return None
    if current_user.is_authenticated and not current_user.two_factor_enabled:
        flash(_("Set up two-factor sign-in to continue."), "info")
        return redirect(url_for("auth.enrol_two_factor"))
    return None


def _config_int(name: str) -> int:
    from flask import current_app

    return int(current_app.config[name])
