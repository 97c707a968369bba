"""Staff account services: sign-in with lockout, two-factor, invitations, roles, passwords.

Each function changes the session and records its audit events; the caller (a view or a CLI
command) commits, so the change and its audit row land together.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import pyotp
import segno
from flask import current_app
from sqlalchemy import func, select

from intake.audit.services import record
from intake.audit.tags import AuditTag
from intake.auth.models import User
from intake.auth.permissions import Role
from intake.core.types import utcnow
from intake.extensions import db
from intake.security.encryption import decrypt_text, encrypt_text
from intake.security.passwords import hash_password, needs_rehash, verify_password

INVITE_VALID_FOR = timedelta(hours=72)
TOTP_ISSUER = "Harbor Intake"


class SignInOutcome(StrEnum):
    OK = "ok"
    NEEDS_SECOND_FACTOR = "needs_second_factor"
    BAD_CREDENTIALS = "bad_credentials"
    LOCKED = "locked"
    DEACTIVATED = "deactivated"


@dataclass(frozen=True)
class SignInResult:
    outcome: SignInOutcome
    user: User | None = None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def _is_locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def check_password_sign_in(email: str, password: str) -> SignInResult:
    """Check a password, counting failures and locking the account after too many.

    Unknown users and wrong passwords give the same outcome, so the form cannot be used to
    find out who has an account.
    """
    now = utcnow()
    user = find_user_by_email(email)
    if user is None:
        verify_password(None, password)
        record(AuditTag.LOGIN_FAILED, detail={"reason": "unknown_user"})
        return SignInResult(SignInOutcome.BAD_CREDENTIALS)
    if _is_locked(user, now):
        record(AuditTag.LOGIN_LOCKED, target_type="user", target_id=user.id, actor_id=user.id)
        return SignInResult(SignInOutcome.LOCKED, user)
    if not verify_password(user.password_hash, password):
        user.failed_logins += 1
        record(
            AuditTag.LOGIN_FAILED,
            target_type="user",
            target_id=user.id,
            actor_id=user.id,
            detail={"reason": "wrong_password", "failures": user.failed_logins},
        )
        if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
            user.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])
            user.failed_logins = 0
            record(
                AuditTag.LOGIN_LOCKED,
                target_type="user",
                target_id=user.id,
                actor_id=user.id,
                detail={"minutes": current_app.config["LOGIN_LOCKOUT_MINUTES"]},
            )
            return SignInResult(SignInOutcome.LOCKED, user)
        return SignInResult(SignInOutcome.BAD_CREDENTIALS)
    if not user.active:
        record(
            AuditTag.LOGIN_FAILED,
            target_type="user",
            target_id=user.id,
            actor_id=user.id,
            detail={"reason": "deactivated"},
        )
        return SignInResult(SignInOutcome.DEACTIVATED, user)
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    if user.two_factor_enabled:
        return SignInResult(SignInOutcome.NEEDS_SECOND_FACTOR, user)
    return SignInResult(SignInOutcome.OK, user)


def complete_sign_in(user: User, *, second_factor: bool) -> None:
    """Record a successful sign-in once every factor has been checked."""
    user.last_login_at = utcnow()
    user.failed_logins = 0
    user.locked_until = None
    record(
        AuditTag.LOGIN_SUCCEEDED,
        target_type="user",
        target_id=user.id,
        actor_id=user.id,
        detail={"second_factor": second_factor},
    )


# Two-factor -------------------------------------------------------------------------------


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=TOTP_ISSUER)


def qr_code_svg_data_uri(uri: str) -> str:
    """An SVG QR code as a data URI, made locally (no third-party service sees the secret)."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=2))


def _accept_totp(secret: str, code: str, last_step: int | None) -> int | None:
    """Return the accepted time step, or None. A step is used once, so a code cannot replay."""
    code = "".join(code.split())
    if not (code.isascii() and code.isdigit() and len(code) == 6):  # "١٢٣٤٥٦" is isdigit too
        return None
    totp = pyotp.TOTP(secret)
    now = utcnow()
    for drift in (-1, 0, 1):
        at = now + timedelta(seconds=drift * totp.interval)
        if hmac.compare_digest(totp.at(at), code):
            step = int(at.timestamp()) // totp.interval
            if last_step is not None and step <= last_step:
                return None
            return step
    return None


def enable_two_factor(user: User, secret: str, code: str) -> bool:
    """Turn on TOTP for ``user`` when ``code`` proves their app holds ``secret``."""
    step = _accept_totp(secret, code, None)
    if step is None:
        record(AuditTag.TWO_FACTOR_FAILED, target_type="user", target_id=user.id, actor_id=user.id)
        return False
    user.totp_secret_encrypted = encrypt_text(secret)
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    record(AuditTag.TWO_FACTOR_ENROLLED, target_type="user", target_id=user.id, actor_id=user.id)
    return True


def verify_second_factor(user: User, code: str) -> bool:
    """Check a TOTP code at sign-in; failures count towards the lockout."""
    if user.totp_secret_encrypted is None:
        return False
    step = _accept_totp(decrypt_text(user.totp_secret_encrypted), code, user.totp_last_step)
    if step is None:
        user.failed_logins += 1
        record(AuditTag.TWO_FACTOR_FAILED, target_type="user", target_id=user.id, actor_id=user.id)
        if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
            user.locked_until = utcnow() + timedelta(
                minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"]
            )
            user.failed_logins = 0
            record(AuditTag.LOGIN_LOCKED, target_type="user", target_id=user.id, actor_id=user.id)
        return False
    user.totp_last_step = step
    return True


def is_locked(user: User) -> bool:
    return _is_locked(user, utcnow())


# Accounts ---------------------------------------------------------------------------------


def create_user(
    *, email: str, display_name: str, roles: set[Role], password: str | None = None
) -> User:
    """Create a staff account; without a password it can only be entered through an invite."""
    user = User(
        email=normalise_email(email),
        display_name=display_name.strip(),
        password_hash=hash_password(password) if password else None,
    )
    user.set_roles(roles)
    db.session.add(user)
    db.session.flush()
    record(
        AuditTag.USER_CREATED,
        target_type="user",
        target_id=user.id,
        detail={"roles": ",".join(sorted(roles))},
    )
    return user


def email_taken(email: str) -> bool:
    return bool(
        db.session.scalar(
            select(func.count()).select_from(User).where(User.email == normalise_email(email))
        )
    )


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_user(*, email: str, display_name: str, roles: set[Role]) -> tuple[User, str]:
    """Create an account with a one-time invitation token; return the user and the token.

    Only the token's hash is stored, so a copy of the database cannot be used to accept it.
    """
    user = create_user(email=email, display_name=display_name, roles=roles)
    token = issue_invite(user)
    return user, token


def issue_invite(user: User) -> str:
    token = secrets.token_urlsafe(32)
    user.invite_token_hash = _token_hash(token)
    user.invite_expires_at = utcnow() + INVITE_VALID_FOR
    record(AuditTag.USER_INVITED, target_type="user", target_id=user.id)
    return token


def user_for_invite(token: str) -> User | None:
    """The user a live invitation token belongs to, or None if unknown or expired."""
    if not token or len(token) > 100:
        return None
    user = db.session.scalar(select(User).where(User.invite_token_hash == _token_hash(token)))
    if user is None or user.invite_expires_at is None or user.invite_expires_at < utcnow():
        return None
    return user


def accept_invite(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.invite_token_hash = None
    user.invite_expires_at = None
    user.session_version += 1
    record(AuditTag.INVITE_ACCEPTED, target_type="user", target_id=user.id, actor_id=user.id)


def change_password(user: User, current_password: str, new_password: str) -> bool:
    """Change a password after re-checking the current one; every other session ends."""
    if not verify_password(user.password_hash, current_password):
        record(AuditTag.PASSWORD_CHANGE_FAILED, target_type="user", target_id=user.id)
        return False
    user.password_hash = hash_password(new_password)
    user.session_version += 1
    record(AuditTag.PASSWORD_CHANGED, target_type="user", target_id=user.id)
    return True


def set_active(user: User, active: bool) -> None:
    if user.active == active:
        return
    user.active = active
    # Ending live sessions is immediate: the loader refuses inactive users on every request.
    user.session_version += 1
    record(
        AuditTag.USER_REACTIVATED if active else AuditTag.USER_DEACTIVATED,
        target_type="user",
        target_id=user.id,
    )


def change_roles(user: User, roles: set[Role]) -> None:
    before = user.roles
    if before == roles:
        return
    user.set_roles(roles)
    record(
        AuditTag.USER_ROLES_CHANGED,
        target_type="user",
        target_id=user.id,
        detail={"before": ",".join(sorted(before)), "after": ",".join(sorted(roles))},
    )


def count_active_admins() -> int:
    from intake.auth.models import UserRole

    return (
        db.session.scalar(
            select(func.count(func.distinct(User.id)))
            .join(UserRole)
            .where(User.active.is_(True), UserRole.role == Role.ADMIN.value)
        )
        or 0
    )


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.display_name)).all())
